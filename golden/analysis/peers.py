"""SpikingJelly 2.0.0's ANN-to-SNN conversion (IF neurons) as a peer of our Spiking-UNet, on the same ANN and
the same EM slices.

- `FXUNet(unet)`: a torch.fx-traceable copy of `golden.model.unet.UNet` (same weights, same ops: Conv2d,
  AvgPool2d(2), ConvTranspose2d(k3, s2, p1, op1), `torch.cat` with the encoder feature first, an `nn.ReLU`
  module after every spiking layer (conv, pool, upconv), the head without ReLU). Its forward equals
  `UNet.forward` exactly (tests/analysis/test_peers.py); unlike `UNet.forward` it has no input checks and no
  `del` of dict entries, and its ReLUs are modules, which is what SpikingJelly's converter replaces.
- `convert_spikingjelly(ann, calib)`: `ann2snn.Converter(RateCodingRecipe(dataloader=[calib], mode="99.9%"))`:
  fx trace, one VoltageHook per ReLU, calibration on one batch (the 99.9th percentile of each ReLU's output
  over the whole batch, zeros included, torch.quantile: linear interpolation like our own calibration), then
  each ReLU becomes `VoltageScaler(1 / lambda) -> IFNode(v_threshold=1, soft reset) -> VoltageScaler(lambda)`
  (layer-wise threshold balancing; one lambda per ReLU, a pool's own too).
- `sweep_spikingjelly(...)`: the converted SNN with static (direct) input coding, single-step mode, one run
  to t_max per image (neurons reset between images); the output averaged over the first t steps gives F1 for
  every t = 1..t_max, scored as `golden/model/evaluate.py:eval_seg` does (argmax over the 2 channels, class
  1 = interior = label 255, `metrics.binary_scores` over the concatenated pixels of all images).

Calibration uses training data only: by default `calibration_crops()`, the same batch our own conversion
calibrates on (`golden.model.finetune.calibration_batch`: the first `snn.calibration_images` = 8 random
128x128 crops of epoch 0 from the config's training slices 0-19); `calibration_slices()` gives whole training
slices instead. Evaluation: `EVAL_SLICES` (20-23, held out from training).

SpikingJelly is an optional extra (`make peers`); `spikingjelly_available()` says whether it imports. Only this
module's conversion and sweep need it; `FXUNet` does not.

Reproduce the measurement (1 thread, then 2):

    OMP_NUM_THREADS=1 .venv/bin/python -m golden.analysis.peers --threads 1 --t-max 64
    OMP_NUM_THREADS=2 .venv/bin/python -m golden.analysis.peers --threads 2 --t-max 64
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from golden.errors import resolve
from golden.model import metrics
from golden.model.checkpoint import load_model_npz
from golden.model.datasets import EMTrain, load_em_pairs
from golden.model.finetune import calibration_batch
from golden.model.unet import INPUT, Op, UNet, load_unet_config

ANN_CHECKPOINT = "configs/models/em_unet_ann.npz"
CONFIG = "configs/unet_em.yaml"
EVAL_SLICES = (20, 21, 22, 23)
CALIB_SLICES = tuple(range(8))  # whole-slice calibration alternative: training slices 0-7
PERCENTILE_MODE = "99.9%"


def spikingjelly_available() -> bool:
    """True when SpikingJelly's ann2snn imports (the optional `peers` extra is installed)."""
    try:
        import spikingjelly.activation_based.ann2snn  # noqa: F401
        import spikingjelly.activation_based.functional  # noqa: F401
    except Exception:
        return False
    return True


def spikingjelly_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("spikingjelly")
    except PackageNotFoundError:
        return None


# ------------------------------------------------------------------------------------ the fx-traceable ANN

class FXUNet(nn.Module):
    """torch.fx-traceable copy of a `UNet`: the same layers in the same order, ReLU as `nn.ReLU` modules.

    `convs[name]` are deep copies of `unet.layers[name]` (the original is left untouched), `relus[name]` one
    `nn.ReLU` per spiking layer, `pools[name]` one `nn.AvgPool2d(2)` per pool layer."""

    def __init__(self, unet: UNet):
        super().__init__()
        self.specs = list(unet.specs)
        self.task = unet.task
        self.convs = nn.ModuleDict({l.name: copy.deepcopy(unet.layers[l.name]) for l in self.specs if l.has_params})
        self.pools = nn.ModuleDict({l.name: nn.AvgPool2d(2) for l in self.specs if l.kind == Op.POOL})
        self.relus = nn.ModuleDict({l.name: nn.ReLU() for l in self.specs if l.spiking})
        self.train(unet.training)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        acts = {INPUT: x}
        for layer in self.specs:  # unrolled by fx: the loop depends on the layer list only, not on x
            srcs = [acts[s] for s in layer.sources]
            if layer.kind == Op.CONCAT:
                y = torch.cat(srcs, dim=1)  # (encoder feature, upconv), in this order
            elif layer.kind == Op.POOL:
                y = self.pools[layer.name](srcs[0])
            else:
                y = self.convs[layer.name](srcs[0])
            acts[layer.name] = self.relus[layer.name](y) if layer.spiking else y
        return acts[self.specs[-1].name]


# ------------------------------------------------------------------------------------------------- data

def _as_input(images) -> torch.Tensor:
    """uint8 [N][C][H][W] (numpy or torch) -> float32 p / 255; a float tensor is taken as x already."""
    if isinstance(images, np.ndarray):
        images = torch.from_numpy(np.ascontiguousarray(images))
    if images.dtype == torch.uint8:
        return images.to(torch.float32) / 255.0
    return images.to(torch.float32)


def calibration_crops(config: str | Path = CONFIG, data_root=None) -> torch.Tensor:
    """The batch our own conversion calibrates on (float32 [n][1][crop][crop], x = p / 255): the first
    `snn.calibration_images` training items of epoch 0 (random crops of the training slices), exactly
    `golden.model.finetune.calibration_batch` on the config's training set."""
    cfg = load_unet_config(resolve(config))
    d, t, n = cfg["data"], cfg["train"], cfg["snn"]["calibration_images"]
    if d["dataset"] != "em":
        raise ValueError(f"{config}: field data.dataset is {d['dataset']!r}, the peer sweep is for EM")
    # the training set as golden.model.datasets.build_datasets builds it (without loading the validation set)
    train = EMTrain(d.get("train_slices", list(range(20))), d["crop"], t["steps_per_epoch"] * t["batch_size"],
                    data_root, int(t.get("seed", 0)), rot90=bool(d.get("rot90", False)))
    return calibration_batch(train, n).to(torch.float32)


def calibration_slices(indices=CALIB_SLICES, data_root=None) -> np.ndarray:
    """Whole training slices (default 0-7) as uint8 [n][1][512][512]."""
    if any(int(i) in EVAL_SLICES for i in indices):
        raise ValueError(f"calibration slices {list(indices)} overlap the evaluation slices {list(EVAL_SLICES)}")
    return load_em_pairs(indices, data_root)[0]


def eval_slices(indices=EVAL_SLICES, data_root=None) -> tuple[np.ndarray, np.ndarray]:
    """The evaluation slices: uint8 images [N][1][512][512] and int64 labels [N][512][512] (1 = interior)."""
    images, labels, _ = load_em_pairs(indices, data_root)
    return images, labels


def load_ann(path: str | Path = ANN_CHECKPOINT) -> UNet:
    """The committed ANN (float64, as `load_model_npz` returns it)."""
    return load_model_npz(resolve(path))[0]


# -------------------------------------------------------------------------------------------- conversion

def convert_spikingjelly(ann: UNet, calib_images, mode: str = PERCENTILE_MODE) -> nn.Module:
    """SpikingJelly 2.0.0 ann2snn on a float32 `FXUNet` copy of `ann`, calibrated on `calib_images` (one batch,
    uint8 or float x; training data only). Returns the converted fx.GraphModule (single-step IF neurons)."""
    from spikingjelly.activation_based import ann2snn

    fx_ann = FXUNet(ann).float().eval()
    batch = _as_input(calib_images)
    recipe = ann2snn.RateCodingRecipe(dataloader=[batch], mode=mode)
    snn = ann2snn.Converter(recipe, device="cpu").convert(fx_ann)
    return snn.eval()


def if_thresholds(snn: nn.Module, unet: UNet) -> dict[str, float]:
    """lambda of each converted ReLU (the `scaler1` gain after its IF node), keyed by our layer name.

    The recipe names its neurons `relus.spiking_<i>`, i counting the ReLU nodes in graph order, which is the
    order of the spiking layers in `unet.specs`."""
    from spikingjelly.activation_based.ann2snn.modules import VoltageScaler

    spiking = [l.name for l in unet.specs if l.spiking]
    out = {}
    for name, m in snn.named_modules():
        if name.startswith("relus.spiking_") and name.endswith(".scaler1") and isinstance(m, VoltageScaler):
            out[spiking[int(name[len("relus.spiking_"): -len(".scaler1")])]] = float(m.scale)
    if sorted(out) != sorted(spiking):
        raise AssertionError(f"converted IF layers {sorted(out)} are not the spiking layers {sorted(spiking)}")
    return {k: out[k] for k in spiking}


def _scores(preds: list[np.ndarray], targets: np.ndarray) -> dict[str, float]:
    p = np.concatenate([a.ravel() for a in preds])
    return metrics.binary_scores(p, targets, positive=1)


def steps_to_within(f1_by_t, target: float, margin: float = 0.01) -> int | None:
    """The first t (1-based) with f1_by_t[t - 1] >= target - margin; None if none."""
    for t, f in enumerate(f1_by_t, start=1):
        if f >= target - margin:
            return t
    return None


@torch.no_grad()
def sweep_spikingjelly(ann: UNet, images, labels, t_max: int, calib_images, threads: int = 1,
                       progress: bool = True) -> dict:
    """Convert `ann` with SpikingJelly (calibrated on `calib_images`) and run it with static input coding for
    t_max steps on each image (uint8 [N][1][H][W], labels [N][H][W] with 1 = interior, or 0/255).

    Returns {"f1": F1 at t = 1..t_max, "ann_f1": F1 of the (float32) ANN, "step_s": median seconds of one time
    step of one image (wall clock of the SNN's forward, measured in this run), "step_cpu_s": the same in process
    CPU time (all threads; with 1 thread a check of step_s on a busy machine), "loadavg": the 1-minute load
    average before and after the run, "t_max", "threads", "images", "mae": mean
    |SNN output averaged over t steps - ANN output| at every t, "thresholds": lambda per IF layer,
    "spikingjelly": version}. F1 as eval_seg: argmax over the channels, positive class 1, pooled pixels."""
    if t_max < 1:
        raise ValueError(f"t_max must be >= 1, got {t_max}")
    images = np.asarray(images)
    labels = np.asarray(labels)
    if images.ndim != 4 or images.dtype != np.uint8:
        raise ValueError(f"images must be uint8 [N][C][H][W], got {images.dtype} {images.shape}")
    if labels.shape != (images.shape[0],) + images.shape[2:]:
        raise ValueError(f"labels must be [N][H][W] = {(images.shape[0],) + images.shape[2:]}, got {labels.shape}")
    values = set(np.unique(labels).tolist())
    if values <= {0, 255} and 255 in values:
        labels = (labels == 255).astype(np.int64)
    elif not values <= {0, 1}:
        raise ValueError(f"labels must be 0/1 class indices or 0/255 masks, got values {sorted(values)[:6]}")
    targets = np.concatenate([lab.ravel() for lab in labels]).astype(np.int64)
    from spikingjelly.activation_based import functional
    from tqdm import tqdm

    old_threads = torch.get_num_threads()
    torch.set_num_threads(int(threads))
    try:
        fx_ann = FXUNet(ann).float().eval()
        snn = convert_spikingjelly(ann, calib_images)
        preds = [[] for _ in range(t_max)]
        ann_preds, step_times, step_cpu = [], [], []
        load0 = os.getloadavg()[0]
        mae = np.zeros(t_max)
        bar = tqdm(range(len(images)), desc=f"spikingjelly T={t_max}", unit="img", disable=not progress)
        for n in bar:
            x = _as_input(images[n : n + 1])
            ann_out = fx_ann(x)
            ann_preds.append(ann_out.argmax(1)[0].numpy().astype(np.uint8))
            functional.reset_net(snn)
            acc = None
            for t in range(1, t_max + 1):
                t0, c0 = time.perf_counter(), time.process_time()
                out = snn(x)  # static coding: the same analog image every step
                acc = out.clone() if acc is None else acc.add_(out)
                step_times.append(time.perf_counter() - t0)
                step_cpu.append(time.process_time() - c0)
                avg = acc / t
                preds[t - 1].append(avg.argmax(1)[0].numpy().astype(np.uint8))
                mae[t - 1] += float((avg - ann_out).abs().mean()) / len(images)
            bar.set_postfix(step_s=f"{statistics.median(step_times):.3f}")
        functional.reset_net(snn)
        load1 = os.getloadavg()[0]
        thresholds = if_thresholds(snn, ann)
    finally:
        torch.set_num_threads(old_threads)
    return {"f1": [_scores(p, targets)["f1"] for p in preds], "ann_f1": _scores(ann_preds, targets)["f1"],
            "step_s": statistics.median(step_times), "step_cpu_s": statistics.median(step_cpu),
            "loadavg": [round(load0, 2), round(load1, 2)], "t_max": int(t_max), "threads": int(threads),
            "images": int(len(images)), "mae": mae.tolist(), "thresholds": thresholds,
            "spikingjelly": spikingjelly_version()}


# ----------------------------------------------------------------------------------------------- command

def peer_sweep(threads: int = 1, t_max: int = 64, margin: float = 0.01, calib: str = "crops",
               slices=EVAL_SLICES, ann_path: str | Path = ANN_CHECKPOINT, config: str | Path = CONFIG,
               data_root=None, progress: bool = True) -> dict:
    """The measurement in one call: the committed ANN, SpikingJelly's conversion calibrated on our training
    crops (`calib="crops"`) or on whole training slices 0-7 (`"slices"`), swept on the evaluation slices.
    `sweep_spikingjelly`'s dict plus "within" (the first t within `margin` of the ANN F1, or None), "margin",
    "calib", "slices". Set OMP_NUM_THREADS to `threads` before the process starts for a clean timing."""
    if calib not in ("crops", "slices"):
        raise ValueError(f"calib must be 'crops' or 'slices', got {calib!r}")
    train = set(load_unet_config(resolve(config))["data"].get("train_slices", range(20))) | set(CALIB_SLICES)
    if train & {int(i) for i in slices}:
        raise ValueError(f"evaluation slices {sorted(train & {int(i) for i in slices})} are training slices of "
                         f"{config} (calibration data): evaluate on held-out slices, e.g. {list(EVAL_SLICES)}")
    ann = load_ann(ann_path)
    images, labels = eval_slices(slices, data_root)
    calib_images = (calibration_crops(config, data_root) if calib == "crops"
                    else calibration_slices(CALIB_SLICES, data_root))
    r = sweep_spikingjelly(ann, images, labels, t_max, calib_images, threads=threads, progress=progress)
    r.update(within=steps_to_within(r["f1"], r["ann_f1"], margin), margin=margin, calib=calib,
             slices=[int(i) for i in slices])
    return r


def summary_line(r: dict) -> str:
    """PEER spikingjelly <version> ann_f1=... within <margin> at T=... step_s=... threads=... s_per_slice=...
    (cpu/step=... s, load a->b)"""
    s = "n/a" if r["within"] is None else f"{r['within'] * r['step_s']:.3f}"
    return (f"PEER spikingjelly {r['spikingjelly']} ann_f1={r['ann_f1']:.4f} within {r['margin']} at T={r['within']} "
            f"step_s={r['step_s']:.4f} threads={r['threads']} s_per_slice={s} (cpu/step={r['step_cpu_s']:.4f} s, "
            f"load {r['loadavg'][0]:.2f}->{r['loadavg'][1]:.2f})")


def main(argv=None) -> int:
    """`python -m golden.analysis.peers`: the SpikingJelly sweep on the committed ANN and slices 20-23; prints
    F1 by t, the PEER summary line and one JSON object as the last line."""
    ap = argparse.ArgumentParser(prog="python -m golden.analysis.peers", description=main.__doc__)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--t-max", type=int, default=64)
    ap.add_argument("--margin", type=float, default=0.01)
    ap.add_argument("--ann", default=ANN_CHECKPOINT)
    ap.add_argument("--config", default=CONFIG)
    ap.add_argument("--slices", type=int, nargs="+", default=list(EVAL_SLICES))
    ap.add_argument("--calib", choices=("crops", "slices"), default="crops",
                    help="crops: our own calibration batch (default); slices: whole training slices 0-7")
    ap.add_argument("--data-root")
    ap.add_argument("--out", help="also write the result JSON here")
    args = ap.parse_args(argv)
    if not spikingjelly_available():
        print("error: SpikingJelly is not installed (make peers)", file=sys.stderr)
        return 2
    torch.set_num_threads(args.threads)
    try:
        r = peer_sweep(args.threads, args.t_max, args.margin, args.calib, args.slices, args.ann, args.config,
                       args.data_root)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for t, f in enumerate(r["f1"], start=1):
        print(f"t={t:3d} f1={f:.4f}")
    print(summary_line(r))
    line = json.dumps(r)
    if args.out:
        Path(args.out).write_text(line + "\n")
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
