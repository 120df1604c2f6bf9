"""Quantisation: normalised float layers -> integer `Layer`s (docs/contract.md §2 formats, §7 widths).

The per-kind rule (weight scale, shifts, worst-case bounds) lives in the kind's module (golden/kinds); the widths
and thresholds are common to every kind.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from golden import kinds
from golden.contract.quant import widths_of
from golden.ir.network import Layer


@dataclass(frozen=True)
class FloatLayer:
    """A normalised float layer, ready to quantise. `weight` in torch layout: Conv2d [out][in][ky][kx],
    ConvTranspose2d [in][out][ky][kx]; None for `pool`. `kind` is one of golden.kinds.NAMES."""

    name: str
    kind: str
    sources: tuple[str, ...]
    weight: np.ndarray | None
    bias: np.ndarray | None
    frac_bits: int | None  # None: chosen per layer so the weights fill `weight_bits_target` bits (§2)
    input_shift: int | None = 0  # input_conv: None chooses G the same way
    weight_bits_target: int = 8


MAX_BITS = 62  # widest value any level holds (int64 in the golden model, with a bit of headroom)


def quantise_layer(layer: FloatLayer, exps, timesteps: int, in_channels: int) -> Layer:
    """One layer to the integer contract (§2), with widths from the worst-case bounds (§7). The kind's module
    (golden/kinds) gives the rule; the widths and thresholds are common to every kind."""
    spec = kinds.get(layer.kind)
    for what, arr in (("weight", layer.weight), ("bias", layer.bias)):
        if arr is not None and not np.all(np.isfinite(arr)):
            raise ValueError(f"layer {layer.name}: field {what} holds NaN or Inf")
    e_min, f = min(exps), layer.frac_bits
    if f is None:
        f = spec.default_frac_bits(layer.weight, layer.weight_bits_target, e_min)
    if f + e_min < 0:
        raise ValueError(f"layer {layer.name}: frac_bits={f} is too small for threshold 2^{e_min}")
    weight = bias = None
    if spec.has_params:
        weight = spec.torch_to_contract(layer.weight)
        bias = np.asarray(layer.bias, dtype=np.float64)
        if weight.shape[3] != in_channels:
            raise ValueError(f"layer {layer.name}: weights expect {weight.shape[3]} input channels, "
                             f"its sources give {in_channels}")
    try:
        q = spec.quantise(weight, bias, f, exps, in_channels, layer.input_shift, layer.weight_bits_target)
    except ValueError as exc:
        raise ValueError(f"layer {layer.name}: {exc}") from None
    w, b = q.weight, q.bias
    widths = widths_of(w, b, q.acc_bound, q.current_bound, timesteps)
    for key, bits in widths.items():
        if bits > MAX_BITS:  # the integer model computes in int64, HLS in ap_int, the RTL in registers
            raise ValueError(f"layer {layer.name}: field {key}={bits} is above the supported {MAX_BITS} bits "
                             "(weights too large for the integer contract)")
    ths = tuple(1 << (e + f) for e in exps) if spec.has_neuron else ()
    return Layer(name=layer.name, kind=layer.kind, sources=tuple(layer.sources), weight=w, bias=b, frac_bits=f,
                 thresholds_int=ths, input_shift=q.input_shift, widths=widths)


def quantise(float_layers: list[FloatLayer], exps, timesteps: int, in_channels: int) -> list[Layer]:
    channels = {"input": in_channels}
    out = []
    for layer in float_layers:
        missing = [s for s in layer.sources if s not in channels]
        if missing:
            raise ValueError(f"layer {layer.name}: sources {missing} are not earlier layers")
        q = quantise_layer(layer, exps, timesteps, sum(channels[s] for s in layer.sources))
        channels[layer.name] = q.out_channels
        out.append(q)
    return out
