"""Float multi-threshold integrate-and-fire neuron (paper §3.2, eqs. 4-6), in torch."""
from __future__ import annotations

import math

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
        # thresholds that halve from one to the next (2, 1, 0.5, 0.25) have the closed form of fire()
        self.halving = all(a == 2 * b for a, b in zip(ths, ths[1:])) and math.log2(ths[-1]).is_integer()
        self.th_min = ths[-1]

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

    def fire(self, current: torch.Tensor) -> torch.Tensor:
        """One time step returning only o = sum_i th_i s_i, equal to output(forward(current)).

        With halving power-of-two thresholds the cascade fires the binary digits of V / th_min (minus one for
        "gt": V > th is ceil(V / th) - 1 >= th ...), saturated at 2^K - 1: o = th_min * clamp(ceil(V / th_min) - 1,
        0, 2^K - 1) ("ge": floor). Every step of it is exact in floating point while |V| < 2^p * th_min (p = 24,
        53: the membrane never comes near), and so is the cascade, so both give the same bits; three passes
        instead of K compare-subtract rounds. V is updated in place (never shared outside the neuron)."""
        if not self.halving:
            return self.output(self.forward(current))
        v = current.clone() if self.v is None else self.v.add_(current)
        o = torch.mul(v, 1.0 / self.th_min)
        o = o.ceil_().sub_(1.0) if self.compare == "gt" else o.floor_()
        o.clamp_(0.0, float((1 << len(self.thresholds)) - 1)).mul_(self.th_min)
        v.sub_(o)
        self.v = v
        return o

    def output(self, spikes: torch.Tensor) -> torch.Tensor:
        shape = (-1,) + (1,) * (spikes.dim() - 1)
        return (spikes * self.thresholds.to(spikes.dtype).view(shape)).sum(0)
