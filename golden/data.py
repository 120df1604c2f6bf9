"""Image loading from the data root: 8-bit PNGs with checks that name the file."""
from __future__ import annotations

from pathlib import Path

import warnings

import numpy as np
from PIL import Image

from golden.paths import require_data_root

EM_TRAIN = "em_isbi2012/train"


def load_u8(path: str | Path, channels: int | None = None) -> np.ndarray:
    """An 8-bit image as uint8 [C][H][W]; refuses other bit depths or channel counts, naming the file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such image")
    try:
        with warnings.catch_warnings():
            # PIL only warns between 1x and 2x its pixel limit: keep its decompression-bomb limit an error
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(path)
            im.load()
        with im:
            mode = im.mode
            if mode not in ("L", "RGB", "P"):
                raise ValueError(f"{path}: image mode {mode!r} is not 8-bit grey or RGB")
            arr = np.asarray(im.convert("RGB") if mode == "P" else im)
    except ValueError:
        raise
    except Exception as exc:
        raise ValueError(f"{path}: not a readable image ({exc})") from exc
    arr = arr[None] if arr.ndim == 2 else np.transpose(arr, (2, 0, 1))
    if channels is not None and arr.shape[0] != channels:
        raise ValueError(f"{path}: has {arr.shape[0]} channel(s), the model expects {channels}")
    return np.ascontiguousarray(arr, dtype=np.uint8)


def crop(image: np.ndarray, y: int, x: int, height: int, width: int | None = None,
         path: str = "image") -> np.ndarray:
    """The height x width region at row y, column x (width defaults to height: a square)."""
    width = height if width is None else width
    _, h, w = image.shape
    if height < 1 or width < 1 or y < 0 or x < 0 or y + height > h or x + width > w:
        raise ValueError(f"{path}: crop {height}x{width} at ({y}, {x}) is empty or leaves the {h}x{w} image")
    return image[:, y : y + height, x : x + width].copy()


def em_slice_paths(indices, data_root=None) -> list[tuple[Path, Path]]:
    root = require_data_root(data_root) / EM_TRAIN
    pairs = []
    for i in indices:
        img, lab = root / "images" / f"{i}.png", root / "labels" / f"{i}.png"
        if not img.is_file() or not lab.is_file():
            raise FileNotFoundError(f"{img} or {lab}: missing EM slice {i} under the data root")
        pairs.append((img, lab))
    return pairs
