"""Tampered or hostile inputs (issue 23, item 6): each is refused by a real command or loader with exit code 2 and
one `error:` line naming the file and the field, nothing half-written.

- manifest fields validated against the model: task, each layer's lambda, timesteps (1..MAX_TIMESTEPS), unknown
  keys at the top level, in `input`, `source` and a layer; YAML aliases (the billion laughs) and repeated keys;
- rtl-config written atomically with the SHA-256 of each file (rtl_files.json), checked by verify_rtl_config;
- golden vectors edited with the manifest's hash updated: `export-net --verify` re-computes them by the model;
- `--timesteps` above MAX_TIMESTEPS; a killed export's temporary folders removed by the next; `--out FILE`.
"""
import json
import os
import shutil
import time

import pytest
import yaml

from golden import atomic
from golden.backends.rtl.frame_config import RTL_FILES, verify_rtl_config
from golden.cli import main, os_error_line
from golden.contract.quant import MAX_TIMESTEPS
from golden.errors import ManifestError
from golden.export import vectors as vectors_io
from golden.export.load import load_manifest, load_network, load_vectors, verify_vectors
from golden.export.network import random_network_export


def _error_line(capsys, *words):
    """The one `error:` line on stderr (no traceback), which names every word."""
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err, err
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def _edit(d, fn):
    m = yaml.safe_load((d / "manifest.yaml").read_text())
    fn(m)
    (d / "manifest.yaml").write_text(yaml.safe_dump(m, sort_keys=False))


def _layer(i, key, value):
    def edit(m):
        m["layers"][i][key] = value
    return edit


def _top(key, value, sub=None):
    def edit(m):
        (m[sub] if sub else m)[key] = value
    return edit


# ------------------------------------------------------------------------------------------------ 1. manifest

@pytest.mark.parametrize("edit, words", [
    (_top("task", "classification"), ["field task", "segmentation"]),
    (_top("task", "Segmentation"), ["field task", "denoising"]),
    (_top("task", 1), ["field task must be str"]),
    (_top("timesteps", MAX_TIMESTEPS + 1), ["field timesteps", str(MAX_TIMESTEPS)]),
    (_top("timesteps", 0), ["field timesteps", "1.."]),
    (_layer(1, "lambda", float("nan")), ["field layers[1](mid_b).lambda", "finite"]),
    (_layer(1, "lambda", float("inf")), ["field layers[1](mid_b).lambda"]),
    (_layer(0, "lambda", 0.0), ["field layers[0](mid_a).lambda", "> 0"]),
    (_layer(0, "lambda", -2.5), ["field layers[0](mid_a).lambda"]),
    (_layer(0, "lambda", "big"), ["field layers[0](mid_a).lambda"]),
    (_top("extra", 1), ["field extra: unknown"]),
    (_top("depth", 1, "input"), ["field input.depth: unknown"]),
    (_top("source", {"image": "x.png", "crop": [0, 0], "scale": 2}), ["field source.scale: unknown"]),
    (_layer(2, "leak", 0.5), ["field layers[2](head).leak: unknown"]),
])
def test_manifest_field_refused(small_export, export_copy, capsys, edit, words):
    d = export_copy(small_export[0])
    _edit(d, edit)
    with pytest.raises(ManifestError):
        load_manifest(d)
    assert main(["export-net", "--verify", str(d)]) == 2
    _error_line(capsys, str(d / "manifest.yaml"), *words)


@pytest.mark.parametrize("text, words", [
    # a YAML alias bomb: 9 levels of 9 aliases are 9^9 strings once expanded
    ("".join(["a0: &a0 [x, x, x, x, x, x, x, x, x]\n"] +
             [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)]), ["alias *a0", "line 2"]),
    (None, ["alias *t"]),  # one harmless alias inside a real manifest is refused too
    (None, ["field timesteps given twice"]),
])
def test_manifest_yaml_aliases_and_repeated_keys_refused(small_export, export_copy, capsys, text, words):
    d = export_copy(small_export[0])
    real = (d / "manifest.yaml").read_text()
    if text is None and "alias" in words[0]:
        text = real.replace("timesteps: 3", "timesteps: &t 3").replace("format_version: 3", "format_version: 3\n"
                                                                      "model_t: *t")
    elif text is None:
        text = real.replace("timesteps: 3", "timesteps: 3\ntimesteps: 4")
    assert text != real
    (d / "manifest.yaml").write_text(text)
    t0 = time.time()
    assert main(["export-net", "--verify", str(d)]) == 2
    assert time.time() - t0 < 5  # refused at the first alias, never expanded
    _error_line(capsys, str(d / "manifest.yaml"), *words)


def test_manifest_widths_are_rederived(small_export, export_copy, capsys):
    """Widths are not trusted from the manifest: a consistent-looking edit is refused against the weights."""
    d = export_copy(small_export[0])
    _edit(d, _layer(1, "membrane_bits", 40))
    assert main(["export-net", "--verify", str(d)]) == 2
    _error_line(capsys, str(d / "manifest.yaml"), "field layers(mid_b).membrane_bits=40", "contract's bound")


# ------------------------------------------------------------------------------------------------ 3. vectors

def test_verify_passes_an_untouched_export(small_export, capsys):
    assert main(["export-net", "--verify", str(small_export[0])]) == 0
    assert "VERIFY" in capsys.readouterr().out


@pytest.mark.parametrize("key, first", [("mid_b.spikes", "mid_b.spikes"), ("head.accum", "head.accum"),
                                        ("mid_a.current", "mid_a.current"), ("input", "mid_a.current")])
def test_edited_vector_with_updated_hash_is_an_edited_vector(small_export, export_copy, rehash, capsys, key, first):
    d = export_copy(small_export[0])
    m = load_manifest(d)
    vec = load_vectors(d, m)
    edited = {k: v.copy() for k, v in vec.items()}
    flat = edited[key].reshape(-1)
    flat[flat.size // 2] ^= 1  # a valid value still (a spike word < 2^K, an 8-bit pixel, an int that fits)
    vectors_io.write_export_vectors(d / "vectors", m, edited)
    rehash(d)  # the hashes agree: only re-computing the vectors shows the edit
    load_vectors(d)  # the loader's checks pass
    with pytest.raises(ManifestError, match="edited vector"):
        verify_vectors(d, load_manifest(d), load_network(d))
    assert main(["export-net", "--verify", str(d)]) == 2
    file = json.loads((d / "vectors" / "index.json").read_text())["vectors"][first]["file"]
    # the model runs on the stored image: an edited image makes its first vector (the input layer's current)
    # differ from the stored one
    _error_line(capsys, f"{d / 'vectors' / file}: field {first} differs from the model's (edited vector)")


# ------------------------------------------------------------------------------------------------ 2. rtl-config

def _rtl_config(export, out, *extra):
    return main(["rtl-config", "--export", str(export), "--out", str(out), *extra])


def test_rtl_config_is_atomic_and_hashed(small_export, tmp_path, capsys):
    out = tmp_path / "cfg"
    assert _rtl_config(small_export[0], out) == 0
    rec = json.loads((out / RTL_FILES).read_text())
    assert set(rec["files"]) == {"frame_layers.mem", "frame_weights.mem", "frame_bias.mem", "frame_params.json",
                                 "frame_params.vh"}
    assert rec["files"]["frame_bias.mem"] == atomic.sha256(out / "frame_bias.mem")
    doc = verify_rtl_config(out)
    assert doc["params"]["DESC_FILE"] == f'"{(out / "frame_layers.mem").resolve()}"'  # not the temporary folder
    assert str(out.resolve()) in (out / "frame_params.vh").read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["cfg"]  # no temporary sibling left
    # a second run replaces the folder as a whole: a file of the old one does not survive
    (out / "stray.txt").write_text("x")
    assert _rtl_config(small_export[0], out, "--weights", "stream") == 0
    assert not (out / "stray.txt").exists() and (out / "frame_weights.bin").is_file()
    assert not (out / "frame_weights.mem").exists()
    verify_rtl_config(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cfg"]


@pytest.mark.parametrize("tamper, words", [
    (lambda o: (o / "frame_bias.mem").write_text("00\n"), ["frame_bias.mem: SHA-256 differs", "field files"]),
    (lambda o: (o / "frame_weights.mem").unlink(), ["frame_weights.mem: missing", "field files"]),
    (lambda o: (o / "extra.mem").write_text("00\n"), ["extra.mem: not listed in field files"]),
    (lambda o: (o / RTL_FILES).unlink(), [f"{RTL_FILES}: missing"]),
    (lambda o: (o / RTL_FILES).write_text("{"), [f"{RTL_FILES}: not valid JSON"]),
])
def test_verify_rtl_config_refuses_a_tampered_folder(small_export, tmp_path, capsys, tamper, words):
    out = tmp_path / "cfg"
    assert _rtl_config(small_export[0], out) == 0
    tamper(out)
    with pytest.raises(ManifestError) as exc:
        verify_rtl_config(out)
    for w in words:
        assert w in str(exc.value), (w, str(exc.value))


def test_verify_rtl_config_refuses_a_moved_folder(small_export, tmp_path):
    assert _rtl_config(small_export[0], tmp_path / "cfg") == 0
    shutil.move(tmp_path / "cfg", tmp_path / "moved")
    with pytest.raises(ManifestError, match=r"frame_params.json: field params.DESC_FILE names .*cfg"):
        verify_rtl_config(tmp_path / "moved")


def test_rtl_config_out_is_a_file(small_export, tmp_path, capsys):
    f = tmp_path / "file.txt"
    f.write_text("keep")
    assert _rtl_config(small_export[0], f) == 2
    _error_line(capsys, str(f), "not a folder")
    assert f.read_text() == "keep" and sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


# ------------------------------------------------------------------------------------------------ 7. timesteps

@pytest.mark.parametrize("t", [0, MAX_TIMESTEPS + 1, 100000])
def test_export_timesteps_limit(tmp_path, capsys, t):
    assert main(["export-net", "--out", str(tmp_path / "e"), "--timesteps", str(t)]) == 2
    _error_line(capsys, "--timesteps", f"1..{MAX_TIMESTEPS}", str(t))
    assert not (tmp_path / "e").exists()


# ------------------------------------------------------------------------------------------------ 8. stale temporaries

def test_next_export_removes_a_killed_exports_temporaries(tmp_path):
    out = tmp_path / "exp"
    past = atomic.STARTED - 60
    dead = tmp_path / ".exp.4194999-abc123.tmp"  # above Linux's pid_max: that writer is gone
    old = tmp_path / ".exp.k1ll3d_.tmp"  # an older name without a pid, from before this process
    aside = tmp_path / ".exp.q9z8.old"  # a folder set aside by a replace that was killed
    fresh = tmp_path / ".exp.n0w_.tmp"  # no pid, modified after this process started: maybe a live writer's
    mine = tmp_path / f".exp.{os.getpid()}-live.tmp"  # this process's own
    other = tmp_path / ".exp.x.4194999-abc.tmp"  # the folder of another target (exp.x)
    for p in (dead, old, aside, fresh, mine, other):
        p.mkdir()
        (p / "half.gz").write_bytes(b"half-written")
    for p in (old, aside, other):
        os.utime(p, (past, past))
    random_network_export(out, seed=1, base=2, depth=0, size=8, timesteps=2, thresholds_log2=(1, 0))
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["exp", fresh.name, mine.name, other.name]), left
    assert load_manifest(out)["timesteps"] == 2


def test_temporary_sibling_names_its_process():
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        tmp = atomic.temporary_sibling(os.path.join(d, "x"))
        assert tmp.name.startswith(f".x.{os.getpid()}-") and tmp.name.endswith(".tmp")


# ------------------------------------------------------------------------------------------------ 9. --out FILE

def test_out_file_where_a_folder_is_needed(tmp_path, capsys):
    f = tmp_path / "out.txt"
    f.write_text("keep")
    assert main(["export-net", "--out", str(f), "--timesteps", "2"]) == 2
    line = _error_line(capsys, str(f), "not a folder")
    assert not line.startswith("error: :")
    assert f.read_text() == "keep" and sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
    # a path below a file: the system's reason and what it means
    assert main(["export-net", "--out", str(f / "sub"), "--timesteps", "2"]) == 2
    line = _error_line(capsys, str(f), "a file where a folder is needed")
    assert not line.startswith("error: :")


def test_os_error_line_names_path_and_reason():
    assert os_error_line(NotADirectoryError(20, "Not a directory", "/a/b")) == \
        "/a/b: Not a directory (a file where a folder is needed)"
    assert os_error_line(PermissionError(13, "Permission denied", "/ro")).startswith("/ro: Permission denied")
    assert os_error_line(OSError(18, "Invalid cross-device link", "/a", None, "/b")).startswith("/a -> /b: ")
    assert os_error_line(NotADirectoryError("/x: exists and is not a folder")) == "/x: exists and is not a folder"
