"""Data sets for the full U-Net, all read from the configurable data root (golden/paths.py).

- EM (ISBI 2012, `em_isbi2012/train`): labelled slices split by index (default 0-19 train, 20-23 validation);
  training items are random square crops with random horizontal / vertical flips (and quarter turns with
  `data.rot90`: EM sections have no preferred orientation); validation items are whole
  slices. Labels {0, 255} become class indices 0 (membrane) and 1 (interior, the positive class of F1/JS).
- Denoising: training crops from a folder of clean images (`train400`, grey; colour training needs a colour
  folder, e.g. the CamSeq01 frames, since no colour BSD400 copy exists here) with Gaussian noise of a sigma drawn
  per item from `sigmas` (a list, or `[lo, hi]` with `sigma_range: true`); test sets (`bsd68` grey, `cbsd68`
  colour) with a fixed sigma (15/25/50) and noise fixed by (seed, sigma, image index), so every run sees the
  same noisy images. By default the noisy image is rounded and clipped to 8 bits (`quantize: true`), because the
  hardware takes an 8-bit image stream; the target noise map is noisy - clean in units of 1/255.
- CamSeq01 (SegNet 11-class form, optional): RGB frames and label indices 0..10, 11 = Void (ignored).

Every item is float32 in [0, 1] (x = p / 255), [C][H][W]. Randomness is a function of (seed, epoch, index)
only (`set_epoch`), so a resumed or distributed run draws the same items as an uninterrupted one.
Errors name the file: wrong size or channel count, bit depth other than 8, labels not binary, an image
without a label of the same file name (or the reverse), missing data root.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from golden.data import EM_TRAIN, load_u8
from golden.paths import require_data_root

IMAGE_EXT = ".png"


def _rng(*keys: int) -> np.random.Generator:
    return np.random.default_rng([int(k) for k in keys])


def list_images(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder under the data root")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == IMAGE_EXT)
    if not files:
        raise FileNotFoundError(f"{folder}: no {IMAGE_EXT} images")
    return files


def match_pairs(image_dir: Path, label_dir: Path, names: list[str] | None = None) -> list[tuple[Path, Path]]:
    """(image, label) pairs matched by file name; an unmatched file on either side is an error naming it."""
    images = {p.name: p for p in list_images(image_dir)}
    labels = {p.name: p for p in list_images(label_dir)}
    if names is None:
        for n in sorted(set(images) - set(labels)):
            raise ValueError(f"{image_dir / n}: no label {label_dir / n} with the same file name")
        for n in sorted(set(labels) - set(images)):
            raise ValueError(f"{label_dir / n}: label without an image {image_dir / n}")
        names = sorted(images)
    pairs = []
    for n in names:
        if n not in images:
            raise FileNotFoundError(f"{image_dir / n}: missing image")
        if n not in labels:
            raise ValueError(f"{image_dir / n}: no label {label_dir / n} with the same file name")
        pairs.append((images[n], labels[n]))
    return pairs


def random_crop_flip(rng: np.random.Generator, arrays: list[np.ndarray], size: int, flips: bool = True,
                     rot90: bool = False):
    """The same random crop (and flips; with rot90 also a quarter turn k = 0..3, so all 8 symmetries of the
    square) of several [C][H][W] / [H][W] arrays of equal H, W. rot90 draws after the flips, so configs without
    it see exactly the crops they always did."""
    h, w = arrays[0].shape[-2:]
    if size > h or size > w:
        raise ValueError(f"crop {size} is larger than the {h}x{w} image")
    y, x = int(rng.integers(0, h - size + 1)), int(rng.integers(0, w - size + 1))
    out = [a[..., y:y + size, x:x + size] for a in arrays]
    if flips:
        if rng.random() < 0.5:
            out = [a[..., :, ::-1] for a in out]
        if rng.random() < 0.5:
            out = [a[..., ::-1, :] for a in out]
    if rot90:
        k = int(rng.integers(0, 4))
        out = [np.rot90(a, k, axes=(-2, -1)) for a in out]
    return [np.ascontiguousarray(a) for a in out]


class _Epoch:
    seed: int = 0
    epoch: int = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)


# --------------------------------------------------------------------------------------------- EM

def load_em_pairs(indices, data_root=None, size: int | None = 512) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """EM slices as uint8 images [N][1][H][W] and int64 labels [N][H][W] (1 = interior/255, 0 = membrane)."""
    root = require_data_root(data_root) / EM_TRAIN
    names = [f"{int(i)}{IMAGE_EXT}" for i in indices]
    pairs = match_pairs(root / "images", root / "labels", names)
    imgs, labs = [], []
    for img_path, lab_path in pairs:
        img = load_u8(img_path, channels=1)
        lab = load_u8(lab_path, channels=1)[0]
        if size is not None and img.shape[1:] != (size, size):
            raise ValueError(f"{img_path}: is {img.shape[1]}x{img.shape[2]}, expected {size}x{size}")
        if lab.shape != img.shape[1:]:
            raise ValueError(f"{lab_path}: label is {lab.shape[0]}x{lab.shape[1]}, its image {img_path} is "
                             f"{img.shape[1]}x{img.shape[2]}")
        bad = np.setdiff1d(np.unique(lab), [0, 255])
        if bad.size:
            raise ValueError(f"{lab_path}: label values must be 0 (membrane) or 255 (interior), found {bad[:5]}")
        imgs.append(img)
        labs.append((lab == 255).astype(np.int64))
    return np.stack(imgs), np.stack(labs), [p[0].name for p in pairs]


class EMTrain(Dataset, _Epoch):
    """Random crops with flips from the training slices; `length` items per epoch."""

    def __init__(self, indices=range(20), crop: int = 128, length: int = 100, data_root=None, seed: int = 0,
                 flips: bool = True, rot90: bool = False):
        self.images, self.labels, self.names = load_em_pairs(indices, data_root)
        self.crop, self.length, self.seed, self.flips, self.rot90 = crop, length, seed, flips, rot90

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i: int):
        rng = _rng(self.seed, self.epoch, i)
        k = int(rng.integers(0, len(self.images)))
        img, lab = random_crop_flip(rng, [self.images[k], self.labels[k]], self.crop, self.flips, self.rot90)
        return torch.from_numpy(img.astype(np.float32) / 255.0), torch.from_numpy(lab)


class EMEval(Dataset):
    """Whole validation slices (or a centred crop of `crop` pixels)."""

    def __init__(self, indices=range(20, 24), data_root=None, crop: int | None = None):
        self.images, self.labels, self.names = load_em_pairs(indices, data_root)
        if crop:
            h, w = self.images.shape[-2:]
            y, x = (h - crop) // 2, (w - crop) // 2
            self.images = self.images[..., y:y + crop, x:x + crop]
            self.labels = self.labels[..., y:y + crop, x:x + crop]

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int):
        return (torch.from_numpy(self.images[i].astype(np.float32) / 255.0),
                torch.from_numpy(np.ascontiguousarray(self.labels[i])))


# --------------------------------------------------------------------------------------------- denoising

def check_sigma(sigma: float) -> float:
    """A noise level for --sigma: finite, in (0, 255] (ValueError naming --sigma otherwise)."""
    if not (math.isfinite(sigma) and 0 < sigma <= 255):
        raise ValueError(f"--sigma must be a finite noise level in (0, 255], got {sigma}")
    return sigma


def add_noise(clean_u8: np.ndarray, sigma: float, rng: np.random.Generator, quantize: bool = True) -> np.ndarray:
    """Noisy image in pixel units (float64): clean + sigma * N(0, 1), rounded and clipped to 0..255 if quantize."""
    noisy = clean_u8.astype(np.float64) + float(sigma) * rng.standard_normal(clean_u8.shape)
    if quantize:
        noisy = np.clip(np.floor(noisy + 0.5), 0, 255)
    return noisy


def load_folder(folder: Path, channels: int, min_size: int = 0) -> tuple[list[np.ndarray], list[str]]:
    images, names = [], []
    for p in list_images(folder):
        img = load_u8(p, channels=channels)
        if min(img.shape[1:]) < min_size:
            raise ValueError(f"{p}: is {img.shape[1]}x{img.shape[2]}, smaller than the {min_size} crop")
        images.append(img)
        names.append(p.name)
    return images, names


def _split(loaded: tuple[list, list[str]], split, folder: Path) -> tuple[list, list[str]]:
    """Images first..last-1 of a folder sorted by name (a held-out validation part of a training folder)."""
    images, names = loaded
    if split is None:
        return images, names
    a, b = (int(v) for v in split)
    if not 0 <= a < b <= len(images):
        raise ValueError(f"{folder}: split [{a}, {b}) does not fit its {len(images)} images")
    return images[a:b], names[a:b]


class DenoiseTrain(Dataset, _Epoch):
    """(noisy, clean) random crops with flips; sigma per item from `sigmas` (list) or uniform in a range."""

    def __init__(self, folder: str = "train400", channels: int = 1, crop: int = 64, sigmas=(15, 25, 50),
                 sigma_range: bool = False, length: int = 100, data_root=None, seed: int = 0,
                 quantize: bool = True, split=None):
        self.folder = require_data_root(data_root) / folder
        self.images, self.names = _split(load_folder(self.folder, channels, crop), split, self.folder)
        self.crop, self.length, self.seed, self.quantize = crop, length, seed, quantize
        self.sigmas, self.sigma_range = [float(s) for s in sigmas], sigma_range
        if sigma_range and len(self.sigmas) != 2:
            raise ValueError(f"sigma_range needs sigmas = [lo, hi], got {self.sigmas}")

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i: int):
        rng = _rng(self.seed, self.epoch, i)
        k = int(rng.integers(0, len(self.images)))
        (clean,) = random_crop_flip(rng, [self.images[k]], self.crop)
        sigma = (rng.uniform(*self.sigmas) if self.sigma_range else self.sigmas[int(rng.integers(0, len(self.sigmas)))])
        noisy = add_noise(clean, sigma, rng, self.quantize)
        return torch.from_numpy((noisy / 255.0).astype(np.float32)), torch.from_numpy(clean.astype(np.float32) / 255.0)


class DenoiseTest(Dataset):
    """A test folder (bsd68 grey, cbsd68 colour) with noise of one sigma fixed by (seed, sigma, index)."""

    def __init__(self, folder: str = "bsd68", channels: int = 1, sigma: float = 25, data_root=None, seed: int = 0,
                 quantize: bool = True, limit: int | None = None, split=None):
        self.folder = require_data_root(data_root) / folder
        self.images, self.names = _split(load_folder(self.folder, channels), split, self.folder)
        if limit:
            self.images, self.names = self.images[:limit], self.names[:limit]
        self.sigma, self.seed, self.quantize = float(sigma), seed, quantize

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int):
        clean = self.images[i]
        noisy = add_noise(clean, self.sigma, _rng(self.seed, round(self.sigma * 1000), i), self.quantize)
        return torch.from_numpy((noisy / 255.0).astype(np.float32)), torch.from_numpy(clean.astype(np.float32) / 255.0)


# --------------------------------------------------------------------------------------------- CamSeq01

CAMSEQ = "camseq01_segnet_11class"
CAMSEQ_CLASSES, CAMSEQ_VOID = 11, 11


def load_camseq(data_root=None, names: list[str] | None = None):
    root = require_data_root(data_root) / CAMSEQ
    pairs = match_pairs(root / "images", root / "labels", names)
    imgs, labs = [], []
    for img_path, lab_path in pairs:
        img = load_u8(img_path, channels=3)
        lab = load_u8(lab_path, channels=1)[0]
        if lab.shape != img.shape[1:]:
            raise ValueError(f"{lab_path}: label is {lab.shape[0]}x{lab.shape[1]}, its image {img_path} is "
                             f"{img.shape[1]}x{img.shape[2]}")
        if lab.max() > CAMSEQ_VOID:
            raise ValueError(f"{lab_path}: label index {lab.max()} above {CAMSEQ_VOID} (Void)")
        imgs.append(img)
        labs.append(lab.astype(np.int64))
    return imgs, labs, [p[0].name for p in pairs]


class CamSeqTrain(Dataset, _Epoch):
    """Random crops with horizontal flips of CamSeq01 frames `first..last` (sorted by name)."""

    def __init__(self, split=(0, 81), crop: int = 256, length: int = 100, data_root=None, seed: int = 0):
        imgs, labs, names = load_camseq(data_root)
        a, b = split
        self.images, self.labels, self.names = imgs[a:b], labs[a:b], names[a:b]
        self.crop, self.length, self.seed = crop, length, seed

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i: int):
        rng = _rng(self.seed, self.epoch, i)
        k = int(rng.integers(0, len(self.images)))
        h, w = self.labels[k].shape
        y, x = int(rng.integers(0, h - self.crop + 1)), int(rng.integers(0, w - self.crop + 1))
        img = self.images[k][:, y:y + self.crop, x:x + self.crop]
        lab = self.labels[k][y:y + self.crop, x:x + self.crop]
        if rng.random() < 0.5:
            img, lab = img[..., ::-1], lab[..., ::-1]
        return (torch.from_numpy(np.ascontiguousarray(img).astype(np.float32) / 255.0),
                torch.from_numpy(np.ascontiguousarray(lab)))


class CamSeqEval(Dataset):
    def __init__(self, split=(81, 101), data_root=None, crop: int | None = None):
        imgs, labs, names = load_camseq(data_root)
        a, b = split
        self.images, self.labels, self.names = imgs[a:b], labs[a:b], names[a:b]
        self.crop = crop

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int):
        img, lab = self.images[i], self.labels[i]
        if self.crop:
            h, w = lab.shape
            y, x = (h - self.crop) // 2, (w - self.crop) // 2
            img, lab = img[:, y:y + self.crop, x:x + self.crop], lab[y:y + self.crop, x:x + self.crop]
        return (torch.from_numpy(np.ascontiguousarray(img).astype(np.float32) / 255.0),
                torch.from_numpy(np.ascontiguousarray(lab)))


# --------------------------------------------------------------------------------------------- from a config

def build_datasets(cfg: dict, data_root=None, length: int | None = None) -> tuple[Dataset, Dataset]:
    """(train, validation) data sets of a unet config (see configs/unet_*.yaml, section `data`)."""
    d, t = cfg["data"], cfg["train"]
    seed = int(t.get("seed", 0))
    length = length or t["steps_per_epoch"] * t["batch_size"]
    kind = d["dataset"]
    ch = cfg["model"]["in_channels"]
    if kind == "em":
        train = EMTrain(d.get("train_slices", list(range(20))), d["crop"], length, data_root, seed,
                        rot90=bool(d.get("rot90", False)))
        val = EMEval(d.get("val_slices", list(range(20, 24))), data_root, d.get("val_crop"))
    elif kind == "denoise":
        train = DenoiseTrain(d.get("train", "train400"), ch, d["crop"], d.get("sigmas", [15, 25, 50]),
                             bool(d.get("sigma_range", False)), length, data_root, seed, bool(d.get("quantize", True)),
                             d.get("train_split"))
        # validation on a held-out part of the training folder (`val`, `val_split`); the test set never picks
        val = DenoiseTest(d.get("val", d.get("test", "bsd68" if ch == 1 else "cbsd68")), ch, d.get("val_sigma", 25),
                          data_root, seed, bool(d.get("quantize", True)), d.get("val_limit"), d.get("val_split"))
    elif kind == "camseq":
        train = CamSeqTrain(tuple(d.get("train_split", (0, 81))), d["crop"], length, data_root, seed)
        val = CamSeqEval(tuple(d.get("val_split", (81, 101))), data_root, d.get("val_crop"))
    else:
        raise ValueError(f"{cfg.get('_path', 'config')}: field data.dataset must be em, denoise or camseq, "
                         f"got {kind!r}")
    return train, val


def build_test_set(cfg: dict, data_root=None) -> Dataset | None:
    """The config's test set where it names one apart from validation (CamSeq01's data.test_split), else None:
    EM has no test labels here (its validation slices serve), denoising tests by folder (eval-denoise)."""
    d = cfg["data"]
    if d["dataset"] == "camseq" and d.get("test_split"):
        return CamSeqEval(tuple(d["test_split"]), data_root, d.get("val_crop"))
    return None
