"""upconv: ConvTranspose2d(k=3, s=2, p=1, output_padding=1) of spike words as a scatter, then MT-IF (§3).

Input pixel (iy, ix) adds w[o][ky][kx][c] * x[c][iy][ix] to output (2 iy + ky - 1, 2 ix + kx - 1); the taps are
used unflipped, so the weights are torch's [in][out][ky][kx] transposed to [out][ky][kx][in].
"""
from __future__ import annotations

import numpy as np

from golden.contract.intmodel import upconv_int
from golden.kinds.base import LayerKind


class Upconv(LayerKind):
    name = "upconv"
    role = "transposed conv (k3 s2) + MT-IF"
    code = 3
    rtl_name = "KIND_UPCONV"
    hls_header = "nnet_upconv.h"
    float_op = "upconv"
    level_offset = 1

    def out_size(self, height, width):
        return 2 * height, 2 * width

    def torch_to_contract(self, weight):
        return np.transpose(np.asarray(weight, dtype=np.float64), (1, 2, 3, 0))

    def accumulate(self, layer, x):
        return upconv_int(x, layer.weight) + layer.bias[:, None, None]

    def torch_weight(self, weight):
        import torch  # lazy: reading a manifest needs no torch

        return torch.from_numpy(np.ascontiguousarray(np.transpose(weight, (3, 0, 1, 2)), dtype=np.float64))

    def torch_accumulate(self, layer, x, weight, bias):
        import torch.nn.functional as F  # lazy: reading a manifest needs no torch

        return F.conv_transpose2d(x, weight, bias, stride=2, padding=1, output_padding=1)


    def k3(self, kernel):
        return True

    def rows_done(self, kernel, h_in):
        done = np.zeros(h_in + 1, dtype=np.int64)
        done[1:h_in] = 2  # rows 2iy - 1 and 2iy
        done[h_in] = 2    # the last two after the last row
        return done

    def tap_out(self, n, k3):
        i = np.arange(n)
        return np.stack([2 * i + k - 1 for k in range(3)])

    def strip_halo(self, kernel):
        return (0, 1)   # outputs [2a, 2b) take inputs a .. b (ix = b through kx = 0)

    def tap_valid(self, n, k3):
        i = np.arange(n)
        return np.stack([i >= 1, np.ones(n, dtype=bool), np.ones(n, dtype=bool)])  # output 2i + k - 1 in [0, 2n)

    def hls_frame_call(self, layer, call):
        n, s = layer.name, layer.sources[0]
        return [f"    nnet::frame::upconv_layer<{n}_config, {s}_config, model_config, DW, {call.max_width}>(scratch, "
                f"{call.sources[0]}, {call.dst}, {call.size},", f"        {call.rom});"]


KIND = Upconv()
