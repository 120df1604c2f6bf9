"""pool: 2x2 average pool of spike magnitudes, then an MT-IF neuron; no parameters (contract §3).

The average of 4 spike values (units of 2^e_min) in units of 2^-F is a left shift by F + e_min - 2.
"""
from __future__ import annotations

import numpy as np

from golden.kinds.base import LayerKind, Quantised, spike_magnitude_max


class Pool(LayerKind):
    name = "pool"
    role = "2x2 average pool + MT-IF"
    code = 2
    rtl_name = "KIND_POOL"
    hls_header = "nnet_pool.h"
    float_op = "pool"
    level_offset = -1
    has_params = False
    kernels = ()

    def out_size(self, height, width):
        return height // 2, width // 2

    def check_input_size(self, height, width):
        if height % 2 or width % 2:
            return f"a 2x2 pool needs an even input size, got {height}x{width}"
        return None

    def lowest_frac_bits(self, e_min):
        return max(-e_min, 2 - e_min)

    def default_frac_bits(self, weight, bits, e_min):
        return self.lowest_frac_bits(e_min)

    def quantise(self, weight, bias, frac_bits, exps, in_channels, input_shift, bits):
        shift = frac_bits + min(exps) - 2
        if shift < 0:
            raise ValueError(f"pool needs frac_bits >= {2 - min(exps)}, got {frac_bits}")
        w, b = np.zeros((in_channels, 0, 0, 0), dtype=np.int64), np.zeros(in_channels, dtype=np.int64)
        return Quantised(w, b, shift, *self.bounds(w, b, shift, exps))

    def bounds(self, weight, bias, input_shift, exps):
        bound = (4 * spike_magnitude_max(exps)) << input_shift
        return bound, bound

    def accumulate(self, layer, x):
        c, h, w = x.shape
        return x.reshape(c, h // 2, 2, w // 2, 2).sum(axis=(2, 4)) << layer.input_shift

    def torch_accumulate(self, layer, x, weight, bias):
        import torch.nn.functional as F  # lazy: reading a manifest needs no torch

        return F.avg_pool2d(x, 2, divisor_override=1).mul_(1 << layer.input_shift)  # the 2x2 sum, shifted


    def k3(self, kernel):
        return False

    def rows_done(self, kernel, h_in):
        done = np.zeros(h_in + 1, dtype=np.int64)
        done[1:h_in:2] = 1  # output row iy / 2 after odd iy
        return done

    def rtl_shift(self, layer):
        return layer.input_shift

    def events(self, nonzero, kernel, out_channels):
        return int(nonzero.sum())  # one add into one output channel per input value

    def hls_frame_call(self, layer, call):
        n, s = layer.name, layer.sources[0]
        return [f"    nnet::frame::pool_layer<{n}_config, {s}_config, model_config, DW, {call.max_width}>(scratch, "
                f"{call.sources[0]}, {call.dst}, {call.size});"]

    def tap_out(self, n, k3):
        return (np.arange(n) // 2)[None]

    def scatter_ops(self, kernel, h_in, w_in, sub_lanes, cols=None):
        ops = np.ones((h_in, w_in), dtype=np.int64)  # one op per event: the lane of its channel, weight 1
        if cols is not None:
            ox = np.arange(w_in) // 2
            ops[:, (ox < cols[0]) | (ox >= cols[1])] = 0
        return ops


KIND = Pool()
