"""Integer golden model: the contract (docs/contract.md) as exact, vectorised int64 arithmetic.

Every other level (HLS C-sim, RTL) must equal what this module returns, bit for bit. One generic engine runs
any network written as an ordered list of `Layer` (the walking-skeleton slice and the full Spiking-UNet).
"""
from __future__ import annotations

from typing import Protocol

import numpy as np

from golden.contract.quant import fits, spike_magnitude


class Layer(Protocol):
    """What the contract reads of a layer (golden.ir.network.Layer is one): its name, its widths and its kind's
    integer semantics (`spec.accumulate`, `spec.current`, `spec.reads_image`, `spec.has_neuron`, golden.kinds).
    The contract sits below the IR and the kinds, so it names them only through this protocol."""

    name: str
    sources: tuple
    widths: dict
    thresholds_int: tuple
    spec: object


class ContractViolation(AssertionError):
    """A value left the width the manifest gives it: the §7 proof or the exporter is wrong."""


FLOAT64_EXACT = 2**53  # every integer of smaller magnitude is exact in float64


def exact_in_float64(x: np.ndarray, w: np.ndarray) -> bool:
    """True when every product and every partial sum of x (*) w is an integer below 2^53 in magnitude, so a
    float64 BLAS convolution returns the exact integer result whatever its summation order."""
    if not x.size or not w.size:
        return True
    per_output = np.abs(w.reshape(w.shape[0], -1)).sum(1).max()
    return float(per_output) * float(np.abs(x).max()) < FLOAT64_EXACT


def conv_int(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Exact k x k (k = 1 or 3), stride 1, zero padding k//2 convolution: x [C][H][W], w [O][k][k][C] (§3)."""
    if exact_in_float64(x, w):
        import torch  # imported here: processes that only read manifests need not pay for torch

        out = torch.nn.functional.conv2d(torch.from_numpy(np.asarray(x, dtype=np.float64))[None],
                                         torch.from_numpy(np.transpose(w, (0, 3, 1, 2)).astype(np.float64)),
                                         padding=w.shape[1] // 2)
        return out[0].numpy().astype(np.int64)
    return conv_int_reference(x, w)


def conv_int_reference(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The same convolution in int64 numpy (im2col): slower, exact for any magnitude that fits 64 bits."""
    c, h, wd = x.shape
    o, k = w.shape[0], w.shape[1]
    p = k // 2
    xp = np.pad(x.astype(np.int64), ((0, 0), (p, p), (p, p)))
    cols = np.stack([xp[:, ky : ky + h, kx : kx + wd] for ky in range(k) for kx in range(k)])  # [k*k][C][H][W]
    return (w.reshape(o, k * k * c).astype(np.int64) @ cols.reshape(k * k * c, h * wd)).reshape(o, h, wd)


def upconv_int(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Exact ConvTranspose2d(k=3, s=2, p=1, output_padding=1) as a scatter (§3):
    input pixel (iy, ix) adds w[o][ky][kx][c] * x[c][iy][ix] to output (2*iy + ky - 1, 2*ix + kx - 1)."""
    if exact_in_float64(x, w):
        import torch  # lazy: as in conv_int

        out = torch.nn.functional.conv_transpose2d(
            torch.from_numpy(np.asarray(x, dtype=np.float64))[None],
            torch.from_numpy(np.transpose(w, (3, 0, 1, 2)).astype(np.float64)), stride=2, padding=1,
            output_padding=1)
        return out[0].numpy().astype(np.int64)
    return upconv_int_reference(x, w)


def upconv_int_reference(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The scatter definition in int64 numpy."""
    c, h, wd = x.shape
    o = w.shape[0]
    out = np.zeros((o, 2 * h + 2, 2 * wd + 2), dtype=np.int64)  # offset by one row/column for the -1
    flat = x.astype(np.int64).reshape(c, h * wd)
    for ky in range(3):
        for kx in range(3):
            contrib = (w[:, ky, kx, :].astype(np.int64) @ flat).reshape(o, h, wd)
            out[:, ky : ky + 2 * h : 2, kx : kx + 2 * wd : 2] += contrib
    return out[:, 1 : 2 * h + 1, 1 : 2 * wd + 1]


def static_current(layer: Layer, image: np.ndarray) -> np.ndarray:
    """Input layer current (static coding, §3): (b + sum w * p) >>> G, computed once per frame."""
    acc = layer.spec.accumulate(layer, image)
    _check(acc, layer, "acc_bits")
    current = layer.spec.current(layer, acc)
    _check(current, layer, "current_bits")
    return current


def layer_current(layer: Layer, magnitude: np.ndarray) -> np.ndarray:
    """Current of a spiking-input layer at one step from its input spike magnitudes (units of 2^e_min, §3).

    magnitude * w equals the sum over spike bits of (w << (e_i - e_min)): the hardware's shift-and-add."""
    acc = layer.spec.accumulate(layer, magnitude)
    _check(acc, layer, "acc_bits")
    return layer.spec.current(layer, acc)


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


def run(layers, image: np.ndarray, timesteps: int, exponents, compare: str,
        record_membranes: bool = True) -> dict[str, np.ndarray]:
    """Run a frame through the network (a Network, or its layers in order); returns the golden vectors (§8).

    Per spiking layer: `<name>.spikes` [T][C][H][W] spike words and `<name>.membrane` (after each step);
    input layer also `<name>.current`; output layer `<name>.accum` [T][O][H][W], the running sum of its
    current (bias included at every step), so `accum[T-1]` is the network output.
    """
    layers = getattr(layers, "layers", layers)
    if compare not in ("gt", "ge"):
        raise ValueError(f"compare must be 'gt' or 'ge', not {compare!r}")
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[None]
    out: dict[str, np.ndarray] = {"input": image.astype(np.uint8)}
    state: dict[str, np.ndarray] = {}
    magnitudes: dict[str, np.ndarray] = {}
    for t in range(timesteps):
        for layer in layers:
            if layer.spec.reads_image:
                if t == 0:
                    out[f"{layer.name}.current"] = static_current(layer, image)
                current = out[f"{layer.name}.current"]
            else:
                source = np.concatenate([magnitudes[s] for s in layer.sources])
                current = layer_current(layer, source)
            if not layer.spec.has_neuron:  # the output layer accumulates its current over T (§6)
                acc = current if t == 0 else state[layer.name] + current
                _check(acc, layer, "membrane_bits")
                state[layer.name] = acc
                _record(out, f"{layer.name}.accum", t, timesteps, acc)
                continue
            v = state.get(layer.name, np.zeros_like(current))
            _check(v + current, layer, "membrane_bits")  # right after integration
            v, words = neuron_step(v, current, layer.thresholds_int, compare)
            state[layer.name] = v
            magnitudes[layer.name] = spike_magnitude(words, exponents)
            _record(out, f"{layer.name}.spikes", t, timesteps, words)
            if record_membranes:
                _record(out, f"{layer.name}.membrane", t, timesteps, v)
    return out


def _record(out: dict, key: str, t: int, timesteps: int, value: np.ndarray) -> None:
    if key not in out:
        out[key] = np.zeros((timesteps,) + value.shape, dtype=value.dtype)
    out[key][t] = value


def _check(values: np.ndarray, layer: Layer, width: str) -> None:
    bits = layer.widths.get(width)
    if bits is not None and not fits(values, bits):
        raise ContractViolation(
            f"layer {layer.name}: a value in [{values.min()}, {values.max()}] does not fit {width}={bits}"
        )
