"""Float multi-threshold integrate-and-fire neuron (paper §3.2, eqs. 4-6), in torch."""
from __future__ import annotations

import torch


class MTIFNeuron(torch.nn.Module):
    """MT-IF neuron: thresholds fired coarse to fine, reset by subtraction, membrane starts at 0, no clamp.

    `thresholds` are in normalised units (e.g. 2, 1, 0.5, 0.25); `compare` is "gt" (V > th, the authors'
    code) or "ge". Call `reset()` before each frame; `forward(current)` does one time step and returns
    the spikes, shape [K, *current.shape] (float 0/1); `output(spikes)` is the weighted sum sum_i th_i s_i.
    """

    def __init__(self, thresholds=(2.0, 1.0, 0.5, 0.25), compare: str = "gt"):
        super().__init__()
        if compare not in ("gt", "ge"):
            raise ValueError(f"compare must be 'gt' or 'ge', not {compare!r}")
        ths = [float(t) for t in thresholds]
        if any(a <= b for a, b in zip(ths, ths[1:])) or ths[-1] <= 0:
            raise ValueError(f"thresholds must be positive and strictly decreasing, got {ths}")
        self.register_buffer("thresholds", torch.tensor(ths, dtype=torch.float64), persistent=False)
        self.compare = compare
        self.v: torch.Tensor | None = None

    def reset(self) -> None:
        self.v = None

    def forward(self, current: torch.Tensor) -> torch.Tensor:
        v = current.clone() if self.v is None else self.v + current
        spikes = []
        for th in self.thresholds.to(current.dtype):
            fired = (v > th) if self.compare == "gt" else (v >= th)
            fired = fired.to(current.dtype)
            v = v - fired * th
            spikes.append(fired)
        self.v = v
        return torch.stack(spikes)

    def output(self, spikes: torch.Tensor) -> torch.Tensor:
        shape = (-1,) + (1,) * (spikes.dim() - 1)
        return (spikes * self.thresholds.to(spikes.dtype).view(shape)).sum(0)
