"""The formal proofs of the AXI interfaces (docs/formal.md, `python -m golden formal`): the clean proofs pass, and
for each property a planted bug (a mutated copy of the RTL in a temp folder, found through $SNN_FORMAL_RTL) makes
its proof fail, naming the violated assertion. Skipped without yosys / yosys-smtbmc / z3 (or yices-smt2).

Depth here: DEPTH (10 cycles: a whole 4-beat burst of each master and its response); `make formal` runs the
default (golden/backends/rtl/formal.py DEFAULT_DEPTH) with induction where it closes.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
RTL = REPO / "rtl"
DEPTH = 10

pytestmark = pytest.mark.skipif(
    not (shutil.which("yosys") and shutil.which("yosys-smtbmc") and (shutil.which("z3") or shutil.which("yices-smt2"))),
    reason="yosys, yosys-smtbmc and z3 (or yices-smt2) are needed for the formal proofs")

# (id, proof, RTL file, text in it, its replacement, the assertion that must fail)
MUTANTS = [
    ("ar_valid_dropped", "snn_axi_reader", "snn_axi_burst.sv",
     "end else if (ax_ready) begin\n                ax_valid <= 1'b0;",
     "end else begin\n                ax_valid <= 1'b0;", "a_ar_hold"),
    ("ar_payload_changed", "snn_axi_reader", "snn_axi_burst.sv",
     "assign issue      = active && calc && (!ax_valid || ax_ready) && room;",
     "assign issue      = active && calc && room;", "a_ar_hold"),
    ("no_4k_clamp", "snn_axi_reader", "snn_axi_burst.sv",
     "cap      = pg_short ? 9'(to_pg) : 9'(BURST);", "cap      = 9'(BURST);", "a_ar_4k"),
    ("ar_valid_after_reset", "snn_axi_reader", "snn_axi_burst.sv",
     "ax_valid <= 1'b0; ax_addr <= {ADDR_W{1'b0}};", "ax_addr <= {ADDR_W{1'b0}};", "a_ar_reset"),
    ("reader_ignores_max_outstanding", "snn_axi_reader", "snn_axi_reader.sv",
     "room = credits >= CR_W'(blen) && !fl_full", "room = credits >= CR_W'(blen)", "a_ar_outst"),
    ("rready_dropped_in_flight", "snn_axi_reader", "snn_axi_reader.sv",
     "assign m_axi_rready = !df_full", "assign m_axi_rready = !df_full && !dout_ready", "a_rd_rready"),
    ("max_burst_plus_1", "snn_axi_writer", "snn_axi_burst.sv",
     "localparam integer BURST  = `SNN_AXI_BURST_BEATS(DATA_W, MAX_BURST);",
     "localparam integer BURST  = `SNN_AXI_BURST_BEATS(DATA_W, MAX_BURST) + 1;", "a_aw_maxlen"),
    ("wlast_one_beat_early", "snn_axi_writer", "snn_axi_writer.sv",
     "assign m_axi_wlast  = (w_beat == wl_head);", "assign m_axi_wlast  = (w_beat + 8'd1 == wl_head);", "a_w_last"),
    ("aw_before_beats_buffered", "snn_axi_writer", "snn_axi_writer.sv",
     "room = unclaimed >= U_W'(blen) && b_pend", "room = b_pend", "a_wr_buffered"),
    ("bready_low", "snn_axi_writer", "snn_axi_writer.sv",
     "assign m_axi_bready = 1'b1;", "assign m_axi_bready = !m_axi_wvalid;", "a_wr_bready"),
    ("mux_r_misrouted", "snn_axi_mux", "snn_axi_mux.sv", "assign r_dst[i] = !r_empty && r_to == SW'(i);",
     "assign r_dst[i] = !r_empty && r_to == SW'(N - 1 - i);", "a_r_"),   # (a_r_unasked or a_r_last first)
    ("mux_b_misrouted", "snn_axi_mux", "snn_axi_mux.sv", "assign b_dst[i] = !b_empty && b_to == SW'(i);",
     "assign b_dst[i] = !b_empty && b_to == SW'(N - 1 - i);", "a_b_"),   # (a_b_unasked or a_b_id first: both
    # properties catch the misrouted B, and which the solver reports first varied between runs of one netlist)
    ("mux_w_before_its_aw", "snn_axi_mux", "snn_axi_mux.sv", " && aw_sent != {AS_W{1'b0}};", ";", "a_w_no_aw"),
    ("mux_aw_order_lost", "snn_axi_mux", "snn_axi_mux.sv", "w_pick <= wq_head & {N{w_start}};",
     "w_pick <= aw_grant & {N{w_start}};", "a_w_"),
    ("bvalid_dropped", "snn_ctrl_axil", "snn_ctrl_axil.sv",
     "else if (s_axil_bready) bvalid <= 1'b0;", "else bvalid <= 1'b0;", "a_b_hold"),
    ("rdata_changed_while_waiting", "snn_ctrl_axil", "snn_ctrl_axil.sv",
     "assign s_axil_rdata   = rdata;", "assign s_axil_rdata   = rvalid ? rd_word : rdata;", "a_r_hold"),
    ("b_without_write", "snn_ctrl_axil", "snn_ctrl_axil.sv",
     "if (do_write)           bvalid <= 1'b1;", "if (do_write || s_axil_arvalid) bvalid <= 1'b1;", "a_b_unasked"),
    ("bvalid_after_reset", "snn_ctrl_axil", "snn_ctrl_axil.sv",
     "aw_full <= 1'b0; w_full <= 1'b0; bvalid <= 1'b0;", "aw_full <= 1'b0; w_full <= 1'b0;", "a_b_reset"),
]


def formal(tmp_path: Path, proof: str, rtl: Path = RTL, induction: bool = False) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMP_NUM_THREADS="1", SNN_FORMAL_RTL=str(rtl))
    cmd = [sys.executable, "-m", "golden", "formal", "--only", proof, "--depth", str(DEPTH),
           "--out", str(tmp_path / "build")] + ([] if induction else ["--no-induction"])
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)


@pytest.mark.parametrize("proof", ["snn_axi_reader", "snn_axi_writer", "snn_axi_mux", "snn_ctrl_axil"])
def test_clean_proof_passes(tmp_path, proof):
    p = formal(tmp_path, proof, induction=True)
    lines = p.stdout.strip().splitlines()
    assert p.returncode == 0, p.stdout + p.stderr
    assert lines[-1].startswith("FORMAL PASS proofs="), p.stdout
    assert any(ln.startswith(f"FORMAL {proof} bmc depth={DEPTH} pass") for ln in lines), p.stdout


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m[0] for m in MUTANTS])
def test_planted_bug_fails(tmp_path, mutant):
    _, proof, fname, old, new, label = mutant
    rtl = tmp_path / "rtl"
    rtl.mkdir()
    for f in list(RTL.glob("*.sv")) + list(RTL.glob("*.svh")):
        shutil.copy(f, rtl / f.name)
    text = (rtl / fname).read_text()
    assert text.count(old) == 1, f"the planted bug's target is no longer in rtl/{fname}: {old!r} (update MUTANTS)"
    (rtl / fname).write_text(text.replace(old, new))
    p = formal(tmp_path, proof, rtl)
    last = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ""
    assert p.returncode == 1, p.stdout + p.stderr
    assert last.startswith(f"FORMAL FAIL {proof}: "), p.stdout
    assert label in last, f"expected {label} in: {last}"


def test_missing_tool_exits_2(tmp_path):
    env = dict(os.environ, PATH=str(tmp_path))   # no yosys on PATH
    p = subprocess.run([sys.executable, "-m", "golden", "formal", "--solver", "z3"], cwd=REPO, env=env,
                       capture_output=True, text=True)
    assert p.returncode == 2
    assert p.stderr.strip().startswith("error: formal: yosys not found"), p.stderr
