"""mtif_neuron vs golden.contract.intmodel.neuron_step over K = 1..4 x both compare rules (rtl_tb/cases.py NEURON_CASES:
the thresholds and widths of one layer of a random network export), §4."""
import pytest

from golden.backends.rtl import simulate as simlib
from rtl_tb.cases import NEURON_CASES
from golden.ir.manifest import load_manifest


def run_neuron(case, simulator="verilator"):
    export = case.export()
    m = load_manifest(export)
    layer = case.layer_of(m)
    params = simlib.neuron_params(m, layer)
    assert params["K"] == case.K and params["COMPARE_GE"] == int(case.compare == "ge")
    name = f"mtif_neuron-{case.name}" if simulator == "verilator" else f"{simulator}-mtif_neuron-{case.name}"
    return simlib.simulate(name, "mtif_neuron", "tb_mtif_neuron", params, case.env(export, m), quiet=True,
                           simulator=simulator)


@pytest.mark.parametrize("case", list(NEURON_CASES.values()), ids=list(NEURON_CASES))
def test_mtif_neuron(case):
    res = run_neuron(case)
    assert res.ok, res.message
    assert res.summary["values"] > 1000 and res.summary["mismatches"] == 0
