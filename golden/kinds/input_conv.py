"""input_conv: the first layer, a 3x3 conv of the 8-bit image with static coding (contract §3).

The current (b + sum w * p) >>> G is computed once per frame and replayed at every step; the only kind with
multipliers (the pixels are not spikes).
"""
from __future__ import annotations

import numpy as np

from golden.contract.quant import auto_frac_bits, quantize, worst_case
from golden.contract.intmodel import conv_int
from golden.kinds.base import LayerKind, Quantised


class InputConv(LayerKind):
    name = "input_conv"
    role = "static-coded 3x3 conv + MT-IF"
    code = 0
    rtl_name = "KIND_INPUT"
    hls_header = "nnet_input_conv.h"
    float_op = "conv"
    reads_image = True

    def default_frac_bits(self, weight, bits, e_min):
        return 8

    def quantise(self, weight, bias, frac_bits, exps, in_channels, input_shift, bits):
        g = input_shift
        if g is None:  # G chosen so the largest weight fills `bits` (contract §2)
            g = auto_frac_bits(float(np.abs(weight).max()) / 255.0, bits, frac_bits, 1)
        if g < 1:
            raise ValueError("input_shift must be >= 1")
        w = quantize(weight / 255.0, frac_bits + g)
        b = quantize(bias, frac_bits + g) + (1 << (g - 1))  # rounding offset of the >>> G folded into the bias
        return Quantised(w, b, g, *self.bounds(w, b, g, exps))

    def bounds(self, weight, bias, input_shift, exps):
        acc = worst_case(bias, weight, 255)  # 8-bit pixels
        return acc, -(-acc >> input_shift)  # ceil

    def accumulate(self, layer, x):
        return conv_int(x.astype(np.int64), layer.weight) + layer.bias[:, None, None]

    def current(self, layer, acc):
        return acc >> layer.input_shift  # numpy >> on int64 is an arithmetic shift (floor)


    def rtl_shift(self, layer):
        return layer.input_shift

    def hls_frame_call(self, layer, call):
        n = layer.name
        return [f"    nnet::frame::input_conv_layer<{n}_config, model_config, DW, {call.max_width}>(image, scratch, "
                f"{call.dst}, {call.size},", f"        {call.rom});"]


KIND = InputConv()
