#!/usr/bin/env python3
"""Train the walking-skeleton slice (two 3x3 conv + ReLU, 1x1 head) on real EM, calibrate, save the checkpoint.

The committed default (configs/em_slice_ann.npz, configs/em_slice_train.log) was made by:
    python scripts/train_slice.py --out configs/em_slice_ann.npz
It also writes the demo crop that `make sim` runs on (a held-back validation slice).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from golden.data import crop, em_slice_paths, load_u8  # noqa: E402
from golden.slice import SliceANN, calibrate, save_checkpoint  # noqa: E402

TRAIN, VAL = range(0, 20), range(20, 24)


def load_pairs(indices, root):
    imgs, labs = [], []
    for img, lab in em_slice_paths(indices, root):
        imgs.append(load_u8(img, 1).astype(np.float32) / 255.0)
        labs.append((load_u8(lab, 1)[0] > 127).astype(np.int64))  # 1 = interior (255), 0 = membrane
    return np.stack(imgs), np.stack(labs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-root")
    ap.add_argument("--out", default="configs/em_slice_ann.npz")
    ap.add_argument("--channels", nargs=2, type=int, default=[4, 8])
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--crop", type=int, default=64)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--demo", default="configs/demo/em_slice22_y240_x240_32.png")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    x_tr, y_tr = load_pairs(TRAIN, args.data_root)
    x_va, y_va = load_pairs(VAL, args.data_root)
    model = SliceANN(1, *args.channels)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    n, _, h, w = x_tr.shape
    start = time.time()
    for _ in tqdm(range(args.steps), desc="train slice"):
        idx = rng.integers(0, n, args.batch)
        ys, xs = rng.integers(0, h - args.crop, args.batch), rng.integers(0, w - args.crop, args.batch)
        xb = np.stack([x_tr[i, :, y:y + args.crop, x:x + args.crop] for i, y, x in zip(idx, ys, xs)])
        yb = np.stack([y_tr[i, y:y + args.crop, x:x + args.crop] for i, y, x in zip(idx, ys, xs)])
        if rng.random() < 0.5:
            xb, yb = xb[..., ::-1], yb[..., ::-1]
        loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(xb.copy())), torch.from_numpy(yb.copy()))
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        pred = model(torch.from_numpy(x_va)).argmax(1).numpy()
    tp = np.sum((pred == 1) & (y_va == 1))
    f1 = 2 * tp / (np.sum(pred == 1) + np.sum(y_va == 1))
    acc = float(np.mean(pred == y_va))
    calib = torch.from_numpy(np.stack([x_tr[i, :, 100:228, 100:228] for i in range(0, 20, 2)]))
    lambdas = calibrate(model, calib)
    save_checkpoint(args.out, model, lambdas)
    log = {"steps": args.steps, "channels": args.channels, "seconds": round(time.time() - start, 1),
           "final_loss": round(float(loss), 4), "val_slices": list(VAL), "val_f1_interior": round(float(f1), 4),
           "val_pixel_acc": round(acc, 4), "lambdas": lambdas}
    Path(args.out).with_name(Path(args.out).stem.replace("_ann", "") + "_train.log").write_text(
        " ".join(sys.argv) + "\n" + json.dumps(log, indent=1) + "\n")
    demo = Path(args.demo)
    demo.parent.mkdir(parents=True, exist_ok=True)
    from PIL import Image
    img = load_u8(em_slice_paths([22], args.data_root)[0][0], 1)
    Image.fromarray(crop(img, 240, 240, 32)[0]).save(demo)
    print(json.dumps(log))
    return 0


if __name__ == "__main__":
    sys.exit(main())
