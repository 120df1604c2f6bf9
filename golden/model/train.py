"""ANN U-Net training: `python -m golden.model.train --config C --out DIR [--resume] [--epochs N] [--data-root D]`.

Writes DIR/last.pt after every epoch (atomically: a kill leaves the previous epoch's file intact) and appends
one JSON line per epoch to DIR/log.jsonl. `--resume` continues from DIR/last.pt, losing at most the epoch that
was running; `--epochs N` is the total number of epochs (default: the config's train.epochs). A checkpoint is
a plain dict saved with torch.save and read back with torch.load(weights_only=True): `epoch` (completed
epochs), `model` (state_dict), `optimizer` (state_dict), `arch`, `config` (name and path).

Data are a function of (seed, epoch, index) (golden/model/datasets.py), so an interrupted-and-resumed run sees the
same items as an uninterrupted one. Under torchrun (WORLD_SIZE set) the run uses torch.distributed with
DistributedDataParallel (gloo on CPU, nccl on CUDA) and a DistributedSampler; only rank 0 writes.
`--device cpu|cuda|auto` (default cpu; auto: cuda when torch sees one) picks where every process trains, under
torchrun too; `--device cuda` without a CUDA device is refused before the run folder is touched.
Segmentation: cross-entropy on the logits; denoising: L1 between the predicted and the true noise map.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import torch
from torch.utils.data import DataLoader

from golden.atomic import write_text
from golden.errors import InputError
from golden.model.checkpoint import load_checkpoint, save_checkpoint
from golden.model.datasets import build_datasets
from golden.model.finetune import evaluate
from golden.model.unet import build_model, load_unet_config
from golden.runtime import resolve_device  # the rule eval-* use: auto = cuda when present

CKPT = "last.pt"


def make_optimizer(model: torch.nn.Module, train_cfg: dict) -> torch.optim.Optimizer:
    lr = float(train_cfg["lr"])
    if train_cfg["optimizer"] == "rmsprop":
        return torch.optim.RMSprop(model.parameters(), lr=lr)
    return torch.optim.Adam(model.parameters(), lr=lr)


def lr_at(train_cfg: dict, epoch: int) -> float:
    """The learning rate of 0-based `epoch`: train.lr, times train.lr_gamma at each of train.lr_milestones (epoch
    numbers, 1-based, after which it drops). A function of the epoch alone, so --resume continues the schedule."""
    drops = sum(1 for m in train_cfg.get("lr_milestones", []) if epoch >= int(m))
    return float(train_cfg["lr"]) * float(train_cfg.get("lr_gamma", 0.1)) ** drops


def loss_fn(task: str, out: torch.Tensor, x: torch.Tensor, y: torch.Tensor, ignore_index: int = -100):
    if task == "segmentation":
        return torch.nn.functional.cross_entropy(out, y, ignore_index=ignore_index)
    return torch.nn.functional.l1_loss(out, x - y)


DEVICES = ("cpu", "cuda", "auto")  # one GPU per process: torchrun picks it by local rank


def _dist(device: str = "cpu"):
    """(rank, world, device) from torchrun's environment; plain single process without WORLD_SIZE. `device` is
    resolve_device's answer: under torchrun cuda means nccl and one GPU per local rank, cpu means gloo."""
    if "WORLD_SIZE" not in os.environ:
        return 0, 1, torch.device(device)
    import torch.distributed as dist

    cuda = device == "cuda"
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    dev = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}") if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(dev)
    return rank, world, dev


def prepare_run_folder(out: Path, resume: bool, force: bool) -> None:
    """A run folder holds one run: a non-empty one is continued (--resume, which needs its checkpoint) or set
    aside (--force), never mixed with a new run."""
    busy = out.is_dir() and any(out.iterdir())
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder")
    if resume:
        if not (out / CKPT).is_file():
            raise InputError(f"{out / CKPT}: no checkpoint to --resume from")
        return
    if busy and not force:
        raise InputError(f"{out}: holds an earlier run; --resume continues it, --force sets it aside and starts over")
    if busy:
        aside = out.with_name(f"{out.name}.old-{time.strftime('%Y%m%d-%H%M%S')}")
        out.rename(aside)
        print(f"train: the earlier run in {out} is now {aside}", flush=True)


def train(cfg: dict, out: str | Path, epochs: int | None = None, resume: bool = False, data_root=None,
          progress: bool = True, evaluate_every: int = 1, device: str = "cpu") -> dict:
    rank, world, dev = _dist(resolve_device(device))
    out = Path(out)
    tcfg = cfg["train"]
    epochs = int(epochs or tcfg["epochs"])
    torch.manual_seed(int(tcfg["seed"]))
    model = build_model(cfg).to(dev)
    opt = make_optimizer(model, tcfg)
    start = 0
    log: list[dict] = []
    ckpt_path = out / CKPT
    if resume and ckpt_path.is_file():
        state = load_checkpoint(ckpt_path)
        log = list(state.get("log", []))
        if state["arch"] != model.arch():
            raise ValueError(f"{ckpt_path}: field arch {state['arch']} does not match the config's {model.arch()}")
        model.load_state_dict(state["model"])
        if "optimizer" in state:
            opt.load_state_dict(state["optimizer"])
        start = int(state["epoch"])
    train_set, val_set = build_datasets(cfg, data_root)
    net = model
    sampler = None
    if world > 1:
        from torch.nn.parallel import DistributedDataParallel
        from torch.utils.data.distributed import DistributedSampler

        net = DistributedDataParallel(model, device_ids=[dev.index] if dev.type == "cuda" else None)
        sampler = DistributedSampler(train_set, num_replicas=world, rank=rank, shuffle=False)
    loader = DataLoader(train_set, batch_size=int(tcfg["batch_size"]), shuffle=False, sampler=sampler,
                        num_workers=int(tcfg.get("workers", 0)), drop_last=True)
    ignore = cfg["data"].get("ignore_index")
    ignore = -100 if ignore is None else int(ignore)
    classes = cfg["model"].get("classes", 2)
    history = {}
    if rank == 0:
        out.mkdir(parents=True, exist_ok=True)
    for epoch in range(start, epochs):
        for group in opt.param_groups:  # after a resume too: the schedule, not the saved optimizer's lr
            group["lr"] = lr_at(tcfg, epoch)
        train_set.set_epoch(epoch)
        if sampler is not None:
            sampler.set_epoch(epoch)
        model.train()
        t0, total, n = time.time(), 0.0, 0
        bar = loader
        if progress and rank == 0:
            from tqdm import tqdm

            bar = tqdm(loader, desc=f"epoch {epoch + 1}/{epochs}", leave=False)
        for x, y in bar:
            x, y = x.to(dev), y.to(dev)
            loss = loss_fn(cfg["task"], net(x), x, y, ignore)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total, n = total + float(loss.detach()), n + 1
        if world > 1:  # the logged loss is the mean over every rank's steps, as one process would log it
            import torch.distributed as dist

            sums = torch.tensor([total, float(n)], dtype=torch.float64)
            dist.all_reduce(sums)
            total, n = float(sums[0]), int(sums[1])
        history = {"epoch": epoch + 1, "loss": round(total / max(n, 1), 6), "seconds": round(time.time() - t0, 1)}
        if rank == 0:
            if evaluate_every and ((epoch + 1) % evaluate_every == 0 or epoch + 1 == epochs):
                model.eval()
                history["val"] = evaluate(model, val_set, cfg["task"], classes=classes,
                                          ignore_index=None if ignore == -100 else ignore,
                                          limit=cfg["data"].get("val_limit"))["ann"]
            weights = {k: v.cpu() for k, v in model.state_dict().items()}
            log.append(history)
            save_checkpoint(ckpt_path, {"epoch": epoch + 1, "model": weights, "optimizer": opt.state_dict(),
                                        "arch": model.arch(), "log": log,
                                        "config": {"name": cfg["name"], "path": cfg.get("_path", "")}})
            # the log is rewritten from the checkpoint's history: a kill between the two writes leaves a log one
            # epoch short, which the next --resume rewrites; never one that disagrees with the checkpoint
            write_text(out / "log.jsonl", "".join(json.dumps(h) + "\n" for h in log))
            if progress:
                print(json.dumps(history), flush=True)
        if world > 1:
            import torch.distributed as dist

            dist.barrier()
    return history


def add_arguments(ap) -> None:
    ap.add_argument("--config", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--resume", action="store_true", help="continue the run in --out from its checkpoint")
    ap.add_argument("--force", action="store_true", help="set an earlier run in --out aside and start over")
    ap.add_argument("--epochs", type=int, help="total epochs (default: the config's train.epochs)")
    ap.add_argument("--data-root")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--device", choices=DEVICES, default="cpu",
                    help="where to train: cpu (default), cuda (refused without a CUDA device) or auto (cuda when "
                         "present); under torchrun cuda uses nccl, cpu gloo")


def run(args) -> int:
    try:
        cfg = load_unet_config(args.config)
        if args.epochs is not None and args.epochs < 1:
            raise InputError(f"--epochs must be >= 1, got {args.epochs}")
        if args.resume and args.force:
            raise InputError("--resume and --force exclude each other")
        device = resolve_device(args.device)  # before --force sets an earlier run aside
        if int(os.environ.get("RANK", "0")) == 0:
            prepare_run_folder(Path(args.out), args.resume, args.force)
        train(cfg, args.out, args.epochs, args.resume, args.data_root, progress=not args.quiet, device=device)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if "WORLD_SIZE" in os.environ:
            import torch.distributed as dist

            if dist.is_initialized():
                try:  # no rank tears gloo down while another still talks to it
                    dist.barrier()
                finally:
                    dist.destroy_process_group()
    return 0
