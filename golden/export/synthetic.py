"""Synthetic images for tests, benches and parameter sweeps (seeded, any size and channel count).

Seeded random networks on these images: golden.export.network.random_network_export.
"""
from __future__ import annotations

import numpy as np


def synthetic_image(seed: int, size: int, channels: int = 1) -> np.ndarray:
    """Smooth random texture with edges, uint8 [C][size][size]."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size] / size
    img = np.zeros((channels, size, size))
    for c in range(channels):
        for _ in range(4):
            fy, fx, ph = rng.uniform(1, 6), rng.uniform(1, 6), rng.uniform(0, 2 * np.pi)
            img[c] += np.sin(2 * np.pi * (fy * yy + fx * xx) + ph)
        img[c] += (rng.random((size, size)) < 0.05) * 3.0
    img = (img - img.min()) / (np.ptp(img) + 1e-9)
    return np.round(img * 255).astype(np.uint8)
