"""What every layer kind provides: one class per kind, FINN's one-class-per-op style.

A kind knows its geometry, its quantisation rule (docs/contract.md §2, §7), its integer semantics (§3), its HLS
kernel call in the frame top (hls/nnet_*.h), its frame-engine descriptor fields (docs/frame_engine.md) and its cost
estimates. The integer model, the exporter and the backends ask the kind; nothing else compares a kind's name
(tests/test_architecture.py).
"""
from __future__ import annotations

from dataclasses import dataclass


import numpy as np

from golden.contract.quant import auto_frac_bits, quantize, spike_magnitude_max, worst_case


@dataclass(frozen=True)
class FrameCall:
    """What a kind's frame-top call is made of (golden/backends/hls/frame_top.py): the C++ expressions of the
    layer's size, its row buffer width, its destination region and its sources' regions, and its ROMs."""

    size: str               # "height >> d, width >> d"
    max_width: str          # "(MAX_WIDTH >> d)"
    dst: str                # region[REGION_<name>] or 0 (the output layer writes the output buffer)
    sources: list           # region[REGION_<source>] of each spiking source
    rom: str                # snn_params::<name>_weight, snn_params::<name>_bias


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
    code = -1                    # the frame engine's descriptor code F_KIND (its position in golden.kinds.NAMES)
    rtl_name = ""                # the code's localparam in rtl/snn_frame_pkg.svh
    level_offset = 0             # the input's pyramid level minus the output's (pool: -1, upconv: +1)
    frame_one_pass = False       # the frame engine computes every lane group in one pass (the output layer)
    hls_header = ""              # the kind's hls/nnet_*.h
    float_op = ""                # the float U-Net's op it implements (golden.model.unet.Op: conv, pool, upconv, head)

    @property
    def reads_spikes(self) -> bool:
        """Reads its sources' spike words (every kind but the one that reads the image)."""
        return not self.reads_image

    @property
    def hls_headers(self) -> tuple[str, ...]:
        """The hls/nnet_*.h headers this kind's process calls: its own, the concat when it reads several
        sources, the MT-IF neuron when it has one."""
        return ((self.hls_header,) + (("nnet_concat.h",) if self.max_sources is None else ())
                + (("nnet_mtif.h",) if self.has_neuron else ()))

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
        return auto_frac_bits(float(np.abs(weight).max()), bits, e_min, self.lowest_frac_bits(e_min))

    def torch_to_contract(self, weight: np.ndarray) -> np.ndarray:
        """Torch Conv2d [out][in][ky][kx] -> the contract's [out][ky][kx][in]."""
        return np.transpose(np.asarray(weight, dtype=np.float64), (0, 2, 3, 1))

    def quantise(self, weight, bias, frac_bits: int, exps, in_channels: int, input_shift, bits: int) -> Quantised:
        """Spiking-input layers: a spike of threshold 2^e adds w << (e - e_min), so w has F + e_min fraction bits."""
        e_min = min(exps)
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
        import torch  # lazy: reading a manifest needs no torch

        return torch.from_numpy(np.ascontiguousarray(np.transpose(weight, (0, 3, 1, 2)), dtype=np.float64))

    def torch_accumulate(self, layer, x, weight, bias):
        """accumulate() on a batch of torch tensors [N][C][H][W] of an exact float type (contract §9): only ops
        that sum exact products (direct convolution or GEMM), so the result equals the int64 one."""
        raise NotImplementedError(self.name)

    # ---------------------------------------------------------------- HLS (hls/nnet_*.h, the frame top)
    def hls_frame_call(self, layer, call: "FrameCall") -> list[str]:
        """The C++ lines of this kind's kernel call in the generated frame top (golden/backends/hls/frame_top.py):
        one nnet::frame::*_layer call per layer, all T steps of the layer."""
        raise NotImplementedError(self.name)

    # ---------------------------------------------------------------- the frame engine (rtl/snn_frame_*.sv; the
    # kind codes are its descriptor's F_KIND, rtl/snn_frame_pkg.svh)
    def k3(self, kernel: int) -> bool:
        """True: the engine walks a 3x3 window (16 weight slots per input channel and group)."""
        return kernel == 3

    def taps(self, layer) -> int:
        """Taps of the kernel as the frame engine walks it (F_NTAPS): 9 for a 3x3 or transposed 3x3 window,
        1 for a 1x1 conv or the pool."""
        return 9 if self.k3(layer.kernel) else 1

    def in_level(self, level: int) -> int:
        """The pyramid level of the input (F_IN_LEVEL) of a layer whose output is at `level`."""
        return level + self.level_offset

    def rows_done(self, kernel: int, h_in: int) -> np.ndarray:
        """int [h_in + 1]: the output rows a row-by-row scatter engine completes once input row iy is scattered
        ([h_in]: after the last row), for the frame engine's cycle estimate: a 3x3 completes row iy - 1 (the last
        row also iy), a 1x1 row iy."""
        done = np.zeros(h_in + 1, dtype=np.int64)
        if self.k3(kernel):
            done[1:h_in] = 1
            done[h_in] = 1
        else:
            done[:h_in] = 1
        return done

    def scatter_ops(self, kernel: int, h_in: int, w_in: int, sub_lanes: int, cols=None) -> np.ndarray:
        """int [H_in][W_in]: the scatter ops (per lane group) of one input event at each input pixel: the taps
        that land inside the output, sub_lanes of them per op (golden/backends/hls/frame_cycles.py); `cols`
        (lo, hi): only outputs in those columns count (an engine's strip)."""
        k3 = self.k3(kernel)
        vy, vx = self.tap_valid(h_in, k3), self.tap_valid(w_in, k3)
        if cols is not None:
            ox = self.tap_out(w_in, k3)
            vx = vx & (ox >= cols[0]) & (ox < cols[1])
        mask = (vy[:, None, :, None] & vx[None, :, None, :]).reshape(-1, h_in, w_in)  # [taps][H][W]
        taps = mask.shape[0]
        ops = -(-taps // sub_lanes)
        pad = np.zeros((ops * sub_lanes - taps, h_in, w_in), dtype=bool)
        return np.concatenate([mask, pad]).reshape(ops, sub_lanes, h_in, w_in).any(axis=1).sum(axis=0)

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

    def tap_out(self, n: int, k3: bool) -> np.ndarray:
        """int [taps][n]: the output coordinate that input coordinate i feeds through tap k (3x3: i - k + 1,
        zero padding 1; 1x1: i)."""
        i = np.arange(n)
        return np.stack([i + 1 - k for k in range(3)]) if k3 else i[None]

    def strip_halo(self, kernel: int) -> tuple[int, int]:
        """(left, right): input columns beyond an output strip that feed it (snn_frame_seq reads them)."""
        return (1, 1) if self.k3(kernel) else (0, 0)

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
