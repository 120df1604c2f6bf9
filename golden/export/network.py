"""The full Spiking-UNet in the integer contract: a normalised float U-Net -> IntLayers -> golden vectors/export.

Layer kinds map as: the first conv (reads the image) -> `input_conv`; other convs -> `spiking_conv`; `pool`;
`upconv`; the head -> `output`. A U-Net concat computes nothing: the consuming conv lists the concat's sources
(encoder first) as its own (contract §3), and its weights already carry one scale per part.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from golden import kinds
from golden.contract.fastmodel import FastModel
from golden.export.quantise import FloatLayer, quantise
from golden.export.synthetic import synthetic_image
from golden.export.writer import write_export
from golden.ir.network import Layer, Network
from golden.model.convert import calibrate, normalise
from golden.model.unet import INPUT, Op, UNet


def integer_layout(specs) -> list[tuple[object, str, tuple[str, ...]]]:
    """The float U-Net's layer list in the integer contract's terms: (spec, kind, sources) per computing layer.
    A concat computes nothing: its consumer lists the concat's sources (encoder first) as its own (§3); the conv
    that reads the image is the `input_conv`."""
    concat = {l.name: l.sources for l in specs if l.kind == Op.CONCAT}
    out = []
    for layer in specs:
        if layer.kind == Op.CONCAT:
            continue
        sources = tuple(s for src in layer.sources for s in concat.get(src, (src,)))
        out.append((layer, kinds.from_float(layer.kind, sources == (INPUT,)).name, sources))
    return out


def float_layers(snn: UNet, frac_bits: int | None = None, input_shift: int | None = None,
                 frac_overrides: dict[str, int] | None = None, weight_bits: int = 8) -> list[FloatLayer]:
    """The normalised network `snn` (golden.model.convert.normalise) as FloatLayers, concats folded into sources."""
    frac_overrides = frac_overrides or {}
    out = []
    for layer, kind, sources in integer_layout(snn.specs):
        module = snn.layers[layer.name] if layer.has_params else None
        weight = None if module is None else module.weight.detach().double().numpy()
        if weight is not None and weight.shape[-1] not in kinds.get(kind).kernels:
            # the hardware's convolutions with a neuron are 3x3: a 1x1 is the 3x3 with zero outer taps (exact)
            weight = np.pad(weight, ((0, 0), (0, 0), (1, 1), (1, 1)))
        bias = None if module is None else module.bias.detach().double().numpy()
        out.append(FloatLayer(layer.name, kind, sources, weight, bias, frac_overrides.get(layer.name, frac_bits),
                              input_shift if kinds.get(kind).reads_image else 0, weight_bits))
    return out


def int_network(snn: UNet, thresholds_log2=(1, 0, -1, -2), timesteps: int = 10, frac_bits: int | None = None,
                input_shift: int | None = None, frac_overrides: dict[str, int] | None = None,
                weight_bits: int = 8) -> list[Layer]:
    """Quantise the normalised network. frac_bits / input_shift None: per-layer formats chosen so each layer's
    weights fill `weight_bits` signed bits (the pool's F is 2 - e_min, the input layer's F is 8)."""
    return quantise(float_layers(snn, frac_bits, input_shift, frac_overrides, weight_bits), list(thresholds_log2),
                    timesteps, snn.in_channels)


def network_output(layers: list[Layer], vectors: dict[str, np.ndarray], timesteps: int) -> np.ndarray:
    """A_T / (T * 2^F) of the output layer, in normalised float units: the SNN's head output."""
    head = layers[-1]
    return vectors[f"{head.name}.accum"][-1] / (timesteps * 2.0**head.frac_bits)


def run_int(layers, image_u8: np.ndarray, timesteps: int, thresholds_log2, compare: str = "gt",
            record_membranes: bool = False) -> dict[str, np.ndarray]:
    """The golden vectors of one image (contract §8), by the fast exact model (golden.contract.fastmodel; equal
    to the int64 reference golden.contract.intmodel.run, tests/contract/test_fastmodel.py)."""
    return FastModel(layers, list(thresholds_log2), compare, timesteps).vectors(image_u8, record_membranes)


def export_network(snn: UNet, image_u8: np.ndarray, out_dir: str | Path, name: str, timesteps: int,
                   thresholds_log2=(1, 0, -1, -2), compare: str = "gt", lambdas: dict[str, float] | None = None,
                   record_membranes: bool = True, source: dict | None = None, **quant) -> tuple[Path, dict]:
    """Quantise `snn`, run the integer model on one image and write every file of contract §8 (the membranes
    among the golden vectors only with `record_membranes`; `source` as for golden.export.writer.manifest_for)."""
    image = np.asarray(image_u8)
    if image.ndim == 2:
        image = image[None]
    layers = int_network(snn, thresholds_log2, timesteps, **quant)
    net = Network(name, tuple(layers), timesteps, tuple(thresholds_log2), compare, int(image.shape[0]),
                  int(image.shape[1]), int(image.shape[2]), snn.task, lambdas=dict(lambdas or {}))
    vectors = run_int(net.layers, image, timesteps, thresholds_log2, compare, record_membranes=record_membranes)
    return write_export(out_dir, net, vectors, source)


def random_network_export(out_dir: str | Path, seed: int = 0, base: int = 4, depth: int = 2, size: int = 16,
                          timesteps: int = 6, thresholds_log2=(1, 0, -1, -2), compare: str = "gt",
                          task: str = "segmentation", method: str = "connection_wise", in_channels: int = 1,
                          **quant) -> tuple[Path, dict]:
    """A seeded random U-Net, calibrated on a synthetic image and exported: for benches and sweeps. depth 0 is
    the two-conv slice (input conv, spiking conv, head); `quant` as for int_network (frac_bits, input_shift)."""
    torch.manual_seed(seed)
    model = UNet(in_channels, 2 if task == "segmentation" else in_channels, base=base, depth=depth,
                 task=task).double()
    with torch.no_grad():  # a random net's output is mostly bias; shrink it so the image drives the output
        for module in model.layers.values():
            module.bias.mul_(0.1)
    image = synthetic_image(seed, size, in_channels)
    x = torch.from_numpy(image[None].astype(np.float64) / 255.0)
    lambdas = calibrate(model, x)
    snn = normalise(model, lambdas, method)
    return export_network(snn, image, out_dir, f"unet_rand_s{seed}", timesteps, thresholds_log2, compare, lambdas,
                          **quant)
