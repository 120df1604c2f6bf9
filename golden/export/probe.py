"""Layer-isolated verification exports: one small network per layer, whose inputs fire everywhere.

The image run exercises only the weights whose input channels fire on that image. For hardware that runs whole
networks (the RTL engine), a layer is isolated by a probe network through the same flow: drive layers (an
input_conv, and for a concat a spiking_conv behind it) with zero weights and biases above the sum of the
thresholds, so every threshold of every channel fires everywhere at t = 0 (then patterns that differ per channel,
from per-channel biases); the layer itself with its exported weights, formats and widths; an output head (zero
weights) behind a spiking layer. Every value of every layer at every step is then compared as in the image run,
and the layer's every nonzero weight takes part (golden/ir/coverage.py counts it).
"""
from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import numpy as np

from golden import kinds
from golden.contract.fastmodel import FastModel
from golden.contract.quant import widths_of
from golden.export.writer import write_export
from golden.ir.network import INPUT, Layer, Network


def _drive(name: str, kind: str, sources: tuple[str, ...], cin: int, cout: int, net: Network, frac_bits: int,
           rng: random.Random) -> Layer:
    """A layer whose current is its bias alone: every threshold fires at t = 0 (bias > sum of the thresholds)."""
    exps = net.thresholds_log2
    ths = tuple(1 << (e + frac_bits) for e in exps)
    shift = 1 if kinds.get(kind).reads_image else 0
    over = sum(ths) + 1
    bias = np.array([(over + rng.randrange(sum(ths))) << shift for _ in range(cout)], dtype=np.int64)
    weight = np.zeros((cout, 3, 3, cin), dtype=np.int64)
    layer = Layer(name, kind, sources, weight, bias, frac_bits, ths, shift)
    acc, cur = layer.spec.bounds(weight, bias, shift, exps)
    return dataclasses.replace(layer, widths=widths_of(weight, bias, acc, cur, net.timesteps))


def _head(name: str, source: Layer, net: Network) -> Layer:
    weight = np.zeros((1, 1, 1, source.out_channels), dtype=np.int64)
    bias = np.zeros(1, dtype=np.int64)
    layer = Layer(name, "output", (source.name,), weight, bias, source.frac_bits)
    acc, cur = layer.spec.bounds(weight, bias, 0, net.thresholds_log2)
    return dataclasses.replace(layer, widths=widths_of(weight, bias, acc, cur, net.timesteps))


def _pool(name: str, source: Layer, net: Network) -> Layer:
    """A 2x2 pool (with its neuron) behind a drive layer."""
    exps = net.thresholds_log2
    spec = kinds.get("pool")
    f = spec.lowest_frac_bits(min(exps))
    q = spec.quantise(None, None, f, exps, source.out_channels, 0, None)
    layer = Layer(name, "pool", (source.name,), q.weight, q.bias, f, tuple(1 << (e + f) for e in exps), q.input_shift)
    return dataclasses.replace(layer, widths=widths_of(q.weight, q.bias, q.acc_bound, q.current_bound, net.timesteps))


def probe_network(net: Network, name: str, seed: int = 0) -> tuple[Network, np.ndarray]:
    """The probe network of layer `name` of `net` and its image. A layer whose output is larger than its input
    (upconv) is probed on a frame of its output size: its drives run there and a 2x2 pool each brings them to its
    input size (the frame engine, like a U-Net, has no layer larger than the frame; every pool output fires at
    t = 0, every threshold but possibly the lowest)."""
    rng = random.Random(seed)
    target = net.layer(name)
    up = target.height > target.in_height
    h, w = (target.height, target.width) if up else (target.in_height, target.in_width)
    image = np.zeros((net.in_channels, h, w), dtype=np.uint8)
    layers: list[Layer] = []
    if target.spec.reads_image:  # the input layer: random nonzero pixels, a saturated corner
        image = np.random.default_rng(seed).integers(1, 256, size=image.shape).astype(np.uint8)
        image[:, : h // 2, : w // 2] = 255
        probed = dataclasses.replace(target)
    else:
        drives = []
        for i, src in enumerate(target.sources):
            c = net.layer(src).out_channels
            if i == 0:
                drives.append(_drive(f"drive{i}", "input_conv", (INPUT,), net.in_channels, c, net, 8, rng))
            else:
                drives.append(_drive(f"drive{i}", "spiking_conv", (drives[0].name,), drives[0].out_channels, c, net,
                                     8, rng))
        layers += drives
        if up:
            drives = [_pool(f"pool{i}", d, net) for i, d in enumerate(drives)]
            layers += drives
        probed = dataclasses.replace(target, sources=tuple(d.name for d in drives))
    layers.append(probed)
    if probed.spec.has_neuron:
        layers.append(_head("probe_head", probed, net))
    return Network(f"{net.name}-probe-{name}", tuple(layers), net.timesteps, net.thresholds_log2, net.compare,
                   net.in_channels, h, w, net.task, net.pixel_bits), image


def write_probe(net: Network, name: str, out_dir: str | Path, seed: int = 0) -> tuple[Path, dict]:
    """Export the probe network of layer `name` (golden vectors of every layer, every step)."""
    probe, image = probe_network(net, name, seed)
    vectors = FastModel(probe, list(probe.thresholds_log2), probe.compare, probe.timesteps).vectors(image)
    return write_export(out_dir, probe, vectors)


def probed_layers(net: Network) -> list[str]:
    """The layers with parameters: what the probes cover (a pool has no weights or biases)."""
    return [l.name for l in net.layers if l.spec.has_params]
