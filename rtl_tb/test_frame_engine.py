"""The external-memory frame engine (rtl/snn_frame_kernel.sv, docs/frame_engine.md) under Verilator: every
rtl_tb/cases.py FrameCase through rtl_tb/tb_frame_engine.py (AxiRam with pauses on all five channels,
AxiLiteMaster, frames of several sizes back to back, a reset mid-frame), every spike word and A_T compared with
==; the generated descriptor header is up to date; and the bench fails on a corrupted weight and on faulty RTL
(each MUTANTS entry rewrites one line of a copy of the RTL under build/sim/frame_mutants/)."""
import numpy as np
import pytest

from golden.backends.rtl import frame_config
from golden.backends.rtl.frame_sim import run_frames
from golden.ir.manifest import load_manifest
from golden.export.load import load_network, load_vectors
from rtl_tb.cases import FRAME_CASES, FRAME_ENGINE_MUTANT_CASE, FRAME_MUTANT_CASE, mutated_frame_sources


def frame_images(case):
    """The case's frames: the default model's own tile, else seeded random images of each size."""
    export = case.export()
    m = load_manifest(export)
    net = load_network(export, m)
    if case.model == "default":
        vec = load_vectors(export, m)
        return net, [("tile", vec["input"])], [vec]
    rng = np.random.default_rng(case.seed)
    frames = [(f"f{i}-{h}x{w}", rng.integers(0, 256, (case.in_channels, h, w), dtype=np.uint8))
              for i, (h, w) in enumerate(case.frames)]
    return net, frames, None


def run_case(case, name=None, **kwargs):
    net, frames, vectors = frame_images(case)
    return run_frames(net, frames, case.lanes, name or f"frame-{case.name}", data_bits=case.data_bits,
                      p_pause=case.p_pause, seed=case.bench_seed, reset_mid=case.reset_mid, vectors=vectors,
                      max_burst=case.max_burst, max_outstanding=case.max_outstanding, weights=case.weights,
                      group_pass=case.group_pass, pause_cycles=case.pause_cycles, engines=case.engines, **kwargs)


def check(res, case):
    assert res.ok, res.message
    s = res.summary
    assert s["mismatches"] == 0 and s["values"] > 0, s
    assert len(s["frames"]) == len(case.frames) and all(f["cycles"] >= f["bound"] for f in s["frames"]), s["frames"]
    if case.reset_mid:
        assert s.get("reset_while_busy"), "the reset did not land in the middle of a frame"


@pytest.mark.parametrize("case", list(FRAME_CASES.values()), ids=list(FRAME_CASES))
def test_frame_engine(case):
    check(run_case(case), case)


def test_frame_pkg_is_current():
    assert frame_config.PKG_SVH.read_text() == frame_config.render_pkg_svh(), \
        f"rtl/snn_frame_pkg.svh is stale: {frame_config.REGENERATE}"


def test_bench_catches_corrupted_weight(tmp_path):
    """One weight word of the input layer (every pixel's first tap) off by one bit: the bench must report it."""
    def corrupt(cfg):
        path = cfg.files["weights"]
        lines = open(path).read().splitlines()
        lines[0] = format(int(lines[0], 16) ^ 1, f"0{len(lines[0])}x")
        open(path, "w").write("\n".join(lines) + "\n")

    res = run_case(FRAME_MUTANT_CASE, "frame-corrupt-weight", mutate=corrupt)
    assert not res.ok and res.summary["mismatches"] > 0, res


# (name, file, the line, its faulty version)
MUTANTS = [
    ("no-bypass", "snn_frame_lane.sv",
     "b_fwd   <= any && b_valid && op_slot == b_slot && op_off == b_off;", "b_fwd   <= 1'b0;"),
    ("input-current-cleared", "snn_frame_neuron.sv", "clr1 <= !is_input || last_t;", "clr1 <= 1'b1;"),
    ("image-padding-scanned", "snn_frame_scan.sv", "g3_tleft <= left_sat(g2_tlim, g2_xt);",
     "g3_tleft <= is_image ? NR_W'(NFMAX) : left_sat(g2_tlim, g2_xt);"),
    ("no-row-gate", "snn_frame_scatter.sv",
     "always @(posedge clk) gate_ok <= !e_take && (({1'b0, rows_done} + (Y_W+2)'(3)) >= top_row);",
     "always @(posedge clk) gate_ok <= 1'b1;"),
    ("membrane-not-forwarded", "snn_frame_neuron.sv", "s_fwd2 <= !z_n && f2_n;", "s_fwd2 <= 1'b0;"),
    ("membrane-stage3-not-forwarded", "snn_frame_neuron.sv", "s_fwd3 <= !z_n && !f2_n && f3_n;",
     "s_fwd3 <= 1'b0;"),
    ("membrane-low-bits-stale", "snn_frame_neuron.sv", "dz2   <= s_fwd2 ? dz_fwd : dz_alt;", "dz2   <= dz_alt;"),
]


# faults of the engines on column strips (issue 22), run on two engines
ENGINE_MUTANTS = [
    ("no-left-halo", "snn_frame_seq.sv", "wire              halo_l   = k3 && !is_up;",
     "wire              halo_l   = 1'b0;"),
    ("no-right-halo", "snn_frame_seq.sv", "wire              halo_r   = k3;", "wire              halo_r   = 1'b0;"),
    ("barrier-on-any-engine", "snn_frame_kernel.sv", "sync_q <= &e_sync;", "sync_q <= |e_sync;"),
    ("strip-offset-ignored", "snn_frame_seq.sv", "4'd2: dst0 <= dst0 + (mp << BBL);", "4'd2: dst0 <= dst0;"),
]


@pytest.mark.parametrize("name,file,line,fault", MUTANTS, ids=[m[0] for m in MUTANTS])
def test_bench_catches_rtl_fault(name, file, line, fault):
    sources = mutated_frame_sources("frame_mutants", name, file, line, fault)
    res = run_case(FRAME_MUTANT_CASE, f"frame-mutant-{name}", sources=sources)
    assert not res.ok, f"the bench passed the faulty engine {name}"


@pytest.mark.parametrize("name,file,line,fault", ENGINE_MUTANTS, ids=[m[0] for m in ENGINE_MUTANTS])
def test_bench_catches_engine_fault(name, file, line, fault):
    sources = mutated_frame_sources("frame_mutants", name, file, line, fault)
    res = run_case(FRAME_ENGINE_MUTANT_CASE, f"frame-mutant-{name}", sources=sources)
    assert not res.ok, f"the bench passed the faulty engines {name}"
