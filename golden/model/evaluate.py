"""Evaluation on any folder: ANN, float SNN and integer SNN, with the paper's metrics.

    python -m golden eval-seg --images DIR --labels DIR [--config C] [--checkpoint K] [--ann-checkpoint A]
                              [--timesteps T] [--levels ann snn_float snn_int] [--save DIR]
                              [--batch N] [--threads N] [--device cpu|cuda|auto] [--float-dtype float32|float64]
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

import copy
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
from golden import runtime
from golden.contract.fastmodel import FastModel
from golden.export.network import int_network
from golden.model.unet import (UNet, build_model, check_config_fits, load_unet_config, pad_to_multiple,
                               specs_from_dicts)

LEVELS = ("ann", "snn_float", "snn_int")
DEFAULTS = {
    "segmentation": {"config": "configs/unet_em_small.yaml", "checkpoint": "configs/models/em_unet_snn.npz",
                     "ann_checkpoint": "configs/models/em_unet_ann.npz"},
    "denoising": {"config": "configs/unet_bsd_small.yaml", "checkpoint": "configs/models/bsd_unet_snn.npz",
                  "ann_checkpoint": "configs/models/bsd_unet_ann.npz"},
}


# The committed denoisers, by image channels: the noise levels each was trained at (its config's data.sigmas).
# `eval-denoise --sigma S` without --checkpoint uses the one for the images' channels and S.
DENOISERS = (
    {"channels": 1, "sigmas": (15, 25, 50), "name": "grey", **DEFAULTS["denoising"]},
)


def committed_denoiser(channels: int, sigma: float) -> dict:
    """The committed denoiser for `channels`-channel images at noise level `sigma`, or an error listing those
    there are."""
    have = "; ".join(f"{d['name']} sigma {', '.join(map(str, d['sigmas']))}: {d['checkpoint']}" for d in DENOISERS)
    for d in DENOISERS:
        if d["channels"] == channels and sigma in d["sigmas"]:
            return d
    kind = {1: "grey", 3: "colour"}.get(channels, f"{channels}-channel")
    raise InputError(f"--sigma {sigma:g}: no committed {kind} denoiser for that noise level (committed: {have}); "
                     "pass --checkpoint, --ann-checkpoint and --config")


def _image_channels(folder: Path) -> int:
    """The channels of the folder's first image, as load_u8 reads it (and refuses it)."""
    return int(load_u8(list_images(folder)[0]).shape[0])


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
    if "specs_json" in arrays:  # the layer list (any imported model); the arch fields must agree with it
        try:
            items = json.loads(str(arrays["specs_json"]))
        except (json.JSONDecodeError, TypeError) as exc:
            raise ValueError(f"{path}: field specs_json is not valid JSON ({exc})") from None
        specs = specs_from_dicts(items, f"{path}: field specs_json")
        model = UNet(task=arch["task"], specs=specs).double()
        for key in ("in_channels", "out_channels", "base", "depth"):
            if getattr(model, key) != arch[key]:
                raise ValueError(f"{path}: field arch.{key} is {arch[key]}, the layers of specs_json give "
                                 f"{getattr(model, key)}")
    else:
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


def load_ann(path: str | Path, cfg: dict) -> UNet:
    """The float32 ANN for `cfg` from a golden.model.train checkpoint (.pt, the config's architecture) or an ANN
    .npz (any layer list that fits the config: an imported model need not be the config's U-Net)."""
    path = Path(path)
    if path.suffix == ".npz":
        model, info = load_model_npz(path)
        if info.get("normalisation"):
            raise ValueError(f"{path}: field normalisation is {info['normalisation']}: a converted SNN; pass the ANN "
                             "it came from (report: this file to --snn-ckpt)")
        check_config_fits(model, cfg, path)
    else:
        from golden.model.train import load_checkpoint

        model = build_model(cfg)
        model.load_state_dict(load_checkpoint(path)["model"])
    return model.float().eval()


def thresholds_log2(thresholds) -> list[int]:
    exps = []
    for th in thresholds:
        e = math.log2(float(th))
        if not e.is_integer():
            raise ValueError(f"threshold {th} is not a power of two: the integer contract needs 2^e thresholds")
        exps.append(int(e))
    return exps


class Runner:
    """Runs 8-bit images through each level; returns the head output per level (float, [C][H][W] per image).

    The three levels share the padding of each batch; the ANN and the float SNN run in `dtype` (float32 by
    default: what SpikingJelly or any deployment would use), the integer SNN in its exact types
    (golden.contract.fastmodel, which batches the T steps of each layer into one convolution while the frame's
    spike maps fit in memory), quantised once at construction. `snapshots`: also return A_t / t at these t
    (the dynamics do not depend on T, so one run gives every shorter window).
    """

    def __init__(self, ann: UNet | None, snn: UNet, timesteps: int, thresholds, compare: str, levels,
                 device="cpu", dtype=torch.float32, snapshots=()):
        self.T, self.compare, self.levels = timesteps, compare, tuple(levels)
        self.device, self.dtype = torch.device(device), dtype
        self.thresholds = tuple(float(t) for t in thresholds)
        self.snapshots = sorted({int(t) for t in snapshots} | {timesteps})
        self.int_layers = self.fast = None
        if "snn_int" in levels:  # quantised from the float64 weights, as the exporter does
            exps = thresholds_log2(thresholds)
            self.int_layers = int_network(copy.deepcopy(snn).double(), exps, timesteps)
            self.fast = FastModel(self.int_layers, exps, compare, timesteps, self.device)
        self.ann = None if ann is None else copy.deepcopy(ann).to(self.device, dtype).eval()
        self.snn_t = copy.deepcopy(snn).to(self.device, dtype).eval() if "snn_float" in self.levels else None
        self.multiple, self.in_channels = snn.multiple, snn.in_channels

    @torch.no_grad()
    def run_batch(self, images_u8: np.ndarray) -> dict[str, dict[int, np.ndarray]]:
        """images [N][C][H][W] uint8 -> {level: {t: output [N][C][H][W]}} (the ANN at key T)."""
        x = torch.from_numpy(np.asarray(images_u8).astype(np.float64) / 255.0).to(self.device, self.dtype)
        xp, (h, w) = pad_to_multiple(x, self.multiple)
        outs: dict[str, dict[int, np.ndarray]] = {}
        if "ann" in self.levels:
            outs["ann"] = {self.T: self.ann(xp)[:, :, :h, :w].double().cpu().numpy()}
        if "snn_float" in self.levels:
            r = simulate(self.snn_t, xp, self.T, self.thresholds, self.compare, snapshots=self.snapshots)
            outs["snn_float"] = {t: r.outputs_at[t][:, :, :h, :w].double().cpu().numpy() for t in self.snapshots}
        if "snn_int" in self.levels:
            padded_u8 = np.round(xp.double().cpu().numpy() * 255).astype(np.uint8)  # padding copies pixels
            accum = self.fast.outputs(padded_u8, at=self.snapshots)
            scale = 2.0 ** self.int_layers[-1].frac_bits
            outs["snn_int"] = {t: accum[t][:, :, :h, :w] / (t * scale) for t in self.snapshots}
        return outs

    def __call__(self, image_u8: np.ndarray) -> dict[str, np.ndarray]:
        """One image [C][H][W] -> {level: output [C][H][W] at T}."""
        return {k: v[self.T][0] for k, v in self.run_batch(np.asarray(image_u8)[None]).items()}


def batches(items: list, size: int, shape_of):
    """Consecutive runs of at most `size` items whose shape_of() agree (images of one size batch together)."""
    group: list = []
    for item in items:
        if group and (len(group) == size or shape_of(item) != shape_of(group[0])):
            yield group
            group = []
        group.append(item)
    if group:
        yield group


def _save_png(path: Path, array_u8: np.ndarray) -> None:
    import io

    from PIL import Image

    buf = io.BytesIO()
    img = array_u8[0] if array_u8.shape[0] == 1 else np.transpose(array_u8, (1, 2, 0))
    Image.fromarray(img).save(buf, format="PNG")
    write_bytes(path, buf.getvalue())


def setup(args, task: str):
    d = DEFAULTS[task]
    if task == "denoising" and not args.checkpoint:  # the committed model for the images' channels and sigma
        d = committed_denoiser(_image_channels(Path(args.images)), args.sigma)
        print(f"model: {d['checkpoint']} (committed {d['name']} denoiser, trained at sigma "
              f"{', '.join(map(str, d['sigmas']))}; --checkpoint chooses another)", flush=True)
    if args.timesteps is not None and args.timesteps < 1:
        raise InputError(f"--timesteps must be >= 1, got {args.timesteps}")
    if args.batch < 1:
        raise InputError(f"--batch must be >= 1, got {args.batch}")
    device = runtime.configure(args.threads, args.device)
    cfg = load_unet_config(resolve(args.config or d["config"]))
    if cfg["task"] != task:
        raise InputError(f"{args.config}: field task is {cfg['task']}, not {task}")
    snn_path = resolve(args.checkpoint or d["checkpoint"])
    snn, info = load_model_npz(snn_path)
    if snn.task != task:
        raise InputError(f"{snn_path}: field arch.task is {snn.task}: a {snn.task} model, not {task}")
    levels = tuple(args.levels)
    if not info.get("normalisation") and set(levels) & {"snn_float", "snn_int"}:
        print(f"note: {snn_path} is an ANN checkpoint (field normalisation missing): the SNN levels run its weights "
              "unnormalised; `python -m golden convert` it on your training images first", flush=True)
    ann = None
    if "ann" in levels:
        ann_path = resolve(args.ann_checkpoint or d["ann_checkpoint"])
        ann, _ = load_model_npz(ann_path)
        if ann.arch() != snn.arch():
            raise InputError(f"{ann_path}: field arch {ann.arch()} differs from the SNN checkpoint's {snn.arch()}")
    T = args.timesteps or info.get("timesteps") or cfg["snn"]["timesteps"][0]
    dtype = {"float32": torch.float32, "float64": torch.float64}[args.float_dtype]
    return Runner(ann, snn, T, cfg["snn"]["thresholds"], cfg["snn"]["compare"], levels, device, dtype), T


def _size(path: Path) -> tuple[int, int]:
    """Width and height from the file header (no decoding): which images can share a batch."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            return im.size
    except Exception:  # load_u8 reports it with its own message
        return (-1, -1)


def _binary_label(lab_path: Path, image: np.ndarray, img_path: Path) -> np.ndarray:
    label = load_u8(lab_path, channels=1)[0]
    if label.shape != image.shape[1:]:
        raise InputError(f"{lab_path}: label is {label.shape[1]}x{label.shape[0]}, its image "
                         f"{img_path} is {image.shape[2]}x{image.shape[1]}")
    values = np.unique(label)
    if not set(values.tolist()) <= {0, 255}:
        shown = ", ".join(str(v) for v in values[:6]) + (" ..." if len(values) > 6 else "")
        raise InputError(f"{lab_path}: a binary label holds only 0 (membrane) and 255 (interior); its "
                         f"values are {shown}")
    return (label == 255).astype(np.int64)  # 1 = interior (255), 0 = membrane


def eval_seg(args) -> dict:
    runner, T = setup(args, "segmentation")
    pairs = match_pairs(Path(args.images), Path(args.labels))
    preds = {k: [] for k in runner.levels}
    targets = []
    channels = runner.in_channels
    with tqdm(total=len(pairs), desc="eval-seg", unit="img") as bar:
        for group in batches(pairs, args.batch, lambda pair: _size(pair[0])):
            images = []
            for img_path, lab_path in group:
                image = load_u8(img_path, channels=channels)
                targets.append(_binary_label(lab_path, image, img_path))
                images.append(image)
            for level, out in runner.run_batch(np.stack(images)).items():
                for (img_path, _), o in zip(group, out[runner.T]):
                    pred = o.argmax(0)
                    preds[level].append(pred)
                    if args.save:
                        _save_png(Path(args.save) / level / img_path.name, (pred[None] * 255).astype(np.uint8))
            bar.update(len(group))
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
    channels = runner.in_channels
    with tqdm(total=len(files), desc="eval-denoise", unit="img") as bar:
        for group in batches(files, args.batch, _size):
            cleans, noisies = [], []
            for path in group:
                clean = load_u8(path, channels=channels)
                rng = np.random.default_rng([args.seed, zlib.crc32(path.name.encode())])
                cleans.append(clean)
                noisies.append(add_noise(clean, args.sigma, rng).astype(np.uint8))
            for level, out in runner.run_batch(np.stack(noisies)).items():
                for path, clean, noisy, noise in zip(group, cleans, noisies, out[runner.T]):
                    restored = np.clip(noisy / 255.0 - noise, 0.0, 1.0)
                    restored_u8 = np.floor(restored * 255 + 0.5).astype(np.uint8)
                    ref = clean.astype(np.float64)
                    scores[level]["psnr"].append(metrics.psnr(restored_u8.astype(np.float64), ref, 255))
                    scores[level]["ssim"].append(metrics.ssim(restored_u8.astype(np.float64), ref, 255))
                    if args.save:
                        _save_png(Path(args.save) / level / path.name, restored_u8)
            bar.update(len(group))
    result = {"task": "denoising", "T": T, "sigma": args.sigma, "images": len(files)}
    for level in runner.levels:
        result[level] = {k: round(float(np.mean(v)), 4) for k, v in scores[level].items()}
    return result


def add_arguments(p, task: str) -> None:
    p.add_argument("--images", required=True)
    if task == "segmentation":
        p.add_argument("--labels", required=True)
    else:
        p.add_argument("--sigma", type=float, required=True,
                       help="noise level; without --checkpoint the committed denoiser for it and the images' channels")
        p.add_argument("--seed", type=int, default=0)
    p.add_argument("--config", help=f"U-Net config (default {DEFAULTS[task]['config']})")
    p.add_argument("--checkpoint", help=f"SNN .npz (default {DEFAULTS[task]['checkpoint']})")
    p.add_argument("--ann-checkpoint", help=f"ANN .npz (default {DEFAULTS[task]['ann_checkpoint']})")
    p.add_argument("--timesteps", type=int)
    p.add_argument("--levels", nargs="+", choices=LEVELS, default=list(LEVELS))
    p.add_argument("--save", help="write predictions as PNG under DIR/<level>/<input name>")
    p.add_argument("--batch", type=int, default=4, help="images of one size run together (default 4)")
    p.add_argument("--float-dtype", choices=("float32", "float64"), default="float32",
                   help="type of the ANN and float SNN levels (the integer SNN is exact either way)")
    runtime.add_arguments(p)


def print_result(result: dict) -> None:
    print(json.dumps(result))


def run_eval(args) -> int:
    """`python -m golden eval-seg|eval-denoise`: the last line is one JSON object."""
    print_result(eval_seg(args) if args.command == "eval-seg" else eval_denoise(args))
    return 0
