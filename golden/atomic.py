"""Atomic writes: a file is written to a temporary name in the same folder and renamed into place; a folder (an
export) is written as a temporary sibling and swapped in. Written files follow the umask, like open() would. `sha256` is
the digest an export lists for every file it wrote."""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
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


def temporary_sibling(path: str | os.PathLike) -> Path:
    """A new empty folder next to `path` (same file system), to be swapped in by replace_dir."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))


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
