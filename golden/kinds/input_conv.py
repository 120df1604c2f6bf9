"""input_conv: the first layer, a 3x3 conv of the 8-bit image with static coding (contract §3).

The current (b + sum w * p) >>> G is computed once per frame and replayed at every step; the only kind with
multipliers (the pixels are not spikes).
"""
from __future__ import annotations

import numpy as np

from golden.kinds.base import LayerKind, Quantised, ones, worst_case


class InputConv(LayerKind):
    name = "input_conv"
    role = "static-coded 3x3 conv + MT-IF"
    reads_image = True

    def default_frac_bits(self, weight, bits, e_min):
        return 8

    def quantise(self, weight, bias, frac_bits, exps, in_channels, input_shift, bits):
        from golden.contract.quant import quantize
        from golden.export.quantise import auto_frac_bits

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
        from golden.contract.intmodel import conv_int

        return conv_int(x.astype(np.int64), layer.weight) + layer.bias[:, None, None]

    def current(self, layer, acc):
        return acc >> layer.input_shift  # numpy >> on int64 is an arithmetic shift (floor)

    def hls_call(self, n, src, cur):
        return f"nnet::replay_frame<{n}_current_beat_t, {n}_config::height * {n}_config::width>({src}, {cur});"

    def hls_process(self, layer, k):
        hw = layer.height * layer.width
        return "replay", hw, 1, None, ones(hw)

    def hls_costs(self, layer, k, pixel_bits):
        hw = layer.height * layer.width
        return {"gated_adders": 0, "multipliers": 9 * layer.in_channels * layer.out_channels,
                "memory_bits": {"line_buffers": 2 * layer.width * layer.in_channels * pixel_bits,
                                "static_current": hw * layer.out_channels * layer.widths.get("current_bits", 0)}}

    def rtl_shift(self, layer):
        return layer.input_shift


KIND = InputConv()
