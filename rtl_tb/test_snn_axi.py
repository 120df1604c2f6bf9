"""snn_axi_reader and snn_axi_writer, the AXI4 burst masters of the external-memory frame engine
(docs/axi_master.md): their benches (rtl_tb/tb_snn_axi_reader.py, rtl_tb/tb_snn_axi_writer.py) under Verilator on
every rtl_tb/cases.py AxiCase (test_icarus.py runs one of each under Icarus), and the burst-split model the
benches check the units against. The benches must also fail on a faulty unit: each MUTANTS entry rewrites one
line of the RTL (a copy under build/sim/axi_mutants/) and names the bench test that must catch it."""
import pytest

from golden.backends.rtl import simulate as simlib
from rtl_tb.cases import AXI_CASES, AXI_MUTANT_CASE, READER_OUT_REG_CASE

# the sources of each unit, relative to rtl/ (lint: test_lint.py)
AXI_SOURCES = {"reader": ("snn_fifo.sv", "snn_axi_burst.sv", "snn_axi_reader.sv"),
               "writer": ("snn_fifo.sv", "snn_axi_burst.sv", "snn_axi_writer.sv")}
# (unit, name, the file of rtl/ (one of the unit's sources), the line, its faulty version, the bench test that must fail)
MUTANTS = [
    ("reader", "serialised", "snn_axi_reader.sv", "wire             room = credits >= CR_W'(blen) && !fl_full && !halt;",
     "wire             room = fl_empty && credits >= CR_W'(blen) && !fl_full && !halt;", "random_commands"),
    ("reader", "crosses-4k", "snn_axi_burst.sv",
     "wire [8:0]       cap      = pg_short ? 9'(to_pg) : 9'(BURST);",
     "wire [8:0]       cap      = 9'(BURST);", "random_commands"),
    ("reader", "no-credits", "snn_axi_reader.sv", "credits >= CR_W'(blen) && !fl_full && !halt;", "!fl_full && !halt;",
     "random_commands"),
    ("reader", "err-not-sticky", "snn_axi_reader.sv", "if (r_hs && m_axi_rresp != 2'b00) err <= 1'b1;",
     "if (r_hs) err <= m_axi_rresp != 2'b00;", "slverr"),
    ("writer", "aw-before-data", "snn_axi_writer.sv", "unclaimed >= U_W'(blen) &&", "unclaimed != {U_W{1'b0}} &&",
     "random_commands"),
    ("writer", "b-unbounded", "snn_axi_writer.sv", "b_pend != B_W'(NOUT) && !halt;", "1'b1 && !halt;", "random_commands"),
    ("writer", "idle-before-b", "snn_axi_writer.sv", "assign idle = !pending && df_empty && b_pend == {B_W{1'b0}};",
     "assign idle = !pending && df_empty;", "random_commands"),
]
BENCH_TESTS = {"random_commands", "throughput", "slverr", "reset_mid_traffic"}


def axi_run(case, unit: str, simulator: str = "verilator"):
    """Build and run the bench of snn_axi_<unit> on a rtl_tb/cases.py AxiCase."""
    build = f"axi_{unit}-{case.name}" if simulator == "verilator" else f"{simulator}-axi_{unit}-{case.name}"
    return simlib.simulate(build, f"snn_axi_{unit}", f"tb_snn_axi_{unit}", case.params(), case.env(), quiet=True,
                           sources=AXI_SOURCES[unit], simulator=simulator)


def check_axi_result(res, case):
    assert res.ok, res.message
    s = res.summary
    assert set(s["tests"]) == BENCH_TESTS and all(r == "pass" for r in s["tests"].values()), s["tests"]
    assert s["mismatches"] == 0 and s["values"] > 0 and s["crossing_cmds"] > 0, s
    assert 1 <= s["max_outstanding"] <= case.max_outstanding, s
    assert case.max_outstanding == 1 or s["max_outstanding"] > 1, s


@pytest.mark.parametrize("unit", ["reader", "writer"])
@pytest.mark.parametrize("case", list(AXI_CASES.values()), ids=list(AXI_CASES))
def test_snn_axi(case, unit):
    check_axi_result(axi_run(case, unit), case)


def test_reader_out_reg():
    """The reader with its data FIFO's head two registers behind the RAM (snn_fifo OUT_REG = 2, as in the frame
    engine): the same bench, bit-exact, under back-pressure; and the bench fails when the read register is
    overwritten while it still holds a word."""
    case = READER_OUT_REG_CASE
    check_axi_result(axi_run(case, "reader"), case)
    src = (simlib.RTL_DIR / "snn_fifo.sv").read_text()
    line = "if (rd_adv) rd <= mem[rp];"
    assert src.count(line) == 1
    mutant = simlib.SIM_ROOT / "axi_mutants" / "reader-out-reg2-overwrite" / "snn_fifo.sv"
    mutant.parent.mkdir(parents=True, exist_ok=True)
    mutant.write_text(src.replace(line, "rd <= mem[rp];"))
    sources = (str(mutant),) + AXI_SOURCES["reader"][1:]
    res = simlib.simulate("axi_reader-mutant-out-reg2-overwrite", "snn_axi_reader", "tb_snn_axi_reader",
                          case.params(), case.env(), quiet=True, sources=sources)
    assert not res.ok, "the bench passed a reader whose FIFO overwrites its read register"


def test_split_model():
    """The benches' burst split: at most MAX_BURST beats, never across 4 KiB, greedy."""
    from rtl_tb import tb_snn_axi_reader as tb

    assert tb.split(0x0FF8, 3, 8) == [(0x0FF8, 1), (0x1000, 2)]
    assert tb.split(0x1000, 40, 8) == [(0x1000, 16), (0x1080, 16), (0x1100, 8)]
    assert tb.split(0x2F00, 20, 32) == [(0x2F00, 8), (0x3000, 12)]


@pytest.mark.parametrize("unit,name,file,line,fault,catcher", MUTANTS, ids=[f"{m[0]}-{m[1]}" for m in MUTANTS])
def test_bench_catches_rtl_fault(unit, name, file, line, fault, catcher):
    src = (simlib.RTL_DIR / file).read_text()
    assert src.count(line) == 1, f"the mutant's line is not (once) in rtl/{file}: {line}"
    mutant = simlib.SIM_ROOT / "axi_mutants" / f"{unit}-{name}" / file
    mutant.parent.mkdir(parents=True, exist_ok=True)
    mutant.write_text(src.replace(line, fault))
    case = AXI_MUTANT_CASE
    sources = tuple(str(mutant) if s == file else s for s in AXI_SOURCES[unit])
    res = simlib.simulate(f"axi_{unit}-mutant-{name}", f"snn_axi_{unit}", f"tb_snn_axi_{unit}", case.params(),
                          case.env(), quiet=True, sources=sources)
    assert not res.ok, f"the bench passed the faulty {unit} {name}"
    assert res.summary["tests"][catcher].startswith("fail"), res.summary["tests"]
