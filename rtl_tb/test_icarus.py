"""The same cocotb benches under Icarus Verilog (a second, event-driven simulator with 4-state values), so the RTL
does not depend on one simulator's semantics: the neuron and the engine (sources: simlib, from rtl/snn_engine.f)."""
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


def test_icarus_engine():
    case = "d2b2s8t3-gt-p2"
    kwargs, lanes, _, _, p_valid, p_ready = NET[case]
    export = simlib.network_export(f"net-{case}", **kwargs)
    m = load_manifest(export)
    env = {"SNN_EXPORT": export, "SNN_LANES": lanes, "SNN_RESET_AT": "mid", "SNN_P_VALID": p_valid,
           "SNN_P_READY": p_ready, "SNN_SEED": 9}
    _ok(simlib.simulate(f"icarus-engine-{case}", "snn_engine", "tb_engine",
                        simlib.engine_params(m, export, lanes, f"icarus-{case}"), env, quiet=True, simulator="icarus"))


@pytest.mark.parametrize("top,param,name", [("snn_fifo", "WIDTH=0", "WIDTH"), ("snn_fifo", "DEPTH=0", "DEPTH"),
                                            ("mtif_neuron", "THRESH=64'h0040008000c00200", "THRESH")])
def test_icarus_parameter_checks_fire(top, param, name, tmp_path):
    """Icarus 11 has no elaboration system tasks: SNN_REQUIRE checks at time 0 ($error, $finish)."""
    import subprocess

    srcs = [str(simlib.RTL_DIR / s) for s in simlib.ALL_SOURCES]
    vvp = tmp_path / "check.vvp"
    build = subprocess.run(["iverilog", "-g2012", f"-I{simlib.RTL_DIR}", "-s", top, f"-P{top}.{param}", "-o", str(vvp),
                            *srcs], capture_output=True, text=True)
    assert build.returncode == 0, build.stdout + build.stderr
    run = subprocess.run(["vvp", "-n", str(vvp)], capture_output=True, text=True, timeout=60)
    assert f"Error: {name} must " in run.stdout + run.stderr, run.stdout + run.stderr
