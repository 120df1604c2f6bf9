"""eval-seg / eval-denoise on any folder: every level, JSON last line, saved PNGs, clear errors."""
import json

import numpy as np
import pytest
import torch
from PIL import Image

from golden.cli import main
from golden.model.convert import calibrate, normalise
from golden.model.checkpoint import save_npz
from golden.export.synthetic import synthetic_image
from golden.model.unet import UNet
from golden.paths import REPO_ROOT


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
    from golden.model.checkpoint import load_model_npz
    from golden.model.evaluate import Runner

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
    """Without --checkpoint, eval-denoise says which committed denoiser it loaded: the blind grey ANN for grey
    images, the colour one for RGB (each trained at sigma 10-55), in the conversion calibrated at the nearest of
    sigma 15 / 25 / 50; a noise level outside 10-55 is refused, naming what exists."""
    from golden.model.evaluate import committed_denoiser

    assert [committed_denoiser(1, s)["sigma"] for s in (10, 19.9, 20, 30, 37.5, 37.6, 55)] == [15, 15, 15, 25, 25,
                                                                                                50, 50]
    for d in (committed_denoiser(c, s) for c in (1, 3) for s in (15, 25, 50)):
        assert (REPO_ROOT / d["checkpoint"]).is_file() and (REPO_ROOT / d["ann_checkpoint"]).is_file()
    _write(tmp_path / "grey", "a.png", synthetic_image(4, 16)[0])
    rc = main(["eval-denoise", "--images", str(tmp_path / "grey"), "--sigma", "50", "--timesteps", "2",
               "--levels", "snn_int"])
    assert rc == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("model: configs/models/bsd_unet_s50_snn.npz (committed blind grey denoiser, trained "
                               "at sigma 10 to 55, converted at sigma 50")
    assert json.loads(lines[-1])["sigma"] == 50
    (tmp_path / "rgb").mkdir()
    Image.fromarray(np.transpose(synthetic_image(5, 16, 3), (1, 2, 0))).save(tmp_path / "rgb" / "c.png")
    assert main(["eval-denoise", "--images", str(tmp_path / "rgb"), "--sigma", "25", "--timesteps", "2",
                 "--levels", "snn_int"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("model: configs/models/cbsd_unet_s25_snn.npz (committed blind colour denoiser")
    assert main(["eval-denoise", "--images", str(tmp_path / "grey"), "--sigma", "70"]) == 2
    err = capsys.readouterr().err
    assert "--sigma 70: no committed grey denoiser for that noise level (committed: grey sigma 10-55: " \
           "configs/models/bsd_unet_s15_snn.npz;" in err
    assert "colour sigma 10-55: configs/models/cbsd_unet_s50_snn.npz)" in err


# ------------------------------------------------------------------------------------------- multi-class, --at

CLASSES, VOID = 11, 11  # configs/unet_camseq_small.yaml: 11 classes, data.ignore_index 11 (Void)


def _multiclass_files(tmp_path, images=2, size=32):
    """A tiny 3-channel 11-class SNN/ANN pair under the CamSeq config, and a folder of RGB images with index
    labels 0..10 plus Void (11) pixels."""
    torch.manual_seed(0)
    model = UNet(3, CLASSES, base=4, depth=2, task="segmentation").double()
    x = torch.from_numpy(synthetic_image(0, 32, 3)[None].astype(np.float64) / 255)
    head = model.specs[-1]
    with torch.no_grad():  # a random head on ReLU features picks one class everywhere; centred, it picks several
        feature = model.activations(x)[head.sources[0]].mean((0, 2, 3))
        conv = model.layers[head.name]
        conv.weight.normal_()
        conv.bias.copy_(-(conv.weight.sum((2, 3)) @ feature))
    lambdas = calibrate(model, x)
    save_npz(tmp_path / "ann.npz", model, lambdas)
    save_npz(tmp_path / "snn.npz", normalise(model, lambdas), lambdas, "connection_wise", timesteps=3)
    rng = np.random.default_rng(7)
    for i in range(images):
        _write(tmp_path / "img", f"f{i}.png", np.transpose(synthetic_image(10 + i, size, 3), (1, 2, 0)))
        _write(tmp_path / "lab", f"f{i}.png", rng.integers(0, VOID + 1, (size, size)).astype(np.uint8))
    return ["--images", str(tmp_path / "img"), "--labels", str(tmp_path / "lab"), "--config",
            "configs/unet_camseq_small.yaml", "--checkpoint", str(tmp_path / "snn.npz"), "--ann-checkpoint",
            str(tmp_path / "ann.npz")]


def _labels(folder):
    return np.concatenate([np.asarray(Image.open(p)).ravel() for p in sorted(folder.glob("*.png"))])


def _eval(argv, capsys):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_eval_seg_multiclass_scores_equal_segmentation_scores(tmp_path, capsys):
    """An 11-class model: labels read as indices, Void left out, accuracy / mIoU / per-class IoU equal to
    metrics.segmentation_scores on the saved index maps, which are the integer SNN's argmax."""
    from golden.model import metrics
    from golden.model.checkpoint import load_model_npz
    from golden.model.evaluate import Runner

    args = _multiclass_files(tmp_path)
    result = _eval(["eval-seg", *args, "--save", str(tmp_path / "out")], capsys)
    assert result["T"] == 3 and result["classes"] == CLASSES and result["ignore_index"] == VOID
    target = _labels(tmp_path / "lab")
    assert np.any(target == VOID)
    for level in ("ann", "snn_float", "snn_int"):
        pred = _labels(tmp_path / "out" / level)
        assert pred.max() < CLASSES and len(np.unique(pred)) >= 2
        want = {k: round(v, 5) for k, v in metrics.segmentation_scores(pred, target, CLASSES, VOID).items()}
        ious = metrics.iou_per_class(pred, target, CLASSES, VOID)
        want["iou"] = [None if np.isnan(v) else round(float(v), 5) for v in ious]
        assert result[level] == want
        assert "f1" not in result[level] and "at" not in result[level]
    snn, _ = load_model_npz(tmp_path / "snn.npz")
    runner = Runner(None, snn, 3, (2.0, 1.0, 0.5, 0.25), "gt", ("snn_int",))
    image = np.asarray(Image.open(tmp_path / "img" / "f1.png")).transpose(2, 0, 1)
    saved = np.asarray(Image.open(tmp_path / "out" / "snn_int" / "f1.png"))
    assert saved.dtype == np.uint8 and np.array_equal(saved, runner(image)["snn_int"].argmax(0))


def test_eval_seg_multiclass_ignores_void_pixels(tmp_path, capsys, monkeypatch):
    """Changing the prediction on every ignored pixel leaves every score unchanged; --ignore-index overrides the
    config's (a value 11 is then an error, 5 is left out)."""
    from golden.model import evaluate

    args = _multiclass_files(tmp_path)
    base = _eval(["eval-seg", *args, "--levels", "snn_int"], capsys)
    void = {p.name: np.asarray(Image.open(p)) == VOID for p in (tmp_path / "lab").glob("*.png")}
    run_batch = evaluate.Runner.run_batch
    names = sorted(void)  # batches follow the folder's sorted file names

    def flipped(self, images):  # every Void pixel's predicted class c becomes c + 1 (mod classes)
        outs = run_batch(self, images)
        for out in outs["snn_int"].values():
            for n, o in enumerate(out):
                mask = void[names[n]]
                new = (o.argmax(0)[mask] + 1) % CLASSES
                o[:, mask] = (np.arange(CLASSES)[:, None] == new[None]).astype(o.dtype)
        return outs

    monkeypatch.setattr(evaluate.Runner, "run_batch", flipped)
    changed = _eval(["eval-seg", *args, "--levels", "snn_int", "--save", str(tmp_path / "out")], capsys)
    monkeypatch.undo()
    assert changed == base
    # the patch did change the saved predictions on Void pixels (the test would be vacuous otherwise)
    _eval(["eval-seg", *args, "--levels", "snn_int", "--save", str(tmp_path / "ref")], capsys)
    mask = _labels(tmp_path / "lab") == VOID
    assert np.any(_labels(tmp_path / "out" / "snn_int")[mask] != _labels(tmp_path / "ref" / "snn_int")[mask])
    assert np.array_equal(_labels(tmp_path / "out" / "snn_int")[~mask], _labels(tmp_path / "ref" / "snn_int")[~mask])

    from golden.model import metrics

    pred, target = _labels(tmp_path / "ref" / "snn_int"), _labels(tmp_path / "lab")
    target[target == VOID] = 5  # 5 now the ignored value, as --ignore-index 5 on relabelled Void pixels
    for p in (tmp_path / "lab").glob("*.png"):
        lab = np.asarray(Image.open(p)).copy()
        lab[lab == VOID] = 5
        _write(tmp_path / "lab5", p.name, lab)
    args5 = [a if a != str(tmp_path / "lab") else str(tmp_path / "lab5") for a in args]
    r5 = _eval(["eval-seg", *args5, "--levels", "snn_int", "--ignore-index", "5"], capsys)
    assert r5["ignore_index"] == 5
    assert r5["snn_int"]["miou"] == round(metrics.segmentation_scores(pred, target, CLASSES, 5)["miou"], 5)
    assert main(["eval-seg", *args, "--levels", "snn_int", "--ignore-index", "5"]) == 2
    assert "label value 11 is not a class" in capsys.readouterr().err


def test_eval_seg_multiclass_refuses_bad_labels(tmp_path, capsys):
    """A label value >= classes that is not the ignore index, a label of the wrong size, a colour label:
    exit 2 with one `error:` line naming the label file; --ignore-index on a binary model is refused."""
    args = _multiclass_files(tmp_path, images=1)

    def refused(argv, *words):
        assert main(argv) == 2
        err = [l for l in capsys.readouterr().err.splitlines() if "error" in l]
        assert len(err) == 1 and err[0].startswith("error:") and all(w in err[0] for w in words), err

    lab = np.asarray(Image.open(tmp_path / "lab" / "f0.png")).copy()
    for name, bad in (("high", np.where(lab == 3, 12, lab)), ("small", lab[:16]),
                      ("rgb", np.stack([lab] * 3, axis=-1))):
        _write(tmp_path / name, "f0.png", bad.astype(np.uint8))
    with_labels = lambda d: [a if a != str(tmp_path / "lab") else str(tmp_path / d) for a in args]  # noqa: E731
    refused(["eval-seg", *with_labels("high")], "high/f0.png", "label value 12", "11-class", "ignore index 11")
    refused(["eval-seg", *with_labels("small")], "small/f0.png", "32x16", "32x32")
    refused(["eval-seg", *with_labels("rgb")], "rgb/f0.png", "one channel")
    seg = _model_files(tmp_path / "bin", "segmentation")
    _write(tmp_path / "bimg", "a.png", synthetic_image(1, 16)[0])
    _write(tmp_path / "blab", "a.png", np.zeros((16, 16), np.uint8))
    refused(["eval-seg", "--images", str(tmp_path / "bimg"), "--labels", str(tmp_path / "blab"), *seg,
             "--ignore-index", "0"], "--ignore-index 0", "multi-class")
    refused(["eval-seg", *args, "--at", "0"], "--at")


def test_eval_at_equals_separate_runs(tmp_path, capsys):
    """--at T1 T2: each SNN level's at[T] equals a separate run at T (bit for bit for the integer SNN), windows
    below and above the main T alike; the main T's scores are unchanged by --at; eval-denoise the same."""
    args = _multiclass_files(tmp_path)
    levels = ["--levels", "ann", "snn_float", "snn_int"]
    both = _eval(["eval-seg", *args, *levels, "--timesteps", "3", "--at", "2", "5"], capsys)
    assert both["T"] == 3 and "at" not in both["ann"]
    for t in (2, 3, 5):
        alone = _eval(["eval-seg", *args, *levels, "--timesteps", str(t)], capsys)
        assert alone["ann"] == both["ann"]
        for level in ("snn_float", "snn_int"):
            got = {k: v for k, v in both[level].items() if k != "at"} if t == 3 else both[level]["at"][str(t)]
            want = alone[level]
            if level == "snn_int":
                assert got == want
            else:  # float32: the same operations, equal here; a GPU's kernels may differ in the last bits
                assert [got["acc"], got["miou"]] == pytest.approx([want["acc"], want["miou"]], abs=1e-4)
    assert set(both["snn_int"]["at"]) == {"2", "5"}
    assert both["snn_int"]["at"]["2"] != both["snn_int"]["at"]["5"]  # the windows differ: the check has teeth

    den = _model_files(tmp_path / "den", "denoising")
    _write(tmp_path / "grey", "a.png", synthetic_image(3, 24)[0])
    cmd = ["eval-denoise", "--images", str(tmp_path / "grey"), "--sigma", "25", "--levels", "snn_int", *den]
    both = _eval([*cmd, "--timesteps", "4", "--at", "2", "4"], capsys)
    assert both["snn_int"]["at"]["4"] == {k: v for k, v in both["snn_int"].items() if k != "at"}
    assert both["snn_int"]["at"]["2"] == _eval([*cmd, "--timesteps", "2"], capsys)["snn_int"]
