"""snn_engine (the whole network) against the golden vectors of seeded random U-Net exports (docs/rtl_engine.md).

Every layer's spike words and membranes at every time step (membranes when the export has them: one case without),
the output layer's A_t at every step and A_T at the m_axis output are compared with ==, under random idle cycles on the image stream, back-pressure on m_axis and
idle cycles before ap_start. The cases (rtl_tb/cases.py ENGINE_CASES) sweep lanes P = 1..4, both compare rules,
K = 1..4, depth 1 and 2, base 2..4, 8x8..16x16, T = 2..6, segmentation and denoising; two cases first run a frame
cut by a reset (in the image, in the middle of a step), two run two frames back to back.
The negative tests (a flipped golden value must be reported) are in test_bench_catches.py.

SIM_FULL=1 in the environment adds the committed default model (27 layers, 64x64 EM tile, T = 10) on 8 lanes,
as `make sim` runs it (about 10 M cycles, 1.5-2 minutes; marked full_model and slow).
"""
import os

import pytest

from golden.backends.rtl import simulate as simlib
from golden.ir.manifest import load_vectors
from rtl_tb.cases import DEFAULT_MODEL, ENGINE_CASES, NEGATIVE_CASE, NO_MEMBRANES_CASE


def _check(case, m, res):
    assert res.ok, res.message
    s = res.summary
    per_step = sum(l["out_channels"] * l["height"] * l["width"] for l in m["layers"])
    assert s["mismatches"] == 0 and s["values"] == case.frames * m["timesteps"] * per_step
    neurons = sum(l["out_channels"] * l["height"] * l["width"] for l in m["layers"] if l["kind"] != "output")
    assert s["membranes_recorded"] == case.membranes
    assert s["membranes"] == (case.frames * m["timesteps"] * neurons if case.membranes else 0)
    head = m["layers"][-1]
    assert s["out_values"] == case.frames * head["out_channels"] * head["height"] * head["width"]
    assert set(s["layers"]) == {l["name"] for l in m["layers"]}
    assert s["bound"] > 0 and s["cycles"] >= s["bound"]
    if case.reset_at:
        assert s["aborted_frame"]["at"] == case.reset_at
    return s


@pytest.mark.parametrize("case", [pytest.param(c, id=n, marks=[pytest.mark.slow] if c.slow else [])
                                  for n, c in ENGINE_CASES.items()])
def test_engine(case):
    m, res = simlib.engine_run(case)
    _check(case, m, res)


def test_engine_on_an_export_without_membranes():
    """`export-net --membranes off` (here random_network_export(record_membranes=False)): spikes and A_t are
    compared, membranes are not; the negative case's engine build is reused (same manifest, same parameters)."""
    m, res = simlib.engine_run(NO_MEMBRANES_CASE, build=f"engine-{NEGATIVE_CASE.name}")
    assert not any(k.endswith(".membrane") for k in load_vectors(NO_MEMBRANES_CASE.export()))
    _check(NO_MEMBRANES_CASE, m, res)


@pytest.mark.full_model
@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("SIM_FULL", "0") in ("", "0"), reason="the full default model: set SIM_FULL=1")
def test_engine_default_model():
    m, res = simlib.engine_run(DEFAULT_MODEL)
    s = _check(DEFAULT_MODEL, m, res)
    assert len(m["layers"]) == 27
    assert s["bound"] <= s["cycles"] <= 2 * s["bound"], s
