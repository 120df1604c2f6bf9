"""spiking_conv: a 3x3 (or 1x1) conv of spike words, shift-and-add, no multiplier (contract §3).

Its sources are concatenated along channels (a U-Net concat: the encoder feature first).
"""
from __future__ import annotations

from golden.contract.intmodel import conv_int
from golden.kinds.base import LayerKind


class SpikingConv(LayerKind):
    name = "spiking_conv"
    role = "spiking conv + MT-IF"
    code = 1
    rtl_name = "KIND_CONV"
    hls_header = "nnet_spiking_conv.h"
    float_op = "conv"
    max_sources = None
    kernels = (3,)

    def accumulate(self, layer, x):
        return conv_int(x, layer.weight) + layer.bias[:, None, None]

    def torch_accumulate(self, layer, x, weight, bias):
        import torch.nn.functional as F  # lazy: reading a manifest needs no torch

        return F.conv2d(x, weight, bias, padding=weight.shape[-1] // 2)

    def hls_frame_call(self, layer, call):
        """One source, or two concatenated with the encoder's first (§3); the output layer's A_T goes to the
        output buffer (the kernel's `output` argument)."""
        n = layer.name
        if len(layer.sources) == 1:
            sources, src_b = f"nnet::frame::one_source<{layer.sources[0]}_config, model_config, DW>", "0"
        else:
            a, b = layer.sources
            sources, src_b = f"nnet::frame::two_sources<{a}_config, {b}_config, model_config, DW>", call.sources[1]
        return [f"    nnet::frame::conv_layer<{n}_config, model_config, {sources}, DW, {call.max_width}>(",
                f"        scratch, output, {call.sources[0]}, {src_b}, {call.dst}, {call.size}, {call.rom});"]


KIND = SpikingConv()
