"""Evaluation metrics of the paper (§4.3): F1, Jaccard (IoU), pixel accuracy, mIoU; PSNR and SSIM.

Binary segmentation: `pred` and `target` hold class indices; the positive class is `positive` (EM: 1 =
interior, label value 255; 0 = membrane). Counts are pooled over every pixel passed (pass a whole test set at
once for the dataset-level figure, as the authors' statistic script does). Where a denominator is 0 (no
positive pixel in prediction nor target) F1 and Jaccard are 1.0: the two agree perfectly.

mIoU: IoU per class over pixels whose target is not `ignore_index`, averaged over the classes that occur in
the target or the prediction (union > 0).

PSNR: 10 log10(R^2 / MSE), R = `data_range` (255 for 8-bit, 1 for [0, 1] images); identical images give inf.
SSIM: Wang et al. 2004: 11x11 Gaussian window, sigma 1.5, K1 = 0.01, K2 = 0.03, C = (K R)^2, 'valid' filtering
(no padding, as the reference MATLAB code), computed per channel and averaged over channels and positions.
Images are [H][W] or [C][H][W] (numpy or torch), compared in float64.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F


def _np(a) -> np.ndarray:
    if isinstance(a, torch.Tensor):
        a = a.detach().cpu().numpy()
    return np.asarray(a)


def confusion(pred, target, positive: int = 1) -> tuple[int, int, int, int]:
    """(TP, FP, FN, TN) of the positive class."""
    p, t = _np(pred), _np(target)
    if p.shape != t.shape:
        raise ValueError(f"prediction shape {p.shape} != target shape {t.shape}")
    pp, tp_ = p == positive, t == positive
    tp = int(np.sum(pp & tp_))
    fp = int(np.sum(pp & ~tp_))
    fn = int(np.sum(~pp & tp_))
    tn = int(p.size - tp - fp - fn)
    return tp, fp, fn, tn


def f1_score(pred, target, positive: int = 1) -> float:
    tp, fp, fn, _ = confusion(pred, target, positive)
    d = 2 * tp + fp + fn
    return 1.0 if d == 0 else 2 * tp / d


def jaccard(pred, target, positive: int = 1) -> float:
    tp, fp, fn, _ = confusion(pred, target, positive)
    d = tp + fp + fn
    return 1.0 if d == 0 else tp / d


def pixel_accuracy(pred, target) -> float:
    p, t = _np(pred), _np(target)
    if p.shape != t.shape:
        raise ValueError(f"prediction shape {p.shape} != target shape {t.shape}")
    return float(np.mean(p == t))


def binary_scores(pred, target, positive: int = 1) -> dict[str, float]:
    """F1, Jaccard (JS) and pixel accuracy (ACC) as in Table 1."""
    tp, fp, fn, tn = confusion(pred, target, positive)
    n = tp + fp + fn + tn
    return {"f1": 1.0 if 2 * tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn),
            "jaccard": 1.0 if tp + fp + fn == 0 else tp / (tp + fp + fn),
            "acc": (tp + tn) / n if n else 1.0}


def iou_per_class(pred, target, classes: int, ignore_index: int | None = None) -> np.ndarray:
    """IoU of each class (nan where the class is in neither prediction nor target)."""
    p, t = _np(pred).ravel(), _np(target).ravel()
    if p.shape != t.shape:
        raise ValueError(f"prediction size {p.size} != target size {t.size}")
    if ignore_index is not None:
        keep = t != ignore_index
        p, t = p[keep], t[keep]
    ious = np.full(classes, np.nan)
    for c in range(classes):
        pc, tc = p == c, t == c
        union = int(np.sum(pc | tc))
        if union:
            ious[c] = np.sum(pc & tc) / union
    return ious


def mean_iou(pred, target, classes: int, ignore_index: int | None = None) -> float:
    ious = iou_per_class(pred, target, classes, ignore_index)
    return float(np.nanmean(ious)) if np.any(~np.isnan(ious)) else 1.0


def psnr(a, b, data_range: float = 255.0) -> float:
    x, y = _np(a).astype(np.float64), _np(b).astype(np.float64)
    if x.shape != y.shape:
        raise ValueError(f"image shapes differ: {x.shape} vs {y.shape}")
    mse = float(np.mean((x - y) ** 2))
    return math.inf if mse == 0 else 10.0 * math.log10(data_range**2 / mse)


def gaussian_window(size: int = 11, sigma: float = 1.5) -> np.ndarray:
    r = np.arange(size, dtype=np.float64) - (size - 1) / 2
    g = np.exp(-(r**2) / (2 * sigma**2))
    g /= g.sum()
    return np.outer(g, g)


def ssim(a, b, data_range: float = 255.0, win_size: int = 11, sigma: float = 1.5, k1: float = 0.01,
         k2: float = 0.03) -> float:
    """Mean SSIM over channels and valid window positions (Wang et al. 2004)."""
    x, y = _np(a).astype(np.float64), _np(b).astype(np.float64)
    if x.shape != y.shape:
        raise ValueError(f"image shapes differ: {x.shape} vs {y.shape}")
    if x.ndim == 2:
        x, y = x[None], y[None]
    if x.ndim != 3:
        raise ValueError(f"expected [H][W] or [C][H][W], got shape {x.shape}")
    if min(x.shape[1:]) < win_size:
        raise ValueError(f"image {x.shape[1]}x{x.shape[2]} is smaller than the {win_size}x{win_size} window")
    c1, c2 = (k1 * data_range) ** 2, (k2 * data_range) ** 2
    w = torch.from_numpy(gaussian_window(win_size, sigma))[None, None]
    tx, ty = torch.from_numpy(x)[:, None], torch.from_numpy(y)[:, None]  # channels as batch

    def filt(z):
        return F.conv2d(z, w)

    mx, my = filt(tx), filt(ty)
    sxx = filt(tx * tx) - mx * mx
    syy = filt(ty * ty) - my * my
    sxy = filt(tx * ty) - mx * my
    s = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return float(s.mean())


def segmentation_scores(pred: np.ndarray, target: np.ndarray, classes: int, ignore_index=None) -> dict:
    """The paper's segmentation scores, pooled over all pixels: F1 / Jaccard / ACC (binary, class 1 positive)
    or pixel accuracy (multi-class, `ignore_index` left out), and mIoU."""
    p, t = np.asarray(pred).ravel(), np.asarray(target).ravel()
    if classes == 2:
        r = binary_scores(p, t, positive=1)
    else:
        keep = t != ignore_index if ignore_index is not None else slice(None)
        r = {"acc": pixel_accuracy(p[keep], t[keep])}
    r["miou"] = mean_iou(p, t, classes, ignore_index)
    return r
