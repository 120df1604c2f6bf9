"""Bad configs and checkpoints (issue 23, item 6): every config field's check names the field; a checkpoint's unknown
array, NaN / Inf weight or lambda and out-of-range snn.timesteps are refused naming the array; --timesteps above
MAX_TIMESTEPS is refused by every command that takes it. Each exits 2 with one `error:` line naming file and field.
"""
import numpy as np
import pytest
import yaml

from golden.cli import main
from golden.contract.quant import MAX_TIMESTEPS
from golden.errors import ConfigError
from golden.export.quantise import FloatLayer, quantise_layer
from golden.model.checkpoint import load_model_npz
from golden.model.unet import load_unet_config
from golden.paths import REPO_ROOT

CONFIG = REPO_ROOT / "configs" / "unet_em.yaml"
SNN = REPO_ROOT / "configs" / "models" / "em_unet_snn.npz"


def _error_line(capsys, *words):
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def _config(tmp_path, section, key, value):
    cfg = yaml.safe_load(CONFIG.read_text())
    if section:
        cfg[section][key] = value
    else:
        cfg[key] = value
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path


# ------------------------------------------------------------------------------------------------ 6. config

@pytest.mark.parametrize("section, key, value, field", [
    ("snn", "timesteps", [-1], "snn.timesteps"),
    ("snn", "timesteps", [0], "snn.timesteps"),
    ("snn", "timesteps", [4, MAX_TIMESTEPS + 1], "snn.timesteps"),
    ("snn", "timesteps", ["ten"], "snn.timesteps"),
    ("snn", "timesteps", [], "snn.timesteps"),
    ("snn", "timesteps", 4, "snn.timesteps"),
    ("snn", "thresholds", [3.0], "snn.thresholds"),
    ("snn", "thresholds", [0.5, 1.0], "snn.thresholds"),
    ("snn", "thresholds", [1.0, -1.0], "snn.thresholds"),
    ("snn", "thresholds", [], "snn.thresholds"),
    ("snn", "thresholds", [".nan"], "snn.thresholds"),
    ("snn", "calibration_images", 0, "snn.calibration_images"),
    ("snn", "calibration_images", "all", "snn.calibration_images"),
    ("snn", "compare", "lt", "snn.compare"),
    ("snn", "calibration_target", -1, "snn.calibration_target"),
    ("train", "lr", -1e-3, "train.lr"),
    ("train", "lr", "fast", "train.lr"),
    ("train", "lr", float("inf"), "train.lr"),
    ("train", "seed", "zero", "train.seed"),
    ("train", "epochs", 0, "train.epochs"),
    ("train", "lr_gamma", 2, "train.lr_gamma"),
    ("data", "crop", 0, "data.crop"),
    ("data", "crop", 100, "data.crop"),
    ("data", "val_limit", 0, "data.val_limit"),
    ("data", "ignore_index", "none", "data.ignore_index"),
    ("model", "depth", 0, "model.depth"),
    ("model", "classes", 1, "model.classes"),
    (None, "task", "detection", "task"),
])
def test_config_field_named(tmp_path, capsys, section, key, value, field):
    path = _config(tmp_path, section, key, value)
    with pytest.raises(ConfigError) as exc:
        load_unet_config(path)
    assert str(exc.value).startswith(f"{path}: ") and f"field {field}" in str(exc.value), str(exc.value)
    # and through a command: export-net reads the config
    assert main(["export-net", "--out", str(tmp_path / "e"), "--config", str(path)]) == 2
    _error_line(capsys, str(path), f"field {field}")
    assert not (tmp_path / "e").exists()


def test_config_yaml_alias_refused(tmp_path):
    path = tmp_path / "alias.yaml"
    path.write_text(CONFIG.read_text().replace("timesteps: [4, 6, 10]", "timesteps: &t [4, 6, 10]\n  again: *t"))
    with pytest.raises(ConfigError, match=r"alias\.yaml: not valid YAML: line \d+: alias \*t refused"):
        load_unet_config(path)


def test_committed_configs_still_load():
    for path in sorted((REPO_ROOT / "configs").glob("unet_*.yaml")):
        load_unet_config(path)


# ------------------------------------------------------------------------------------------------ 4, 5. checkpoint

def _checkpoint(tmp_path, edit):
    with np.load(SNN, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    edit(arrays)
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    return path


def _nan_weight(arrays):
    arrays["layers.enc2a.weight"] = arrays["layers.enc2a.weight"].copy()
    arrays["layers.enc2a.weight"][0, 0, 1, 1] = np.nan


@pytest.mark.parametrize("edit, field", [
    (lambda a: a.update({"extra.notes": np.asarray("hello")}), "field extra.notes: unknown array"),
    (lambda a: a.update({"lambda.nolayer": np.float64(1.0)}), "field lambda.nolayer: unknown array"),
    (lambda a: a.update({"layers.enc1a.weight_old": a["layers.enc1a.weight"]}), "field layers.enc1a.weight_old"),
    (_nan_weight, "field layers.enc2a.weight holds NaN or Inf"),
    (lambda a: a.update({"layers.head.bias": a["layers.head.bias"] + np.inf}), "field layers.head.bias holds NaN"),
    (lambda a: a.update({"lambda.enc1a": np.float64(np.nan)}), "field lambda.enc1a must be a finite number > 0"),
    (lambda a: a.update({"lambda.enc1a": np.float64(np.inf)}), "field lambda.enc1a"),
    (lambda a: a.update({"lambda.enc1a": np.float64(0.0)}), "field lambda.enc1a"),
    (lambda a: a.update({"lambda.enc1a": np.zeros(3)}), "field lambda.enc1a must be one number"),
    (lambda a: a.update({"snn.timesteps": np.int64(MAX_TIMESTEPS + 1)}), "field snn.timesteps"),
    (lambda a: a.update({"snn.timesteps": np.int64(-3)}), "field snn.timesteps"),
    (lambda a: a.update({"snn.timesteps": np.float64(4.5)}), "field snn.timesteps must be one integer"),
    (lambda a: a.update({"normalisation": np.asarray("magic")}), "field normalisation"),
])
def test_checkpoint_array_named(tmp_path, capsys, edit, field):
    path = _checkpoint(tmp_path, edit)
    with pytest.raises(ValueError) as exc:
        load_model_npz(path)
    assert str(exc.value).startswith(f"{path}: ") and field in str(exc.value), str(exc.value)
    assert main(["export-net", "--out", str(tmp_path / "e"), "--checkpoint", str(path)]) == 2
    _error_line(capsys, str(path), field)
    assert not (tmp_path / "e").exists()


def test_committed_checkpoints_still_load():
    for path in sorted((REPO_ROOT / "configs" / "models").glob("*.npz")):
        load_model_npz(path)


@pytest.mark.parametrize("what", ["weight", "bias"])
def test_quantise_refuses_non_finite(what):
    w, b = np.zeros((4, 1, 3, 3)), np.zeros(4)
    (w if what == "weight" else b).flat[1] = np.inf
    with pytest.raises(ValueError, match=f"layer conv: field {what} holds NaN or Inf"):
        quantise_layer(FloatLayer("conv", "input_conv", ("input",), w, b, None, None), [1, 0], 4, 1)


# ------------------------------------------------------------------------------------------------ 7. --timesteps

@pytest.mark.parametrize("argv, option", [
    (["eval-seg", "--images", "none", "--labels", "none", "--timesteps", str(MAX_TIMESTEPS + 1)], "--timesteps"),
    (["eval-seg", "--images", "none", "--labels", "none", "--at", "4", str(10 ** 6)], "--at"),
    (["finetune", "--config", str(CONFIG), "--ckpt", "x.pt", "--out", "OUT", "--timesteps", "5000"], "--timesteps"),
    (["finetune", "--config", str(CONFIG), "--ckpt", "x.pt", "--out", "OUT", "--eval-T", "4", "2000"], "--eval-T"),
    (["export-net", "--out", "OUT", "--timesteps", str(MAX_TIMESTEPS + 1)], "--timesteps"),
])
def test_timesteps_above_the_limit(tmp_path, capsys, argv, option):
    argv = [str(tmp_path / "o") if a == "OUT" else a for a in argv]
    assert main(argv) == 2
    _error_line(capsys, option, f"1..{MAX_TIMESTEPS}")
    assert not (tmp_path / "o").exists()
