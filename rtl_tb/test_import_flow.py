"""Your own PyTorch model to the hardware: import-torch -> convert -> export-net -> sim (frame engine) -> csim, each
`PASS`, through the commands a user types. The block-based U-Net concatenates the upsampled path first; the functional one has a 1x1 conv with a neuron (run as a 3x3 with zero outer taps); the residual
denoiser has a 1x1 input conv and returns `x - out(...)` (imported as its noise map)."""
import re
import subprocess
import sys

import pytest
import torch
from PIL import Image

from golden.export.synthetic import synthetic_image
from golden.paths import REPO_ROOT

MODELS = REPO_ROOT / "tests" / "importer" / "models"
TILE = REPO_ROOT / "configs" / "demo" / "em_slice22_y224_x224_64.png"


def _golden(*args) -> list[str]:
    proc = subprocess.run([sys.executable, "-m", "golden", *map(str, args)], capture_output=True, text=True,
                          cwd=REPO_ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.strip().splitlines()


@pytest.mark.parametrize("model_file,cls,init,backends", [
    ("block_unet.py", "BlockUNet", '{"classes": 2, "widths": [4, 8, 8]}', ("frame", "csim")),
    ("functional_unet.py", "FunctionalUNet", '{"width": 4}', ("frame",)),
    ("residual_unet.py", "ResidualUNet", "{}", ("csim",)),
])
def test_import_to_sim_and_csim(tmp_path, model_file, cls, init, backends):
    torch.manual_seed(11)
    (tmp_path / "calib").mkdir()
    for i in range(2):
        Image.fromarray(synthetic_image(20 + i, 32, 1)[0]).save(tmp_path / "calib" / f"{i}.png")
    line = _golden("import-torch", "--model-file", MODELS / model_file, "--class", cls, "--init-args", init,
                   "--input-shape", 1, 16, 16, "--out", tmp_path / "ann.npz")[-1]
    assert re.match(rf"IMPORT {cls} -> .* max_abs_diff=0 ", line), line
    _golden("convert", "--checkpoint", tmp_path / "ann.npz", "--images", tmp_path / "calib",
            "--out", tmp_path / "snn.npz")
    _golden("export-net", "--checkpoint", tmp_path / "snn.npz", "--image", TILE, "--crop", 0, 0, 16, 16,
            "--timesteps", 3, "--out", tmp_path / "export")
    n = len(__import__("yaml").safe_load((tmp_path / "export" / "manifest.yaml").read_text())["layers"])
    for backend in backends:
        if backend == "csim":
            last = _golden("csim", "--export", tmp_path / "export")[-1]
            assert re.fullmatch(rf"CSIM PASS layers={n} timesteps=3 values=\d+ mismatches=0", last), last
        else:
            last = _golden("sim", "--export", tmp_path / "export", "--lanes", 4)[-1]
            assert re.fullmatch(rf"SIM PASS layers={n} timesteps=3 values=\d+ mismatches=0 cycles=\d+ bound=\d+",
                                last), last
