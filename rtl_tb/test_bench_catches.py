"""The engine bench must fail on a wrong value: flip one golden spike word, one membrane and one accumulation
(A_t of the output layer) of the negative case's export and expect each of them to be reported, with its
position, once per clean frame, and the earliest in (t, layer) order first. The negative case shares its build
with test_engine (rtl_tb/cases.py NEGATIVE_CASE: a frame cut by a reset, then two clean frames)."""
import re

import numpy as np

import simlib
from cases import NEGATIVE_CASE
from golden.manifest import load_manifest, load_vectors


def test_engine_reports_flipped_values(tmp_path):
    case = NEGATIVE_CASE
    export = case.export()
    m = load_manifest(export)
    vec = load_vectors(export)
    layers = [l["name"] for l in m["layers"]]
    mid, late, head = layers[len(layers) // 2], layers[-2], layers[-1]
    flips = []
    spike = int(vec[f"{late}.spikes"][1, 0, 2, 3])
    vec[f"{late}.spikes"][1, 0, 2, 3] = spike ^ 1                    # a spike word, later layer at t=1
    flips.append(f"layer={late} t=1 channel=0 y=2 x=3 expected={spike ^ 1} got={spike}")
    vmem = int(vec[f"{mid}.membrane"][1, 1, 0, 1])
    vec[f"{mid}.membrane"][1, 1, 0, 1] = vmem + 7                     # a membrane, earlier layer at t=1
    flips.append(f"layer={mid}.membrane t=1 channel=1 y=0 x=1 expected={vmem + 7} got={vmem}")
    acc = int(vec[f"{head}.accum"][0, 0, 0, 0])
    vec[f"{head}.accum"][0, 0, 0, 0] = acc + 1                        # an accumulation A_0: t=0 comes first
    flips.append(f"layer={head}.accum t=0 channel=0 y=0 x=0 expected={acc + 1} got={acc}")
    np.savez(tmp_path / "vectors.npz", **vec)

    _, res = simlib.engine_run(case, vectors=tmp_path / "vectors.npz")
    assert not res.ok, "the bench passed although three expected values were wrong"
    s = res.summary
    # each flipped value fails once per clean frame; A_T (t = T-1) is not touched
    assert s["mismatches"] == 3 * case.frames, s
    assert s["first_mismatch"] == flips[2], s["first_mismatch"]
    listed = s["mismatch_list"]
    for frame in range(case.frames):
        suffix = f" frame={frame}" if frame else ""
        for flip in flips:
            assert flip + suffix in listed, (flip + suffix, listed)
    assert s["layers"][late]["mismatches"] == s["layers"][mid]["mismatches"] == s["layers"][head]["mismatches"] \
        == case.frames
    assert all(re.fullmatch(r"layer=\S+ t=\d+ channel=\d+ y=\d+ x=\d+ expected=-?\d+ got=-?\d+( frame=\d+)?", l)
               for l in listed)
