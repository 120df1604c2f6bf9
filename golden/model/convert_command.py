"""`python -m golden convert`: an ANN checkpoint (.npz: imported by import-torch, or finetune's ann.npz) ->
the converted Spiking-UNet checkpoint that export-net, make sim and the eval commands take.

    python -m golden convert --checkpoint ANN.npz --images PATH [PATH ...] [--count N] [--crop H W]
                             [--method connection_wise|layer_wise] [--percentile 99.9] [--target 1|full]
                             --out SNN.npz

The lambdas are the `--percentile` of each layer's activations (all elements) over the calibration images
(golden/model/convert.py, §3.3), mapped to `--target` threshold units (1, the paper's; `full`: the sum of the
thresholds 2+1+0.5+0.25, finer steps at small T): give images the model was trained on, never the test set. The
images (PNG files or folders of them, the first `--count` in name order) are centre-cropped to a common size, a
multiple of 2^depth (`--crop H W`, default the largest the smallest image allows). For fine-tuning (Algorithm 1)
and evaluation on a data set of the configs, use `python -m golden finetune --ckpt ANN.npz`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from golden.data import load_u8
from golden.errors import InputError, resolve
from golden.model.checkpoint import load_model_npz, save_npz
from golden.model.convert import calibrate, normalise, parse_calibration_target
from golden.model.datasets import list_images


def add_arguments(p) -> None:
    p.add_argument("--checkpoint", required=True, help="ANN .npz (import-torch's output, or finetune's ann.npz)")
    p.add_argument("--images", nargs="+", required=True, help="calibration PNGs or folders of them (training data)")
    p.add_argument("--count", type=int, default=8, help="use the first N images (default 8)")
    p.add_argument("--crop", type=int, nargs=2, metavar=("H", "W"), help="centre crop of every image")
    p.add_argument("--method", choices=("connection_wise", "layer_wise"), default="connection_wise")
    p.add_argument("--percentile", type=float, default=99.9)
    p.add_argument("--target", default="1",
                   help="threshold units the percentile maps to: a number (default 1, the paper's) or 'full' "
                        "(the sum of the MT thresholds, 3.75)")
    p.add_argument("--out", required=True, help="the SNN checkpoint to write (.npz)")


def calibration_images(paths, count: int, channels: int, multiple: int, crop=None) -> tuple[np.ndarray, list[Path]]:
    """[N][C][H][W] uint8: the first `count` images of `paths` (files or folders), centre-cropped alike."""
    files: list[Path] = []
    for p in map(Path, paths):
        files.extend(list_images(p) if p.is_dir() else [p])
    files = files[:count]
    images = [load_u8(f, channels=channels) for f in files]
    h = min(i.shape[1] for i in images) if crop is None else crop[0]
    w = min(i.shape[2] for i in images) if crop is None else crop[1]
    if crop is None:
        h, w = h - h % multiple, w - w % multiple
    if h < multiple or w < multiple or h % multiple or w % multiple:
        raise InputError(f"--crop {h} {w}: must be positive multiples of 2^depth = {multiple}")
    out = []
    for f, im in zip(files, images):
        if im.shape[1] < h or im.shape[2] < w:
            raise InputError(f"{f}: {im.shape[1]}x{im.shape[2]} is smaller than the crop {h}x{w}")
        y, x = (im.shape[1] - h) // 2, (im.shape[2] - w) // 2
        out.append(im[:, y:y + h, x:x + w])
    return np.stack(out), files


def convert_ann(ann, batch_u8: np.ndarray, method: str = "connection_wise", q: float = 99.9, target=1.0):
    """(normalised SNN, lambdas) of an ANN calibrated on 8-bit images [N][C][H][W] (x = p / 255)."""
    lambdas = calibrate(ann, torch.from_numpy(batch_u8.astype(np.float64) / 255.0), q, target)
    return normalise(ann, lambdas, method), lambdas


def run(args) -> int:
    if args.count < 1:
        raise InputError(f"--count must be >= 1, got {args.count}")
    if not 0 < args.percentile <= 100:
        raise InputError(f"--percentile must be in (0, 100], got {args.percentile}")
    try:
        target = parse_calibration_target(args.target)
    except ValueError:
        raise InputError(f"--target must be a positive number or 'full', got {args.target!r}") from None
    path = resolve(args.checkpoint)
    ann, info = load_model_npz(path)
    if info.get("normalisation"):
        raise InputError(f"{path}: field normalisation is {info['normalisation']}: already a converted SNN; "
                         "convert the ANN it came from")
    batch, files = calibration_images(args.images, args.count, ann.in_channels, ann.multiple, args.crop)
    snn, lambdas = convert_ann(ann, batch, args.method, args.percentile, target)
    save_npz(args.out, snn, lambdas, args.method)
    per = "" if target == 1 else f" / {target}"  # the paper's target prints as before
    print(f"CONVERT {args.checkpoint} -> {args.out}: {args.method}, lambdas at the {args.percentile}th percentile{per} "
          f"of {len(files)} image(s) {batch.shape[2]}x{batch.shape[3]} (first {files[0]}); "
          f"{len(lambdas)} layers, lambda {min(lambdas.values()):.4g}..{max(lambdas.values()):.4g}")
    return 0
