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


def test_integer_level_equals_the_int64_reference(tmp_path):
    """What eval-seg scores as the integer SNN is the contract: the int64 reference's A_T / (T 2^F), bit for bit,
    batched or not, at every snapshot."""
    from golden.contract import intmodel
    from golden.export.network import int_network, network_output
    from golden.model.evaluate import Runner, load_model_npz

    _model_files(tmp_path, "segmentation")
    snn, _ = load_model_npz(tmp_path / "snn.npz")
    T = 5
    runner = Runner(None, snn, T, (2.0, 1.0, 0.5, 0.25), "gt", ("snn_int",), snapshots=(2, 3))
    layers = int_network(snn, (1, 0, -1, -2), T)
    images = np.stack([synthetic_image(s, 16) for s in (1, 2, 3)])
    got = runner.run_batch(images)["snn_int"]
    for n, image in enumerate(images):
        ref = intmodel.run(layers, image, T, [1, 0, -1, -2], "gt")
        assert np.array_equal(got[T][n], network_output(layers, ref, T))
        for t in (2, 3):
            assert np.array_equal(got[t][n], ref[f"{layers[-1].name}.accum"][t - 1] / (t * 2.0**layers[-1].frac_bits))
        assert np.array_equal(runner(image)["snn_int"], got[T][n])


def test_batches_group_consecutive_images_of_one_size():
    from golden.model.evaluate import batches

    sizes = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 2, "f": 1}
    assert list(batches(list("abcdef"), 2, sizes.get)) == [["a", "b"], ["c", "d"], ["e"], ["f"]]
    assert list(batches([], 3, sizes.get)) == []


def test_threads_and_device_errors(tmp_path, capsys):
    args = _model_files(tmp_path, "segmentation")
    _write(tmp_path / "img", "a.png", synthetic_image(1, 16)[0])
    _write(tmp_path / "lab", "a.png", np.zeros((16, 16), np.uint8))
    base = ["eval-seg", "--images", str(tmp_path / "img"), "--labels", str(tmp_path / "lab"), *args]
    assert main([*base, "--threads", "0"]) == 2
    assert "--threads" in capsys.readouterr().err
    assert main([*base, "--batch", "0"]) == 2
    assert "--batch" in capsys.readouterr().err
    if not torch.cuda.is_available():
        assert main([*base, "--device", "cuda"]) == 2
        assert "--device cuda" in capsys.readouterr().err
    assert main([*base, "--device", "tpu"]) == 2
    assert "--device" in capsys.readouterr().err
    assert main([*base, "--threads", "1", "--batch", "3", "--device", "auto"]) == 0


def test_eval_denoise_picks_the_committed_model_for_sigma_and_channels(tmp_path, capsys):
    """Without --checkpoint, eval-denoise says which committed denoiser it loaded (grey, trained at 15/25/50);
    a noise level or a channel count no committed model covers is refused, naming what exists."""
    _write(tmp_path / "grey", "a.png", synthetic_image(4, 16)[0])
    rc = main(["eval-denoise", "--images", str(tmp_path / "grey"), "--sigma", "50", "--timesteps", "2",
               "--levels", "snn_int"])
    assert rc == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("model: configs/models/bsd_unet_snn.npz (committed grey denoiser, trained at sigma "
                               "15, 25, 50")
    assert json.loads(lines[-1])["sigma"] == 50
    assert main(["eval-denoise", "--images", str(tmp_path / "grey"), "--sigma", "35"]) == 2
    assert "--sigma 35: no committed grey denoiser for that noise level (committed: grey sigma 15, 25, 50: " \
           "configs/models/bsd_unet_snn.npz)" in capsys.readouterr().err
    (tmp_path / "rgb").mkdir()
    Image.fromarray(np.transpose(synthetic_image(5, 16, 3), (1, 2, 0))).save(tmp_path / "rgb" / "c.png")
    assert main(["eval-denoise", "--images", str(tmp_path / "rgb"), "--sigma", "25"]) == 2
    assert "no committed colour denoiser" in capsys.readouterr().err
