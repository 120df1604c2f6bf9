"""Atomic writes: a file is written to a temporary name in the same folder and renamed into place; a folder (an
export) is written as a temporary sibling and swapped in. Written files follow the umask, like open() would. `sha256` is
the digest an export lists for every file it wrote; `write_file_hashes` / `verify_file_hashes` record and check the
SHA-256 of every file of a folder in a small JSON file inside it (rtl-config's folders).

A temporary sibling is named `.<name>.<pid>-<random>.tmp` (a folder being replaced is set aside as
`.<name>.<random>.old`). A kill leaves such a dot-folder behind; the next temporary_sibling of the same target
removes the ones whose writer is gone: named with a process id that no longer runs, or (older names without a pid)
last modified before this process started (STARTED)."""
from __future__ import annotations

import hashlib
import io
import os
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    write_chunks(path, (data,))


def write_chunks(path: str | os.PathLike, chunks) -> None:
    """Write the byte strings of the iterable `chunks` one after the other (a file larger than memory needs not
    be joined first), atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text(path: str | os.PathLike, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_npz(path: str | os.PathLike, arrays: dict[str, np.ndarray]) -> None:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    write_bytes(path, buf.getvalue())


STARTED = time.time()  # about when this process started (golden.atomic is imported early): see remove_stale


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_stale(path: str | os.PathLike) -> list[Path]:
    """Remove the dot-folders a killed write of `path` left next to it (`.<name>.<pid>-*.tmp` of a process that no
    longer runs, `.<name>.*.tmp` / `.<name>.*.old` without a live pid last modified before this process started);
    a live writer's folder (another process exporting the same target now) is kept. Returns what was removed."""
    path = Path(path)
    removed = []
    if not path.parent.is_dir():
        return removed
    prefix = f".{path.name}."
    for cand in path.parent.iterdir():
        name = cand.name
        if not name.startswith(prefix) or not name.endswith((".tmp", ".old")) or not cand.is_dir() \
                or cand.is_symlink():
            continue
        middle = name[len(prefix):-4]
        if "." in middle:  # another target's (`.<name>.x.<pid>-*.tmp` is the folder of `<name>.x`)
            continue
        pid_text = middle.split("-", 1)[0] if "-" in middle else ""
        try:
            if pid_text.isdigit():
                pid = int(pid_text)
                if pid == os.getpid() or _running(pid):
                    continue
            elif cand.stat().st_mtime >= STARTED:
                continue
        except OSError:
            continue
        shutil.rmtree(cand, ignore_errors=True)
        removed.append(cand)
    return removed


def temporary_sibling(path: str | os.PathLike) -> Path:
    """A new empty folder next to `path` (same file system), to be swapped in by replace_dir; a killed earlier
    write's leftovers of the same target are removed first (remove_stale). `path` must not be a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"{path}: exists and is not a folder (a folder is written here; name another "
                                 "--out)")
    remove_stale(path)
    return Path(tempfile.mkdtemp(prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp", dir=path.parent))


def replace_dir(tmp: Path, path: str | os.PathLike) -> None:
    """Swap the complete folder `tmp` in as `path`. The old folder is renamed aside first, so a kill at any point
    leaves either the old complete folder, or no folder at `path` (never a mix); leftovers are dot-folders."""
    path = Path(path)
    old = None
    if path.exists():
        if not path.is_dir():
            raise NotADirectoryError(f"{path}: exists and is not a folder")
        old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
        os.rename(path, old / "x")
    os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp creates 0700
    os.rename(tmp, path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a file (hex), read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_file_hashes(folder: str | os.PathLike, name: str, extra: dict | None = None) -> dict:
    """Record the SHA-256 of every file under `folder` (but `name` itself) in the JSON file `folder/name`:
    {**extra, "files": {relative path: sha256}}. Returns what it wrote."""
    folder = Path(folder)
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and
                   p.relative_to(folder).as_posix() != name)
    record = {**(extra or {}), "files": {f: sha256(folder / f) for f in files}}
    write_text(folder / name, json.dumps(record, indent=1) + "\n")
    return record


def read_json(path: str | os.PathLike, error: type[Exception] = ValueError):
    """A JSON file's contents; `error` names the file when it is not valid JSON."""
    try:
        return json.loads(Path(path).read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise error(f"{path}: not valid JSON ({exc})") from None


def verify_file_hashes(folder: str | os.PathLike, name: str, error: type[Exception] = ValueError) -> dict:
    """The record write_file_hashes wrote, checked: every file it lists exists with its SHA-256 and every file of
    the folder is listed. Errors (`error`) name the file and the field."""
    folder = Path(folder)
    rec_path = folder / name
    if not folder.is_dir():
        raise error(f"{folder}: not a folder")
    if not rec_path.is_file():
        raise error(f"{rec_path}: missing (not a folder written by this tool, or written by an older version)")
    record = read_json(rec_path, error)
    files = record.get("files") if isinstance(record, dict) else None
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        raise error(f"{rec_path}: field files must map file names to SHA-256 digests")
    for f, digest in files.items():
        if ".." in Path(f).parts or Path(f).is_absolute():
            raise error(f"{rec_path}: field files has a path outside the folder: {f!r}")
        if not (folder / f).is_file():
            raise error(f"{folder / f}: missing (listed in field files of {rec_path})")
        if sha256(folder / f) != digest:
            raise error(f"{folder / f}: SHA-256 differs from field files of {rec_path} (edited after it was "
                        "written)")
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and rel != name and rel not in files:
            raise error(f"{p}: not listed in field files of {rec_path} (added after it was written)")
    return record
