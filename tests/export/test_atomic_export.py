"""A killed export never leaves a folder a consumer accepts with mixed contents; written files follow the umask."""
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from golden import atomic
from golden.export.vectors import write_export_vectors
from golden.export.load import ManifestError, load_manifest, load_network, load_vectors
from golden.paths import REPO_ROOT


def _export_cmd(out, timesteps):
    return [sys.executable, "-m", "golden", "export-net", "--out", str(out), "--crop", "0", "0", "32", "32",
            "--timesteps", str(timesteps)]


def _consistent(out) -> int | None:
    """T of a complete export at `out` (manifest, weights and vectors agree), or None when there is none."""
    if not out.exists():
        return None
    net = load_network(out)  # hashes, widths, ROM images, header: raises on any mix
    vec = load_vectors(out)
    assert vec["head.accum"].shape[0] == net.timesteps
    return net.timesteps


@pytest.mark.slow
def test_killed_reexport_leaves_old_or_nothing(tmp_path):
    out = tmp_path / "e"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    assert subprocess.run(_export_cmd(out, 2), env=env, cwd=REPO_ROOT).returncode == 0
    t0 = time.perf_counter()
    assert subprocess.run(_export_cmd(tmp_path / "timed", 3), env=env, cwd=REPO_ROOT).returncode == 0
    full = time.perf_counter() - t0
    rng = random.Random(0)
    seen = set()
    for i in range(6):
        proc = subprocess.Popen(_export_cmd(out, 3 if i % 2 == 0 else 2), env=env, cwd=REPO_ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, full))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        seen.add(_consistent(out))
    assert seen <= {None, 2, 3}
    # a later export always repairs the folder
    assert subprocess.run(_export_cmd(out, 2), env=env, cwd=REPO_ROOT).returncode == 0
    assert _consistent(out) == 2


def test_failed_export_leaves_the_old_one(tmp_path, small_export, monkeypatch):
    """An exception half-way through writing keeps the previous export whole and leaves no temporary folder."""
    import shutil

    from golden.export import writer

    small_export = small_export[0]
    out = tmp_path / "e"
    shutil.copytree(small_export, out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    def boom(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr(writer, "write_npz", boom)
    net = load_network(small_export)
    with pytest.raises(OSError, match="disk full"):
        writer.write_export(out, net, load_vectors(small_export))
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["e"]


def test_written_files_follow_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        atomic.write_text(tmp_path / "a.txt", "x")
        d = atomic.temporary_sibling(tmp_path / "dir")
        atomic.write_text(d / "b.txt", "y")
        atomic.replace_dir(d, tmp_path / "dir")
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "dir").stat().st_mode & 0o777 == 0o750
    assert (tmp_path / "dir" / "b.txt").stat().st_mode & 0o777 == 0o640


def test_a_mixed_export_is_refused(tmp_path, small_export):
    """The failure the atomic swap prevents, made by hand: new vectors beside an old manifest are refused."""
    import shutil

    out = tmp_path / "mixed"
    shutil.copytree(small_export[0], out)
    vec = load_vectors(out)
    vec = {k: (v + 1 if v.dtype.kind == "i" else v) for k, v in vec.items()}
    write_export_vectors(out / "vectors", load_manifest(out), vec)
    with pytest.raises(ManifestError, match=r"vectors/[\w.]+\.gz: SHA-256 differs"):
        load_network(out)
