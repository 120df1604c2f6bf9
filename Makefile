# Spiking-UNet hardware reference. `make sim` and `make test` do all set-up themselves; `make help` lists targets.
SHELL := /bin/bash
PYTHON_BASE ?= python3
VENV := .venv
PY := $(VENV)/bin/python
GOLDEN := OMP_NUM_THREADS=1 $(PY) -m golden
STAMP := $(VENV)/.installed
PEERS_STAMP := $(VENV)/.peers-installed

# What a user changes: the model, the image, its crop (Y X H W), T, the engine's lanes.
CHECKPOINT ?= configs/models/em_unet_snn.npz
CONFIG ?= configs/unet_em.yaml
IMAGE ?= configs/demo/em_slice22_y224_x224_64.png
CROP ?=
T ?=
LANES ?= 8
# the named deployment configuration (golden/backends/rtl/deploy.py, docs/deployment.md) that `make synth`,
# `make timing` and `make sim FAST=1` build unless LANES is given; DEPLOY= turns it off
DEPLOY ?= zcu104
LABELS ?=
FAST ?=
THREADS ?= $(shell nproc)
# The export folder is keyed by its content: a hash of the checkpoint, config and image files and of CROP and T,
# so two models (even two files both called snn.npz) never share one.
EXPORT_KEY := $(shell { sha256sum $(CHECKPOINT) $(CONFIG) $(IMAGE) 2>/dev/null | cut -d' ' -f1; \
                       echo "crop=$(strip $(CROP)) t=$(T)"; } | sha256sum | cut -c1-12)
EXPORT ?= build/export/$(basename $(notdir $(CHECKPOINT)))-$(EXPORT_KEY)
REPORT_ARGS ?=
TIMING_ARGS ?=

HW_ARGS := $(if $(filter command line environment,$(origin LANES)),--lanes $(LANES),$(if $(DEPLOY),--deploy $(DEPLOY),--lanes $(LANES)))

EXPORT_ARGS := --checkpoint $(CHECKPOINT) --config $(CONFIG) --image $(IMAGE) $(if $(CROP),--crop $(CROP)) \
               $(if $(T),--timesteps $(T))

.PHONY: help setup peers export sim csim test bench synth timing estimate formal report models clean

help:  ## list the targets and the variables
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 10
	@echo "variables: CHECKPOINT=$(CHECKPOINT) CONFIG=$(CONFIG) IMAGE=$(IMAGE) CROP=\"$(CROP)\" (Y X H W) T=$(T) LANES=$(LANES) LABELS=$(LABELS) FAST=$(FAST) (1: the self-contained bench for long frames, on DEPLOY=$(DEPLOY) unless LANES is given)"

setup: $(STAMP)  ## the virtual environment with pinned packages and golden installed editable

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON_BASE) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

peers: $(PEERS_STAMP)  ## setup plus SpikingJelly 2.0.0 (ann2snn peer), pins from pyproject's `peers` group, --no-deps

# --no-deps: spikingjelly declares torchvision/torchaudio, whose wheels would replace the pinned torch
$(PEERS_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install -q --no-deps $$($(PY) -c "import tomllib; print(' '.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['peers']))")
	touch $(PEERS_STAMP)

# The export is rebuilt when its inputs change (model, config, image or the exporter's code).
$(EXPORT)/manifest.yaml: $(STAMP) $(CHECKPOINT) $(CONFIG) $(IMAGE) $(shell find golden -name '*.py' 2>/dev/null)
	$(GOLDEN) export-net $(EXPORT_ARGS) --out $(EXPORT)

export: $(EXPORT)/manifest.yaml  ## quantise the model, write manifest, header, ROM images, golden vectors

sim: $(EXPORT)/manifest.yaml  ## RTL frame engine (Verilator, AXI memory model) on the export: every layer, every step compared; LABELS=<png>: F1
	$(GOLDEN) sim --export $(EXPORT) $(if $(FAST),--fast $(HW_ARGS),--lanes $(LANES)) $(if $(LABELS),--labels $(LABELS))

csim: $(EXPORT)/manifest.yaml  ## HLS C-simulation (g++) of the frame top on the export: every layer, every step compared
	$(GOLDEN) csim --export $(EXPORT)

test: $(PEERS_STAMP)  ## the whole suite: golden model, exporter, HLS C-sim, RTL benches, the SpikingJelly peer (what CI runs)
	OMP_NUM_THREADS=1 $(PY) -m pytest -n auto tests rtl_tb

bench: $(PEERS_STAMP)  ## golden model vs one float32 ANN forward (every core), time-to-F1 vs SpikingJelly; RTL cycles
	$(PY) -m golden bench --threads $(THREADS)

synth: $(EXPORT)/manifest.yaml  ## yosys synth_xilinx -family xcup of the frame engine: DEPLOY's configuration, or LANES lanes
	$(GOLDEN) synth --export $(EXPORT) $(HW_ARGS)

timing: $(EXPORT)/manifest.yaml  ## Fmax of an ECP5-85F place and route (nextpnr) and yosys sta on xc7 cells (docs/timing.md); TIMING_ARGS=
	$(GOLDEN) timing --export $(EXPORT) $(TIMING_ARGS)

estimate: $(EXPORT)/manifest.yaml  ## cycles, on-chip memory and external traffic of the frame engine for the model and LANES
	$(GOLDEN) estimate --export $(EXPORT) --lanes $(LANES)

formal: $(STAMP)  ## proofs of the AXI masters and the AXI4-Lite slave (yosys-smtbmc, docs/formal.md); DEPTH=N
	$(GOLDEN) formal $(if $(DEPTH),--depth $(DEPTH))

report: $(STAMP)  ## the paper's Tables 1-5 and figures with the committed models, integer SNN (build/report)
	$(GOLDEN) report --out build/report --threads $(THREADS) $(REPORT_ARGS)

models: $(STAMP)  ## retrain every committed model (MODELS="bsd cbsd" picks; TRAIN_ARGS=--resume continues)
	OMP_NUM_THREADS=$(THREADS) scripts/make_models.sh

clean:  ## remove build outputs (not the venv)
	rm -rf build sim_build .pytest_cache
