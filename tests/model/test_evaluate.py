"""eval-seg / eval-denoise on any folder: every level, JSON last line, saved PNGs, clear errors."""
import json

import numpy as np
import torch
from PIL import Image

from golden.cli import main
from golden.model.convert import calibrate, normalise
from golden.model.finetune import save_npz
from golden.export.synthetic import synthetic_image
from golden.model.unet import UNet


def _model_files(tmp_path, task):
    torch.manual_seed(0)
    model = UNet(1, 2 if task == "segmentation" else 1, base=2, depth=2, task=task).double()
    x = torch.from_numpy(synthetic_image(0, 16)[None].astype(np.float64) / 255)
    lambdas = calibrate(model, x)
    save_npz(tmp_path / "ann.npz", model, lambdas)
    save_npz(tmp_path / "snn.npz", normalise(model, lambdas), lambdas, "connection_wise", timesteps=4)
    cfg = "configs/unet_em_small.yaml" if task == "segmentation" else "configs/unet_bsd_small.yaml"
    return ["--config", cfg, "--checkpoint", str(tmp_path / "snn.npz"), "--ann-checkpoint", str(tmp_path / "ann.npz")]


def _write(folder, name, array):
    folder.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(folder / name)


def test_eval_seg_reports_every_level_and_saves_masks(tmp_path, capsys):
    args = _model_files(tmp_path, "segmentation")
    for i, seed in enumerate((1, 2)):
        img = synthetic_image(seed, 20)[0]  # 20x20: not a multiple of 2^depth, exercises the padding
        _write(tmp_path / "img", f"s{i}.png", img)
        _write(tmp_path / "lab", f"s{i}.png", np.where(img > 100, 255, 0).astype(np.uint8))
    rc = main(["eval-seg", "--images", str(tmp_path / "img"), "--labels", str(tmp_path / "lab"),
               "--save", str(tmp_path / "out"), *args])
    assert rc == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["T"] == 4 and result["images"] == 2
    for level in ("ann", "snn_float", "snn_int"):
        assert set(result[level]) >= {"f1", "jaccard", "acc", "miou"}
        mask = np.asarray(Image.open(tmp_path / "out" / level / "s1.png"))
        assert mask.shape == (20, 20) and set(np.unique(mask)) <= {0, 255}


def test_eval_denoise_reports_psnr_ssim(tmp_path, capsys):
    args = _model_files(tmp_path, "denoising")
    _write(tmp_path / "img", "a.png", synthetic_image(3, 24)[0])
    rc = main(["eval-denoise", "--images", str(tmp_path / "img"), "--sigma", "25", "--timesteps", "3",
               "--levels", "snn_float", "snn_int", "--save", str(tmp_path / "out"), *args])
    assert rc == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["T"] == 3 and result["sigma"] == 25 and "ann" not in result
    for level in ("snn_float", "snn_int"):
        assert 5 < result[level]["psnr"] < 60 and -1 <= result[level]["ssim"] <= 1
    assert np.asarray(Image.open(tmp_path / "out" / "snn_int" / "a.png")).shape == (24, 24)


def test_eval_errors_name_the_file(tmp_path, capsys):
    args = _model_files(tmp_path, "segmentation")
    _write(tmp_path / "img", "a.png", synthetic_image(1, 16)[0])
    _write(tmp_path / "lab", "b.png", np.zeros((16, 16), np.uint8))
    assert main(["eval-seg", "--images", str(tmp_path / "img"), "--labels", str(tmp_path / "lab"), *args]) == 2
    assert "a.png" in capsys.readouterr().err
    _write(tmp_path / "lab2", "a.png", np.zeros((8, 16), np.uint8))
    assert main(["eval-seg", "--images", str(tmp_path / "img"), "--labels", str(tmp_path / "lab2"), *args]) == 2
    assert "lab2/a.png" in capsys.readouterr().err
    (tmp_path / "bad.npz").write_bytes(b"garbage")
    bad = list(args)
    bad[3] = str(tmp_path / "bad.npz")
    assert main(["eval-seg", "--images", str(tmp_path / "img"), "--labels", str(tmp_path / "lab2"), *bad]) == 2
    assert "bad.npz" in capsys.readouterr().err
    np.savez(tmp_path / "foreign.npz", x=np.zeros(2))
    bad[3] = str(tmp_path / "foreign.npz")
    assert main(["eval-seg", "--images", str(tmp_path / "img"), "--labels", str(tmp_path / "lab2"), *bad]) == 2
    err = capsys.readouterr().err
    assert "foreign.npz" in err and "arch." in err


def test_eval_refuses_bad_labels_options_and_models(tmp_path, capsys):
    """Labels 0/1, a labels folder holding images, T = 0, sigma NaN, a denoising model as the ANN of a
    segmentation one: each exit 2 with one `error:` line naming the file or option."""
    seg = _model_files(tmp_path / "seg", "segmentation")
    den = _model_files(tmp_path / "den", "denoising")
    image = synthetic_image(1, 16)[0]
    _write(tmp_path / "img", "a.png", image)
    _write(tmp_path / "lab01", "a.png", (image > 127).astype(np.uint8))
    _write(tmp_path / "imgs_as_labels", "a.png", image)
    _write(tmp_path / "lab", "a.png", np.where(image > 127, 255, 0).astype(np.uint8))

    def refused(argv, *words):
        assert main(argv) == 2
        err = [l for l in capsys.readouterr().err.splitlines() if "error" in l]  # (the rest: progress bars)
        assert len(err) == 1 and err[0].startswith("error:") and all(w in err[0] for w in words), err

    seg_cmd = ["eval-seg", "--images", str(tmp_path / "img")]
    refused([*seg_cmd, "--labels", str(tmp_path / "lab01"), *seg], "lab01/a.png", "0 (membrane) and 255")
    refused([*seg_cmd, "--labels", str(tmp_path / "imgs_as_labels"), *seg], "imgs_as_labels/a.png")
    refused([*seg_cmd, "--labels", str(tmp_path / "lab"), "--timesteps", "0", *seg], "--timesteps")
    wrong_ann = seg[:5] + [den[5]]  # the denoising ANN beside the segmentation SNN
    refused([*seg_cmd, "--labels", str(tmp_path / "lab"), *wrong_ann], "ann.npz", "arch")
    refused(["eval-denoise", "--images", str(tmp_path / "img"), "--sigma", "nan", *den], "--sigma")
    refused(["eval-denoise", "--images", str(tmp_path / "img"), "--sigma", "25", *seg], "unet_em_small.yaml",
            "segmentation")
    seg_snn_under_den_config = den[:2] + seg[2:]
    refused(["eval-denoise", "--images", str(tmp_path / "img"), "--sigma", "25", *seg_snn_under_den_config],
            "seg/snn.npz", "segmentation model")
    assert main([*seg_cmd, "--labels", str(tmp_path / "lab"), "--timesteps", "2", *seg]) == 0
