"""mtif_neuron vs golden.intmodel.neuron_step over K = 1..4, both compare rules and several widths (§4)."""
import pytest

import cases
import simlib
from golden.manifest import load_manifest

# (export, layer): K=1 gt, K=2 ge, K=3 gt, K=4 ge (the default model's conv2: its widest membrane)
NEURON_CASES = [("k1_gt", "conv2"), ("k2_ge", "conv1"), ("k3_gt", "conv2"), ("default_ge", "conv2")]


@pytest.mark.parametrize("case,layer", NEURON_CASES, ids=[f"{c}-{l}" for c, l in NEURON_CASES])
def test_mtif_neuron(case, layer):
    export = cases.export(case)
    params = simlib.neuron_params(load_manifest(export), layer)
    res = simlib.simulate(f"mtif_neuron-{case}-{layer}", "mtif_neuron", "tb_mtif_neuron", params,
                          {"SNN_EXPORT": export, "SNN_LAYER": layer, "SNN_SEED": 7})
    assert res.ok, res.message
    assert res.summary["values"] > 1000 and res.summary["mismatches"] == 0
