"""Static checks of rtl/: `verilator --lint-only -Wall` must be clean, and yosys must elaborate the top.

Lint runs every module as top with its default parameters, and the top with the manifest parameters of every
export the benches use. The yosys check (skipped without yosys on PATH) reads the sources with
`read_verilog -sv` (yosys 0.23's subset), elaborates the top on the default export and requires every RAM/ROM
to be inferred as a memory ($mem_v2 cells), with no warning.
"""
import re
import shutil
import subprocess

import pytest

import cases
import simlib
from golden.manifest import load_manifest

MODULES = ["mtif_neuron", "snn_input_conv", "snn_spiking_conv", "snn_slice_top", "mtif_neuron_rt", "snn_engine"]
SOURCES = [str(simlib.RTL_DIR / s) for s in simlib.RTL_SOURCES + simlib.ENGINE_SOURCES]


def _lint(top, params=None):
    verilator = simlib.setup_verilator()
    cmd = [str(verilator), "--lint-only", "-Wall", f"-I{simlib.RTL_DIR}", "--top-module", top]
    cmd += [f"-G{k}={v}" for k, v in (params or {}).items()]
    proc = subprocess.run(cmd + SOURCES, capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "%Warning" not in out and "%Error" not in out, out


@pytest.mark.parametrize("top", MODULES)
def test_lint_defaults(top):
    _lint(top)


def test_lint_manifest_parameters():
    for case in ["default", "default_ge", *cases.SYNTHETIC]:
        export = cases.export(case)
        m = load_manifest(export)
        _lint("snn_slice_top", simlib.top_params(m, export))
        for layer in m["layers"]:
            _lint("mtif_neuron", simlib.neuron_params(m, layer["name"]))


def test_lint_engine_manifest_parameters():
    from test_engine import NET

    for case, (kwargs, lanes, *_) in NET.items():
        export = simlib.network_export(f"net-{case}", **kwargs)
        _lint("snn_engine", simlib.engine_params(load_manifest(export), export, lanes, f"lint-{case}"))


@pytest.mark.parametrize("lanes", [8, 16])
def test_lint_engine_default_model(lanes):
    """The engine with the parameters of the committed default 27-layer model (`make sim`)."""
    export = simlib.default_network_export()
    _lint("snn_engine", simlib.engine_params(load_manifest(export), export, lanes, f"lint-default_net-p{lanes}"))


@pytest.mark.skipif(shutil.which("yosys") is None, reason="yosys not installed")
def test_yosys_elaborates_top():
    export = cases.export("default")
    params = simlib.top_params(load_manifest(export), export)
    chparam = " ".join(f"-set {k} {v}" for k, v in params.items())
    script = (f"read_verilog -defer -sv {' '.join(SOURCES)}; chparam {chparam} snn_slice_top; "
              "hierarchy -check -top snn_slice_top; proc; opt -fast; memory -nomap; opt -fast; stat")
    proc = subprocess.run(["yosys", "-p", script], capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert not re.search(r"^(Warning|ERROR)", out, re.M), "\n".join(l for l in out.splitlines() if "arning" in l)
    # conv1: weights, bias, image, current, membrane; conv2: weights, bias, spike frame, membrane
    mems = re.findall(r"^\s+\$mem_v2\s+(\d+)", out, re.M)
    assert mems and int(mems[-1]) == 9, out[-2000:]
