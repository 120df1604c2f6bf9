"""Evaluation on any folder: ANN, float SNN and integer SNN, with the paper's metrics.

    python -m golden eval-seg --images DIR --labels DIR [--config C] [--checkpoint K] [--ann-checkpoint A]
                              [--timesteps T] [--levels ann snn_float snn_int] [--save DIR]
    python -m golden eval-denoise --images DIR --sigma S [--seed N] ...

Segmentation labels follow the EM layout (0 = membrane, 255 = interior; images and labels matched by file
name); F1 and Jaccard take the interior as the positive class. Denoising adds Gaussian noise of `sigma` (pixel
units, seeded per file) to each clean image, rounds and clips it to 8 bits (the integer SNN's input), and
restores `noisy - noise map`. `--save DIR` writes each level's predictions under the input file names:
DIR/<level>/<name>.png (masks 0/255; denoised images 8-bit). The last line printed is one JSON object.

Checkpoints are .npz (no pickle): `--checkpoint` the converted (and fine-tuned) SNN, `--ann-checkpoint` the ANN
it came from (golden.model.finetune.save_npz writes both kinds).
"""
from __future__ import annotations

import json
import math
import zlib
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from golden.model import metrics
from golden.atomic import write_bytes
from golden.errors import InputError, resolve
from golden.model.convert import simulate
from golden.data import load_u8
from golden.model.datasets import add_noise, list_images, match_pairs
from golden.export.network import int_network, network_output, run_int
from golden.model.unet import UNet, load_unet_config, pad_to_multiple

LEVELS = ("ann", "snn_float", "snn_int")
DEFAULTS = {
    "segmentation": {"config": "configs/unet_em_small.yaml", "checkpoint": "configs/models/em_unet_snn.npz",
                     "ann_checkpoint": "configs/models/em_unet_ann.npz"},
    "denoising": {"config": "configs/unet_bsd_small.yaml", "checkpoint": "configs/models/bsd_unet_snn.npz",
                  "ann_checkpoint": "configs/models/bsd_unet_ann.npz"},
}


def load_model_npz(path: str | Path) -> tuple[UNet, dict]:
    """A U-Net from an .npz written by golden.model.finetune.save_npz; info holds lambdas, normalisation, snn.*."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such checkpoint")
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except Exception as exc:
        raise ValueError(f"{path}: not a readable .npz checkpoint ({exc})") from exc
    arch = {}
    for key in ("in_channels", "out_channels", "base", "depth", "task"):
        if f"arch.{key}" not in arrays:
            raise ValueError(f"{path}: missing field arch.{key} (not a U-Net checkpoint of this project)")
        value = arrays[f"arch.{key}"].item()
        arch[key] = str(value) if key == "task" else int(value)
    model = UNet(**arch).double()
    state = model.state_dict()
    for key, ref in state.items():
        if key not in arrays:
            raise ValueError(f"{path}: missing field {key}")
        if tuple(arrays[key].shape) != tuple(ref.shape):
            raise ValueError(f"{path}: field {key} has shape {arrays[key].shape}, the architecture needs "
                             f"{tuple(ref.shape)}")
        value = np.asarray(arrays[key], dtype=np.float64)
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{path}: field {key} holds NaN or Inf")
        state[key] = torch.from_numpy(value)
    model.load_state_dict(state)
    model.eval()
    info = {"lambdas": {k[7:]: float(v) for k, v in arrays.items() if k.startswith("lambda.")},
            "normalisation": str(arrays["normalisation"]) if "normalisation" in arrays else None}
    for key in ("timesteps", "frac_bits", "weight_bits"):
        if f"snn.{key}" in arrays:
            info[key] = int(arrays[f"snn.{key}"])
    return model, info


def thresholds_log2(thresholds) -> list[int]:
    exps = []
    for th in thresholds:
        e = math.log2(float(th))
        if not e.is_integer():
            raise ValueError(f"threshold {th} is not a power of two: the integer contract needs 2^e thresholds")
        exps.append(int(e))
    return exps


class Runner:
    """Runs one 8-bit image through each level; returns the head output per level (float, [C][H][W])."""

    def __init__(self, ann: UNet | None, snn: UNet, timesteps: int, thresholds, compare: str, levels):
        self.ann, self.snn, self.T, self.compare, self.levels = ann, snn, timesteps, compare, levels
        self.thresholds = tuple(float(t) for t in thresholds)
        self.int_layers = None
        if "snn_int" in levels:
            self.int_layers = int_network(snn, thresholds_log2(thresholds), timesteps)

    @torch.no_grad()
    def __call__(self, image_u8: np.ndarray) -> dict[str, np.ndarray]:
        x = torch.from_numpy(image_u8[None].astype(np.float64) / 255.0)
        xp, (h, w) = pad_to_multiple(x, self.snn.multiple)
        outs = {}
        if "ann" in self.levels:
            outs["ann"] = self.ann(xp)[0, :, :h, :w].numpy()
        if "snn_float" in self.levels:
            outs["snn_float"] = simulate(self.snn, xp, self.T, self.thresholds, self.compare).output[0, :, :h, :w].numpy()
        if "snn_int" in self.levels:
            padded_u8 = np.round(xp[0].numpy() * 255).astype(np.uint8)  # padding copies pixels: still 8-bit
            vec = run_int(self.int_layers, padded_u8, self.T, thresholds_log2(self.thresholds), self.compare)
            outs["snn_int"] = network_output(self.int_layers, vec, self.T)[:, :h, :w]
        return outs


def _save_png(path: Path, array_u8: np.ndarray) -> None:
    import io

    from PIL import Image

    buf = io.BytesIO()
    img = array_u8[0] if array_u8.shape[0] == 1 else np.transpose(array_u8, (1, 2, 0))
    Image.fromarray(img).save(buf, format="PNG")
    write_bytes(path, buf.getvalue())


def setup(args, task: str):
    d = DEFAULTS[task]
    if args.timesteps is not None and args.timesteps < 1:
        raise InputError(f"--timesteps must be >= 1, got {args.timesteps}")
    cfg = load_unet_config(resolve(args.config or d["config"]))
    if cfg["task"] != task:
        raise InputError(f"{args.config}: field task is {cfg['task']}, not {task}")
    snn_path = resolve(args.checkpoint or d["checkpoint"])
    snn, info = load_model_npz(snn_path)
    if snn.task != task:
        raise InputError(f"{snn_path}: field arch.task is {snn.task}: a {snn.task} model, not {task}")
    levels = tuple(args.levels)
    ann = None
    if "ann" in levels:
        ann_path = resolve(args.ann_checkpoint or d["ann_checkpoint"])
        ann, _ = load_model_npz(ann_path)
        if ann.arch() != snn.arch():
            raise InputError(f"{ann_path}: field arch {ann.arch()} differs from the SNN checkpoint's {snn.arch()}")
    T = args.timesteps or info.get("timesteps") or cfg["snn"]["timesteps"][0]
    return Runner(ann, snn, T, cfg["snn"]["thresholds"], cfg["snn"]["compare"], levels), T


def eval_seg(args) -> dict:
    runner, T = setup(args, "segmentation")
    pairs = match_pairs(Path(args.images), Path(args.labels))
    preds = {k: [] for k in runner.levels}
    targets = []
    for img_path, lab_path in tqdm(pairs, desc="eval-seg", unit="img"):
        image = load_u8(img_path, channels=runner.snn.in_channels)
        label = load_u8(lab_path, channels=1)[0]
        if label.shape != image.shape[1:]:
            raise InputError(f"{lab_path}: label is {label.shape[1]}x{label.shape[0]}, its image "
                             f"{img_path} is {image.shape[2]}x{image.shape[1]}")
        values = np.unique(label)
        if not set(values.tolist()) <= {0, 255}:
            shown = ", ".join(str(v) for v in values[:6]) + (" ..." if len(values) > 6 else "")
            raise InputError(f"{lab_path}: a binary label holds only 0 (membrane) and 255 (interior); its "
                             f"values are {shown}")
        targets.append((label == 255).astype(np.int64))  # 1 = interior (255), 0 = membrane
        for level, out in runner(image).items():
            pred = out.argmax(0)
            preds[level].append(pred)
            if args.save:
                _save_png(Path(args.save) / level / img_path.name, (pred[None] * 255).astype(np.uint8))
    t = np.concatenate([a.ravel() for a in targets])
    result = {"task": "segmentation", "T": T, "images": len(pairs)}
    for level in runner.levels:
        p = np.concatenate([a.ravel() for a in preds[level]])
        scores = metrics.binary_scores(p, t, positive=1)
        scores["miou"] = metrics.mean_iou(p, t, 2)
        result[level] = {k: round(float(v), 5) for k, v in scores.items()}
    return result


def eval_denoise(args) -> dict:
    if not (math.isfinite(args.sigma) and 0 < args.sigma <= 255):
        raise InputError(f"--sigma must be a finite noise level in (0, 255], got {args.sigma}")
    runner, T = setup(args, "denoising")
    files = list_images(Path(args.images))
    scores = {k: {"psnr": [], "ssim": []} for k in runner.levels}
    for path in tqdm(files, desc="eval-denoise", unit="img"):
        clean = load_u8(path, channels=runner.snn.in_channels)
        rng = np.random.default_rng([args.seed, zlib.crc32(path.name.encode())])
        noisy = add_noise(clean, args.sigma, rng).astype(np.uint8)
        for level, noise in runner(noisy).items():
            restored = np.clip(noisy / 255.0 - noise, 0.0, 1.0)
            restored_u8 = np.floor(restored * 255 + 0.5).astype(np.uint8)
            scores[level]["psnr"].append(metrics.psnr(restored_u8.astype(np.float64), clean.astype(np.float64), 255))
            scores[level]["ssim"].append(metrics.ssim(restored_u8.astype(np.float64), clean.astype(np.float64), 255))
            if args.save:
                _save_png(Path(args.save) / level / path.name, restored_u8)
    result = {"task": "denoising", "T": T, "sigma": args.sigma, "images": len(files)}
    for level in runner.levels:
        result[level] = {k: round(float(np.mean(v)), 4) for k, v in scores[level].items()}
    return result


def add_arguments(p, task: str) -> None:
    p.add_argument("--images", required=True)
    if task == "segmentation":
        p.add_argument("--labels", required=True)
    else:
        p.add_argument("--sigma", type=float, required=True)
        p.add_argument("--seed", type=int, default=0)
    p.add_argument("--config", help=f"U-Net config (default {DEFAULTS[task]['config']})")
    p.add_argument("--checkpoint", help=f"SNN .npz (default {DEFAULTS[task]['checkpoint']})")
    p.add_argument("--ann-checkpoint", help=f"ANN .npz (default {DEFAULTS[task]['ann_checkpoint']})")
    p.add_argument("--timesteps", type=int)
    p.add_argument("--levels", nargs="+", choices=LEVELS, default=list(LEVELS))
    p.add_argument("--save", help="write predictions as PNG under DIR/<level>/<input name>")


def print_result(result: dict) -> None:
    print(json.dumps(result))


def run_eval(args) -> int:
    """`python -m golden eval-seg|eval-denoise`: the last line is one JSON object."""
    print_result(eval_seg(args) if args.command == "eval-seg" else eval_denoise(args))
    return 0
