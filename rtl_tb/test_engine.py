"""snn_engine (the whole network) against the golden vectors of seeded random U-Net exports (docs/rtl_engine.md).

Every layer's spike words and membranes at every time step, the output layer's A_t at every step and A_T at the
m_axis output are compared with ==, under random valid stalls, back-pressure and idle cycles. The cases sweep
lanes P = 1..4, both compare rules, K = 1..4 (one with a gap in the exponents), depth 1 and 2, base 2..4,
8x8..16x16, T = 2..6, segmentation and denoising; two cases first run a frame cut by a reset (in the image, in
the middle of a step), two run two frames back to back. A negative test flips golden values and expects the
bench to report them, first in (t, layer) order.

SIM_FULL=1 in the environment adds the committed default model (27 layers, 64x64 EM tile, T = 10) on 8 lanes,
as `make sim` runs it (about 10 M cycles, 1.5-2 minutes).
"""
import os
import re

import numpy as np
import pytest

import simlib
from golden.manifest import load_manifest, load_vectors

# name -> (random_network_export arguments, lanes, frames, reset_at, p_valid, p_ready)
NET = {
    "d2b2s8t3-gt-p2": (dict(seed=1, base=2, depth=2, size=8, timesteps=3), 2, 2, "mid", 0.7, 0.6),
    "d1b3s12t5-ge-p3": (dict(seed=2, base=3, depth=1, size=12, timesteps=5, compare="ge"), 3, 1, "input", 0.8, 0.5),
    "d2b4s16t2-k2-p4": (dict(seed=3, base=4, depth=2, size=16, timesteps=2, thresholds_log2=(0, -1)), 4, 1, "", 1.0, 1.0),
    "d1b2s8t6-k1-den-p1": (dict(seed=4, base=2, depth=1, size=8, timesteps=6, thresholds_log2=(0,),
                                task="denoising"), 1, 2, "", 0.5, 0.8),
    "d2b2s8t4-k3ge-p2": (dict(seed=5, base=2, depth=2, size=8, timesteps=4, thresholds_log2=(1, 0, -2),
                              compare="ge"), 2, 1, "", 0.9, 0.3),
}


def run_case(case, vectors=None):
    kwargs, lanes, frames, reset_at, p_valid, p_ready = NET[case]
    export = simlib.network_export(f"net-{case}", **kwargs)
    m = load_manifest(export)
    params = simlib.engine_params(m, export, lanes, case)
    env = {"SNN_EXPORT": export, "SNN_LANES": lanes, "SNN_FRAMES": frames, "SNN_RESET_AT": reset_at,
           "SNN_P_VALID": p_valid, "SNN_P_READY": p_ready, "SNN_SEED": 5}
    if vectors is not None:
        env["SNN_VECTORS"] = vectors
    return m, simlib.simulate(f"engine-{case}", "snn_engine", "tb_engine", params, env, quiet=True)


@pytest.mark.parametrize("case", list(NET))
def test_engine(case):
    m, res = run_case(case)
    assert res.ok, res.message
    s = res.summary
    frames = NET[case][2]
    t_n = m["timesteps"]
    per_step = sum(l["out_channels"] * l["height"] * l["width"] for l in m["layers"])
    assert s["mismatches"] == 0 and s["values"] == frames * t_n * per_step
    head = m["layers"][-1]
    assert s["out_values"] == frames * head["out_channels"] * head["height"] * head["width"]
    assert set(s["layers"]) == {l["name"] for l in m["layers"]}
    assert s["bound"] > 0 and s["cycles"] >= s["bound"]
    if NET[case][3]:
        assert s["aborted_frame"]["at"] == NET[case][3]


def test_engine_reports_first_mismatch(tmp_path):
    case = "d2b2s8t3-gt-p2"   # shares the build of test_engine[d2b2s8t3-gt-p2]
    export = simlib.network_export(f"net-{case}", **NET[case][0])
    m = load_manifest(export)
    vec = load_vectors(export)
    layers = [l["name"] for l in m["layers"]]
    mid, late = layers[len(layers) // 2], layers[-2]
    vec[f"{late}.spikes"][1, 0, 2, 3] ^= 1          # later layer, same step: reported second
    vec[f"{mid}.membrane"][1, 1, 0, 1] += 7          # earlier layer at t=1: reported first
    vec[f"{layers[-1]}.accum"][0, 0, 0, 0] += 1      # output layer at t=0: ... no, t=0 comes first
    np.savez(tmp_path / "vectors.npz", **vec)
    _, res = run_case(case, tmp_path / "vectors.npz")
    assert not res.ok
    frames = NET[case][2]
    # each flipped value fails once per clean frame, A_T is not touched (t=0 only)
    assert res.summary["mismatches"] == 3 * frames, res.summary
    assert re.fullmatch(rf"layer={layers[-1]}\.accum t=0 channel=0 y=0 x=0 expected=-?\d+ got=-?\d+",
                        res.summary["first_mismatch"]), res.summary["first_mismatch"]


@pytest.mark.skipif(os.environ.get("SIM_FULL", "0") in ("", "0"), reason="the full default model: set SIM_FULL=1")
def test_engine_default_model():
    export = simlib.default_network_export()
    m = load_manifest(export)
    lanes = 8
    params = simlib.engine_params(m, export, lanes, "default_net-p8")
    env = {"SNN_EXPORT": export, "SNN_LANES": lanes, "SNN_FRAMES": 1, "SNN_RESET_AT": "", "SNN_P_VALID": 0.8,
           "SNN_P_READY": 0.7, "SNN_SEED": 1}
    res = simlib.simulate("engine-default_net-p8", "snn_engine", "tb_engine", params, env, quiet=True)
    assert res.ok, res.message
    s = res.summary
    per_step = sum(l["out_channels"] * l["height"] * l["width"] for l in m["layers"])
    assert len(m["layers"]) == 27 and s["mismatches"] == 0 and s["values"] == m["timesteps"] * per_step
    assert s["bound"] <= s["cycles"] <= 2 * s["bound"], s
