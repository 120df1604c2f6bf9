"""upconv: ConvTranspose2d(k=3, s=2, p=1, output_padding=1) of spike words as a scatter, then MT-IF (§3).

Input pixel (iy, ix) adds w[o][ky][kx][c] * x[c][iy][ix] to output (2 iy + ky - 1, 2 ix + kx - 1); the taps are
used unflipped, so the weights are torch's [in][out][ky][kx] transposed to [out][ky][kx][in].
"""
from __future__ import annotations

import numpy as np

from golden.kinds.base import LayerKind, adder_depth, ones


class Upconv(LayerKind):
    name = "upconv"
    role = "transposed conv (k3 s2) + MT-IF"

    def out_size(self, height, width):
        return 2 * height, 2 * width

    def torch_to_contract(self, weight):
        return np.transpose(np.asarray(weight, dtype=np.float64), (1, 2, 3, 0))

    def accumulate(self, layer, x):
        from golden.contract.intmodel import upconv_int

        return upconv_int(x, layer.weight) + layer.bias[:, None, None]

    def torch_weight(self, weight):
        import torch

        return torch.from_numpy(np.ascontiguousarray(np.transpose(weight, (3, 0, 1, 2)), dtype=np.float64))

    def torch_accumulate(self, layer, x, weight, bias):
        import torch.nn.functional as F

        return F.conv_transpose2d(x, weight, bias, stride=2, padding=1, output_padding=1)

    def hls_call(self, n, src, cur):
        return f"nnet::upconv<{n}_config>({src}, {cur}, snn_params::{n}_weight, snn_params::{n}_bias);"

    def hls_process(self, layer, k):
        ih, iw = layer.in_height, layer.in_width
        oy, ox = np.divmod(np.arange(4 * ih * iw), 2 * iw)
        j, i = oy >> 1, ox >> 1
        load = (ox == 0) | (((ox & 1) == 1) & (i + 1 < iw))
        read = load & ((oy == 0) | (((oy & 1) == 1) & (j + 1 < ih)))
        return "upconv", len(read), adder_depth(4 * layer.in_channels * k + 1), read, ones(4 * ih * iw)

    def hls_costs(self, layer, k, pixel_bits):
        return {"gated_adders": 4 * layer.in_channels * k * layer.out_channels, "multipliers": 0,
                "memory_bits": {"line_buffers": 2 * layer.in_width * layer.in_channels * k}}

    def k3(self, kernel):
        return True

    def tap_valid(self, n, k3):
        i = np.arange(n)
        return np.stack([i >= 1, np.ones(n, dtype=bool), np.ones(n, dtype=bool)])  # output 2i + k - 1 in [0, 2n)


KIND = Upconv()
