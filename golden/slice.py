"""The walking-skeleton slice: input conv + MT-IF, spiking conv + MT-IF (float ANN, conversion, float SNN).

The ANN is the first two 3x3 conv + ReLU of a U-Net with a 1x1 segmentation head used only for training.
Conversion is layer-wise normalisation with the 99.9th percentile of ReLU activations over every element of
the calibration batch (zeros included); lambda_in of the first layer is 1 (paper §3.3.1).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

from .neuron import MTIFNeuron

CHECKPOINT_KEYS = ("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "head.weight", "head.bias")


class SliceANN(nn.Module):
    def __init__(self, in_channels: int, c1: int, c2: int, classes: int = 2):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, c1, 3, padding=1)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1)
        self.head = nn.Conv2d(c2, classes, 1)

    def features(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        a1 = torch.relu(self.conv1(x))
        a2 = torch.relu(self.conv2(a1))
        return a1, a2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x)[1])


def percentile_lambda(activations: torch.Tensor, q: float = 99.9) -> float:
    """lambda = q-th percentile over all elements, zeros included (the authors' rule)."""
    lam = float(np.percentile(activations.detach().double().numpy().ravel(), q))
    if not lam > 0:
        raise ValueError("the 99.9th percentile of a layer's activations is 0: the layer never activates")
    return lam


def calibrate(model: SliceANN, batch: torch.Tensor) -> dict[str, float]:
    with torch.no_grad():
        a1, a2 = model.features(batch)
    return {"conv1": percentile_lambda(a1), "conv2": percentile_lambda(a2)}


def save_checkpoint(path: str | Path, model: SliceANN, lambdas: dict[str, float]) -> None:
    from .atomic import write_npz

    arrays = {k: v.detach().double().numpy() for k, v in model.state_dict().items()}
    arrays.update({f"lambda.{k}": np.float64(v) for k, v in lambdas.items()})
    write_npz(path, arrays)


def load_checkpoint(path: str | Path) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Float ANN weights and calibration lambdas from an .npz (never a pickle)."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except FileNotFoundError:
        raise
    except Exception as exc:  # zipfile / format errors: a corrupt or foreign file
        raise ValueError(f"{path}: not a readable .npz checkpoint ({exc})") from exc
    for key in CHECKPOINT_KEYS + ("lambda.conv1", "lambda.conv2"):
        if key not in arrays:
            raise ValueError(f"{path}: missing field {key!r}")
    for key in ("conv1", "conv2"):
        w, b = arrays[f"{key}.weight"], arrays[f"{key}.bias"]
        if w.ndim != 4 or w.shape[2:] != (3, 3) or b.shape != (w.shape[0],):
            raise ValueError(f"{path}: field {key}.weight/{key}.bias has shape {w.shape}/{b.shape}, "
                             "expected [out][in][3][3] and [out]")
    if arrays["conv2.weight"].shape[1] != arrays["conv1.weight"].shape[0]:
        raise ValueError(f"{path}: field conv2.weight expects {arrays['conv2.weight'].shape[1]} input channels, "
                         f"conv1 gives {arrays['conv1.weight'].shape[0]}")
    lambdas = {k: float(arrays[f"lambda.{k}"]) for k in ("conv1", "conv2")}
    for k, v in lambdas.items():
        if not (np.isfinite(v) and v > 0):
            raise ValueError(f"{path}: field lambda.{k} must be a positive number, got {v}")
    return arrays, lambdas


def normalise(arrays: dict[str, np.ndarray], lambdas: dict[str, float]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Layer-wise normalisation (eq. 7): W~ = W * lambda_prev / lambda, b~ = b / lambda; lambda_in = 1."""
    prev, out = 1.0, {}
    for name in ("conv1", "conv2"):
        lam = lambdas[name]
        out[name] = (arrays[f"{name}.weight"] * prev / lam, arrays[f"{name}.bias"] / lam)
        prev = lam
    return out


def float_snn(normalised, image_u8: np.ndarray, timesteps: int, thresholds, compare: str) -> dict[str, np.ndarray]:
    """Float SNN of the slice on one image (pixels 0..255, x = p / 255): spikes [T][K][C][H][W] per layer."""
    x = torch.from_numpy(np.asarray(image_u8, dtype=np.float64) / 255.0)
    if x.dim() == 2:
        x = x[None]
    x = x[None]  # batch
    (w1, b1), (w2, b2) = normalised["conv1"], normalised["conv2"]
    w1, b1, w2, b2 = (torch.from_numpy(np.asarray(a, dtype=np.float64)) for a in (w1, b1, w2, b2))
    n1, n2 = MTIFNeuron(thresholds, compare), MTIFNeuron(thresholds, compare)
    current1 = torch.nn.functional.conv2d(x, w1, b1, padding=1)  # static coding: constant over time
    out = {"conv1.current": current1[0].numpy(), "conv1.spikes": [], "conv2.spikes": []}
    for _ in range(timesteps):
        s1 = n1(current1)
        s2 = n2(torch.nn.functional.conv2d(n1.output(s1), w2, b2, padding=1))
        out["conv1.spikes"].append(s1[:, 0].numpy())
        out["conv2.spikes"].append(s2[:, 0].numpy())
    out["conv1.spikes"] = np.stack(out["conv1.spikes"])
    out["conv2.spikes"] = np.stack(out["conv2.spikes"])
    return out
