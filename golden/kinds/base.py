"""What every layer kind provides: one class per kind, FINN's one-class-per-op style.

A kind knows its geometry, its quantisation rule (docs/contract.md §2, §7), its integer semantics (§3), its HLS
process call (hls/nnet_*.h), its snn_engine descriptor fields (docs/rtl_engine.md) and its cost estimates. The
integer model, the exporter and the backends ask the kind; nothing else branches on a kind's name.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Quantised:
    """What a kind's quantisation rule returns for one layer (integers, contract §2)."""

    weight: np.ndarray      # int64 [out][ky][kx][in] (pool: [C][0][0][0])
    bias: np.ndarray        # int64 [out]
    input_shift: int        # input_conv: G; pool: F + e_min - 2; else 0
    acc_bound: int          # worst-case |accumulator| (§7)
    current_bound: int      # worst-case |current| (§7)


class LayerKind:
    """Defaults shared by the kinds; each kind module overrides what differs."""

    name: str = ""
    role: str = ""               # one line for generated comments
    has_neuron = True            # followed by an MT-IF neuron (else: accumulates over T, §6)
    has_params = True            # weights and biases
    reads_image = False          # static coding of the 8-bit image (only the input layer)
    max_sources = 1              # a concat is folded into the sources of the conv that reads it (§3)
    kernels: tuple[int, ...] = (3,)

    # ---------------------------------------------------------------- geometry
    def out_size(self, height: int, width: int) -> tuple[int, int]:
        return height, width

    def check_input_size(self, height: int, width: int) -> str | None:
        """Why this kind cannot read a height x width input, or None."""
        return None

    # ---------------------------------------------------------------- quantisation (§2, §7)
    def lowest_frac_bits(self, e_min: int) -> int:
        return -e_min

    def default_frac_bits(self, weight: np.ndarray | None, bits: int, e_min: int) -> int:
        from golden.export.quantise import auto_frac_bits

        return auto_frac_bits(float(np.abs(weight).max()), bits, e_min, self.lowest_frac_bits(e_min))

    def torch_to_contract(self, weight: np.ndarray) -> np.ndarray:
        """Torch Conv2d [out][in][ky][kx] -> the contract's [out][ky][kx][in]."""
        return np.transpose(np.asarray(weight, dtype=np.float64), (0, 2, 3, 1))

    def quantise(self, weight, bias, frac_bits: int, exps, in_channels: int, input_shift, bits: int) -> Quantised:
        """Spiking-input layers: a spike of threshold 2^e adds w << (e - e_min), so w has F + e_min fraction bits."""
        e_min = min(exps)
        from golden.contract.quant import quantize

        w = quantize(weight, frac_bits + e_min)
        b = quantize(bias, frac_bits)
        return Quantised(w, b, 0, *self.bounds(w, b, 0, exps))

    def bounds(self, weight: np.ndarray, bias: np.ndarray, input_shift: int, exps) -> tuple[int, int]:
        """(acc bound, current bound) of §7 from the integer weights: the exporter sizes the widths with it and
        the loader re-derives them, so a manifest whose widths disagree with its weights is refused."""
        bound = worst_case(bias, weight, spike_magnitude_max(exps))
        return bound, bound

    # ---------------------------------------------------------------- integer semantics (§3)
    def accumulate(self, layer, x: np.ndarray) -> np.ndarray:
        """The accumulator of one step from the input (spike magnitudes in units of 2^e_min, [C][H][W])."""
        raise NotImplementedError(self.name)

    def current(self, layer, acc: np.ndarray) -> np.ndarray:
        """The current the neuron (or the output accumulator) integrates, from the accumulator."""
        return acc

    # ---------------------------------------------------------------- the same in torch (golden.contract.fastmodel)
    def torch_weight(self, weight: np.ndarray):
        """The contract's [out][ky][kx][in] weights in the layout of this kind's torch op (float64 tensor)."""
        import torch

        return torch.from_numpy(np.ascontiguousarray(np.transpose(weight, (0, 3, 1, 2)), dtype=np.float64))

    def torch_accumulate(self, layer, x, weight, bias):
        """accumulate() on a batch of torch tensors [N][C][H][W] of an exact float type (contract §9): only ops
        that sum exact products (direct convolution or GEMM), so the result equals the int64 one."""
        raise NotImplementedError(self.name)

    # ---------------------------------------------------------------- HLS (hls/nnet_*.h)
    def hls_call(self, n: str, src: str, cur: str) -> str:
        """The C++ statement of this kind's process in one step: reads stream `src`, writes stream `cur`."""
        raise NotImplementedError(self.name)

    def hls_process(self, layer, k: int):
        """(process suffix, iterations, pipeline depth, read pattern, write pattern) of the step's process,
        for golden.backends.hls.estimate."""
        raise NotImplementedError(self.name)

    def hls_costs(self, layer, k: int, pixel_bits: int) -> dict:
        """Per-step gated adds, multipliers and on-chip memory bits of this kind's processes."""
        raise NotImplementedError(self.name)

    # ---------------------------------------------------------------- RTL (snn_engine descriptor; the kind codes
    # are the engine's encoding table, golden/backends/rtl/constants.py)
    def k3(self, kernel: int) -> bool:
        """True: the engine walks a 3x3 window (16 weight slots per input channel and group)."""
        return kernel == 3

    def rtl_shift(self, layer) -> int:
        """The descriptor's shift field (input_conv: >>> G, pool: << F + e_min - 2)."""
        return 0

    def events(self, nonzero: np.ndarray, kernel: int, out_channels: int) -> int:
        """Synaptic events (accumulates) of the nonzero inputs [C][H][W] of one step: taps inside the output x
        output channels, what an event-driven engine with no wasted cycle performs."""
        k3 = self.k3(kernel)
        ty = self.tap_valid(nonzero.shape[1], k3).sum(axis=0)  # valid taps per input coordinate
        tx = self.tap_valid(nonzero.shape[2], k3).sum(axis=0)
        return int((nonzero * ty[None, :, None] * tx[None, None, :]).sum()) * out_channels

    def tap_valid(self, n: int, k3: bool) -> np.ndarray:
        """bool [taps][n]: input coordinate i feeds an output inside the map through tap k (zero padding 1)."""
        if not k3:
            return np.ones((1, n), dtype=bool)
        i = np.arange(n)
        return np.stack([i <= n - 2, np.ones(n, dtype=bool), i >= 1])  # output i - k + 1 in [0, n)

    def exercised(self, nonzero: np.ndarray, kernel: int) -> np.ndarray:
        """bool [ky][kx][C]: the weights w[*][ky][kx][c] that took part in an accumulate with a nonzero input
        (the input [C][H][W] != 0 of one step) landing inside the output: the verification coverage."""
        k3 = self.k3(kernel)
        vy, vx = self.tap_valid(nonzero.shape[1], k3), self.tap_valid(nonzero.shape[2], k3)
        return np.einsum("cyx,ay,bx->abc", nonzero.astype(np.int64), vy.astype(np.int64), vx.astype(np.int64)) > 0



def spike_magnitude_max(exps) -> int:
    """The largest spike magnitude (units of 2^e_min): every threshold fires."""
    return sum(1 << (e - min(exps)) for e in exps)


def widths_of(weight: np.ndarray, bias: np.ndarray, acc_bound: int, current_bound: int, timesteps: int) -> dict:
    """The five widths of §7 of one layer."""
    from golden.contract.quant import signed_bits

    return {
        "weight_bits": signed_bits(int(np.abs(weight).max()) if weight.size else 0),
        "bias_bits": signed_bits(int(np.abs(bias).max()) if bias.size else 0),
        "acc_bits": signed_bits(acc_bound),
        "current_bits": signed_bits(current_bound),
        "membrane_bits": signed_bits(timesteps * current_bound),  # the output layer's accumulator too
    }


def worst_case(bias: np.ndarray, weight: np.ndarray, magnitude: int) -> int:
    """max_o (|b[o]| + magnitude * sum |w[o]|) (§7), in Python integers: exact at any size, never wraps."""
    w = np.abs(weight.reshape(len(weight), -1)).astype(object)
    sums = w.sum(axis=1) if w.shape[1] else [0] * len(weight)
    return max(abs(int(bo)) + magnitude * int(s) for bo, s in zip(bias, sums))


def adder_depth(n: int) -> int:
    """Pipeline stages of an adder tree of n terms (two levels per stage) plus the register after it."""
    import math

    return 1 + math.ceil(math.log2(max(n, 2)) / 2)


def conv3_pattern(h: int, w: int):
    """A 3x3 line-buffer conv reads (h+1)(w+1) slots: the last row and column flush the window."""
    r, c = np.divmod(np.arange((h + 1) * (w + 1)), w + 1)
    return (r < h) & (c < w), (r >= 1) & (c >= 1)


def ones(n: int) -> np.ndarray:
    return np.ones(n, dtype=bool)
