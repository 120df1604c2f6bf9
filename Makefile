# Spiking-UNet hardware reference. `make sim` and `make test` do all set-up themselves.
SHELL := /bin/bash
PYTHON_BASE ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CONFIG ?= configs/em_slice.yaml
EXPORT_DIR ?= build/export/em_slice
NET_EXPORT_DIR ?= build/export/em_unet
STAMP := $(VENV)/.installed

.PHONY: setup export sim csim test bench synth report clean

setup: $(STAMP)

$(STAMP): requirements.txt
	$(PYTHON_BASE) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	touch $(STAMP)

export: $(STAMP)
	$(PY) -m golden export --config $(CONFIG) --out $(EXPORT_DIR)
	OMP_NUM_THREADS=1 $(PY) -m golden export-net --out $(NET_EXPORT_DIR)

SIM_LANES ?= 8

# The whole default Spiking-UNet on the RTL engine (one SIM line).
sim: $(STAMP)
	OMP_NUM_THREADS=1 $(PY) -m golden export-net --out $(NET_EXPORT_DIR)
	OMP_NUM_THREADS=1 $(PY) scripts/run_sim.py --export $(NET_EXPORT_DIR) --lanes $(SIM_LANES)

csim: $(STAMP)
	$(PY) -m golden export --config $(CONFIG) --out $(EXPORT_DIR)
	$(PY) scripts/run_csim.py --export $(EXPORT_DIR)
	OMP_NUM_THREADS=1 $(PY) -m golden export-net --out $(NET_EXPORT_DIR)
	$(PY) scripts/run_csim.py --export $(NET_EXPORT_DIR)

test: $(STAMP)
	OMP_NUM_THREADS=1 $(PY) -m pytest -n auto tests rtl_tb

synth: $(STAMP)
	$(PY) scripts/synth.py

REPORT_ARGS ?=
report: $(STAMP)
	OMP_NUM_THREADS=1 $(PY) scripts/report.py --out build/report $(REPORT_ARGS)

bench: $(STAMP)
	OMP_NUM_THREADS=1 $(PY) scripts/bench.py
	OMP_NUM_THREADS=1 $(PY) scripts/bench_rtl.py

clean:
	rm -rf build sim_build .pytest_cache
