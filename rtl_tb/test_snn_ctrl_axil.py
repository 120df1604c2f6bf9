"""snn_ctrl_axil, the AXI4-Lite control block (docs/ctrl_axil.md): its bench (rtl_tb/tb_snn_ctrl_axil.py) under
Verilator on every rtl_tb/cases.py CtrlCase (test_icarus.py runs one under Icarus), and its register map: the
frame engine's offsets as Vitis HLS lays them out, and the table in docs/ctrl_axil.md generated from
golden/backends/rtl/ctrl_map.py. The bench must also fail on a faulty block: each MUTANTS entry rewrites one line
of the RTL (a copy under build/sim/ctrl_mutants/) and names the bench test that must catch it."""
import pytest

from golden.backends.rtl import ctrl_map as cm
from golden.backends.rtl import simulate as simlib
from golden.paths import REPO_ROOT
from rtl_tb.cases import CTRL_CASES

# (name, the line of rtl/snn_ctrl_axil.sv, its faulty version, the bench test that must fail)
MUTANTS = [
    ("ap_start-cleared-despite-auto_restart", "else if (ap_ready)         int_ap_start <= int_auto_restart;",
     "else if (ap_ready)         int_ap_start <= 1'b0;", "auto_restart"),
    ("ap_done-not-cor", "else if (rd_ctrl)          int_task_ap_done <= 1'b0;", "", "polled_frames"),
    ("isr-written-not-toggled", "int_isr[0] <= int_isr[0] ^ w_data[0];", "int_isr[0] <= w_data[0];", "interrupts"),
    ("wstrb-ignored", "q <= (w_data[BITS-1:0] & wmask[BITS-1:0]) |", "q <= (w_data[BITS-1:0]) | 0 &",
     "argument_registers"),
    ("args-not-held", "else if (!int_ap_start || ap_ready) args <= arg_q;", "else args <= arg_q;", "polled_frames"),
    ("w-only-after-aw", "assign s_axil_wready  = !w_full;", "assign s_axil_wready  = !w_full && aw_full;",
     "handshake_coverage"),
]

BENCH_TESTS = {"reset_values", "argument_registers", "unmapped_addresses", "polled_frames", "interrupts",
               "auto_restart", "reset_mid_frame", "handshake_coverage"}


def check_ctrl_result(res):
    assert res.ok, res.message
    s = res.summary
    assert set(s["tests"]) == BENCH_TESTS and all(r == "pass" for r in s["tests"].values()), s["tests"]
    assert s["mismatches"] == 0 and s["checks"] > 100 and s["frames"] >= 15, s


@pytest.mark.parametrize("case", list(CTRL_CASES.values()), ids=list(CTRL_CASES))
def test_snn_ctrl_axil(case):
    res = simlib.ctrl_run(case)
    check_ctrl_result(res)
    assert res.summary["offsets"] == cm.arg_offsets(case.args)


def test_engine_register_map():
    """The frame engine's list as a Vitis HLS kernel `(uint64 image, uint64 output, uint64 scratch, uint64 weights,
    uint32 height, uint32 width, uint32 timeout, uint32 *status)` lays it out: 64-bit pointers take low, high and a
    reserved word, 32-bit scalars a data and a reserved word, the output scalar a data and a control (ap_vld) word,
    no alignment."""
    assert cm.arg_offsets(cm.ENGINE_ARGS) == [0x10, 0x1C, 0x28, 0x34, 0x40, 0x48, 0x50, 0x58]
    assert cm.map_end(cm.ENGINE_ARGS) == 0x60 and cm.min_addr_w(cm.ENGINE_ARGS) == 7
    assert cm.hdl_params(cm.ENGINE_ARGS) == {"ADDR_W": 7, "DATA_W": 32, "N_ARGS": 8, "ARG_W": "64'h2020202040404040",
                                             "ARG_OUT": "8'h0", "ARG_INIT": "512'h0"}
    want = cm.engine_hdl_params()
    assert want["ARG_OUT"] == "8'h80" and int(want["ARG_INIT"].split("'h")[1], 16) == cm.DEFAULT_TIMEOUT << (64 * 6)
    # the layout of a generated map with 32-bit and 64-bit arguments mixed (Vitis 2023.1: n, l, xnzval, xcols)
    assert cm.arg_offsets((("n", 32), ("l", 32), ("xnzval", 64), ("xcols", 64))) == [0x10, 0x18, 0x20, 0x2C]
    with pytest.raises(ValueError):
        cm.arg_offsets((("wide", 65),))


def _sv_literal(text: str) -> int:
    """A concatenation of sized decimal literals, {8'd32, 8'd64, ...}, as one integer (first = most significant)."""
    import re

    value = 0
    for width, v in re.findall(r"(\d+)'d(\d+)", text):
        value = (value << int(width)) | int(v)
    return value


def test_rtl_defaults_are_the_table():
    """snn_ctrl_axil's default parameters and the kernel's instance are the map of ctrl_map.ENGINE_ARGS (the one
    table of the register map)."""
    import re

    want = cm.engine_hdl_params()
    packed = int(want["ARG_W"].split("'h")[1], 16)
    out = int(want["ARG_OUT"].split("'h")[1], 16)
    init = int(want["ARG_INIT"].split("'h")[1], 16)
    src = (simlib.RTL_DIR / "snn_ctrl_axil.sv").read_text()
    assert int(re.search(r"parameter integer N_ARGS = (\d+)", src).group(1)) == want["N_ARGS"]
    assert _sv_literal(re.search(r"parameter \[N_ARGS\*8-1:0\] ARG_W = (\{[^}]*\})", src).group(1)) == packed
    assert int(re.search(r"parameter \[N_ARGS-1:0\] ARG_OUT = \d+'h([0-9a-f]+)", src).group(1), 16) == out
    assert _sv_literal(re.search(r"parameter \[N_ARGS\*64-1:0\] ARG_INIT = (\{[^}]*\})", src).group(1)) == init
    kernel = (simlib.RTL_DIR / "snn_frame_kernel.sv").read_text()
    assert _sv_literal(re.search(r"localparam \[\d+\*8-1:0\] ARG_W = (\{[^}]*\})", kernel).group(1)) == packed
    inst = re.search(r"snn_ctrl_axil #\(\.ADDR_W\((\d+)\), \.DATA_W\((\d+)\), \.N_ARGS\((\d+)\), "
                     r"\.ARG_W\(ARG_W\), \.ARG_OUT\(\d+'h([0-9a-f]+)\),\s*\.ARG_INIT\((\{[^}]*\})\)\)", kernel)
    assert tuple(map(int, inst.groups()[:3])) == (want["ADDR_W"], want["DATA_W"], want["N_ARGS"])
    assert int(inst.group(4), 16) == out and _sv_literal(inst.group(5)) == init


def test_docs_register_table_is_generated():
    doc = (REPO_ROOT / "docs" / "ctrl_axil.md").read_text()
    assert cm.engine_register_table() in doc, \
        "docs/ctrl_axil.md: paste golden.backends.rtl.ctrl_map.engine_register_table() again"


@pytest.mark.parametrize("name,line,fault,catcher", MUTANTS, ids=[m[0] for m in MUTANTS])
def test_bench_catches_rtl_fault(name, line, fault, catcher):
    src = (simlib.RTL_DIR / "snn_ctrl_axil.sv").read_text()
    assert src.count(line) == 1, f"the mutant's line is not (once) in rtl/snn_ctrl_axil.sv: {line}"
    mutant = simlib.SIM_ROOT / "ctrl_mutants" / name / "snn_ctrl_axil.sv"
    mutant.parent.mkdir(parents=True, exist_ok=True)
    mutant.write_text(src.replace(line, fault))
    case = CTRL_CASES["one-a5"]
    res = simlib.simulate(f"ctrl_axil-mutant-{name}", "snn_ctrl_axil", "tb_snn_ctrl_axil", case.params(), case.env(),
                          quiet=True, sources=(str(mutant),))
    assert not res.ok, f"the bench passed the faulty block {name}"
    assert res.summary["tests"][catcher].startswith("fail"), res.summary["tests"]
