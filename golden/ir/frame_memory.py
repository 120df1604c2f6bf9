"""The external-memory image of one frame (docs/frame_engine.md, "Memory layout"): where the frame engine (RTL
`rtl/snn_frame_engine.sv`, HLS `snn_frame_top`) finds the image, writes every spiking layer's spike trains and
the output layer's A_T. Hosts and benches use this module to write the image and read the results back.

All buffers are little-endian byte arrays read and written in beats of `data_bits` bits (the AXI data width);
every row of every buffer starts on a beat, every buffer on a beat (4 KiB recommended: AXI bursts never cross
4 KiB).
- **image**: per pixel `c_pad = pow2(C)` bytes, channel c in byte c (padding 0), raster order; each row padded to
  whole beats.
- **spike trains of layer l** (every layer with a neuron, in the scratch buffer, network order): per output pixel
  one record of `T * c_pad * FB` bits, `c_pad = pow2(C_out)`, `FB = pow2(K)` (a field never straddles a beat), the
  spike word (contract §5) of channel c at step t in bits `[(t*c_pad + c)*FB +: K]` (high field bits 0), padded to
  whole beats; rows of `W_l` records, `H_l` rows. A layer that an engine build computes in `NP` passes of
  `c_pad / NP` channels (a streamed-weights build) lays each row out pass-major instead: `NP` segments of `W_l`
  sub-records, sub-record p of a pixel holding channels `p*CP .. p*CP+CP-1` (`CP = c_pad / NP`) at
  `[(t*CP + c - p*CP)*FB +: K]`, each padded to whole beats. `NP = 1` is the plain layout. Layer l lives at level
  `d_l` (its size is the frame's `>> d_l`, `<< -d_l` never happens in a U-Net).
- **output**: per pixel `O` 32-bit two's complement words (A_T of channel o at bits `[32*o +: 32]`), padded to
  whole beats, raster order.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from golden.ir.network import Network

DATA_BITS = (64, 128, 256)
OUT_WORD_BITS = 32


def pow2(n: int) -> int:
    return 1 << max(0, (int(n) - 1).bit_length())


@dataclass(frozen=True)
class Region:
    """One buffer area: `rows` x `cols` records of `record_beats` beats at byte `offset` of its buffer."""
    name: str
    offset: int          # bytes from the start of its buffer (image / scratch / output)
    rows: int
    cols: int
    record_beats: int    # beats per (sub-)record; image: beats per row (its pixels packed c_pad bytes each)
    channels: int
    c_pad: int
    level: int           # size = frame >> level
    passes: int = 1      # segments per row (pass-major layout, see above)

    def row_beats(self) -> int:
        return self.record_beats if self.name == "input" else self.passes * self.cols * self.record_beats

    def beats(self) -> int:
        return self.rows * self.row_beats()


@dataclass(frozen=True)
class FrameLayout:
    data_bits: int
    height: int
    width: int
    timesteps: int
    K: int
    image: Region
    layers: dict          # spiking layer name -> Region in the scratch buffer
    output: Region

    @property
    def field_bits(self) -> int:
        return pow2(self.K)

    @property
    def beat_bytes(self) -> int:
        return self.data_bits // 8

    def size(self, region: Region) -> int:
        return region.beats() * self.beat_bytes

    @property
    def scratch_bytes(self) -> int:
        return sum(self.size(r) for r in self.layers.values())

    @property
    def image_bytes(self) -> int:
        return self.size(self.image)

    @property
    def output_bytes(self) -> int:
        return self.size(self.output)


def levels(net: Network) -> dict[str, int]:
    """Each layer's level: its output is the frame's size >> level (checked: both sides, exactly)."""
    out = {}
    for l in net.layers:
        d = int(round(math.log2(net.height / l.height)))
        if (net.height >> d) != l.height or (net.width >> d) != l.width or d < 0:
            raise ValueError(f"layer {l.name}: size {l.height}x{l.width} is not the frame {net.height}x{net.width} "
                             f">> a level")
        out[l.name] = d
    return out


def max_level(net: Network) -> int:
    return max(levels(net).values())


def check_frame_size(net: Network, height: int, width: int) -> None:
    d = max_level(net)
    if height < (1 << d) or width < (1 << d) or height % (1 << d) or width % (1 << d):
        raise ValueError(f"frame {height}x{width}: height and width must be positive multiples of {1 << d} "
                         f"(the network has {d} pooling levels)")


def frame_layout(net: Network, height: int | None = None, width: int | None = None,
                 data_bits: int = 64, passes: dict | None = None) -> FrameLayout:
    """The layout of a `height` x `width` frame (default: the network's own size) for an AXI width `data_bits`;
    `passes`: layer name -> passes of the engine build (default 1 for every layer)."""
    if data_bits not in DATA_BITS:
        raise ValueError(f"data_bits must be one of {DATA_BITS}, not {data_bits}")
    height = net.height if height is None else height
    width = net.width if width is None else width
    check_frame_size(net, height, width)
    T, K, bb = net.timesteps, net.K, data_bits // 8
    lv = levels(net)
    cin = pow2(net.in_channels)
    image = Region("input", 0, height, width, math.ceil(width * cin / bb), net.in_channels, cin, 0)
    regions, offset = {}, 0
    for l in net.spiking:
        cp = pow2(l.out_channels)
        n_p = (passes or {}).get(l.name, 1)
        if n_p < 1 or cp % n_p:
            raise ValueError(f"layer {l.name}: {n_p} passes do not divide its {cp} padded channels")
        r = Region(l.name, offset, height >> lv[l.name], width >> lv[l.name],
                   math.ceil(T * (cp // n_p) * pow2(K) / data_bits), l.out_channels, cp, lv[l.name], n_p)
        regions[l.name] = r
        offset += r.beats() * bb
    o = net.output_layer
    output = Region(o.name, 0, height >> lv[o.name], width >> lv[o.name],
                    math.ceil(o.out_channels * OUT_WORD_BITS / data_bits), o.out_channels, o.out_channels,
                    lv[o.name])
    return FrameLayout(data_bits, height, width, T, K, image, regions, output)


def pack_image(image: np.ndarray, layout: FrameLayout) -> bytes:
    """uint8 [C][H][W] -> the image buffer."""
    r = layout.image
    img = np.asarray(image)
    if img.shape != (r.channels, r.rows, r.cols):
        raise ValueError(f"image shape {img.shape} != {(r.channels, r.rows, r.cols)}")
    buf = np.zeros((r.rows, r.record_beats * layout.beat_bytes), np.uint8)
    pix = np.zeros((r.rows, r.cols, r.c_pad), np.uint8)
    pix[:, :, :r.channels] = img.transpose(1, 2, 0)
    buf[:, :r.cols * r.c_pad] = pix.reshape(r.rows, -1)
    return buf.tobytes()


def _record_bits(region: Region, layout: FrameLayout, field_bits: int, fields: int) -> tuple[int, int]:
    return fields * field_bits, region.record_beats * layout.data_bits


def pack_spikes(spikes: np.ndarray, region: Region, layout: FrameLayout) -> bytes:
    """uint8 [T][C][H][W] spike words -> the region's bytes (what the engine writes)."""
    T, K = layout.timesteps, layout.K
    s = np.asarray(spikes, np.uint8)
    if s.shape != (T, region.channels, region.rows, region.cols):
        raise ValueError(f"spikes of {region.name}: shape {s.shape} != {(T, region.channels, region.rows, region.cols)}")
    n_p, cp = region.passes, region.c_pad // region.passes
    words = np.zeros((region.rows, region.cols, T, n_p, cp), np.uint8)
    words.reshape(region.rows, region.cols, T, -1)[..., :region.channels] = s.transpose(2, 3, 0, 1)
    words = words.transpose(0, 3, 1, 2, 4)                                   # [H][pass][W][T][cp]
    FB = layout.field_bits
    bits = (words[..., None] >> np.arange(FB, dtype=np.uint8)) & 1         # bit k of each word
    used, total = _record_bits(region, layout, FB, T * cp)
    rec = np.zeros((region.rows, n_p, region.cols, total), np.uint8)
    rec[..., :used] = bits.reshape(region.rows, n_p, region.cols, used)
    return np.packbits(rec, axis=-1, bitorder="little").tobytes()


def unpack_spikes(mem: bytes | np.ndarray, region: Region, layout: FrameLayout) -> np.ndarray:
    """The region's bytes (from the start of the region) -> uint8 [T][C][H][W] spike words."""
    T, K = layout.timesteps, layout.K
    n = layout.size(region)
    raw = np.frombuffer(bytes(mem[:n]) if not isinstance(mem, np.ndarray) else mem[:n].tobytes(), np.uint8)
    if raw.size != n:
        raise ValueError(f"spikes of {region.name}: {raw.size} bytes, the region has {n}")
    FB = layout.field_bits
    n_p, cp = region.passes, region.c_pad // region.passes
    used, total = _record_bits(region, layout, FB, T * cp)
    bits = np.unpackbits(raw.reshape(region.rows, n_p, region.cols, total // 8), axis=-1, bitorder="little")
    fields = bits[..., :used].reshape(region.rows, n_p, region.cols, T, cp, FB)
    words = (fields << np.arange(FB, dtype=np.uint8)).sum(axis=-1, dtype=np.uint8)   # [H][pass][W][T][cp]
    words = words.transpose(0, 2, 3, 1, 4).reshape(region.rows, region.cols, T, region.c_pad)
    return np.ascontiguousarray(words[..., :region.channels].transpose(2, 3, 0, 1))


def pack_output(accum: np.ndarray, layout: FrameLayout) -> bytes:
    r = layout.output
    a = np.asarray(accum, np.int64)
    words = np.zeros((r.rows, r.cols, r.record_beats * layout.data_bits // OUT_WORD_BITS), "<i4")
    words[..., :r.channels] = a.transpose(1, 2, 0)
    return words.tobytes()


def unpack_output(mem: bytes | np.ndarray, layout: FrameLayout) -> np.ndarray:
    """The output buffer -> int64 [O][H][W] (A_T)."""
    r = layout.output
    n = layout.size(r)
    raw = np.frombuffer(bytes(mem[:n]) if not isinstance(mem, np.ndarray) else mem[:n].tobytes(), "<i4")
    if raw.size * 4 != n:
        raise ValueError(f"output: {raw.size * 4} bytes, the buffer has {n}")
    words = raw.reshape(r.rows, r.cols, -1)[..., :r.channels]
    return np.ascontiguousarray(words.transpose(2, 0, 1)).astype(np.int64)
