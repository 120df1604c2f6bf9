"""The ANN U-Net, its configs, the data sets and the resumable trainer (golden/model/unet.py, datasets.py, train.py)."""
import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from PIL import Image

from golden.model import datasets
from golden.model.unet import UNet, layer_specs, load_unet_config, pad_to_multiple
from golden.paths import REPO_ROOT

torch.set_num_threads(1)
ROOT = REPO_ROOT


def test_paper_specs_match_the_authors_unet():
    specs = {l.name: l for l in layer_specs(1, 2, base=64, depth=4)}
    assert [n for n in specs][:3] == ["enc1a", "enc1b", "pool1"]
    assert (specs["mid_b"].in_channels, specs["mid_b"].out_channels) == (1024, 1024)
    assert (specs["up4"].in_channels, specs["up4"].out_channels) == (1024, 512)
    cat = specs["cat4"]
    assert cat.sources == ("enc4b", "up4") and cat.parts == (512, 512)     # encoder first
    assert (specs["dec4a"].in_channels, specs["dec4a"].out_channels) == (1024, 512)
    assert (specs["dec1b"].out_channels, specs["head"].kernel) == (64, 1)
    assert sum(l.kind == "pool" for l in specs.values()) == 4
    assert sum(l.kind == "upconv" for l in specs.values()) == 4
    den = layer_specs(3, 3, base=64, depth=4, task="denoising")
    assert den[-1].kernel == 3 and den[-1].out_channels == 3
    cfg = load_unet_config(ROOT / "configs/unet_paper.yaml")
    assert (cfg["model"]["base"], cfg["model"]["depth"]) == (64, 4)


def test_forward_shapes_and_modules():
    m = UNet(1, 2, base=4, depth=3)
    x = torch.rand(2, 1, 32, 40)
    acts = m.activations(x)
    assert acts["enc1b"].shape == (2, 4, 32, 40) and acts["pool3"].shape == (2, 16, 4, 5)
    assert acts["up3"].shape == (2, 16, 8, 10) and acts["cat1"].shape == (2, 8, 32, 40)
    assert m(x).shape == (2, 2, 32, 40) and m.predict(x).shape == (2, 32, 40)
    up = m.layers["up1"]
    assert isinstance(up, torch.nn.ConvTranspose2d)
    assert (up.kernel_size, up.stride, up.padding, up.output_padding) == ((3, 3), (2, 2), (1, 1), (1, 1))
    torch.testing.assert_close(acts["head"], m(x))
    with pytest.raises(ValueError, match="multiple"):
        m(torch.rand(1, 1, 30, 32))
    with pytest.raises(ValueError, match="input must be"):
        m(torch.rand(1, 3, 32, 32))
    d = UNet(1, 1, base=2, depth=2, task="denoising")
    torch.testing.assert_close(d.predict(x[:, :, :32, :32]), x[:, :, :32, :32] - d(x[:, :, :32, :32]))
    xp, (h, w) = pad_to_multiple(torch.rand(1, 1, 321, 481), 16)
    assert xp.shape[-2:] == (336, 496) and (h, w) == (321, 481)


# ------------------------------------------------------------------------------------------------ data

def fake_em(root: Path, n=2, size=32, label_values=(0, 255)):
    for sub in ("images", "labels"):
        (root / "em_isbi2012/train" / sub).mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for i in range(n):
        Image.fromarray(rng.integers(0, 256, (size, size), dtype=np.uint8)).save(
            root / f"em_isbi2012/train/images/{i}.png")
        Image.fromarray(rng.choice(label_values, (size, size)).astype(np.uint8)).save(
            root / f"em_isbi2012/train/labels/{i}.png")
    return root


def test_em_data_errors(tmp_path, monkeypatch):
    monkeypatch.delenv("SUNET_DATA_ROOT", raising=False)
    with pytest.raises(FileNotFoundError, match="data root .* does not exist"):
        datasets.load_em_pairs([0], tmp_path / "nowhere")
    root = fake_em(tmp_path / "a")
    imgs, labs, names = datasets.load_em_pairs([0, 1], root, size=32)
    assert imgs.shape == (2, 1, 32, 32) and set(np.unique(labs)) <= {0, 1} and names == ["0.png", "1.png"]
    with pytest.raises(ValueError, match=r"images/0.png: is 32x32, expected 512x512"):
        datasets.load_em_pairs([0], root)
    (root / "em_isbi2012/train/labels/1.png").unlink()
    with pytest.raises(ValueError, match=r"images/1.png: no label .*labels/1.png"):
        datasets.load_em_pairs([1], root, size=32)
    root = fake_em(tmp_path / "b", label_values=(0, 128, 255))
    with pytest.raises(ValueError, match=r"labels/0.png: label values"):
        datasets.load_em_pairs([0], root, size=32)
    root = fake_em(tmp_path / "c")
    Image.fromarray(np.zeros((32, 32, 3), np.uint8)).save(root / "em_isbi2012/train/images/0.png")
    with pytest.raises(ValueError, match=r"images/0.png: has 3 channel"):
        datasets.load_em_pairs([0], root, size=32)
    Image.fromarray(np.zeros((32, 32), np.uint16) + 300).save(root / "em_isbi2012/train/images/1.png")
    with pytest.raises(ValueError, match=r"images/1.png: .*(8-bit|mode)"):
        datasets.load_em_pairs([1], root, size=32)
    Image.fromarray(np.zeros((16, 16), np.uint8)).save(root / "em_isbi2012/train/labels/0.png")
    Image.fromarray(np.zeros((32, 32), np.uint8)).save(root / "em_isbi2012/train/images/0.png")
    with pytest.raises(ValueError, match=r"labels/0.png: label is 16x16"):
        datasets.load_em_pairs([0], root, size=32)


def test_match_pairs_by_name(tmp_path):
    for sub, names in (("images", ["a.png", "b.png"]), ("labels", ["a.png", "c.png"])):
        (tmp_path / sub).mkdir()
        for n in names:
            Image.fromarray(np.zeros((4, 4), np.uint8)).save(tmp_path / sub / n)
    with pytest.raises(ValueError, match=r"images/b.png: no label"):
        datasets.match_pairs(tmp_path / "images", tmp_path / "labels")


def test_denoise_noise_is_fixed_and_has_sigma(tmp_path):
    folder = tmp_path / "clean"
    folder.mkdir()
    for i in range(2):
        Image.fromarray(np.full((64, 48), 128, np.uint8)).save(folder / f"{i}.png")
    a = datasets.DenoiseTest(str(folder), 1, sigma=15, data_root=tmp_path, seed=3)
    b = datasets.DenoiseTest(str(folder), 1, sigma=15, data_root=tmp_path, seed=3)
    (na, ca), (nb, _) = a[1], b[1]
    assert torch.equal(na, nb) and not torch.equal(a[0][0], na)
    assert float(((na - ca) * 255).std()) == pytest.approx(15, rel=0.1)
    q = na * 255
    assert torch.equal(q, q.round())                    # quantised to 8 bits
    with pytest.raises(ValueError, match="0.png: has 1 channel"):
        datasets.DenoiseTest(str(folder), 3, data_root=tmp_path)
    tr = datasets.DenoiseTrain(str(folder), 1, crop=32, length=4, data_root=tmp_path, seed=0)
    tr.set_epoch(0)
    x0 = tr[0][0]
    tr.set_epoch(1)
    assert not torch.equal(tr[0][0], x0)
    tr.set_epoch(0)
    assert torch.equal(tr[0][0], x0)


def test_denoise_split_holds_out_images(tmp_path):
    """train_split / val_split take contiguous name-sorted parts of one folder; a split outside it is an error."""
    folder = tmp_path / "clean"
    folder.mkdir()
    for i in range(5):
        Image.fromarray(np.full((40, 40), 40 * i, np.uint8)).save(folder / f"{i}.png")
    tr = datasets.DenoiseTrain(str(folder), 1, crop=32, length=4, data_root=tmp_path, split=(0, 3))
    va = datasets.DenoiseTest(str(folder), 1, sigma=25, data_root=tmp_path, split=(3, 5))
    assert tr.names == ["0.png", "1.png", "2.png"] and va.names == ["3.png", "4.png"] and len(va) == 2
    assert float(va[0][1].mean()) * 255 == pytest.approx(120)       # image 3 is the first validation item
    with pytest.raises(ValueError, match=r"clean: split \[3, 9\) does not fit its 5 images"):
        datasets.DenoiseTest(str(folder), 1, data_root=tmp_path, split=(3, 9))
    cfg = {"task": "denoising", "model": {"in_channels": 1}, "train": {"seed": 0, "steps_per_epoch": 1,
           "batch_size": 2}, "data": {"dataset": "denoise", "train": "clean", "train_split": [0, 4], "val": "clean",
                                      "val_split": [4, 5], "test": "elsewhere", "crop": 32}}
    train, val = datasets.build_datasets(cfg, tmp_path)   # validation never reads the test folder
    assert train.names == ["0.png", "1.png", "2.png", "3.png"] and val.names == ["4.png"]


def test_rot90_draws_all_eight_symmetries():
    """With rot90 the crop of a whole image runs through all 8 symmetries of the square; without it, 4, and the
    items are those drawn before rot90 existed (the quarter turn draws last)."""
    a = np.arange(16, dtype=np.int64).reshape(1, 4, 4)
    seen8 = {datasets.random_crop_flip(np.random.default_rng([i]), [a], 4, rot90=True)[0].tobytes()
             for i in range(200)}
    seen4 = {datasets.random_crop_flip(np.random.default_rng([i]), [a], 4)[0].tobytes() for i in range(200)}
    assert len(seen8) == 8 and len(seen4) == 4
    for i in range(20):
        plain = datasets.random_crop_flip(np.random.default_rng([i]), [a], 4)[0]
        turned = datasets.random_crop_flip(np.random.default_rng([i]), [a], 4, rot90=True)[0]
        assert any(np.array_equal(np.rot90(plain, k, axes=(-2, -1)), turned) for k in range(4))


def test_real_em_training_items(em_root):
    ds = datasets.EMTrain(range(2), crop=64, length=3, seed=0)
    x, y = ds[0]
    assert x.shape == (1, 64, 64) and y.shape == (64, 64) and y.dtype == torch.int64
    assert 0 <= float(x.min()) and float(x.max()) <= 1 and set(y.unique().tolist()) <= {0, 1}
    assert torch.equal(ds[0][0], x)


# ------------------------------------------------------------------------------------------------ training

def tiny_config(tmp_path: Path) -> Path:
    cfg = {"name": "tiny", "task": "segmentation",
           "model": {"in_channels": 1, "classes": 2, "base": 2, "depth": 2},
           "data": {"dataset": "em", "train_slices": [0, 1], "val_slices": [20], "crop": 32, "val_crop": 64},
           "train": {"epochs": 2, "steps_per_epoch": 2, "batch_size": 2, "lr": 1e-2, "seed": 0}}
    p = tmp_path / "tiny.yaml"
    p.write_text(yaml.safe_dump(cfg))
    return p


def main(argv):
    """`python -m golden train ARGS`, in process."""
    from golden.cli import main as cli

    return cli(["train", *argv])


def _weights(path):
    return torch.load(path, weights_only=True)


def test_train_resume(em_root, tmp_path):
    cfg = tiny_config(tmp_path)
    assert main(["--config", str(cfg), "--out", str(tmp_path / "full"), "--quiet"]) == 0
    assert main(["--config", str(cfg), "--out", str(tmp_path / "cut"), "--epochs", "1", "--quiet"]) == 0
    one = _weights(tmp_path / "cut/last.pt")
    assert one["epoch"] == 1
    assert main(["--config", str(cfg), "--out", str(tmp_path / "cut"), "--resume", "--epochs", "2", "--quiet"]) == 0
    full, cut = _weights(tmp_path / "full/last.pt"), _weights(tmp_path / "cut/last.pt")
    assert cut["epoch"] == 2
    log = [json.loads(l) for l in (tmp_path / "cut/log.jsonl").read_text().splitlines()]
    assert [e["epoch"] for e in log] == [1, 2] and "f1" in log[-1]["val"]
    for k in full["model"]:  # resumed == uninterrupted, and it did train on after the cut
        torch.testing.assert_close(cut["model"][k], full["model"][k])
    assert any(not torch.equal(cut["model"][k], one["model"][k]) for k in one["model"])
    # a fresh start (no --resume) in the same folder restarts at epoch 0 and gives the 1-epoch weights again
    assert main(["--config", str(cfg), "--out", str(tmp_path / "fresh"), "--epochs", "1", "--quiet"]) == 0
    fresh = _weights(tmp_path / "fresh/last.pt")
    assert any(not torch.equal(cut["model"][k], fresh["model"][k]) for k in fresh["model"])
    # a checkpoint of another architecture is refused, naming the file
    bad = yaml.safe_load(cfg.read_text())
    bad["model"]["base"] = 4
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(bad))
    assert main(["--config", str(tmp_path / "bad.yaml"), "--out", str(tmp_path / "cut"), "--resume", "--quiet"]) == 2
    # one run per folder: no silent overwrite, no --resume from nothing, --force keeps the old run aside
    before = (tmp_path / "cut/last.pt").read_bytes()
    assert main(["--config", str(cfg), "--out", str(tmp_path / "cut"), "--epochs", "1", "--quiet"]) == 2
    assert (tmp_path / "cut/last.pt").read_bytes() == before
    assert main(["--config", str(cfg), "--out", str(tmp_path / "none"), "--resume", "--quiet"]) == 2
    assert not (tmp_path / "none").exists()
    assert main(["--config", str(cfg), "--out", str(tmp_path / "cut"), "--epochs", "1", "--force", "--quiet"]) == 0
    aside = [d for d in tmp_path.iterdir() if d.name.startswith("cut.old-")]
    assert len(aside) == 1 and (aside[0] / "last.pt").read_bytes() == before
    assert [json.loads(l)["epoch"] for l in (tmp_path / "cut/log.jsonl").read_text().splitlines()] == [1]


def test_training_killed_mid_run_loses_only_the_current_epoch(em_root, tmp_path):
    """SIGKILL a real training process after its first checkpoint; --resume then finishes it, and the result
    equals an uninterrupted run (nothing lost but the epoch in flight)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    cfg_path = tiny_config(tmp_path)
    cfg = yaml.safe_load(cfg_path.read_text())
    cfg["train"].update({"epochs": 6, "steps_per_epoch": 6})
    cfg_path.write_text(yaml.safe_dump(cfg))
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "golden", "train", "--config", str(cfg_path), "--out",
                             str(tmp_path / "cut"), "--quiet"], env=env, cwd=ROOT)
    log = tmp_path / "cut" / "log.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and (not log.exists() or not log.read_text().strip()):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = [json.loads(l)["epoch"] for l in log.read_text().splitlines()]
    assert done and done[-1] < 6, "the process must be killed before it finished"
    assert _weights(tmp_path / "cut/last.pt")["epoch"] >= done[-1]  # the checkpoint is whole (atomic write)
    assert main(["--config", str(cfg_path), "--out", str(tmp_path / "cut"), "--resume", "--quiet"]) == 0
    assert main(["--config", str(cfg_path), "--out", str(tmp_path / "full"), "--quiet"]) == 0
    cut, full = _weights(tmp_path / "cut/last.pt"), _weights(tmp_path / "full/last.pt")
    assert cut["epoch"] == full["epoch"] == 6
    for k in full["model"]:
        torch.testing.assert_close(cut["model"][k], full["model"][k])


def test_training_killed_at_random_points_resumes_bit_identically(em_root, tmp_path):
    """SIGKILL a training run at seeded random moments, again and again; after every kill the checkpoint and the
    log agree (the log is at most the epoch in flight behind), and the resumed run ends bit-identical to an
    uninterrupted one."""
    import os
    import random
    import signal
    import subprocess
    import sys
    import time

    cfg_path = tiny_config(tmp_path)
    cfg = yaml.safe_load(cfg_path.read_text())
    cfg["train"].update({"epochs": 10, "steps_per_epoch": 4})
    cfg_path.write_text(yaml.safe_dump(cfg))
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    run_dir = tmp_path / "cut"
    log = run_dir / "log.jsonl"
    rng = random.Random(3)
    interrupted = 0

    def epochs_logged() -> int:
        return len(log.read_text().splitlines()) if log.is_file() else 0

    for _ in range(3):
        resume = (run_dir / "last.pt").is_file()
        proc = subprocess.Popen([sys.executable, "-m", "golden", "train", "--config", str(cfg_path), "--out",
                                 str(run_dir), "--quiet", *(["--resume"] if resume else [])], env=env, cwd=ROOT)
        # the kill lands at a random moment of a random later epoch, however fast this machine trains
        target, deadline = epochs_logged() + rng.randint(1, 2), time.time() + 120
        while proc.poll() is None and epochs_logged() < target and time.time() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.15))
        interrupted += proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if (run_dir / "last.pt").is_file():
            epoch = _weights(run_dir / "last.pt")["epoch"]
            logged = [json.loads(l)["epoch"] for l in (run_dir / "log.jsonl").read_text().splitlines()]
            assert logged in (list(range(1, epoch + 1)), list(range(1, epoch))), (epoch, logged)
    assert interrupted >= 2, "the kills must land while the run trains"
    resume = ["--resume"] if (run_dir / "last.pt").is_file() else []
    assert main(["--config", str(cfg_path), "--out", str(run_dir), "--quiet", *resume]) == 0
    assert main(["--config", str(cfg_path), "--out", str(tmp_path / "full"), "--quiet"]) == 0
    cut, full = _weights(run_dir / "last.pt"), _weights(tmp_path / "full/last.pt")
    assert cut["epoch"] == full["epoch"] == 10
    assert all(torch.equal(cut["model"][k], full["model"][k]) for k in full["model"])
    logged = [json.loads(l)["epoch"] for l in (run_dir / "log.jsonl").read_text().splitlines()]
    assert logged == list(range(1, 11))


# ------------------------------------------------------------------------------------------------ any layer list

def test_from_specs_rules_and_checkpoint_round_trip(tmp_path):
    """A layer list other than the paper's (an imported model) builds, saves and loads; broken lists and tampered
    specs_json fields are refused with the field named."""
    from dataclasses import replace

    from golden.model.checkpoint import load_model_npz
    from golden.model.checkpoint import save_npz
    from golden.model.unet import Layer, specs_from_dicts

    specs = [Layer("a", "conv", ("input",), 1, 4, 3), Layer("sq", "conv", ("a",), 4, 3, 1),
             Layer("p", "pool", ("sq",), 3, 3), Layer("b", "conv", ("p",), 3, 6, 3),
             Layer("u", "upconv", ("b",), 6, 2, 3), Layer("c", "concat", ("u", "a"), 6, 6, parts=(2, 4)),
             Layer("d", "conv", ("c",), 6, 4, 3), Layer("h", "head", ("d",), 4, 1, 3)]
    m = UNet.from_specs(specs, "denoising").double()
    assert (m.in_channels, m.out_channels, m.base, m.depth, m.multiple) == (1, 1, 4, 1, 2)
    assert not m.standard and m.arch()["graph"][5]["sources"] == ["u", "a"]
    assert UNet(1, 2, base=2, depth=1).standard and "graph" not in UNet(1, 2, base=2, depth=1).arch()
    save_npz(tmp_path / "m.npz", m, {})
    back, _ = load_model_npz(tmp_path / "m.npz")
    assert back.specs == specs and back.task == "denoising"
    x = torch.rand(1, 1, 8, 8, dtype=torch.float64)
    torch.testing.assert_close(back(x), m(x))
    bad = {
        "levels": specs[:5] + [replace(specs[5], sources=("b", "a"), parts=(6, 4), in_channels=10,
                                       out_channels=10)] + [replace(specs[6], in_channels=10)] + specs[7:],
        "first": [Layer("p0", "pool", ("input",), 1, 1), Layer("h", "head", ("p0",), 1, 1, 1)],
        "pool of concat": specs[:6] + [Layer("pc", "pool", ("c",), 6, 6), Layer("h", "head", ("pc",), 6, 1, 1)],
        "kernel": [replace(specs[0], kernel=5)] + specs[1:],
        "size": specs[:3] + [Layer("h", "head", ("p",), 3, 1, 1)],
    }
    words = {"levels": "different resolutions", "first": "the first layer, and only it, must be a conv",
             "pool of concat": "only a conv with a neuron reads a concat", "kernel": "kernel (1, 3), not 5",
             "size": "the output is at 1/2"}
    for key, broken in bad.items():
        with pytest.raises(ValueError, match=re.escape(words[key])):
            UNet.from_specs(broken)
    with pytest.raises(ValueError, match=r"specs\[1\]: field kernel must be int"):
        specs_from_dicts([{"name": "a", "kind": "conv", "sources": ["input"], "in_channels": 1, "out_channels": 2,
                           "kernel": 3, "parts": []}, {"name": "h", "kind": "head", "sources": ["a"],
                           "in_channels": 2, "out_channels": 2, "kernel": "1", "parts": []}])
    with np.load(tmp_path / "m.npz") as z:
        arrays = {k: z[k] for k in z.files}
    arrays["specs_json"] = np.asarray(arrays["specs_json"].item().replace('"sq"', '"s q"', 1))
    np.savez(tmp_path / "t.npz", **arrays)
    with pytest.raises(ValueError, match=r"t.npz: field specs_json: layer 's q': the name must be an identifier"):
        load_model_npz(tmp_path / "t.npz")
    arrays["specs_json"] = np.asarray("[{")
    np.savez(tmp_path / "t.npz", **arrays)
    with pytest.raises(ValueError, match="t.npz: field specs_json is not valid JSON"):
        load_model_npz(tmp_path / "t.npz")


def test_learning_rate_schedule_and_its_config_fields(tmp_path, em_root):
    """train.lr_milestones / lr_gamma: the lr of an epoch is a function of the epoch (so --resume continues the
    schedule); the saved optimizer carries the dropped lr; bad fields are refused naming them."""
    from golden.model.checkpoint import load_checkpoint
    from golden.model.train import lr_at, train

    t = {"lr": 1e-2, "lr_milestones": [2, 3], "lr_gamma": 0.5}
    assert [lr_at(t, e) for e in range(4)] == [1e-2, 1e-2, 5e-3, 2.5e-3]
    assert lr_at({"lr": 3e-3}, 50) == 3e-3
    cfg_text = ("name: s\ntask: segmentation\nmodel: {in_channels: 1, classes: 2, base: 2, depth: 1}\n"
                "data: {dataset: em, train_slices: [0], val_slices: [20], val_crop: 32, crop: 32}\n"
                "train: {epochs: 2, steps_per_epoch: 1, batch_size: 1, lr: 0.01, lr_milestones: [1], lr_gamma: 0.5}\n")
    (tmp_path / "c.yaml").write_text(cfg_text)
    cfg = load_unet_config(tmp_path / "c.yaml")
    train(cfg, tmp_path / "run", progress=False)
    state = load_checkpoint(tmp_path / "run" / "last.pt")
    assert state["optimizer"]["param_groups"][0]["lr"] == 0.005
    for bad, field in (("lr_milestones: [0]", "train.lr_milestones"), ("lr_gamma: 2", "train.lr_gamma")):
        (tmp_path / "b.yaml").write_text(cfg_text.replace("lr_milestones: [1], lr_gamma: 0.5", bad))
        with pytest.raises(ValueError, match=f"b.yaml: field {field}"):
            load_unet_config(tmp_path / "b.yaml")


def test_calibration_target_config_field(tmp_path):
    """snn.calibration_target: 1 (the paper's) unless set; 'full' or a positive number; else the field is named."""
    text = ("name: s\ntask: denoising\nmodel: {in_channels: 1, base: 2, depth: 1}\n"
            "data: {dataset: denoise, train: train400, test: bsd68, sigmas: [25], crop: 32}\n"
            "train: {epochs: 1, steps_per_epoch: 1, batch_size: 1, lr: 0.01}\n")
    (tmp_path / "c.yaml").write_text(text)
    assert load_unet_config(tmp_path / "c.yaml")["snn"]["calibration_target"] == 1.0
    (tmp_path / "f.yaml").write_text(text + "snn: {calibration_target: full}\n")
    assert load_unet_config(tmp_path / "f.yaml")["snn"]["calibration_target"] == "full"
    for bad in ("0", "-2", "half", ".inf", "true"):
        (tmp_path / "b.yaml").write_text(text + f"snn: {{calibration_target: {bad}}}\n")
        with pytest.raises(ValueError, match="b.yaml: field snn.calibration_target"):
            load_unet_config(tmp_path / "b.yaml")
