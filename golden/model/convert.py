"""ANN -> SNN conversion of the U-Net (paper §3.3) and the float SNN simulation (§3.1-3.2, Algorithm 1).

Calibration. lambda of a neuron layer (`conv`, `upconv`) is the 99.9th percentile of its ANN output (after
ReLU) over every element of the calibration batch, zeros included; a layer whose percentile is 0 gets 1.0 (the
authors' fallback). That percentile is mapped to `target` threshold units (lambda = percentile / target); the
paper's target is 1. `target="full"` maps it to the sum of the thresholds, the most an MT-IF neuron fires in
one step (3.75 for 2, 1, 0.5, 0.25): the same activations are then resolved in 3.75x finer steps and reach the
deep layers in fewer steps, which matters at small T (and for regression outputs, denoising); with one
threshold (IF) both targets are 1. A `pool` layer is a neuron with unit gain: its lambda is its source's (as in
the authors' code, where the conv after a pool takes the lambda of the conv before it). A `concat` also gets the
percentile of the whole concatenated activation, used only by layer-wise normalisation.

Normalisation (`normalise`), for every layer with parameters, lambda_out = its own lambda (1 for the head) and
lambda_in per input channel:
- first layer: 1 (static coding of the image);
- after a conv/upconv/pool: the lambda of that source;
- after a concat, `connection_wise` (eq. 8): every channel of part i gets lambda of the layer feeding part i;
  `layer_wise` (eq. 7): every channel gets the single concat lambda, while the spikes of each part are still
  in units of their own source's lambda (that mismatch is the drawback the paper fixes).
W~ = W * lambda_in[c] / lambda_out, b~ = b / lambda_out (c the input-channel axis: 1 for Conv2d, 0 for
ConvTranspose2d). With connection-wise normalisation the normalised ANN computes a_l / lambda_l at every neuron
layer and exactly the original head output: conversion is function-preserving in the rate limit.

SNN (`simulate`). Static coding: the first layer's current W~ x + b~ is constant over the T steps. Within a
step the layers are updated in list order and a layer reads the spikes its source fired in the *same* step
(Algorithm 1, line 6). Each neuron layer is an MT-IF neuron (golden/model/neuron.py: V > th strict by default,
membrane starts at 0, reset by subtraction, never clamped) whose output o(t) = sum_i th_i s_i(t); a pool layer's
current is avgpool(o_src(t)), an upconv's is ConvTranspose(o_src(t)) + b~. The single-threshold IF baseline is
the same neuron with one threshold (`thresholds=(1.0,)`).

Output rule (one rule everywhere, inference and fine-tuning alike): the head has no neuron; it accumulates
A_T = sum_{t=1..T} (W~ o_src(t) + b~), i.e. the bias is added at every step, and the network output is
A_T / T (= W~ mean_t o_src + b~, which equals the ANN head output in the rate limit). Denoising: A_T / T is the
noise map (restored = noisy - A_T / T); segmentation: the class is argmax of A_T (same as of A_T / T), and the
fine-tuning loss is the cross-entropy of A_T / T (golden/model/finetune.py).
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np
import torch

from golden.model.neuron import MTIFNeuron
from golden.model.unet import INPUT, Op, UNet, apply_layer

METHODS = ("layer_wise", "connection_wise")
MT_THRESHOLDS = (2.0, 1.0, 0.5, 0.25)
IF_THRESHOLDS = (1.0,)


def percentile(t: torch.Tensor, q: float = 99.9) -> float:
    """q-th percentile over all elements, zeros included (linear interpolation, as numpy)."""
    return float(np.percentile(t.detach().double().cpu().numpy().ravel(), q))


def calibration_target(target, thresholds=MT_THRESHOLDS) -> float:
    """The threshold units the calibration percentile maps to: a positive number, or "full" (sum of thresholds)."""
    if target == "full":
        return float(sum(thresholds))
    if isinstance(target, bool) or not isinstance(target, (int, float)) or not 0 < target < float("inf"):
        raise ValueError(f"calibration target must be a positive number or 'full', got {target!r}")
    return float(target)


def parse_calibration_target(text: str):
    """A command line's calibration target: "full", or the positive number the text spells (ValueError else)."""
    if text == "full":
        return "full"
    try:
        return calibration_target(float(text))
    except ValueError:
        raise ValueError(f"calibration target must be a positive number or 'full', got {text!r}") from None


@torch.no_grad()
def calibrate(model: UNet, batch: torch.Tensor, q: float = 99.9, target=1.0,
              thresholds=MT_THRESHOLDS) -> dict[str, float]:
    """lambda per conv / upconv / pool / concat layer from one calibration batch (see module docstring)."""
    scale = calibration_target(target, thresholds)
    was_training = model.training
    model.eval()
    acts = model.activations(batch)
    model.train(was_training)
    lam: dict[str, float] = {}
    for layer in model.specs:
        if layer.kind in (Op.CONV, Op.UPCONV, Op.CONCAT):
            v = percentile(acts[layer.name], q)
            lam[layer.name] = (v if v > 0 else 1.0) / scale
        elif layer.kind == Op.POOL:
            lam[layer.name] = lam[layer.sources[0]]
    return lam


def input_scales(model: UNet, lambdas: dict[str, float], method: str) -> dict[str, torch.Tensor]:
    """lambda_in per input channel of every layer with parameters (float64 vectors)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    specs = {l.name: l for l in model.specs}
    out = {}
    for layer in model.specs:
        if not layer.has_params:
            continue
        (src,) = layer.sources
        if src == INPUT:
            s = torch.ones(layer.in_channels, dtype=torch.float64)
        elif specs[src].kind == Op.CONCAT:
            cat = specs[src]
            if method == "layer_wise":
                s = torch.full((cat.out_channels,), lambdas[cat.name], dtype=torch.float64)
            else:
                s = torch.cat([torch.full((n,), lambdas[part], dtype=torch.float64)
                               for part, n in zip(cat.sources, cat.parts)])
        else:
            s = torch.full((layer.in_channels,), lambdas[src], dtype=torch.float64)
        if s.numel() != layer.in_channels:
            raise AssertionError(f"{layer.name}: {s.numel()} input scales for {layer.in_channels} channels")
        out[layer.name] = s
    return out


@torch.no_grad()
def normalise(model: UNet, lambdas: dict[str, float], method: str = "connection_wise") -> UNet:
    """A copy of `model` with normalised weights and biases (eqs. 7, 8); lambda_out of the head is 1."""
    snn = copy.deepcopy(model)
    scales = input_scales(model, lambdas, method)
    for layer in model.specs:
        if not layer.has_params:
            continue
        lam_out = 1.0 if layer.kind == Op.HEAD else float(lambdas[layer.name])
        m = snn.layers[layer.name]
        s = scales[layer.name].to(m.weight.dtype)
        shape = (-1, 1, 1, 1) if layer.kind == Op.UPCONV else (1, -1, 1, 1)
        m.weight.mul_(s.view(shape) / lam_out)
        m.bias.div_(lam_out)
    return snn


@dataclass
class SimResult:
    output: torch.Tensor                                   # A_T / T (head), [N][C][H][W]
    outputs_at: dict[int, torch.Tensor] = field(default_factory=dict)  # A_t / t at requested t
    flow_in: dict[str, torch.Tensor] = field(default_factory=dict)     # sum_t current, per neuron layer
    flow_out: dict[str, torch.Tensor] = field(default_factory=dict)    # sum_t o(t), per neuron layer
    spike_counts: dict[str, float] = field(default_factory=dict)       # total spikes (all thresholds)


@torch.no_grad()
def simulate(snn: UNet, x: torch.Tensor, timesteps: int, thresholds=MT_THRESHOLDS, compare: str = "gt",
             record_flows: bool = False, snapshots=(), count_spikes: bool = False) -> SimResult:
    """Run the normalised network `snn` as an SNN for `timesteps` steps on images x (float, [N][C][H][W]).

    `snapshots`: time steps t at which A_t / t is also returned (the network's dynamics do not depend on T, so
    one run to max T gives every shorter window). `record_flows`: keep the accumulated input current and output
    flow of every neuron layer (for fine-tuning, Algorithm 1 lines 9 and 13).
    """
    if timesteps < 1:
        raise ValueError(f"timesteps must be >= 1, got {timesteps}")
    snn.check_input(x)
    specs = snn.specs
    neurons = {l.name: MTIFNeuron(thresholds, compare) for l in specs if l.spiking}
    last_use = {s: i for i, l in enumerate(specs) for s in l.sources}
    first = specs[0]
    static = apply_layer(first, snn.layers[first.name], [x])  # static coding: constant current
    res = SimResult(output=torch.empty(0))
    acc = None
    snaps = set(int(t) for t in snapshots)
    for t in range(1, timesteps + 1):
        outs: dict[str, torch.Tensor] = {}
        for i, layer in enumerate(specs):
            if i == 0:
                cur = static
            else:
                cur = apply_layer(layer, snn.layers[layer.name] if layer.has_params else None,
                                  [outs[s] for s in layer.sources])
            if layer.spiking:
                n = neurons[layer.name]
                if count_spikes and not n.halving:
                    spikes = n(cur)
                    o, count = n.output(spikes), float(spikes.sum())
                else:
                    o = n.fire(cur)
                    count = spike_count(o, n) if count_spikes else 0.0
                if record_flows:
                    if t == 1:
                        res.flow_in[layer.name] = cur.clone()
                        res.flow_out[layer.name] = o.clone()
                    else:
                        res.flow_in[layer.name] += cur
                        res.flow_out[layer.name] += o
                if count_spikes:
                    res.spike_counts[layer.name] = res.spike_counts.get(layer.name, 0.0) + count
                outs[layer.name] = o
            elif layer.kind == Op.HEAD:
                acc = cur.clone() if acc is None else acc + cur
            else:
                outs[layer.name] = cur
            for s in layer.sources:
                if s != INPUT and last_use[s] == i:
                    del outs[s]
        if t in snaps:
            res.outputs_at[t] = acc / t
    res.output = acc / timesteps
    return res


def spike_count(o: torch.Tensor, neuron: MTIFNeuron) -> float:
    """Spikes (all thresholds) behind the outputs o of one step: o / th_min is a sum of distinct powers of two,
    one per threshold that fired, so the count is its number of set bits."""
    m = torch.round(o / neuron.th_min).to(torch.int64)
    bits = torch.zeros_like(m)
    for i in range(len(neuron.thresholds)):
        bits += (m >> i) & 1
    return float(bits.sum())


def thresholds_log2(thresholds) -> list[int]:
    """The exponents e of thresholds 2^e (the integer contract's MT-IF thresholds); refuses any other."""
    exps = []
    for th in thresholds:
        e = math.log2(float(th))
        if not e.is_integer():
            raise ValueError(f"threshold {th} is not a power of two: the integer contract needs 2^e thresholds")
        exps.append(int(e))
    return exps
