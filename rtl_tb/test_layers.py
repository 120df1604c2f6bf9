"""Layer units and the top against the golden vectors, with random valid/ready stalls (contract §3-§5).

Every spike word of every neuron at every time step is compared with ==. Synthetic cases send two images
back to back (the membranes must restart from 0 at t = 0 of each image, §4). Stall probabilities vary per case,
one case runs at full rate (no stall at all).
"""
import pytest

import cases
import simlib
from golden.manifest import load_manifest

# case -> (frames, p_valid, p_ready)
# (the default export's gt/ge and every synthetic K are each covered at least once per layer kind; the default
# gt top is also what `make sim` runs)
INPUT_CONV = {"default": (1, 0.8, 0.6), "k1_gt": (2, 1.0, 1.0), "k2_ge": (2, 0.5, 0.5), "k3_gt": (2, 0.7, 0.3)}
SPIKING_CONV = {"default_ge": (1, 0.9, 0.5), "k1_gt": (2, 0.6, 0.9), "k2_ge": (2, 1.0, 1.0), "k3_gt": (2, 0.3, 0.7)}
TOP = {"default": (1, 0.8, 0.7), "k4_t12_ge": (2, 0.7, 0.8)}


def _env(export, frames, p_valid, p_ready, **extra):
    return {"SNN_EXPORT": export, "SNN_FRAMES": frames, "SNN_P_VALID": p_valid, "SNN_P_READY": p_ready,
            "SNN_SEED": 3, **extra}


def _check(res, t):
    assert res.ok, res.message
    assert res.summary["mismatches"] == 0 and res.summary["timesteps"] == t


@pytest.mark.parametrize("case", list(INPUT_CONV))
def test_input_conv(case):
    export = cases.export(case)
    m = load_manifest(export)
    layer = m["layers"][0]["name"]
    res = simlib.simulate(f"input_conv-{case}", "snn_input_conv", "tb_input_conv",
                          simlib.layer_params(m, export, layer), _env(export, *INPUT_CONV[case], SNN_LAYER=layer))
    _check(res, m["timesteps"])
    frames = INPUT_CONV[case][0]
    c, h, w = m["layers"][0]["out_channels"], m["input"]["height"], m["input"]["width"]
    assert res.summary["values"] == frames * m["timesteps"] * c * h * w


@pytest.mark.parametrize("case", list(SPIKING_CONV))
def test_spiking_conv(case):
    export = cases.export(case)
    m = load_manifest(export)
    layer = m["layers"][1]["name"]
    res = simlib.simulate(f"spiking_conv-{case}", "snn_spiking_conv", "tb_spiking_conv",
                          simlib.layer_params(m, export, layer), _env(export, *SPIKING_CONV[case], SNN_LAYER=layer))
    _check(res, m["timesteps"])
    frames = SPIKING_CONV[case][0]
    c, h, w = m["layers"][1]["out_channels"], m["input"]["height"], m["input"]["width"]
    assert res.summary["values"] == frames * m["timesteps"] * c * h * w


@pytest.mark.parametrize("case", list(TOP))
def test_slice_top(case):
    export = cases.export(case)
    m = load_manifest(export)
    res = simlib.simulate(f"slice_top-{case}", "snn_slice_top", "tb_slice_top", simlib.top_params(m, export),
                          _env(export, *TOP[case]))
    _check(res, m["timesteps"])
    assert set(res.summary["layers"]) == {l["name"] for l in m["layers"]}  # both layers checked
    frames, hw = TOP[case][0], m["input"]["height"] * m["input"]["width"]
    assert res.summary["values"] == frames * m["timesteps"] * hw * sum(l["out_channels"] for l in m["layers"])
