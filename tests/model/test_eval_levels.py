"""eval-seg / eval-denoise load only the checkpoints of the levels they are asked for: an ANN of another
architecture than the committed SNN (an imported depth-1 U-Net) evaluates alone with --levels ann."""
import json

import numpy as np
import torch
from PIL import Image

from golden.cli import main
from golden.export.synthetic import synthetic_image
from golden.model.checkpoint import save_npz
from golden.model.unet import UNet


def test_ann_level_alone_ignores_the_default_snn(tmp_path, capsys):
    torch.manual_seed(0)
    ann = UNet(1, 2, base=2, depth=1, task="segmentation").double()  # the committed SNN is depth 4
    save_npz(tmp_path / "ann.npz", ann, {})
    for folder in ("img", "lab"):
        (tmp_path / folder).mkdir()
    img = synthetic_image(3, 16)[0]
    Image.fromarray(img).save(tmp_path / "img" / "a.png")
    Image.fromarray(np.where(img > 100, 255, 0).astype(np.uint8)).save(tmp_path / "lab" / "a.png")
    base = ["eval-seg", "--images", str(tmp_path / "img"), "--labels", str(tmp_path / "lab"),
            "--ann-checkpoint", str(tmp_path / "ann.npz")]
    assert main(base + ["--levels", "ann"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(result) >= {"ann"} and "snn_int" not in result and "snn_float" not in result
    # with an SNN level the two checkpoints must agree, and the refusal names the ANN file
    assert main(base + ["--levels", "ann", "snn_int"]) == 2
    assert "ann.npz: field arch" in capsys.readouterr().err
