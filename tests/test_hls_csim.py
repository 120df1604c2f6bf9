"""HLS C-sim equals the integer golden model bit for bit (contract §3-§5, §8): both layers, spikes and membranes,
every time step, compared with == by hls/tb/csim_main.cpp through scripts/run_csim.py.

Each export needs its own build (the generated snn_params.h fixes every size and width), about 8 s of g++ each.
"""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from golden.export import vectors_text
from golden.manifest import load_manifest

ROOT = Path(__file__).resolve().parent.parent
RUN_CSIM = ROOT / "scripts" / "run_csim.py"
RESULT = re.compile(r"^CSIM (PASS|FAIL) layers=2 timesteps=(\d+) values=(\d+) mismatches=(\d+)$")


def run_csim(export: Path, build: Path) -> tuple[int, str, re.Match]:
    proc = subprocess.run([sys.executable, str(RUN_CSIM), "--export", str(export), "--build", str(build)],
                          capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines, out
    match = RESULT.match(lines[-1])
    assert match, f"last line is not a CSIM result:\n{out}"
    assert sum(bool(RESULT.match(line)) for line in lines) == 1, out
    return proc.returncode, out, match


def expected_values(export: Path) -> int:
    """What the bench compares: 2 frames of the probed top (conv1 spikes + membranes; conv2 output spikes, probe
    spikes and membranes), then the deployable top's output spikes."""
    m = load_manifest(export)
    pixels = m["timesteps"] * m["input"]["height"] * m["input"]["width"]
    c1, c2 = (layer["out_channels"] for layer in m["layers"])
    return 2 * pixels * (2 * c1 + 3 * c2) + pixels * c2


def assert_pass(export: Path, build: Path) -> None:
    rc, out, match = run_csim(export, build)
    assert rc == 0 and match.group(1) == "PASS", out
    assert int(match.group(2)) == load_manifest(export)["timesteps"], out
    assert int(match.group(3)) == expected_values(export), out
    assert int(match.group(4)) == 0, out


def test_default_export(default_export, tmp_path):
    assert_pass(default_export, tmp_path / "build")


def test_default_model_compare_ge(tmp_path):
    from golden.__main__ import main

    out = tmp_path / "em_slice_ge"
    assert main(["export", "--config", str(ROOT / "configs/em_slice.yaml"), "--out", str(out), "--compare", "ge"]) == 0
    assert load_manifest(out)["compare"] == "ge"
    assert_pass(out, tmp_path / "build")


# K = 1..4 thresholds, both compare rules, square sizes, 1-3 image channels, different channel counts, T and
# fractional bits. Each case is one export and one build.
SYNTH = [
    dict(seed=1, thresholds_log2=(0,), compare="gt", timesteps=3, channels=(2, 3), size=8),
    dict(seed=2, thresholds_log2=(1, 0), compare="ge", timesteps=5, channels=(3, 5), size=12, in_channels=2),
    dict(seed=3, thresholds_log2=(0, -1, -2), compare="gt", timesteps=10, channels=(5, 2), size=10,
         frac_bits=(4, 3), input_shift=3),
    dict(seed=4, thresholds_log2=(1, 0, -1, -2), compare="ge", timesteps=1, channels=(4, 6), size=16,
         in_channels=3),
]


@pytest.mark.parametrize("case", SYNTH, ids=lambda c: f"K{len(c['thresholds_log2'])}-{c['compare']}-T{c['timesteps']}"
                         f"-{c['size']}px-c{c.get('in_channels', 1)}x{c['channels'][0]}x{c['channels'][1]}")
def test_synthetic_export(case, tmp_path):
    from golden.synth import random_export

    export, manifest = random_export(tmp_path / "export", **case)
    assert manifest["thresholds_log2"] == list(case["thresholds_log2"])
    spikes = np.load(export / "vectors.npz")["conv2.spikes"]
    assert spikes.any(), "degenerate case: conv2 never fires"
    assert_pass(export, tmp_path / "build")


def test_corrupted_vector_fails_and_names_the_value(tmp_path):
    """The check can fail: one wrong spike word in conv2.spikes gives CSIM FAIL, exit 1 and a precise report."""
    from golden.synth import random_export

    export, _ = random_export(tmp_path / "export", seed=5, thresholds_log2=(1, 0), compare="gt", timesteps=3,
                              channels=(2, 4), size=8)
    build = tmp_path / "build"
    assert_pass(export, build)

    bad = tmp_path / "corrupt"
    shutil.copytree(export, bad)
    spikes = np.load(export / "vectors.npz")["conv2.spikes"].astype(np.int64)
    t, c, y, x = 1, 2, 3, 5
    good = int(spikes[t, c, y, x])
    spikes[t, c, y, x] = good ^ 1  # still a valid 2-bit spike word
    (bad / "vectors" / "conv2.spikes.txt").write_text(vectors_text(spikes))

    rc, out, match = run_csim(bad, build)  # same header: reuses the build
    assert "up to date" in out
    assert rc == 1 and match.group(1) == "FAIL", out
    assert int(match.group(4)) >= 1, out
    assert f"layer=conv2 t={t} channel={c} y={y} x={x} expected={good ^ 1} got={good}" in out, out


def test_default_full_network_on_real_em_tile(tmp_path):
    """The committed default Spiking-UNet (27 layers) on the committed 64x64 real EM tile: every layer's spikes
    at every step and the final accumulations equal the golden vectors."""
    from golden.__main__ import main

    export = tmp_path / "em_unet"
    assert main(["export-net", "--out", str(export), "--timesteps", "4"]) == 0
    proc = subprocess.run([sys.executable, str(ROOT / "scripts/run_csim.py"), "--export", str(export),
                           "--build", str(tmp_path / "build"), "--opt", "O1"],
                          capture_output=True, text=True, cwd=ROOT)
    last = proc.stdout.strip().splitlines()[-1]
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert re.fullmatch(r"CSIM PASS layers=27 timesteps=4 values=\d+ mismatches=0", last), last
