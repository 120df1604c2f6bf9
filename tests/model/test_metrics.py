"""Metrics against hand-computed cases and properties (golden/model/metrics.py)."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from golden.model import metrics

torch.set_num_threads(1)


def test_binary_hand_case():
    pred = np.array([1, 1, 0, 0, 1])
    target = np.array([1, 0, 1, 0, 1])
    assert metrics.confusion(pred, target) == (2, 1, 1, 1)
    assert metrics.f1_score(pred, target) == pytest.approx(4 / 6)
    assert metrics.jaccard(pred, target) == pytest.approx(2 / 4)
    assert metrics.pixel_accuracy(pred, target) == pytest.approx(3 / 5)
    s = metrics.binary_scores(pred, target)
    assert s == pytest.approx({"f1": 4 / 6, "jaccard": 0.5, "acc": 0.6})
    # the other class as positive (EM: 0 = membrane)
    assert metrics.confusion(pred, target, positive=0) == (1, 1, 1, 2)


def test_binary_empty_and_shape():
    z = np.zeros((4, 4), int)
    assert metrics.f1_score(z, z) == 1.0 and metrics.jaccard(z, z) == 1.0
    with pytest.raises(ValueError, match="shape"):
        metrics.f1_score(np.zeros(3), np.zeros(4))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), min_size=1, max_size=60))
def test_binary_properties(pairs):
    p, t = np.array(pairs).T
    f1, j = metrics.f1_score(p, t), metrics.jaccard(p, t)
    assert f1 == pytest.approx(metrics.f1_score(t, p))          # symmetric
    assert j == pytest.approx(f1 / (2 - f1))                      # J = F1 / (2 - F1)
    assert 0 <= j <= f1 <= 1


def test_miou_hand_case():
    pred = np.array([0, 0, 1, 2, 2])
    target = np.array([0, 1, 1, 2, 3])  # 3 = void
    ious = metrics.iou_per_class(pred, target, 3, ignore_index=3)
    assert ious == pytest.approx([1 / 2, 1 / 2, 1.0])
    assert metrics.mean_iou(pred, target, 3, ignore_index=3) == pytest.approx(2 / 3)
    # a class absent from both is not averaged
    assert metrics.mean_iou(np.array([0, 1]), np.array([0, 1]), 5) == 1.0


def test_psnr():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 256, (3, 40, 50)).astype(np.float64)
    assert metrics.psnr(a, a) == math.inf
    assert metrics.psnr(a, a + 5) == pytest.approx(20 * math.log10(255 / 5))
    assert metrics.psnr(a / 255, (a + 5) / 255, data_range=1.0) == pytest.approx(20 * math.log10(255 / 5))
    noisy = a + 10 * rng.standard_normal(a.shape)
    assert metrics.psnr(a, noisy) == pytest.approx(20 * math.log10(255 / 10), abs=0.1)


def test_ssim_identical_and_constant():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 256, (2, 30, 30)).astype(np.float64)
    assert metrics.ssim(a, a) == pytest.approx(1.0)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    x, y = np.full((20, 20), 100.0), np.full((20, 20), 140.0)
    assert metrics.ssim(x, y) == pytest.approx((2 * 100 * 140 + c1) / (100**2 + 140**2 + c1))
    del c2


def test_ssim_single_window_by_hand():
    """An 11x11 image has exactly one window: compute Wang's formula by hand with the Gaussian weights."""
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 1, (11, 11))
    y = np.clip(x + 0.1 * rng.standard_normal((11, 11)), 0, 1)
    g = np.exp(-((np.arange(11) - 5) ** 2) / (2 * 1.5**2))
    w = np.outer(g, g) / np.outer(g, g).sum()
    mx, my = (w * x).sum(), (w * y).sum()
    vx, vy = (w * x * x).sum() - mx**2, (w * y * y).sum() - my**2
    cxy = (w * x * y).sum() - mx * my
    c1, c2 = 0.01**2, 0.03**2
    want = (2 * mx * my + c1) * (2 * cxy + c2) / ((mx**2 + my**2 + c1) * (vx + vy + c2))
    assert metrics.ssim(x, y, data_range=1.0) == pytest.approx(want, rel=1e-10)
    # data range 255 on the 8-bit scale gives the same value
    assert metrics.ssim(x * 255, y * 255) == pytest.approx(want, rel=1e-10)


def test_ssim_per_channel_mean_and_noise():
    rng = np.random.default_rng(3)
    a = rng.uniform(0, 255, (3, 24, 24))
    b = a + 20 * rng.standard_normal(a.shape)
    per = [metrics.ssim(a[c], b[c]) for c in range(3)]
    assert metrics.ssim(a, b) == pytest.approx(np.mean(per))
    assert metrics.ssim(a, b) < 1
    assert metrics.ssim(a, b) == pytest.approx(metrics.ssim(b, a))
    assert metrics.ssim(torch.from_numpy(a), torch.from_numpy(b)) == pytest.approx(metrics.ssim(a, b))
    with pytest.raises(ValueError, match="window"):
        metrics.ssim(np.zeros((5, 5)), np.zeros((5, 5)))
