"""Bad input is refused with an error naming the file and the field; exports are never half-written.

Manifest and weights cases edit a copy of the committed default model's export; config cases edit the committed
configs/unet_*.yaml (golden.model.unet.load_unet_config); CLI cases call golden.cli.main and check exit code 2
and one `error:` line naming the file or option and the field.
"""
import numpy as np
import pytest
import yaml

from golden import atomic
from golden.cli import main
from golden.data import load_u8
from golden.errors import ConfigError, InputError
from golden.export.load import ManifestError, load_layers, load_manifest, load_network, load_vectors
from golden.model.checkpoint import load_model_npz
from golden.model.unet import load_unet_config
from golden.paths import REPO_ROOT

CONFIGS = sorted(p.name for p in (REPO_ROOT / "configs").glob("unet_*.yaml"))


def _edit_manifest(d, fn):
    m = yaml.safe_load((d / "manifest.yaml").read_text())
    fn(m)
    (d / "manifest.yaml").write_text(yaml.safe_dump(m, sort_keys=False))


def _set(path, value):
    """An edit that sets m[path[0]][path[1]]... = value."""
    def edit(m):
        for key in path[:-1]:
            m = m[key]
        m[path[-1]] = value
    return edit


def _error_line(capsys, *words):
    """The one `error:` line on stderr, which names every word."""
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err, err
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


@pytest.mark.parametrize("edit, field", [
    (lambda m: m.pop("timesteps"), "timesteps"),
    (_set(["format_version"], 1), "format_version"),
    (_set(["thresholds_log2"], [0, 1]), "thresholds_log2"),
    (_set(["input", "channels"], 0), "input.channels"),
    (lambda m: m["layers"][1].pop("membrane_bits"), "membrane_bits"),
    (_set(["layers", 0, "weight_shape"], [4, 3, 3, 2]), "weight_shape"),
    (_set(["layers", 1, "thresholds_int"], [1, 2, 3, 4]), "thresholds_int"),
    (_set(["compare"], "lt"), "compare"),
    (_set(["layers", 1, "sources"], ["conv9"]), "sources"),
    (_set(["layers", 0, "acc_bits"], 99), "acc_bits"),
    (_set(["layers", 1, "kind"], "dense"), "kind"),
    (_set(["layers", 1, "in_channels"], 3), "in_channels"),
    (_set(["layers", 1, "sources"], ["input"]), "sources"),
    (_set(["layers", 1, "frac_bits"], "7"), "frac_bits"),
])
def test_bad_manifest_names_file_and_field(default_export, export_copy, edit, field):
    d = export_copy(default_export)
    _edit_manifest(d, edit)
    with pytest.raises(ManifestError) as err:
        load_manifest(d)
    assert "manifest.yaml" in str(err.value) and field in str(err.value)


def test_bad_geometry_in_manifest_names_the_layer(default_export, export_copy):
    d = export_copy(default_export)
    _edit_manifest(d, _set(["layers", 3, "height"], 64))  # enc2a reads pool1's 32x32
    with pytest.raises(ManifestError, match=r"manifest.yaml: field layers\(enc2a\).height/width=64x32.*32x32"):
        load_network(d)


def test_structure_only_the_ir_checks_is_refused_by_load_network(default_export, export_copy, rehash):
    """A conv appended after the output layer, reading it: the manifest's fields are all fine, the Network is
    not (NetworkError, reported as a ManifestError naming the file and the layer)."""
    d = export_copy(default_export)
    last = load_manifest(default_export)["layers"][-2]  # the spiking conv before the head
    o = last["out_channels"]
    with np.load(default_export / "weights.npz") as z:
        arrays = {k: z[k] for k in z.files}
    arrays["extra.weight"] = np.zeros((o, 3, 3, 2), np.int64)
    arrays["extra.bias"] = np.zeros(o, np.int64)
    np.savez(d / "weights.npz", **arrays)

    def append(m):
        m["layers"].append(dict(last, name="extra", sources=["head"], in_channels=2, weight_shape=[o, 3, 3, 2]))
    _edit_manifest(d, append)
    rehash(d)
    load_manifest(d)  # field by field it is valid
    with pytest.raises(ManifestError, match=r"manifest.yaml: layer extra: reads the output layer"):
        load_network(d)


def test_weights_with_wrong_shape_width_key_or_type_are_refused(default_export, export_copy, rehash):
    d = export_copy(default_export)
    with np.load(default_export / "weights.npz") as z:
        good = {k: z[k] for k in z.files}

    def refused(arrays, pattern):
        np.savez(d / "weights.npz", **arrays)
        with pytest.raises(ManifestError, match=r"weights.npz: SHA-256 differs"):
            load_layers(d)
        rehash(d)
        with pytest.raises(ManifestError, match=pattern):
            load_layers(d)

    refused(dict(good, **{"enc1b.weight": good["enc1b.weight"][:, :, :, :2]}), r"weights.npz.*enc1b.weight.*shape")
    refused(dict(good, **{"enc1a.bias": good["enc1a.bias"] * 100000}), r"weights.npz.*enc1a.bias.*bits")
    refused({k: v for k, v in good.items() if k != "head.weight"}, r"weights.npz.*missing field head.weight")
    refused(dict(good, **{"mid_a.bias": good["mid_a.bias"].astype(np.float64)}), r"weights.npz.*mid_a.bias.*integer")
    (d / "weights.npz").write_bytes(b"not a zip")
    rehash(d)
    with pytest.raises(ManifestError, match=r"weights.npz.*not a readable"):
        load_layers(d)
    (d / "weights.npz").unlink()
    with pytest.raises(ManifestError, match=r"weights.npz.*missing"):
        load_layers(d)


def _flip_byte(f, offset: int) -> None:
    data = bytearray(f.read_bytes())
    data[offset] ^= 0x10
    f.write_bytes(bytes(data))


def _flip_mem_word(f, line: int) -> None:
    lines = f.read_text().splitlines()
    word = lines[line]
    lines[line] = format(int(word, 16) ^ 1, f"0{len(word)}x")
    f.write_text("\n".join(lines) + "\n")


def test_tampered_files_are_refused_naming_the_file(default_export, export_copy, rehash):
    """Every file the manifest describes is hashed; with the hash updated too, what the contract derives from the
    weights (ROM images, widths, the HLS header) must still agree, so a hand edit of one file is refused."""
    m = load_manifest(default_export)
    layer = m["layers"][12]
    cases = {
        layer["weight_file"]: lambda d: _flip_mem_word(d / layer["weight_file"], 5),
        layer["bias_file"]: lambda d: _flip_mem_word(d / layer["bias_file"], 0),
        "snn_params.h": lambda d: (d / "snn_params.h").write_text(
            (d / "snn_params.h").read_text().replace("compare_ge = false", "compare_ge = true", 1)),
        "vectors/enc2a.spikes.gz": lambda d: _flip_byte(d / "vectors" / "enc2a.spikes.gz", 40),
        "vectors/index.json": lambda d: (d / "vectors" / "index.json").write_text(
            (d / "vectors" / "index.json").read_text().replace('"int16"', '"int32"', 1)),
    }
    for i, (name, tamper) in enumerate(cases.items()):
        d = export_copy(default_export, f"copy{i}")
        tamper(d)
        with pytest.raises(ManifestError, match=rf"{name}: SHA-256 differs"):
            load_network(d)
        with pytest.raises(ManifestError, match=rf"{name}: SHA-256 differs"):
            load_vectors(d)
        if not name.startswith("vectors/"):  # consistent hashes: the derived check names the file
            rehash(d)
            with pytest.raises(ManifestError, match=rf"{name}: differs from"):
                load_network(d)
    d = export_copy(default_export, "missing")
    (d / layer["weight_file"]).unlink()
    with pytest.raises(ManifestError, match=rf"{layer['weight_file']}: missing"):
        load_network(d)


@pytest.mark.parametrize("key", ["weight_bits", "acc_bits", "current_bits", "membrane_bits"])
def test_widths_that_disagree_with_the_weights_are_refused(default_export, export_copy, key):
    """Widths are re-derived from the weights by the contract's rules: shrunk (or grown) widths are refused."""
    d = export_copy(default_export)
    m = load_manifest(default_export)
    i = next(i for i, l in enumerate(m["layers"]) if l[key] > 2 + 3)
    _edit_manifest(d, _set(["layers", i, key], m["layers"][i][key] + 1))
    with pytest.raises(ManifestError, match=rf"layers\({m['layers'][i]['name']}\)\.{key}="):
        load_network(d)


def test_timesteps_that_disagree_with_the_widths_are_refused(default_export, export_copy):
    d = export_copy(default_export)
    _edit_manifest(d, lambda m: m.__setitem__("timesteps", m["timesteps"] * 4))
    with pytest.raises(ManifestError, match=r"membrane_bits=.*T"):
        load_network(d)


def test_corrupt_or_foreign_checkpoint(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file at all")
    with pytest.raises(ValueError, match="bad.npz"):
        load_model_npz(bad)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, something=np.zeros(3))
    with pytest.raises(ValueError, match="foreign.npz.*arch.in_channels"):
        load_model_npz(foreign)
    with np.load(REPO_ROOT / "configs/models/em_unet_snn.npz") as z:
        arrays = {k: z[k] for k in z.files}
    key = next(k for k in arrays if k.endswith(".weight"))
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, **dict(arrays, **{key: arrays[key][:1]}))
    with pytest.raises(ValueError, match=rf"wrong.npz.*{key}.*shape"):
        load_model_npz(wrong)
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        load_model_npz(tmp_path / "missing.npz")


@pytest.mark.parametrize("name", CONFIGS)
def test_bad_config_names_file_and_field(tmp_path, name):
    good = yaml.safe_load((REPO_ROOT / "configs" / name).read_text())
    load_unet_config(REPO_ROOT / "configs" / name)  # the committed one is fine
    cases = [(lambda c: c.pop("name"), "name"),
             (lambda c: c["model"].pop("base"), "model.base"),
             (lambda c: c.__setitem__("task", "x"), "task"),
             (lambda c: c["data"].__setitem__("crop", 100), "data.crop"),
             (lambda c: c["train"].__setitem__("optimizer", "sgd"), "train.optimizer"),
             (lambda c: c["model"].__setitem__("depth", 0), "model.depth"),
             (lambda c: c["model"].__setitem__("in_channels", "one"), "model.in_channels"),
             (lambda c: c["data"].pop("dataset"), "data.dataset"),
             (lambda c: c.setdefault("train", {}).__setitem__("batch_size", 0), "train.batch_size"),
             (lambda c: c.setdefault("snn", {}).__setitem__("compare", "lt"), "snn.compare")]
    if good["task"] == "segmentation":
        cases.append((lambda c: c["model"].__setitem__("classes", 1), "model.classes"))
    for mutate, field in cases:
        cfg = yaml.safe_load(yaml.safe_dump(good))
        mutate(cfg)
        p = tmp_path / "c.yaml"
        p.write_text(yaml.safe_dump(cfg))
        with pytest.raises(ConfigError, match=rf"c.yaml: .*{field}"):
            load_unet_config(p)
    p = tmp_path / "c.yaml"
    p.write_text("model: [unclosed")
    with pytest.raises(ConfigError, match="c.yaml: not valid YAML"):
        load_unet_config(p)
    assert issubclass(ConfigError, InputError)


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


def test_cli_export_errors_exit_2_with_one_error_line(tmp_path, capsys):
    out = tmp_path / "o"

    def export(*args):
        return main(["export-net", "--out", str(out), *args])

    assert export("--image", str(tmp_path / "missing.png")) == 2
    _error_line(capsys, "missing.png")
    bad_cfg = tmp_path / "bad.yaml"
    cfg = yaml.safe_load((REPO_ROOT / "configs/unet_em_small.yaml").read_text())
    cfg["snn"]["compare"] = "lt"
    bad_cfg.write_text(yaml.safe_dump(cfg))
    assert export("--config", str(bad_cfg)) == 2
    _error_line(capsys, "bad.yaml", "snn.compare")
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, something=np.zeros(3))
    assert export("--checkpoint", str(foreign)) == 2
    _error_line(capsys, "foreign.npz", "arch.in_channels")
    assert export("--crop", "0", "0", "-5", "32") == 2  # an empty region, not another one
    _error_line(capsys, "em_slice22_y224_x224_64.png", "crop")
    assert export("--crop", "40", "0", "32", "32") == 2  # leaves the 64x64 tile
    _error_line(capsys, "em_slice22_y224_x224_64.png", "crop")
    assert export("--crop", "0", "0", "24", "32") == 2  # 24 is not a multiple of 2^4
    _error_line(capsys, "em_slice22_y224_x224_64.png", "multiple")
    assert export("--timesteps", "0") == 2
    _error_line(capsys, "--timesteps")
    assert not (out / "manifest.yaml").exists()


def test_cli_usage_errors_exit_2(tmp_path, capsys):
    for argv, word in ((["export-net"], "--out"),                                  # a required option
                       (["export-net", "--out", str(tmp_path), "--crop", "1", "2"], "--crop"),  # 4 ints
                       (["export-net", "--out", str(tmp_path), "--compare", "lt"], "--compare"),
                       (["csim", "--export", str(tmp_path), "--opt", "O9"], "--opt")):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
        _error_line(capsys, word)


def test_cli_csim_refuses_a_bad_export_before_building(default_export, export_copy, tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["csim", "--export", str(empty), "--build", str(tmp_path / "b")]) == 2
    _error_line(capsys, "manifest.yaml", "missing")
    d = export_copy(default_export)
    _edit_manifest(d, _set(["layers", 1, "thresholds_int"], [1]))
    assert main(["csim", "--export", str(d), "--build", str(tmp_path / "b")]) == 2
    _error_line(capsys, "manifest.yaml", "thresholds_int")
    assert not (tmp_path / "b" / "csim").exists()
    d2 = export_copy(default_export, "size")
    assert main(["csim", "--export", str(d2), "--build", str(tmp_path / "b"), "--size", "7x0"]) == 2
    _error_line(capsys, "--size")
    assert not (tmp_path / "b" / "csim").exists()


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


def test_interrupted_export_leaves_no_manifest(tmp_path, monkeypatch):
    """The manifest is written last: an export that fails half way has none, so it is never taken for whole."""
    from golden.export import writer

    calls = []
    real = writer.write_text

    def failing(path, text):
        calls.append(path.name)
        if path.name == "snn_params.h":
            raise OSError(28, "No space left on device", str(path))
        return real(path, text)
    monkeypatch.setattr(writer, "write_text", failing)
    assert main(["export-net", "--out", str(tmp_path / "o"), "--timesteps", "2"]) == 2
    assert "snn_params.h" in calls and not (tmp_path / "o" / "manifest.yaml").exists()


def test_os_errors_and_bombs_are_one_error_line(tmp_path, capsys):
    """A file where the export folder should be, a read-only parent folder, an image above PIL's
    decompression-bomb limit: exit 2, one `error:` line naming the path, no traceback, nothing written."""
    import os

    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    assert main(["export-net", "--out", str(blocker), "--timesteps", "1"]) == 2
    _error_line(capsys, "blocker")
    assert blocker.read_text() == "a file, not a folder"
    ro = tmp_path / "ro"
    ro.mkdir()
    os.chmod(ro, 0o500)
    try:
        if os.access(ro, os.W_OK):  # root ignores permissions
            pytest.skip("running as root: a read-only folder is writable")
        assert main(["export-net", "--out", str(ro / "e"), "--timesteps", "1"]) == 2
        _error_line(capsys, str(ro))
    finally:
        os.chmod(ro, 0o700)


def test_decompression_bomb_is_refused(tmp_path, capsys):
    from PIL import Image

    big = tmp_path / "big.png"
    Image.new("L", (12000, 12000)).save(big)  # 144 M pixels: above PIL's 89 M limit
    assert main(["export-net", "--out", str(tmp_path / "e"), "--image", str(big), "--timesteps", "1"]) == 2
    _error_line(capsys, "big.png")
    assert not (tmp_path / "e").exists()


def test_non_finite_weights_name_the_file_and_layer(tmp_path, capsys):
    with np.load(REPO_ROOT / "configs/models/em_unet_snn.npz") as z:
        arrays = {k: z[k] for k in z.files}
    arrays["layers.enc2a.weight"] = arrays["layers.enc2a.weight"].copy()
    arrays["layers.enc2a.weight"].flat[3] = np.nan
    bad = tmp_path / "nan.npz"
    np.savez(bad, **arrays)
    assert main(["export-net", "--out", str(tmp_path / "e"), "--checkpoint", str(bad), "--timesteps", "1"]) == 2
    _error_line(capsys, "nan.npz", "enc2a", "NaN")
    assert not (tmp_path / "e").exists()


def test_quantisation_refuses_nan_and_widths_beyond_every_level():
    """No silent arithmetic: NaN/Inf weights and widths above 62 bits are refused naming the layer and the field;
    bounds are Python integers, so weights of 1e15 give an error, not a wrapped width."""
    from golden.export.quantise import FloatLayer, quantise_layer

    def layer(w, b):
        return FloatLayer("conv7", "spiking_conv", ("x",), np.asarray(w), np.asarray(b), None)

    w = np.ones((2, 4, 3, 3))
    with pytest.raises(ValueError, match=r"layer conv7: field weight holds NaN or Inf"):
        quantise_layer(layer(np.where(w > 0, np.inf, 0), np.zeros(2)), (1, 0, -1, -2), 10, 4)
    with pytest.raises(ValueError, match=r"layer conv7: field bias holds NaN or Inf"):
        quantise_layer(layer(w, np.array([0, np.nan])), (1, 0, -1, -2), 10, 4)
    with pytest.raises(ValueError, match=r"layer conv7: field (acc|current|membrane)_bits=\d+ is above the "
                                         r"supported 62"):
        quantise_layer(layer(w * 1e15, np.zeros(2)), (1, 0, -1, -2), 10, 4)
    with pytest.raises(ValueError, match=r"layer conv7: value too large"):
        quantise_layer(layer(w * 1e19, np.zeros(2)), (1, 0, -1, -2), 10, 4)


def test_export_refuses_a_checkpoint_of_another_task(tmp_path, capsys):
    assert main(["export-net", "--out", str(tmp_path / "e"), "--checkpoint", "configs/models/bsd_unet_s25_snn.npz",
                 "--timesteps", "1"]) == 2
    _error_line(capsys, "bsd_unet_s25_snn.npz", "denoising", "unet_em.yaml")
    assert not (tmp_path / "e").exists()
