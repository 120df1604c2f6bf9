"""`python -m golden sim --coverage`: every layer with parameters also runs alone on the frame engine (its probe network,
golden/export/probe.py: inputs firing everywhere), so every nonzero weight and bias takes part in a compared
accumulate, not only those the image happens to reach."""
import re
import subprocess
import sys

import pytest

from golden.backends.rtl import simulate as simlib
from golden.ir.manifest import load_manifest


@pytest.mark.slow
def test_sim_coverage_exercises_every_weight(tmp_path):
    export = simlib.network_export("cov-d1", seed=7, base=2, depth=1, size=8, timesteps=3, thresholds_log2=(1, 0, -1),
                                   compare="ge")
    m = load_manifest(export)
    proc = subprocess.run([sys.executable, "-m", "golden", "sim", "--export", str(export), "--lanes", "2",
                           "--coverage", "--p-pause", "0.1"], capture_output=True, text=True, cwd=simlib.ROOT)
    lines = proc.stdout.strip().splitlines()
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    cov = [l for l in lines if l.startswith("COVERAGE ")]
    assert len(cov) == 1, proc.stdout
    match = re.fullmatch(r"COVERAGE weights=1\.000 biases=1\.000 \((\d+) of \1 nonzero weights, (\d+) of \2 nonzero "
                         r"biases; the image run alone: weights=(0\.\d{3}|1\.000)\)", cov[0])
    assert match, cov[0]
    assert re.fullmatch(rf"SIM PASS layers={len(m['layers'])} timesteps=3 values=\d+ mismatches=0 cycles=\d+ "
                        r"bound=\d+", lines[-1]), lines[-1]
