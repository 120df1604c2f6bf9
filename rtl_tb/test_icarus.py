"""The same cocotb benches under Icarus Verilog (a second, event-driven simulator with 4-state values), so the RTL
does not depend on one simulator's semantics: the neuron, both slice layer units, the slice top and the engine."""
import shutil

import pytest

import cases
import simlib
from golden.manifest import load_manifest
from test_engine import NET

pytestmark = pytest.mark.skipif(shutil.which("iverilog") is None, reason="iverilog not installed")


def _ok(res):
    assert res.ok, res.message
    assert res.summary["mismatches"] == 0 and res.summary["values"] > 0


def test_icarus_neuron():
    export = cases.export("k2_ge")
    params = simlib.neuron_params(load_manifest(export), "conv1")
    _ok(simlib.simulate("icarus-mtif_neuron", "mtif_neuron", "tb_mtif_neuron", params,
                        {"SNN_EXPORT": export, "SNN_LAYER": "conv1", "SNN_SEED": 7}, quiet=True, simulator="icarus"))


@pytest.mark.parametrize("module,bench,index", [("snn_input_conv", "tb_input_conv", 0),
                                                ("snn_spiking_conv", "tb_spiking_conv", 1)])
def test_icarus_layer_units(module, bench, index):
    export = cases.export("k2_ge")
    m = load_manifest(export)
    layer = m["layers"][index]["name"]
    env = {"SNN_EXPORT": export, "SNN_LAYER": layer, "SNN_SEED": 3, "SNN_FRAMES": 2, "SNN_P_VALID": 0.7,
           "SNN_P_READY": 0.6}
    _ok(simlib.simulate(f"icarus-{module}", module, bench, simlib.layer_params(m, export, layer), env, quiet=True,
                        simulator="icarus"))


def test_icarus_slice_top():
    export = cases.export("k3_gt")
    m = load_manifest(export)
    env = {"SNN_EXPORT": export, "SNN_SEED": 4, "SNN_P_VALID": 0.8, "SNN_P_READY": 0.7}
    _ok(simlib.simulate("icarus-slice_top", "snn_slice_top", "tb_slice_top", simlib.top_params(m, export), env,
                        quiet=True, simulator="icarus"))


def test_icarus_engine():
    case = "d2b2s8t3-gt-p2"
    kwargs, lanes, _, _, p_valid, p_ready = NET[case]
    export = simlib.network_export(f"net-{case}", **kwargs)
    m = load_manifest(export)
    env = {"SNN_EXPORT": export, "SNN_LANES": lanes, "SNN_RESET_AT": "mid", "SNN_P_VALID": p_valid,
           "SNN_P_READY": p_ready, "SNN_SEED": 9}
    _ok(simlib.simulate(f"icarus-engine-{case}", "snn_engine", "tb_engine",
                        simlib.engine_params(m, export, lanes, f"icarus-{case}"), env, quiet=True, simulator="icarus"))
