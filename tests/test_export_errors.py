"""Bad input is refused with an error naming the file and the field; exports are never half-written."""
import shutil

import numpy as np
import pytest
import yaml

from golden import atomic
from golden.__main__ import main
from golden.config import ConfigError, load_config
from golden.data import load_u8
from golden.manifest import ManifestError, load_layers, load_manifest
from golden.slice import load_checkpoint


def _copy(default_export, tmp_path):
    dst = tmp_path / "x"
    shutil.copytree(default_export, dst)
    return dst


def _edit_manifest(d, fn):
    m = yaml.safe_load((d / "manifest.yaml").read_text())
    fn(m)
    (d / "manifest.yaml").write_text(yaml.safe_dump(m, sort_keys=False))


@pytest.mark.parametrize("edit, field", [
    (lambda m: m.pop("timesteps"), "timesteps"),
    (lambda m: m["layers"][1].pop("membrane_bits"), "membrane_bits"),
    (lambda m: m["layers"][0].__setitem__("weight_shape", [4, 3, 3, 2]), "weight_shape"),
    (lambda m: m["layers"][1].__setitem__("thresholds_int", [1, 2, 3, 4]), "thresholds_int"),
    (lambda m: m.__setitem__("compare", "lt"), "compare"),
    (lambda m: m["layers"][1].__setitem__("sources", ["conv9"]), "sources"),
    (lambda m: m["layers"][0].__setitem__("acc_bits", 99), "acc_bits"),
])
def test_bad_manifest_names_file_and_field(default_export, tmp_path, edit, field):
    d = _copy(default_export, tmp_path)
    _edit_manifest(d, edit)
    with pytest.raises(ManifestError) as err:
        load_manifest(d)
    assert "manifest.yaml" in str(err.value) and field in str(err.value)


def test_weights_with_wrong_shape_or_width_are_refused(default_export, tmp_path):
    d = _copy(default_export, tmp_path)
    with np.load(d / "weights.npz") as z:
        arrays = {k: z[k] for k in z.files}
    arrays["conv2.weight"] = arrays["conv2.weight"][:, :, :, :2]
    np.savez(d / "weights.npz", **arrays)
    with pytest.raises(ManifestError, match=r"weights.npz.*conv2.weight.*shape"):
        load_layers(d)
    _edit_manifest(d, lambda m: None)
    with np.load(default_export / "weights.npz") as z:
        arrays = {k: z[k] for k in z.files}
    arrays["conv1.bias"] = arrays["conv1.bias"] * 1000
    np.savez(d / "weights.npz", **arrays)
    with pytest.raises(ManifestError, match=r"weights.npz.*conv1.bias.*bits"):
        load_layers(d)


def test_corrupt_or_foreign_checkpoint(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file at all")
    with pytest.raises(ValueError, match="bad.npz"):
        load_checkpoint(bad)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, something=np.zeros(3))
    with pytest.raises(ValueError, match="foreign.npz.*conv1.weight"):
        load_checkpoint(foreign)


def test_bad_config_names_file_and_field(tmp_path):
    good = yaml.safe_load(open("configs/em_slice.yaml"))
    for mutate, field in ((lambda c: c.pop("timesteps"), "timesteps"),
                          (lambda c: c.__setitem__("thresholds_log2", [0, 1]), "thresholds_log2"),
                          (lambda c: c["layers"]["conv2"].__setitem__("frac_bits", 1), "frac_bits")):
        cfg = yaml.safe_load(yaml.safe_dump(good))
        mutate(cfg)
        p = tmp_path / "c.yaml"
        p.write_text(yaml.safe_dump(cfg))
        with pytest.raises(ConfigError, match=f"c.yaml.*{field}"):
            load_config(p)


def test_image_with_wrong_channels_or_depth(tmp_path):
    from PIL import Image
    rgb = tmp_path / "rgb.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(rgb)
    with pytest.raises(ValueError, match="rgb.png.*3 channel"):
        load_u8(rgb, channels=1)
    deep = tmp_path / "deep.png"
    Image.fromarray(np.zeros((8, 8), np.uint16)).save(deep)
    with pytest.raises(ValueError, match="deep.png.*mode"):
        load_u8(deep, channels=1)


def test_cli_reports_error_and_exit_code(tmp_path, capsys):
    assert main(["export", "--out", str(tmp_path / "o"), "--image", str(tmp_path / "missing.png")]) == 2
    assert "missing.png" in capsys.readouterr().err
    assert not (tmp_path / "o" / "manifest.yaml").exists()


def test_atomic_write_leaves_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "f.txt"
    atomic.write_text(target, "old")

    def boom(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(OSError):
        atomic.write_text(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]
