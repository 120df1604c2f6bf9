"""Synthetic exports for tests and parameter sweeps: seeded random slices with any thresholds, T and compare.

The weights are random but normalised like a real model (99.9th percentile of ReLU activations on the image),
so the spike rates are realistic. Every level's bench can sweep the contract's knobs through this.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from .export import export_slice
from .slice import SliceANN, calibrate


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


def random_export(out_dir: str | Path, seed: int = 0, size: int = 16, in_channels: int = 1,
                  channels=(4, 6), timesteps: int = 6, thresholds_log2=(1, 0, -1, -2), compare: str = "gt",
                  frac_bits=(8, 8), input_shift: int = 8, image: np.ndarray | None = None):
    """Write a complete export (contract §8) of a seeded random slice; returns (dir, manifest)."""
    torch.manual_seed(seed)
    model = SliceANN(in_channels, *channels).double()
    if image is None:
        image = synthetic_image(seed, size, in_channels)
    lambdas = calibrate(model, torch.from_numpy(image[None].astype(np.float64) / 255.0))
    arrays = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    cfg = {"name": f"synth_s{seed}", "timesteps": timesteps, "compare": compare,
           "thresholds_log2": list(thresholds_log2),
           "layers": {"conv1": {"frac_bits": frac_bits[0], "input_shift": input_shift},
                      "conv2": {"frac_bits": frac_bits[1]}}}
    return export_slice(cfg, arrays, lambdas, image, out_dir)
