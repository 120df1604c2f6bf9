"""Static checks of rtl/: `verilator --lint-only -Wall` must be clean, and yosys must elaborate the engine.

Lint runs every module as top with its default parameters, the neuron with the manifest parameters of every layer
of every neuron case, and the engine with those of every engine case and of the default model (P = 8 and 16)
(rtl_tb/cases.py). The yosys check (skipped without yosys on PATH) reads the sources with `read_verilog -sv`,
elaborates snn_engine on an engine case and requires its RAMs/ROMs to be inferred as memories ($mem_v2 cells),
with no warning.
"""
import re
import shutil
import subprocess

import pytest

from golden.backends.rtl import simulate as simlib
from rtl_tb.cases import DEFAULT_MODEL, ENGINE_CASES, NEURON_CASES
from golden.ir.manifest import load_manifest

MODULES = ["mtif_neuron", "mtif_neuron_rt", "snn_engine"]
SOURCES = [str(simlib.RTL_DIR / s) for s in simlib.rtl_sources()]


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


def test_lint_neuron_manifest_parameters():
    for case in NEURON_CASES.values():
        m = load_manifest(case.export())
        for layer in m["layers"]:
            if layer["kind"] != "output":
                _lint("mtif_neuron", simlib.neuron_params(m, layer["name"]))


def test_lint_engine_manifest_parameters():
    for case in ENGINE_CASES.values():
        export = case.export()
        _lint("snn_engine", simlib.engine_params(load_manifest(export), export, case.lanes, f"lint-{case.name}"))


@pytest.mark.parametrize("lanes", [8, 16])
def test_lint_engine_default_model(lanes):
    """The engine with the parameters of the committed default 27-layer model (`make sim`)."""
    export = DEFAULT_MODEL.export()
    _lint("snn_engine", simlib.engine_params(load_manifest(export), export, lanes, f"lint-default_net-p{lanes}"))


@pytest.mark.skipif(shutil.which("yosys") is None, reason="yosys not installed")
def test_yosys_elaborates_engine():
    case = ENGINE_CASES["d2b2s8t3-gt-p2"]
    export = case.export()
    params = simlib.engine_params(load_manifest(export), export, case.lanes, f"yosys-{case.name}")
    chparam = " ".join(f"-set {k} {v}" for k, v in params.items())
    script = (f"read_verilog -defer -sv -I{simlib.RTL_DIR} {' '.join(SOURCES)}; chparam {chparam} snn_engine; "
              "hierarchy -check -top snn_engine; proc; opt -fast; memory -nomap; opt -fast; stat")
    proc = subprocess.run(["yosys", "-p", script], capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert not re.search(r"^(Warning|ERROR)", out, re.M), "\n".join(l for l in out.splitlines() if "arning" in l)
    mems = re.findall(r"^\s+\$mem_v2\s+(\d+)", out, re.M)
    assert mems and int(mems[-1]) > 0, out[-2000:]
