"""spiking_conv: a 3x3 (or 1x1) conv of spike words, shift-and-add, no multiplier (contract §3).

Its sources are concatenated along channels (a U-Net concat: the encoder feature first).
"""
from __future__ import annotations

from golden.kinds.base import LayerKind, adder_depth, conv3_pattern, ones


class SpikingConv(LayerKind):
    name = "spiking_conv"
    role = "spiking conv + MT-IF"
    max_sources = None
    kernels = (3,)

    def accumulate(self, layer, x):
        from golden.contract.intmodel import conv_int

        return conv_int(x, layer.weight) + layer.bias[:, None, None]

    def torch_accumulate(self, layer, x, weight, bias):
        import torch.nn.functional as F

        return F.conv2d(x, weight, bias, padding=weight.shape[-1] // 2)

    def hls_call(self, n, src, cur):
        return f"nnet::spiking_conv<{n}_config>({src}, {cur}, snn_params::{n}_weight, snn_params::{n}_bias);"

    def hls_process(self, layer, k):
        h, w = layer.height, layer.width
        if layer.kernel == 3:
            rd, wr = conv3_pattern(h, w)
            return "conv3x3", len(rd), adder_depth(9 * layer.in_channels * k + 1), rd, wr
        return "conv1x1", h * w, adder_depth(layer.in_channels * k + 1), ones(h * w), ones(h * w)

    def hls_costs(self, layer, k, pixel_bits):
        taps = layer.kernel ** 2 * layer.in_channels * k
        mem = {"line_buffers": 2 * layer.width * layer.in_channels * k} if layer.kernel == 3 else {}
        return {"gated_adders": taps * layer.out_channels, "multipliers": 0, "memory_bits": mem}


KIND = SpikingConv()
