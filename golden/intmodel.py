"""Integer golden model: the contract (docs/contract.md) as exact, vectorised int64 arithmetic.

Every other level (HLS C-sim, RTL) must equal what this module returns, bit for bit.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .quant import fits, spike_magnitude


class ContractViolation(AssertionError):
    """A value left the width the manifest gives it: the §7 proof or the exporter is wrong."""


@dataclass(frozen=True)
class IntLayer:
    """One layer of the integer network, as the exporter writes it to the manifest."""

    name: str
    kind: str  # "input_conv" | "spiking_conv"
    source: str  # "input" or the name of an earlier layer
    weight: np.ndarray  # int64 [out][ky][kx][in]
    bias: np.ndarray  # int64 [out]
    frac_bits: int
    thresholds_int: tuple[int, ...]
    input_shift: int = 0
    widths: dict = field(default_factory=dict)  # weight_bits, bias_bits, acc_bits, current_bits, membrane_bits


def conv3x3_int(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Exact 3x3, stride 1, zero padding 1 convolution: x int64 [C][H][W], w int64 [O][3][3][C] (§3)."""
    c, h, wd = x.shape
    o = w.shape[0]
    xp = np.pad(x.astype(np.int64), ((0, 0), (1, 1), (1, 1)))
    cols = np.stack([xp[:, ky : ky + h, kx : kx + wd] for ky in range(3) for kx in range(3)])  # [9][C][H][W]
    wmat = w.reshape(o, 9 * c).astype(np.int64)
    return (wmat @ cols.reshape(9 * c, h * wd)).reshape(o, h, wd)


def static_current(layer: IntLayer, image: np.ndarray) -> np.ndarray:
    """Input layer current (static coding, §3): (b + sum w * p) >>> G, computed once per frame."""
    acc = conv3x3_int(image.astype(np.int64), layer.weight) + layer.bias[:, None, None]
    _check(acc, layer, "acc_bits")
    current = acc >> layer.input_shift  # numpy >> on int64 is an arithmetic shift (floor)
    _check(current, layer, "current_bits")
    return current


def spiking_current(layer: IntLayer, spikes: np.ndarray, exponents) -> np.ndarray:
    """Spiking conv current (§3): every spike of threshold i adds w << (e_i - e_min), plus the bias."""
    magnitude = spike_magnitude(spikes, exponents)
    acc = conv3x3_int(magnitude, layer.weight) + layer.bias[:, None, None]
    _check(acc, layer, "acc_bits")
    return acc


def neuron_step(v: np.ndarray, current: np.ndarray, thresholds_int, compare: str):
    """One MT-IF update (§4): integrate, then fire coarse to fine with reset by subtraction.

    Returns (new membrane, spike words). Bit i of a spike word is threshold i (§5).
    """
    v = v + current
    words = np.zeros(v.shape, dtype=np.uint8)
    for i, th in enumerate(thresholds_int):
        fired = (v > th) if compare == "gt" else (v >= th)
        v = v - fired.astype(np.int64) * th
        words |= fired.astype(np.uint8) << i
    return v, words


def run(layers: list[IntLayer], image: np.ndarray, timesteps: int, exponents, compare: str) -> dict[str, np.ndarray]:
    """Run a frame through the network; returns the golden vectors (contract §8)."""
    if compare not in ("gt", "ge"):
        raise ValueError(f"compare must be 'gt' or 'ge', not {compare!r}")
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[None]
    out: dict[str, np.ndarray] = {"input": image.astype(np.uint8)}
    membranes, static = {}, {}
    for layer in layers:
        shape = (layer.weight.shape[0],) + image.shape[1:]
        membranes[layer.name] = np.zeros(shape, dtype=np.int64)
        out[f"{layer.name}.spikes"] = np.zeros((timesteps,) + shape, dtype=np.uint8)
        out[f"{layer.name}.membrane"] = np.zeros((timesteps,) + shape, dtype=np.int64)
        if layer.kind == "input_conv":
            static[layer.name] = static_current(layer, image)
            out[f"{layer.name}.current"] = static[layer.name]
    for t in range(timesteps):
        for layer in layers:
            if layer.kind == "input_conv":
                current = static[layer.name]
            elif layer.kind == "spiking_conv":
                current = spiking_current(layer, out[f"{layer.source}.spikes"][t], exponents)
            else:
                raise ValueError(f"layer {layer.name}: unknown kind {layer.kind!r}")
            _check(membranes[layer.name] + current, layer, "membrane_bits")  # right after integration
            v, words = neuron_step(membranes[layer.name], current, layer.thresholds_int, compare)
            membranes[layer.name] = v
            out[f"{layer.name}.spikes"][t] = words
            out[f"{layer.name}.membrane"][t] = v
    return out


def _check(values: np.ndarray, layer: IntLayer, width: str) -> None:
    bits = layer.widths.get(width)
    if bits is not None and not fits(values, bits):
        raise ContractViolation(
            f"layer {layer.name}: a value in [{values.min()}, {values.max()}] does not fit {width}={bits}"
        )
