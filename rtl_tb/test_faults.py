"""The frame engine fails safely (issue 23, docs/frame_engine.md "Errors"): rtl/snn_frame_kernel.sv under Verilator
with rtl_tb/tb_faults.py (SLVERR and DECERR on reads and on writes, stalled R and B channels against the watchdog,
every bad argument; STATUS, the interrupt, the AXI rules, no byte outside the frame's buffers changed, a clean
frame afterwards), on tiny networks (random_network_export, depth 1, T = 2) with two lane / data-width / weight
settings; and the register map's table (ctrl_map) for STATUS and TIMEOUT."""
import pytest

from golden.backends.rtl import ctrl_map as cm
from golden.backends.rtl.frame_sim import run_frames
from rtl_tb.cases import FrameCase, mutated_frame_sources
from rtl_tb.test_frame_engine import frame_images

FAULT_CASES = {c.name: c for c in [
    FrameCase("faults-d1-p2-d64", lanes=2, frames=((8, 16),), depth=1, base=2, timesteps=2, seed=21),
    FrameCase("faults-d1-p4-d128-stream", lanes=4, frames=((16, 8),), depth=1, base=4, timesteps=2, seed=22,
              data_bits=128, weights="stream", group_pass=1, max_burst=4, max_outstanding=2),
]}


def run_fault_case(case, name=None, sources=None):
    net, frames, vectors = frame_images(case)
    w_max = max(w for _, w in case.frames)
    return run_frames(net, frames, case.lanes, name or f"faults-{case.name}", data_bits=case.data_bits, sources=sources,
                      p_pause=case.p_pause, seed=case.bench_seed, vectors=vectors, max_burst=case.max_burst,
                      max_outstanding=case.max_outstanding, weights=case.weights, group_pass=case.group_pass,
                      bench="tb_faults", env={"SNN_W_MAX": w_max, "SNN_LEVELS": case.depth})


@pytest.mark.parametrize("case", list(FAULT_CASES.values()), ids=list(FAULT_CASES))
def test_faults(case):
    res = run_fault_case(case)
    s = res.summary
    assert res.ok, (res.message, s.get("error"))
    assert s["mismatches"] == 0 and s["values"] > 0, s
    assert len(s["faults"]) == 7 and len(s["bad_args"]) >= 12, s
    print({r["name"]: (r["cycles_to_done"], r.get("fault_to_irq")) for r in s["faults"] + s["bad_args"]})
    # a bad argument ends the frame in a few cycles (SETUP walks the layers, nothing is read or written)
    # refused in CHECK, after SETUP has run each layer's products on the sequencer's serial multiplier
    assert all(r["cycles_to_done"] < 400 for r in s["bad_args"]), s["bad_args"]


def test_status_register_map():
    """timeout and status follow width in the Vitis layout: TIMEOUT 0x50 (reset value DEFAULT_TIMEOUT), STATUS
    0x58 (read only) with its ap_vld control word at 0x5c; the map still fits 7 address bits."""
    offs = dict(zip((n for n, _ in cm.ENGINE_ARGS), cm.arg_offsets(cm.ENGINE_ARGS)))
    assert offs["timeout"] == 0x50 and offs["status"] == 0x58 and cm.map_end(cm.ENGINE_ARGS) == 0x60
    table = cm.engine_register_table()
    assert "| 0x5c | STATUS_CTRL | bit 0 status_ap_vld (R/COR" in table
    assert f"resets to {cm.DEFAULT_TIMEOUT}" in table
    assert cm.status_text(cm.STATUS_RD_ERR | cm.STATUS_TIMEOUT) == \
        "read error response (SLVERR/DECERR on R), timeout (the watchdog fired)"


# the bench must fail on an engine that does not fail safely: (name, file, the line, its faulty version)
MUTANTS = [
    ("error-does-not-abort", "snn_frame_seq.sv", "if (running && (rd_err || wr_err || timed_out || peer_fault)) begin",
     "if (1'b0) begin"),
    ("flush-before-drained", "snn_frame_seq.sv", "else if (axi_quiet) state <= S_FLUSH;", "else state <= S_FLUSH;"),
    ("arguments-not-checked", "snn_frame_seq.sv", "if (bad_size || bad_addr || bad_ovl)", "if (1'b0)"),
]


@pytest.mark.parametrize("name,file,line,fault", MUTANTS, ids=[m[0] for m in MUTANTS])
def test_bench_catches_unsafe_engine(name, file, line, fault):
    sources = mutated_frame_sources("fault_mutants", name, file, line, fault)
    res = run_fault_case(FAULT_CASES["faults-d1-p2-d64"], f"faults-mutant-{name}", sources=sources)
    assert not res.ok, f"the bench passed the unsafe engine {name}"
