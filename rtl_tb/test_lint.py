"""Static checks of rtl/: `verilator --lint-only -Wall` must be clean, and yosys must elaborate the blocks.

Lint runs every module as top with its default parameters, the neuron and the frame kernel with the parameters of
every export the benches use, and checks that an illegal parameter stops the elaboration with a message that names
it. The yosys checks (skipped without yosys on PATH) read the sources with `read_verilog -sv` (yosys 0.23's
subset) and elaborate the control block and the AXI masters without a warning (the whole kernel's yosys runs are
in test_frame_synth.py).
"""
import re
import shutil
import subprocess

import pytest

from golden import kinds
from golden.backends.rtl import simulate as simlib
from rtl_tb.cases import AXI_CASES, CTRL_CASES, FRAME_CASES, NEURON_CASES
from rtl_tb.test_snn_axi import AXI_SOURCES
from golden.ir.manifest import load_manifest
from golden.export.load import load_network

# the AXI4 masters (docs/axi_master.md; also in the frame engine's list): their benches' sources
AXI_FILES = tuple(s for unit in AXI_SOURCES.values() for s in unit if s not in simlib.ALL_SOURCES)
SOURCES = [str(simlib.RTL_DIR / s) for s in simlib.ALL_SOURCES + AXI_FILES]
# every module of rtl/ (one per file, named like it)
MODULES = [s.removesuffix(".sv") for s in simlib.ALL_SOURCES + AXI_FILES]


def _run_lint(top, params=None):
    verilator = simlib.setup_verilator()
    cmd = [str(verilator), "--lint-only", "-Wall", f"-I{simlib.RTL_DIR}", "--top-module", top]
    cmd += [f"-G{k}={v}" for k, v in (params or {}).items()]
    proc = subprocess.run(cmd + SOURCES, capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr


def _lint(top, params=None):
    rc, out = _run_lint(top, params)
    assert rc == 0 and "%Warning" not in out and "%Error" not in out, out


@pytest.mark.parametrize("top", MODULES)
def test_lint_defaults(top):
    _lint(top)


def test_lint_neuron_manifest_parameters():
    for case in NEURON_CASES.values():
        m = load_manifest(case.export())
        for layer in m["layers"]:
            if kinds.get(layer["kind"]).has_neuron:
                _lint("mtif_neuron", simlib.neuron_params(m, layer["name"]))


@pytest.mark.parametrize("case", list(FRAME_CASES.values()), ids=list(FRAME_CASES))
def test_lint_frame_kernel_cases(case):
    """The frame kernel with the parameters of every frame bench case (rtl_tb/cases.py FRAME_CASES)."""
    from golden.backends.rtl.frame_config import build_frame_config

    net = load_network(case.export())
    width = max(w for _, w in case.frames) if case.model != "default" else net.width
    cfg = build_frame_config(net, case.lanes, simlib.SIM_ROOT / "lint_frame" / case.name, max_width=width,
                             data_bits=case.data_bits, max_burst=case.max_burst, max_outstanding=case.max_outstanding,
                             weights=case.weights, group_pass=case.group_pass, engines=case.engines)
    _lint("snn_frame_kernel", cfg.params)


@pytest.mark.parametrize("case", list(CTRL_CASES.values()), ids=list(CTRL_CASES))
def test_lint_ctrl_cases(case):
    """snn_ctrl_axil with the argument lists and address widths its bench runs (rtl_tb/cases.py CTRL_CASES)."""
    _lint("snn_ctrl_axil", case.params())


@pytest.mark.parametrize("unit", list(AXI_SOURCES))
@pytest.mark.parametrize("case", list(AXI_CASES.values()), ids=list(AXI_CASES))
def test_lint_axi_cases(case, unit):
    """snn_axi_reader / snn_axi_writer with the parameters their benches run (rtl_tb/cases.py AXI_CASES)."""
    _lint(f"snn_axi_{unit}", case.params())


# (top, illegal parameters, the parameter the message must name)
ILLEGAL = [("snn_fifo", {"DEPTH": 0}, "DEPTH"), ("snn_fifo", {"WIDTH": 0}, "WIDTH"),
           ("snn_frame_kernel", {"P": 3}, "P"), ("snn_frame_kernel", {"DATA_W": 32}, "DATA_W"), ("mtif_neuron", {"THRESH": "64'h0040008000c00200"}, "THRESH"),
           ("snn_ctrl_axil", {"ADDR_W": 6}, "ADDR_W"),        # the frame engine's map ends at 0x44: 7 bits
           ("snn_ctrl_axil", {"DATA_W": 64}, "DATA_W"),
           ("snn_ctrl_axil", {"ARG_W": "40'h2020404041"}, "ARG_W"),   # a 65-bit argument
           ("snn_ctrl_axil", {"N_ARGS": 0, "ARG_W": "8'd32"}, "N_ARGS"),
           ("snn_axi_reader", {"DATA_W": 48}, "DATA_W"), ("snn_axi_reader", {"MAX_BURST": 3}, "MAX_BURST"),
           ("snn_axi_reader", {"MAX_OUTSTANDING": 0}, "MAX_OUTSTANDING"),
           ("snn_axi_writer", {"MAX_BURST": 512}, "MAX_BURST"), ("snn_axi_writer", {"ADDR_W": 11}, "ADDR_W"),
           ("snn_axi_writer", {"LEN_W": 0}, "LEN_W")]


@pytest.mark.parametrize("top,params,name", ILLEGAL, ids=[f"{t}-{n}" for t, _, n in ILLEGAL])
def test_elaboration_checks_fire(top, params, name):
    """An illegal parameter stops the elaboration, and the message names the parameter (SNN_REQUIRE)."""
    rc, out = _run_lint(top, params)
    assert rc != 0, out
    assert re.search(rf"Error: {name} must ", out), out


def yosys_clean(script: str) -> str:
    """yosys' log of `script`, which must succeed without a warning."""
    proc = subprocess.run(["yosys", "-p", script], capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert not re.search(r"^(Warning|ERROR)", out, re.M), "\n".join(l for l in out.splitlines() if "arning" in l)
    return out


@pytest.mark.skipif(shutil.which("yosys") is None, reason="yosys not installed")
def test_yosys_parameter_checks_fire():
    script = (f"read_verilog -defer -sv -I{simlib.RTL_DIR} {simlib.RTL_DIR / 'snn_fifo.sv'}; "
              "chparam -set DEPTH 0 snn_fifo; hierarchy -top snn_fifo")
    proc = subprocess.run(["yosys", "-q", "-p", script], capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Error: DEPTH must " in out, out


@pytest.mark.skipif(shutil.which("yosys") is None, reason="yosys not installed")
@pytest.mark.parametrize("case", list(CTRL_CASES.values()), ids=list(CTRL_CASES))
def test_yosys_elaborates_ctrl(case):
    """yosys elaborates snn_ctrl_axil (constant functions, a generate per argument word) without a warning, into
    two flip-flops per argument bit (the host's register and the core's copy) and fewer than 100 others."""
    chparam = " ".join(f"-set {k} {v}" for k, v in case.params().items())
    script = (f"read_verilog -defer -sv -I{simlib.RTL_DIR} {simlib.RTL_DIR / 'snn_ctrl_axil.sv'}; "
              f"chparam {chparam} snn_ctrl_axil; hierarchy -check -top snn_ctrl_axil; proc; flatten; opt -fast; "
              "techmap; opt -fast; stat")
    out = yosys_clean(script)
    width = sum(w for _, w in case.args)
    ffs = sum(int(n) for n in re.findall(r"^\s+\$_\w*DFF\w*\s+(\d+)", out, re.M))
    assert 2 * width <= ffs < 2 * width + 100, (ffs, out[-2000:])


@pytest.mark.skipif(shutil.which("yosys") is None, reason="yosys not installed")
@pytest.mark.parametrize("unit", list(AXI_SOURCES))
@pytest.mark.parametrize("case", list(AXI_CASES.values()), ids=list(AXI_CASES))
def test_yosys_elaborates_axi(case, unit):
    """yosys elaborates snn_axi_reader / snn_axi_writer without a warning; their three FIFOs (commands, data, and
    the per-burst last flags / burst lengths) are inferred as memories."""
    top = f"snn_axi_{unit}"
    chparam = " ".join(f"-set {k} {v}" for k, v in case.params().items())
    sources = " ".join(str(simlib.RTL_DIR / s) for s in AXI_SOURCES[unit])
    script = (f"read_verilog -defer -sv -I{simlib.RTL_DIR} {sources}; chparam {chparam} {top}; "
              f"hierarchy -check -top {top}; proc; flatten; opt -fast; memory -nomap; opt -fast; stat")
    out = yosys_clean(script)
    mems = re.findall(r"^\s+\$mem_v2\s+(\d+)", out, re.M)
    assert mems and int(mems[-1]) == 3, out[-2000:]
