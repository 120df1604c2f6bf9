"""scripts/run_sim.py: its last line on a passing export, and SIM FAIL with the first mismatch in time order."""
import re
import subprocess
import sys

import numpy as np

import cases
import simlib
from golden.manifest import load_manifest, load_vectors

SCRIPT = simlib.ROOT / "scripts" / "run_sim.py"


def _run(*args):
    proc = subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True,
                          cwd=simlib.ROOT)
    lines = proc.stdout.strip().splitlines()
    return proc.returncode, lines, proc.stdout + proc.stderr


def test_run_sim_pass_and_fail(tmp_path):
    export = cases.export("k3_gt")
    m = load_manifest(export)
    t_n, hw = m["timesteps"], m["input"]["height"] * m["input"]["width"]
    values = t_n * hw * sum(l["out_channels"] for l in m["layers"])

    rc, lines, out = _run("--export", export, "--p-valid", 0.6, "--p-ready", 0.5)
    assert rc == 0, out
    assert lines[-1] == f"SIM PASS layers=2 timesteps={t_n} values={values} mismatches=0", out
    assert sum(l.startswith("SIM ") for l in lines) == 1

    # corrupt conv1 at step 2 and conv2 at step 1: both are found, the earlier step is reported first
    l1, l2 = (l["name"] for l in m["layers"])
    vec = load_vectors(export)
    vec[f"{l1}.spikes"][2, 0, 0, 0] ^= 1
    vec[f"{l2}.spikes"][1, 1, 4, 3] ^= 2
    np.savez(tmp_path / "vectors.npz", **vec)
    rc, lines, out = _run("--export", export, "--vectors", tmp_path / "vectors.npz", "--p-valid", 0.6)
    assert rc == 1, out
    assert lines[-1] == f"SIM FAIL layers=2 timesteps={t_n} values={values} mismatches=2", out
    first = [l for l in lines if l.startswith("first mismatch:")]
    assert first and re.fullmatch(rf"first mismatch: layer={l2} t=1 channel=1 y=4 x=3 expected=\d+ got=\d+", first[0])


def test_run_sim_network():
    """A whole-network export runs on snn_engine; the last line carries cycles and the synaptic-event bound."""
    from test_engine import NET

    case = "d2b2s8t3-gt-p2"
    export = simlib.network_export(f"net-{case}", **NET[case][0])
    m = load_manifest(export)
    t_n = m["timesteps"]
    values = t_n * sum(l["out_channels"] * l["height"] * l["width"] for l in m["layers"])
    rc, lines, out = _run("--export", export, "--lanes", 2, "--p-valid", 1, "--p-ready", 1)
    assert rc == 0, out
    match = re.fullmatch(rf"SIM PASS layers={len(m['layers'])} timesteps={t_n} values={values} mismatches=0 "
                         r"cycles=(\d+) bound=(\d+)", lines[-1])
    assert match, out
    assert int(match.group(1)) >= int(match.group(2)) > 0
