"""Evaluation on any folder: ANN, float SNN and integer SNN, with the paper's metrics.

    python -m golden eval-seg --images DIR --labels DIR [--config C] [--checkpoint K] [--ann-checkpoint A]
                              [--timesteps T] [--at T1 T2 ...] [--levels ann snn_float snn_int] [--save DIR]
                              [--ignore-index I] [--batch N] [--threads N] [--device cpu|cuda|auto]
                              [--float-dtype float32|float64]
    python -m golden eval-denoise --images DIR --sigma S [--seed N] [--at T1 T2 ...] ...

Images and labels are matched by file name. The model's output channels say how labels are read:
- 2 (binary, EM layout): 0 = membrane, 255 = interior; F1 and Jaccard take the interior as the positive class,
  with ACC and mIoU over the 2 classes.
- more (multi-class, e.g. CamSeq01's 11): 8-bit grey or palette PNGs of class indices 0..classes-1; pixels equal
  to the ignore index (the config's data.ignore_index, or --ignore-index; CamSeq01: 11 = Void) are left out.
  Scores: pixel accuracy, mIoU over the classes present (golden.model.metrics.segmentation_scores, as the
  training-time golden.model.finetune.evaluate) and per-class IoU `iou` (null: a class in neither).
Denoising adds Gaussian noise of `sigma` (pixel units, seeded per file) to each clean image, rounds and clips it
to 8 bits (the integer SNN's input), and restores `noisy - noise map`.

`--at T1 T2 ...`: further time windows from the same run (the dynamics do not depend on T, so one run to the
longest window gives every shorter one, exactly); each SNN level then carries `"at": {"T1": {...}, ...}` beside
its scores at the main T. `--save DIR` writes each level's predictions at the main T under the input file names:
DIR/<level>/<name>.png (binary masks 0/255; multi-class the uint8 index map; denoised images 8-bit). The last
line printed is one JSON object.

Checkpoints are .npz (no pickle): `--checkpoint` the converted (and fine-tuned) SNN, `--ann-checkpoint` the ANN
it came from (golden.model.checkpoint.save_npz writes both kinds).
"""
from __future__ import annotations

import copy
import json
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
from golden.model.datasets import add_noise, check_sigma, list_images, match_pairs
from golden import runtime
from golden.contract.fastmodel import FastModel
from golden.contract.quant import timesteps_problem
from golden.export.network import int_network
from golden.model.checkpoint import load_model_npz
from golden.model.convert import thresholds_log2
from golden.model.unet import UNet, load_unet_config, pad_to_multiple

LEVELS = ("ann", "snn_float", "snn_int")
DEFAULTS = {
    "segmentation": {"config": "configs/unet_em.yaml", "checkpoint": "configs/models/em_unet_snn.npz",
                     "ann_checkpoint": "configs/models/em_unet_ann.npz"},
    "denoising": {"config": "configs/unet_bsd.yaml", "checkpoint": "configs/models/bsd_unet_s25_snn.npz",
                  "ann_checkpoint": "configs/models/bsd_unet_ann.npz"},
}


# The committed denoisers: one blind ANN per kind (grey, colour), trained at every noise level of its config's
# data.sigmas range, converted once per noise level of the paper (15, 25, 50) with the calibration crops at that
# noise level (`finetune --sigma S`). `eval-denoise --sigma S` without --checkpoint uses the conversion for the
# images' channels nearest to S (S in 10-55).
CALIBRATED_SIGMAS = (15, 25, 50)
DENOISERS = tuple(
    {"channels": ch, "sigmas": (10, 55), "name": name, "sigma": sig, "config": f"configs/unet_{stem}.yaml",
     "checkpoint": f"configs/models/{stem}_unet_s{sig}_snn.npz",
     "ann_checkpoint": f"configs/models/{stem}_unet_ann.npz"}
    for ch, name, stem in ((1, "grey", "bsd"), (3, "colour", "cbsd")) for sig in CALIBRATED_SIGMAS)


def committed_denoiser(channels: int, sigma: float) -> dict:
    """The committed denoiser for `channels`-channel images at noise level `sigma` (the conversion calibrated at
    the nearest of CALIBRATED_SIGMAS), or an error listing those there are."""
    have = "; ".join(f"{d['name']} sigma {d['sigmas'][0]}-{d['sigmas'][1]}: {d['checkpoint']}" for d in DENOISERS)
    fits = [d for d in DENOISERS if d["channels"] == channels and d["sigmas"][0] <= sigma <= d["sigmas"][1]]
    if fits:
        return min(fits, key=lambda d: (abs(d["sigma"] - sigma), d["sigma"]))
    kind = {1: "grey", 3: "colour"}.get(channels, f"{channels}-channel")
    raise InputError(f"--sigma {sigma:g}: no committed {kind} denoiser for that noise level (committed: {have}); "
                     "pass --checkpoint, --ann-checkpoint and --config")


def _image_channels(folder: Path) -> int:
    """The channels of the folder's first image, as load_u8 reads it (and refuses it)."""
    return int(load_u8(list_images(folder)[0]).shape[0])


class Runner:
    """Runs 8-bit images through each level; returns the head output per level (float, [C][H][W] per image).

    The three levels share the padding of each batch; the ANN and the float SNN run in `dtype` (float32 by
    default: what SpikingJelly or any deployment would use), the integer SNN in its exact types
    (golden.contract.fastmodel, which batches the T steps of each layer into one convolution while the frame's
    spike maps fit in memory), quantised once at construction. `snapshots`: also return A_t / t at these t
    (the dynamics do not depend on T, so one run gives every shorter window).
    """

    def __init__(self, ann: UNet | None, snn: UNet | None, timesteps: int, thresholds, compare: str, levels,
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
        shape_of = snn if snn is not None else ann  # the levels asked for load only their own checkpoints
        self.multiple, self.in_channels, self.out_channels = (shape_of.multiple, shape_of.in_channels,
                                                              shape_of.out_channels)

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


def _windows(args) -> list[int]:
    """The --at time windows (sorted, T itself allowed)."""
    at = sorted(set(args.at or ()))
    for t in at:
        if timesteps_problem(t):
            raise InputError(f"--at {timesteps_problem(t)}")
    return at


def setup(args, task: str):
    """(Runner, main T, --at windows, config). The Runner runs to the longest window; the main T and every --at
    window are its snapshots."""
    d = DEFAULTS[task]
    if task == "denoising" and not args.checkpoint:  # the committed model for the images' channels and sigma
        d = committed_denoiser(_image_channels(Path(args.images)), args.sigma)
        print(f"model: {d['checkpoint']} (committed blind {d['name']} denoiser, trained at sigma "
              f"{d['sigmas'][0]} to {d['sigmas'][1]}, converted at sigma {d['sigma']}; --checkpoint chooses "
              "another)", flush=True)
    if args.timesteps is not None and timesteps_problem(args.timesteps):
        raise InputError(f"--timesteps {timesteps_problem(args.timesteps)}")
    if args.batch < 1:
        raise InputError(f"--batch must be >= 1, got {args.batch}")
    device = runtime.configure(args.threads, args.device)
    cfg = load_unet_config(resolve(args.config or d["config"]))
    if cfg["task"] != task:
        raise InputError(f"{args.config}: field task is {cfg['task']}, not {task}")
    levels = tuple(args.levels)
    snn = ann = None
    info: dict = {}
    if set(levels) & {"snn_float", "snn_int"}:  # only the checkpoints of the levels asked for are loaded
        snn_path = resolve(args.checkpoint or d["checkpoint"])
        snn, info = load_model_npz(snn_path)
        if snn.task != task:
            raise InputError(f"{snn_path}: field arch.task is {snn.task}: a {snn.task} model, not {task}")
        if not info.get("normalisation"):
            print(f"note: {snn_path} is an ANN checkpoint (field normalisation missing): the SNN levels run its "
                  "weights unnormalised; `python -m golden convert` it on your training images first", flush=True)
    if "ann" in levels:
        ann_path = resolve(args.ann_checkpoint or d["ann_checkpoint"])
        ann, _ = load_model_npz(ann_path)
        if ann.task != task:
            raise InputError(f"{ann_path}: field arch.task is {ann.task}: a {ann.task} model, not {task}")
        if snn is not None and ann.arch() != snn.arch():
            raise InputError(f"{ann_path}: field arch {ann.arch()} differs from the SNN checkpoint's {snn.arch()}")
    T = args.timesteps or info.get("timesteps") or cfg["snn"]["timesteps"][0]
    at = _windows(args)
    dtype = {"float32": torch.float32, "float64": torch.float64}[args.float_dtype]
    runner = Runner(ann, snn, max([T, *at]), cfg["snn"]["thresholds"], cfg["snn"]["compare"], levels, device,
                    dtype, snapshots=(T, *at))
    return runner, T, at, cfg


def _outputs(runner: Runner, images_u8: np.ndarray, T: int) -> dict[str, dict[int, np.ndarray]]:
    """{level: {t: output}} at the main T and each window; the ANN has no time, its one output is filed at T."""
    outs = runner.run_batch(images_u8)
    if "ann" in outs:
        outs["ann"] = {T: outs["ann"][runner.T]}
    return outs


def _with_windows(runner: Runner, T: int, at: list[int], score) -> dict:
    """result[level] = score(level, T), plus "at": {str(t): score(level, t)} for the SNN levels when --at."""
    result = {}
    for level in runner.levels:
        result[level] = score(level, T)
        if at and level != "ann":
            result[level]["at"] = {str(t): score(level, t) for t in at}
    return result


def _size(path: Path) -> tuple[int, int]:
    """Width and height from the file header (no decoding): which images can share a batch."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            return im.size
    except Exception:  # load_u8 reports it with its own message
        return (-1, -1)


def _check_size(label: np.ndarray, lab_path: Path, image: np.ndarray, img_path: Path) -> None:
    if label.shape != image.shape[1:]:
        raise InputError(f"{lab_path}: label is {label.shape[1]}x{label.shape[0]}, its image "
                         f"{img_path} is {image.shape[2]}x{image.shape[1]}")


def _binary_label(lab_path: Path, image: np.ndarray, img_path: Path) -> np.ndarray:
    label = load_u8(lab_path, channels=1)[0]
    _check_size(label, lab_path, image, img_path)
    values = np.unique(label)
    if not set(values.tolist()) <= {0, 255}:
        shown = ", ".join(str(v) for v in values[:6]) + (" ..." if len(values) > 6 else "")
        raise InputError(f"{lab_path}: a binary label holds only 0 (membrane) and 255 (interior); its "
                         f"values are {shown}")
    return (label == 255).astype(np.int64)  # 1 = interior (255), 0 = membrane


def _read_indices(lab_path: Path, classes: int) -> np.ndarray:
    """A class-index label [H][W]: an 8-bit grey PNG, or a palette PNG read as its indices (not its colours)."""
    from PIL import Image

    try:
        with Image.open(lab_path) as im:
            if im.mode == "P":
                return np.asarray(im, dtype=np.uint8)
    except Exception:  # load_u8 reports it with its own message
        pass
    label = load_u8(lab_path)
    if label.shape[0] != 1:
        raise InputError(f"{lab_path}: a class-index label has one channel (grey or palette PNG of indices "
                         f"0..{classes - 1}), this one has {label.shape[0]}; map colour labels to indices first")
    return label[0]


def _index_label(lab_path: Path, image: np.ndarray, img_path: Path, classes: int, ignore: int | None) -> np.ndarray:
    """The multi-class label as uint8 indices; a value that is neither a class nor the ignore index is refused."""
    label = _read_indices(lab_path, classes)
    _check_size(label, lab_path, image, img_path)
    values = np.unique(label)
    bad = [int(v) for v in values if v >= classes and v != ignore]
    if bad:
        kept = "no ignore index (--ignore-index or the config's data.ignore_index sets one)" if ignore is None \
            else f"ignore index {ignore}"
        raise InputError(f"{lab_path}: label value {bad[0]} is not a class of this {classes}-class model "
                         f"(0..{classes - 1}) nor the ignored value ({kept})")
    return label


def _ignore_index(args, cfg: dict, classes: int) -> int | None:
    """--ignore-index, else the config's data.ignore_index; binary models ignore nothing (as always)."""
    if classes == 2:
        if args.ignore_index is not None:
            raise InputError(f"--ignore-index {args.ignore_index}: for multi-class models only; this one has 2 "
                             "classes (labels 0/255, every pixel scored)")
        return None
    ignore = args.ignore_index if args.ignore_index is not None else cfg["data"].get("ignore_index")
    return None if ignore is None else int(ignore)


def _seg_scores(pred: np.ndarray, target: np.ndarray, classes: int, ignore: int | None) -> dict:
    """metrics.segmentation_scores (the training-time numbers), plus per-class IoU when multi-class."""
    scores = {k: round(float(v), 5) for k, v in metrics.segmentation_scores(pred, target, classes, ignore).items()}
    if classes > 2:
        ious = metrics.iou_per_class(pred, target, classes, ignore)
        scores["iou"] = [None if np.isnan(v) else round(float(v), 5) for v in ious]
    return scores


def _mask_png(pred: np.ndarray, classes: int) -> np.ndarray:
    """What --save writes: binary 0/255, multi-class the index map (uint8 [1][H][W])."""
    return (pred[None] * 255).astype(np.uint8) if classes == 2 else pred[None].astype(np.uint8)


def eval_seg(args) -> dict:
    runner, T, at, cfg = setup(args, "segmentation")
    classes = runner.out_channels
    ignore = _ignore_index(args, cfg, classes)
    if args.save and classes > 256:
        raise InputError(f"--save: a {classes}-class index map does not fit an 8-bit PNG")
    index_dtype = np.uint8 if classes <= 256 else np.int64  # a frame's map per level and window: keep it small
    pairs = match_pairs(Path(args.images), Path(args.labels))
    preds: dict[tuple[str, int], list] = {}
    targets = []
    channels = runner.in_channels
    with tqdm(total=len(pairs), desc="eval-seg", unit="img") as bar:
        for group in batches(pairs, args.batch, lambda pair: _size(pair[0])):
            images = []
            for img_path, lab_path in group:
                image = load_u8(img_path, channels=channels)
                targets.append(_binary_label(lab_path, image, img_path) if classes == 2 else
                               _index_label(lab_path, image, img_path, classes, ignore))
                images.append(image)
            for level, outs in _outputs(runner, np.stack(images), T).items():
                for t, out in outs.items():
                    for (img_path, _), o in zip(group, out):
                        pred = o.argmax(0).astype(index_dtype)
                        preds.setdefault((level, t), []).append(pred)
                        if args.save and t == T:
                            _save_png(Path(args.save) / level / img_path.name, _mask_png(pred, classes))
            bar.update(len(group))
    target = np.concatenate([a.ravel() for a in targets]).astype(np.int64)
    if ignore is not None and not np.any(target != ignore):
        raise InputError(f"{args.labels}: every label pixel is the ignore index {ignore}: nothing to score")
    result = {"task": "segmentation", "T": T, "images": len(pairs)}
    if classes > 2:
        result.update(classes=classes, ignore_index=ignore)
    result.update(_with_windows(runner, T, at, lambda level, t: _seg_scores(
        np.concatenate([a.ravel() for a in preds[(level, t)]]), target, classes, ignore)))
    return result


def eval_denoise(args) -> dict:
    try:
        check_sigma(args.sigma)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    runner, T, at, _ = setup(args, "denoising")
    files = list_images(Path(args.images))
    scores: dict[tuple[str, int], dict[str, list]] = {}
    channels = runner.in_channels
    with tqdm(total=len(files), desc="eval-denoise", unit="img") as bar:
        for group in batches(files, args.batch, _size):
            cleans, noisies = [], []
            for path in group:
                clean = load_u8(path, channels=channels)
                rng = np.random.default_rng([args.seed, zlib.crc32(path.name.encode())])
                cleans.append(clean)
                noisies.append(add_noise(clean, args.sigma, rng).astype(np.uint8))
            for level, outs in _outputs(runner, np.stack(noisies), T).items():
                for t, out in outs.items():
                    s = scores.setdefault((level, t), {"psnr": [], "ssim": []})
                    for path, clean, noisy, noise in zip(group, cleans, noisies, out):
                        restored = np.clip(noisy / 255.0 - noise, 0.0, 1.0)
                        restored_u8 = np.floor(restored * 255 + 0.5).astype(np.uint8)
                        ref = clean.astype(np.float64)
                        s["psnr"].append(metrics.psnr(restored_u8.astype(np.float64), ref, 255))
                        s["ssim"].append(metrics.ssim(restored_u8.astype(np.float64), ref, 255))
                        if args.save and t == T:
                            _save_png(Path(args.save) / level / path.name, restored_u8)
            bar.update(len(group))
    result = {"task": "denoising", "T": T, "sigma": args.sigma, "images": len(files)}
    result.update(_with_windows(runner, T, at, lambda level, t: {
        k: round(float(np.mean(v)), 4) for k, v in scores[(level, t)].items()}))
    return result


def add_arguments(p, task: str) -> None:
    p.add_argument("--images", required=True)
    if task == "segmentation":
        p.add_argument("--labels", required=True,
                       help="same-named label PNGs: 0/255 for a binary model, class indices for a multi-class one")
        p.add_argument("--ignore-index", type=int,
                       help="multi-class models: the label value left out of every score (default: the config's "
                            "data.ignore_index, CamSeq01 11 = Void)")
    else:
        p.add_argument("--sigma", type=float, required=True,
                       help="noise level; without --checkpoint the committed denoiser for it and the images' channels")
        p.add_argument("--seed", type=int, default=0)
    p.add_argument("--config", help=f"U-Net config (default {DEFAULTS[task]['config']})")
    p.add_argument("--checkpoint", help=f"SNN .npz (default {DEFAULTS[task]['checkpoint']})")
    p.add_argument("--ann-checkpoint", help=f"ANN .npz (default {DEFAULTS[task]['ann_checkpoint']})")
    p.add_argument("--timesteps", type=int, help="the main time window T (default: the checkpoint's, else the "
                                                  "config's first snn.timesteps)")
    p.add_argument("--at", type=int, nargs="+", metavar="T",
                   help="further time windows scored in the same run (one run to the longest), under \"at\" per "
                        "SNN level")
    p.add_argument("--levels", nargs="+", choices=LEVELS, default=list(LEVELS))
    p.add_argument("--save", help="write predictions at the main T as PNG under DIR/<level>/<input name> "
                                  "(binary masks 0/255, multi-class uint8 index maps, denoised images)")
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
