"""Fine-tuning of the converted Spiking-UNet with the accumulated spiking flow (paper §3.4, Algorithm 1).

One step:
1. a T-step SNN run without autograd (golden/model/convert.py `simulate`) records per neuron layer the accumulated
   input current I_in = sum_t C(t) and output flow I_out = sum_t o(t);
2. one differentiable pass over the layer list whose forward value at each neuron layer is the output flow
   (as a rate, I_out / T) and whose gradient is the straight-through mask [I_in > 0] (eq. 10, Algorithm 1
   line 13): a = I_out/T + mask * (z - z.detach()), z = W~ a_src + b~ (pool: avgpool(a_src));
3. the head value is then W~ (I_out_src / T) + b~ = A_T / T, exactly the network output of `simulate`
   (the output rule of golden/model/convert.py), and the loss is taken on it: cross-entropy for segmentation, L1
   against the true noise map (noisy - clean) for denoising (eq. 12).

Differences from Algorithm 1, both only a constant scale: flows are used as rates (divided by T), so the
gradients are those of the paper divided by T; and the segmentation cross-entropy is on A_T / T rather than on
A_T, so that the loss of the freshly converted SNN equals the ANN's loss in the rate limit.

CLI: `python -m golden.model.finetune --config C --ckpt DIR/last.pt --out DIR [--method connection_wise]
[--timesteps T] [--epochs N] [--steps S] [--lr LR] [--eval-T 10 20 ...] [--limit N]` converts a trained ANN,
evaluates the ANN and the SNN (both normalisations), optionally fine-tunes and writes `snn_<method>.npz` and
`finetune.json`.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from golden.atomic import write_text
from golden.contract.quant import timesteps_problem
from golden.model import metrics
from golden.model.checkpoint import load_ann, save_npz
from golden.model.convert import METHODS, MT_THRESHOLDS, calibrate, normalise, parse_calibration_target, simulate
from golden.model.datasets import build_datasets, check_sigma
from golden.model.unet import INPUT, UNet, apply_layer, load_unet_config, pad_to_multiple


def flow_forward(snn: UNet, x: torch.Tensor, flow_in: dict, flow_out: dict, timesteps: int) -> torch.Tensor:
    """The differentiable pass of Algorithm 1; returns the head output A_T / T with gradients."""
    acts: dict[str, torch.Tensor] = {INPUT: x}
    for layer in snn.specs:
        z = apply_layer(layer, snn.layers[layer.name] if layer.has_params else None,
                        [acts[s] for s in layer.sources])
        if layer.spiking:
            rate = (flow_out[layer.name] / timesteps).to(z.dtype)
            mask = (flow_in[layer.name] > 0).to(z.dtype)
            acts[layer.name] = rate + mask * (z - z.detach())
        else:
            acts[layer.name] = z
    return acts[snn.specs[-1].name]


def task_loss(task: str, out: torch.Tensor, x: torch.Tensor, target: torch.Tensor,
              ignore_index: int = -100) -> torch.Tensor:
    if task == "segmentation":
        return F.cross_entropy(out, target, ignore_index=ignore_index)
    return F.l1_loss(out, x - target)  # target = clean image; the network predicts the noise map


def snn_loss(snn: UNet, x, target, timesteps: int, thresholds=MT_THRESHOLDS, compare: str = "gt",
             ignore_index: int = -100) -> float:
    """The loss of the SNN as it runs (no gradient)."""
    out = simulate(snn, x, timesteps, thresholds, compare).output
    return float(task_loss(snn.task, out, x, target, ignore_index))


def finetune_step(snn: UNet, opt: torch.optim.Optimizer, x: torch.Tensor, target: torch.Tensor, timesteps: int,
                  thresholds=MT_THRESHOLDS, compare: str = "gt", ignore_index: int = -100) -> float:
    """One Algorithm-1 update; returns the loss of the SNN output before the update."""
    sim = simulate(snn, x, timesteps, thresholds, compare, record_flows=True)
    out = flow_forward(snn, x, sim.flow_in, sim.flow_out, timesteps)
    loss = task_loss(snn.task, out, x, target, ignore_index)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return float(loss.detach())


# -------------------------------------------------------------------------------------------- evaluation

@torch.no_grad()
def evaluate(model: UNet, dataset, task: str, snn_T=(), thresholds=MT_THRESHOLDS, compare: str = "gt",
             classes: int = 2, ignore_index: int | None = None, limit: int | None = None) -> dict:
    """Scores of the ANN (snn_T empty) or of the SNN at each T in snn_T (one run to max T, snapshots).

    Segmentation: F1 / Jaccard / ACC pooled over all pixels (binary) and mIoU; denoising: mean PSNR and SSIM
    over images on the 8-bit scale (restored image clipped to [0, 1]).
    """
    keys = list(snn_T) if snn_T else ["ann"]
    preds: dict = {k: [] for k in keys}
    targets = []
    scores: dict = {k: {"psnr": [], "ssim": []} for k in keys}
    n = len(dataset) if limit is None else min(limit, len(dataset))
    param = next(model.parameters())
    for i in range(n):
        x, y = dataset[i]
        x = x[None]
        xp, (h, w) = pad_to_multiple(x, model.multiple)
        xp = xp.to(device=param.device, dtype=param.dtype)
        if snn_T:
            r = simulate(model, xp, max(snn_T), thresholds, compare, snapshots=snn_T)
            outs = {t: r.outputs_at[t][..., :h, :w].cpu() for t in snn_T}
        else:
            outs = {"ann": model(xp)[..., :h, :w].cpu()}
        for k, out in outs.items():
            if task == "segmentation":
                preds[k].append(out.argmax(1)[0].numpy())
            else:
                restored = (x - out.to(x.dtype)).clamp(0, 1)[0]
                scores[k]["psnr"].append(metrics.psnr(restored * 255, y * 255, 255))
                scores[k]["ssim"].append(metrics.ssim(restored * 255, y * 255, 255))
        if task == "segmentation":
            targets.append(y.numpy())
    result = {}
    for k in keys:
        if task == "segmentation":
            r = metrics.segmentation_scores(np.concatenate([a.ravel() for a in preds[k]]),
                                            np.concatenate([a.ravel() for a in targets]), classes, ignore_index)
        else:
            r = {"psnr": float(np.mean(scores[k]["psnr"])), "ssim": float(np.mean(scores[k]["ssim"]))}
        result[str(k)] = {m: round(float(v), 5) for m, v in r.items()}
    return result


def calibration_batch(train_set, n: int) -> torch.Tensor:
    """The first n training items of epoch 0 (deterministic)."""
    if hasattr(train_set, "set_epoch"):
        train_set.set_epoch(0)
    return torch.stack([train_set[i][0] for i in range(n)])


def add_arguments(ap) -> None:
    ap.add_argument("--config", required=True)
    ap.add_argument("--ckpt", required=True,
                    help="ANN checkpoint: golden.model.train's last.pt, or an ANN .npz (import-torch, an ann.npz)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--data-root")
    ap.add_argument("--method", choices=METHODS + ("both",), default="both")
    ap.add_argument("--eval-T", type=int, nargs="*", help="time windows to evaluate (default: config snn.timesteps)")
    ap.add_argument("--timesteps", type=int, help="fine-tuning T (default: the smallest eval T)")
    ap.add_argument("--steps", type=int, default=0, help="fine-tuning steps (0: convert and evaluate only)")
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--limit", type=int, help="evaluate on the first N validation images only")
    ap.add_argument("--no-pre-eval", action="store_true", help="skip the ANN and pre-fine-tuning evaluations")
    ap.add_argument("--if-neuron", action="store_true", help="single-threshold IF baseline (threshold 1)")
    ap.add_argument("--float32", action="store_true", help="store the .npz weights as float32 (half the size)")
    ap.add_argument("--sigma", type=float,
                    help="denoising: calibrate, fine-tune and validate at this one noise level (the training "
                         "crops at sigma S) instead of the config's data.sigmas")
    ap.add_argument("--calibration-target",
                    help="threshold units the 99.9th percentile maps to: a number (1: the paper's) or 'full' (the "
                         "sum of the thresholds); default the config's snn.calibration_target")


def run(args) -> int:
    target = None
    try:  # the options are checked before anything is loaded
        if args.calibration_target is not None:
            target = parse_calibration_target(args.calibration_target)
    except ValueError:
        print(f"error: --calibration-target must be a positive number or 'full', got {args.calibration_target!r}",
              file=sys.stderr)
        return 2
    for option, values in (("--timesteps", [args.timesteps]), ("--eval-T", args.eval_T or [])):
        for t in values:
            if t is not None and timesteps_problem(t):
                print(f"error: {option} {timesteps_problem(t)}", file=sys.stderr)
                return 2
    try:
        if args.sigma is not None:
            check_sigma(args.sigma)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        cfg = load_unet_config(args.config)
        if args.sigma is not None:  # one noise level for the calibration crops, fine-tuning and validation
            if cfg["task"] != "denoising":
                raise ValueError(f"--sigma: {args.config}: field task is {cfg['task']}, not denoising")
            cfg["data"].update(sigmas=[args.sigma], sigma_range=False, val_sigma=args.sigma)
        model = load_ann(args.ckpt, cfg)  # train's last.pt, or an ANN .npz (import-torch's, an earlier ann.npz)
        train_set, val_set = build_datasets(cfg, args.data_root)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    snn_cfg = cfg["snn"]
    if target is not None:
        snn_cfg["calibration_target"] = target
    thresholds = (1.0,) if args.if_neuron else tuple(snn_cfg["thresholds"])
    eval_T = args.eval_T or list(snn_cfg["timesteps"])
    task = cfg["task"]
    classes = cfg["model"].get("classes", 2)
    ignore = cfg["data"].get("ignore_index")
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = {"config": args.config, "ckpt": args.ckpt, "thresholds": thresholds, "compare": snn_cfg["compare"]}
    if args.sigma is not None:
        report["sigma"] = args.sigma
    t0 = time.time()
    if not args.no_pre_eval:
        report["ann"] = evaluate(model, val_set, task, classes=classes, ignore_index=ignore, limit=args.limit)["ann"]
        print("ANN", report["ann"], flush=True)
    calib = calibration_batch(train_set, snn_cfg["calibration_images"])
    lambdas = calibrate(model, calib, target=snn_cfg["calibration_target"], thresholds=thresholds)
    report["calibration_target"] = snn_cfg["calibration_target"]
    save_npz(out_dir / "ann.npz", model, lambdas, dtype=np.float32 if args.float32 else np.float64)
    report["lambdas"] = {k: round(v, 6) for k, v in lambdas.items()}
    methods = METHODS if args.method == "both" else (args.method,)
    for method in methods:
        snn = normalise(model, lambdas, method)
        if not args.no_pre_eval:
            ev = evaluate(snn, val_set, task, eval_T, thresholds, snn_cfg["compare"], classes, ignore, args.limit)
            report[f"snn_{method}"] = ev
            print(f"SNN {method}", ev, flush=True)
        if args.steps:
            T = args.timesteps or min(eval_T)
            opt = torch.optim.Adam(snn.parameters(), lr=args.lr)
            losses = []
            if hasattr(train_set, "set_epoch"):
                train_set.set_epoch(1000)
            from tqdm import tqdm

            for step in tqdm(range(args.steps), desc=f"fine-tune {method} T={T}", unit="step"):
                idx = range(step * args.batch, (step + 1) * args.batch)
                xb = torch.stack([train_set[i % len(train_set)][0] for i in idx])
                yb = torch.stack([train_set[i % len(train_set)][1] for i in idx])
                losses.append(finetune_step(snn, opt, xb, yb, T, thresholds, snn_cfg["compare"],
                                            ignore if ignore is not None else -100))
            ev = evaluate(snn, val_set, task, eval_T, thresholds, snn_cfg["compare"], classes, ignore, args.limit)
            report[f"snn_{method}_ft"] = {"T": T, "steps": args.steps, "lr": args.lr,
                                          "loss_first": losses[0], "loss_last": losses[-1], "eval": ev}
            print(f"SNN {method} fine-tuned", report[f"snn_{method}_ft"], flush=True)
        save_npz(out_dir / f"snn_{method}.npz", snn, lambdas, method,
                 timesteps=(args.timesteps or min(eval_T)) if args.steps else args.timesteps,
                 dtype=np.float32 if args.float32 else np.float64)
    report["seconds"] = round(time.time() - t0, 1)
    write_text(out_dir / "finetune.json", json.dumps(report, indent=1) + "\n")
    return 0
