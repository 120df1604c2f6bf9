"""snn_axi_reader and snn_axi_writer, the AXI4 burst masters of the external-memory frame engine
(docs/axi_master.md): their benches (rtl_tb/tb_snn_axi_reader.py, rtl_tb/tb_snn_axi_writer.py) under Verilator on
every rtl_tb/cases.py AxiCase (test_icarus.py runs one of each under Icarus), and the burst-split model the
benches check the units against."""
import pytest

from golden.backends.rtl import simulate as simlib
from rtl_tb.cases import AXI_CASES

# the sources of each unit, relative to rtl/ (lint: test_lint.py)
AXI_SOURCES = {"reader": ("snn_fifo.sv", "snn_axi_reader.sv"), "writer": ("snn_fifo.sv", "snn_axi_writer.sv")}
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


def test_split_model():
    """The benches' burst split: at most MAX_BURST beats, never across 4 KiB, greedy."""
    from rtl_tb import tb_snn_axi_reader as tb

    assert tb.split(0x0FF8, 3, 8) == [(0x0FF8, 1), (0x1000, 2)]
    assert tb.split(0x1000, 40, 8) == [(0x1000, 16), (0x1080, 16), (0x1100, 8)]
    assert tb.split(0x2F00, 20, 32) == [(0x2F00, 8), (0x3000, 12)]
