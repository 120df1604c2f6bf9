"""The HLS frame top's STATUS (issue 23): snn_frame_top(image, output, scratch, weights, height, width, timeout,
status) refuses every bad argument the RTL engine refuses (height or width 0, not a multiple of 2^levels, a width
not a multiple of ENGINES x 2^levels, width above MAX_WIDTH, height above 2^16 - 1, and in C simulation a written buffer overlapping another) with STATUS bit 3
and reads and writes nothing (hls/tb/csim_frame_main.cpp --check-args: all buffers in one 0xA5 pool), and writes
STATUS 0 after a valid frame (`golden csim` fails otherwise). AXI errors and the watchdog do not exist in C-sim."""
from __future__ import annotations

import subprocess
import sys

import pytest

from golden.backends.rtl import ctrl_map as cm
from golden.export.network import random_network_export
from golden.paths import REPO_ROOT


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("status")
    export, _ = random_network_export(root / "d1", seed=31, base=2, depth=1, size=8, timesteps=2,
                                      thresholds_log2=(0, -1))
    build = root / "build"
    proc = subprocess.run([sys.executable, "-m", "golden", "csim", "--export", str(export), "--build", str(build),
                           "--opt", "Og"], capture_output=True, text=True, timeout=600, cwd=REPO_ROOT)
    return proc, build, export


def check_args(build):
    """{case: its result} of the bench's --check-args, and the bench's exit code."""
    p = subprocess.run([str(build / "csim"), "--check-args"], capture_output=True, text=True, timeout=120)
    return dict(l.split()[1].split("=", 1)[1:] + [l.split(None, 2)[2]] for l in p.stdout.splitlines()
                if l.startswith("ARGS ")), p


CASES = {"height-0", "width-0", "width-above-max", "height-above-max", "output-over-image", "scratch-over-output",
         "scratch-over-image", "height-not-multiple", "width-not-multiple"}


def test_valid_frame_status_0(tiny):
    proc, _, _ = tiny
    lines = proc.stdout.strip().splitlines()
    assert proc.returncode == 0 and lines[-1].startswith("CSIM PASS"), proc.stdout + proc.stderr
    frames = [l for l in lines if l.startswith("FRAME ")]
    assert frames and all(l.split()[-1] == "status=0" for l in frames), frames
    assert any(l.startswith("CSIM arguments:") and "every one refused with STATUS 8" in l for l in lines), lines


def test_every_bad_argument_refused(tiny):
    _, build, _ = tiny
    got, p = check_args(build)
    assert p.returncode == 0, p.stdout
    assert set(got) == CASES
    assert all(v == f"status={cm.STATUS_BAD_ARG} untouched=1" for v in got.values()), got


def test_width_not_whole_strips_refused(tiny, tmp_path):
    """With ENGINES = 2 a width that is a multiple of 2^levels but not of ENGINES x 2^levels (not whole strips at
    every level, the RTL engine's CHECK) is refused too; the valid frame still passes."""
    _, _, export = tiny
    build = tmp_path / "e2"
    proc = subprocess.run([sys.executable, "-m", "golden", "csim", "--export", str(export), "--build", str(build),
                           "--opt", "Og", "--engines", "2"], capture_output=True, text=True, timeout=600,
                          cwd=REPO_ROOT)
    assert proc.returncode == 0 and proc.stdout.strip().splitlines()[-1].startswith("CSIM PASS"), proc.stdout
    got, p = check_args(build)
    assert p.returncode == 0, p.stdout
    assert set(got) == CASES | {"width-not-multiple-of-engines"}
    assert all(v == f"status={cm.STATUS_BAD_ARG} untouched=1" for v in got.values()), got


def test_same_register_map_as_the_rtl():
    from golden.backends.hls.frame_top import FRAME_ARGS

    assert FRAME_ARGS == cm.ENGINE_ARGS and cm.ENGINE_OUTPUTS == ("status",)
