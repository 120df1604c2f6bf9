"""The whole-image rows of `make report` (golden/analysis/report.py): Table 1 (EM, CamSeq01) and Table 2 (BSD68 grey,
CBSD68 colour) with the committed models, and the qualitative figures (the paper's Figures 4-5).

Every row is one run of `python -m golden eval-seg` / `eval-denoise` itself (the same parser, the same code), so
each number equals what the README's command prints. Those commands read folders: the held-out EM slices and the
CamSeq01 test frames are copied into `<out>/data/` first (the README shows the same copies).
"""
from __future__ import annotations

import argparse
import shutil
import zlib
from pathlib import Path

import numpy as np

from golden.analysis import paper as R
from golden.data import EM_TRAIN, load_u8
from golden.model import evaluate as E
from golden.model.datasets import CAMSEQ, add_noise, list_images
from golden.model.unet import load_unet_config
from golden.paths import REPO_ROOT as ROOT, require_data_root

EM_MODEL = {"config": "configs/unet_em.yaml", "checkpoint": "configs/models/em_unet_snn.npz",
            "ann_checkpoint": "configs/models/em_unet_ann.npz", "T": [4, 6, 10]}
CAMSEQ_MODEL = {"config": "configs/unet_camseq.yaml", "checkpoint": "configs/models/camseq_unet_snn.npz",
                "ann_checkpoint": "configs/models/camseq_unet_ann.npz", "T": [10, 20]}
SIGMAS = (15, 25, 50)
# the paper's Table 2 has no colour rows; its text gives CBSD68 (U-Net, T = 20) for sigma 15 / 25 / 50
PAPER_CBSD68_UNET = {15: 33.32, 25: 30.59, 50: 27.14}
# CamSeq01 SegNet class colours (label_colors_11class.txt), Void black
CAMSEQ_COLOURS = np.array([[128, 128, 128], [128, 0, 0], [192, 192, 128], [128, 64, 128], [0, 0, 192],
                           [128, 128, 0], [192, 128, 128], [64, 64, 128], [64, 0, 128], [64, 64, 0],
                           [0, 128, 192], [0, 0, 0]], dtype=np.uint8)


def _eval_args(task: str, argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    E.add_arguments(p, task)
    args = p.parse_args(argv)
    args.command = "eval-seg" if task == "segmentation" else "eval-denoise"
    return args


def stage(images: list[Path], labels_dir: Path, dst: Path) -> Path:
    """Copy images and their same-named labels to dst/images, dst/labels (what eval-seg reads)."""
    for sub in ("images", "labels"):
        (dst / sub).mkdir(parents=True, exist_ok=True)
    for img in images:
        shutil.copyfile(img, dst / "images" / img.name)
        shutil.copyfile(labels_dir / img.name, dst / "labels" / img.name)
    return dst


def staged_em(data_root, dst: Path, limit: int = 0, slices=(20, 21, 22, 23)) -> Path:
    root = require_data_root(data_root) / EM_TRAIN
    images = [root / "images" / f"{i}.png" for i in slices]
    return stage(images[:limit or None], root / "labels", dst)


def staged_camseq(data_root, dst: Path, config: str, limit: int = 0) -> Path:
    a, b = load_unet_config(ROOT / config)["data"]["test_split"]
    root = require_data_root(data_root) / CAMSEQ
    return stage(list_images(root / "images")[a:b][:limit or None], root / "labels", dst)


def seg_row(model: dict, folder: Path, threads, save: Path | None = None) -> dict:
    Ts = sorted(model["T"])
    argv = ["--images", str(folder / "images"), "--labels", str(folder / "labels"), "--config",
            str(ROOT / model["config"]), "--checkpoint", str(ROOT / model["checkpoint"]), "--ann-checkpoint",
            str(ROOT / model["ann_checkpoint"]), "--timesteps", str(Ts[-1]), "--levels", "ann", "snn_int"]
    if len(Ts) > 1:
        argv += ["--at", *map(str, Ts[:-1])]
    if save is not None:
        argv += ["--save", str(save)]
    if threads:
        argv += ["--threads", str(threads)]
    return E.eval_seg(_eval_args("segmentation", argv))


def denoise_row(folder: Path, sigma: int, T: int, threads, save: Path | None = None) -> dict:
    """eval-denoise with the committed denoiser of the folder's channels and this sigma."""
    argv = ["--images", str(folder), "--sigma", str(sigma), "--timesteps", str(T), "--levels", "ann",
            "snn_int"]
    if save is not None:
        argv += ["--save", str(save)]
    if threads:
        argv += ["--threads", str(threads)]
    return E.eval_denoise(_eval_args("denoising", argv))


def first_images(folder: Path, n: int, dst: Path) -> Path:
    """The first n images of a folder copied to dst (n = 0: the folder itself)."""
    if not n:
        return folder
    dst.mkdir(parents=True, exist_ok=True)
    for p in list_images(folder)[:n]:
        shutil.copyfile(p, dst / p.name)
    return dst


def run_tables(args, out: Path, progress_done) -> dict:
    """Table 1 (EM and CamSeq01 rows, whole images) and Table 2 (grey and colour, every sigma)."""
    res: dict = {"table1": [], "table2": {}}
    data = out / "data"
    root = require_data_root(args.data_root)
    if not args.no_em:
        em_dir = staged_em(args.data_root, data / "em_val", args.table1_images)
        r = seg_row(EM_MODEL, em_dir, args.threads)
        res["table1"].append({"dataset": "EM (ISBI 2012), slices 20-23", "model": EM_MODEL, "result": r,
                              "paper": R.PAPER["table1_em"]})
        progress_done("Table 1 EM")
    if not args.no_camseq:
        cs_dir = staged_camseq(args.data_root, data / "camseq_test", CAMSEQ_MODEL["config"], args.table1_images)
        r = seg_row(CAMSEQ_MODEL, cs_dir, args.threads, save=out / "qualitative" / "camseq")
        res["table1"].append({"dataset": "CamSeq01 (SegNet 11 classes, 480x360), last 21 frames",
                              "model": CAMSEQ_MODEL, "result": r, "paper": R.PAPER["table1_camseq_miou"]})
        res["camseq_dir"] = str(cs_dir)
        progress_done("Table 1 CamSeq01")
    if not args.no_denoise:
        for name, folder in (("grey", "bsd68"), ("colour", "cbsd68")):
            n = args.table2_images
            src = first_images(root / folder, n, data / f"{folder}_first{n}")
            rows = {}
            for sig in SIGMAS:
                save = out / "qualitative" / folder if sig == 25 else None
                rows[str(sig)] = denoise_row(src, sig, args.denoise_T, args.threads, save=save)
                progress_done(f"Table 2 {name} sigma {sig}")
            res["table2"][name] = {"folder": folder, "images": len(list_images(src)), "T": args.denoise_T,
                                   "rows": rows, "source": str(src)}
    return res


# ------------------------------------------------------------------------------------------------ figures

def colourise(index_map: np.ndarray) -> np.ndarray:
    return CAMSEQ_COLOURS[np.clip(index_map, 0, len(CAMSEQ_COLOURS) - 1)]


def plot_qualitative(out: Path, res: dict) -> list[str]:
    """Figure 4/5-style panels from the saved predictions of the same runs: CamSeq01 (frame, label, ANN, integer
    SNN) and denoising at sigma 25 (clean, noisy, ANN, integer SNN), first image of each set."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    q = out / "qualitative"
    if res.get("camseq_dir"):
        cs = Path(res["camseq_dir"])
        name = list_images(cs / "images")[0].name
        img = load_u8(cs / "images" / name, channels=3).transpose(1, 2, 0)
        lab = load_u8(cs / "labels" / name, channels=1)[0]
        panels = [("frame", img), ("label", colourise(lab))]
        for level in ("ann", "snn_int"):
            p = q / "camseq" / level / name
            if p.is_file():
                panels.append((level, colourise(load_u8(p, channels=1)[0])))
        fig, axes = plt.subplots(1, len(panels), figsize=(4 * len(panels), 3.4))
        for ax, (title, a) in zip(axes, panels):
            ax.imshow(a)
            ax.set_title(f"CamSeq01 {name}: {title}", fontsize=8)
            ax.axis("off")
        fig.tight_layout()
        fig.savefig(out / "fig4_camseq.png", dpi=110)
        plt.close(fig)
        written.append("fig4_camseq.png")
    for name, t2 in res.get("table2", {}).items():
        folder = t2["folder"]
        src = Path(t2["source"])
        first = list_images(src)[0]
        ch = 1 if name == "grey" else 3
        clean = load_u8(first, channels=ch)
        rng = np.random.default_rng([0, zlib.crc32(first.name.encode())])  # eval-denoise's noise (seed 0)
        panels = [("clean", clean), ("noisy, sigma 25", add_noise(clean, 25, rng).astype(np.uint8))]
        for level in ("ann", "snn_int"):
            p = q / folder / level / first.name
            if p.is_file():
                panels.append((f"{level}, sigma 25", load_u8(p, channels=ch)))
        fig, axes = plt.subplots(1, len(panels), figsize=(4 * len(panels), 3.2))
        for ax, (title, a) in zip(axes, panels):
            ax.imshow(a[0] if ch == 1 else a.transpose(1, 2, 0), cmap="gray" if ch == 1 else None, vmin=0, vmax=255)
            ax.set_title(f"{folder} {first.name}: {title}", fontsize=8)
            ax.axis("off")
        fig.tight_layout()
        fig.savefig(out / f"fig5_{folder}.png", dpi=110)
        plt.close(fig)
        written.append(f"fig5_{folder}.png")
    return written
