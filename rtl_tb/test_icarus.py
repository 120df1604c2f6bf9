"""The same cocotb benches under Icarus Verilog 11 (a second, event-driven simulator with 4-state values: an X or Z
that reaches a compared value, a handshake or a memory address fails the run), so the RTL does not depend on one
simulator's semantics: the whole frame kernel snn_frame_kernel (every module of rtl/snn_frame.f: sequencer, AXI
reader and writer, scan, scatter, lanes, neuron, packer, weight loader, AXI4-Lite control block) on a small network
with rtl_tb/tb_frame_engine.py, the neuron, the control block and the AXI4 masters on their own benches."""
import shutil

import pytest

from golden.backends.rtl import simulate as simlib
from rtl_tb.cases import ICARUS_AXI_CASE, ICARUS_CTRL_CASE, ICARUS_FRAME_CASE, ICARUS_NEURON_CASE
from rtl_tb.test_lint import AXI_FILES
from rtl_tb.test_mtif_neuron import run_neuron
from rtl_tb.test_snn_axi import axi_run, check_axi_result
from rtl_tb.test_snn_ctrl_axil import check_ctrl_result

pytestmark = [pytest.mark.iverilog,
              pytest.mark.skipif(shutil.which("iverilog") is None, reason="iverilog not installed")]


def _ok(res):
    assert res.ok, res.message
    assert res.summary["mismatches"] == 0 and res.summary["values"] > 0


def test_icarus_neuron():
    _ok(run_neuron(ICARUS_NEURON_CASE, simulator="icarus"))


def test_icarus_frame_kernel():
    """The frame kernel's cocotb bench under Icarus: two frame sizes after a frame cut by a reset, random pauses on
    all five AXI channels, every spike word and A_T compared with ==."""
    from rtl_tb.test_frame_engine import check, run_case

    case = ICARUS_FRAME_CASE
    check(run_case(case, f"icarus-frame-{case.name}", simulator="icarus"), case)


def test_icarus_ctrl_axil():
    """snn_ctrl_axil's whole bench (rtl_tb/tb_snn_ctrl_axil.py) with the frame engine's arguments."""
    check_ctrl_result(simlib.ctrl_run(ICARUS_CTRL_CASE, simulator="icarus"))


@pytest.mark.parametrize("unit", ["reader", "writer"])
def test_icarus_axi(unit):
    """snn_axi_reader / snn_axi_writer's whole bench on one case (fewer commands)."""
    check_axi_result(axi_run(ICARUS_AXI_CASE, unit, simulator="icarus"), ICARUS_AXI_CASE)


@pytest.mark.parametrize("top,param,name", [("snn_fifo", "WIDTH=0", "WIDTH"), ("snn_fifo", "DEPTH=0", "DEPTH"),
                                            ("mtif_neuron", "THRESH=64'h0040008000c00200", "THRESH"),
                                            ("snn_ctrl_axil", "ADDR_W=6", "ADDR_W"),
                                            ("snn_ctrl_axil", "ARG_W=40'h2020404000", "ARG_W"),
                                            ("snn_axi_reader", "MAX_BURST=3", "MAX_BURST"),
                                            ("snn_axi_writer", "DATA_W=48", "DATA_W")])
def test_icarus_parameter_checks_fire(top, param, name, tmp_path):
    """Icarus 11 has no elaboration system tasks: SNN_REQUIRE checks at time 0 ($error, $finish)."""
    import subprocess

    srcs = [str(simlib.RTL_DIR / s) for s in simlib.ALL_SOURCES + AXI_FILES]
    vvp = tmp_path / "check.vvp"
    build = subprocess.run(["iverilog", "-g2012", f"-I{simlib.RTL_DIR}", "-s", top, f"-P{top}.{param}", "-o", str(vvp),
                            *srcs], capture_output=True, text=True)
    assert build.returncode == 0, build.stdout + build.stderr
    run = subprocess.run(["vvp", "-n", str(vvp)], capture_output=True, text=True, timeout=60)
    assert f"Error: {name} must " in run.stdout + run.stderr, run.stdout + run.stderr
