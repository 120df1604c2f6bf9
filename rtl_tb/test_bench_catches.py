"""The benches must fail on a wrong value: flip one golden spike word (and one membrane a step later) and expect
exactly these two mismatches, the spike word reported first with its position."""
import numpy as np

import cases
import simlib
from golden.manifest import load_manifest, load_vectors
from test_layers import INPUT_CONV, _env


def test_bench_reports_a_flipped_spike(tmp_path):
    case = "default"  # shares the build of test_input_conv[default]
    export = cases.export(case)
    m = load_manifest(export)
    layer = m["layers"][0]["name"]
    vectors = load_vectors(export)
    spikes = vectors[f"{layer}.spikes"]
    t, c, y, x = spikes.shape[0] // 2, spikes.shape[1] - 1, spikes.shape[2] // 3, spikes.shape[3] - 2
    good = int(spikes[t, c, y, x])
    bad = good ^ 1  # threshold K-1 (the finest) flipped
    spikes[t, c, y, x] = bad
    vectors[f"{layer}.membrane"][t + 1, 0, 1, 1] += 1  # and one membrane, one step later
    np.savez(tmp_path / "vectors.npz", **vectors)

    res = simlib.simulate(f"input_conv-{case}", "snn_input_conv", "tb_input_conv",
                          simlib.layer_params(m, export, layer),
                          _env(export, *INPUT_CONV[case], SNN_LAYER=layer, SNN_VECTORS=tmp_path / "vectors.npz"))
    assert not res.ok, "the bench passed although one expected spike word was wrong"
    assert res.summary["mismatches"] == 2
    assert res.summary["first_mismatch"] == f"layer={layer} t={t} channel={c} y={y} x={x} expected={bad} got={good}"
