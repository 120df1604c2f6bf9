"""Sizing of the external-memory frame engine (issue 11; docs/frame_engine.md): on-chip memory and external
traffic per frame of the layer-major schedule, from a network's IR, as formulas.

The schedule: one layer at a time, all T steps of it, raster order of its output rows. For each output pixel
the engine forms the currents of all its output channels at step t from the input spike trains in its line
buffer, runs the neurons (one membrane per output channel of the pixel in flight, registers, never stored),
and appends the step's spike words to the pixel's spike train; the trains (T_c x K bits a neuron) go to
external memory and are read back by the consuming layers. No layer keeps a membrane map while another runs.

Parameters: `max_width` (the widest frame the on-chip buffers hold; the height never matters), `t_chunk`
(T_c: the steps one pass holds; T_c < T keeps the line buffers small but then the layer's membranes must
persist between passes: they go to external memory and back once per pass), weights on chip (`rom`) or
streamed per layer (`stream`, in passes of G output channels, each pass re-reading the layer's inputs).
Every figure is an upper-bound model, not a synthesis: memories as 18-kbit BRAM (or 288-kbit URAM) fully
packed, one line buffer reused by all layers (the largest counts), FIFOs and registers left out.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

BRAM18_BITS = 18 * 1024
URAM_BITS = 288 * 1024
XCZU7EV = {"lut": 230_400, "bram36": 312, "uram": 96, "dsp": 1728}  # ZCU104's part


def line_rows(kind_name: str, kernel: int) -> int:
    """Input rows a layer must hold to produce one output row: a k x k window k, a 2x2 pool 2, a transposed
    3x3 stride-2 conv 2 (output rows 2y, 2y+1 need input rows y and y+1), a 1x1 conv 1."""
    return 2 if kind_name in ("pool", "upconv") else kernel


@dataclass(frozen=True)
class LayerPlan:
    name: str
    kind: str
    passes: int              # output-channel passes (weights streamed in groups of G): inputs re-read per pass
    line_buffer_bits: int    # rows x max input width x C_in x (T_c K bits, or 8-bit pixels)
    weight_bits: int         # this layer's weights and biases
    read_bytes: int          # per frame: its inputs (every pass, every T chunk), weights if streamed
    write_bytes: int         # per frame: its spike trains (or A_T), membranes between T chunks


def plan_layers(net, max_width: int, t_chunk: int | None = None, weights: str = "rom",
                group_bits: int = 2 << 20, weight_bits: int = 8, out_bits: int = 32) -> list[LayerPlan]:
    """One LayerPlan per layer for frames of the network's height x width (buffers sized for max_width)."""
    if weights not in ("rom", "stream"):
        raise ValueError(f"weights must be 'rom' or 'stream', not {weights!r}")
    T, K = net.timesteps, net.K
    tc = min(t_chunk or T, T)
    chunks = math.ceil(T / tc)
    scale = max_width / net.width
    plans = []
    for l in net.layers:
        spec = l.spec
        wbits = l.widths.get("weight_bits", weight_bits) if spec.has_params else 0
        bbits = l.widths.get("bias_bits", weight_bits) if spec.has_params else 0
        kernel = l.kernel if spec.has_params else 2
        taps = kernel * kernel if spec.has_params else 0
        lw = (l.weight.size * wbits + l.out_channels * bbits) if spec.has_params else 0
        per_out = taps * l.in_channels * wbits  # weight bits of one output channel
        group = l.out_channels if weights == "rom" or not per_out else max(1, min(l.out_channels,
                                                                                  group_bits // per_out))
        passes = math.ceil(l.out_channels / group)
        in_w = math.ceil(l.in_width * scale)
        if spec.reads_image:
            lb = line_rows(l.kind, kernel) * in_w * l.in_channels * net.pixel_bits
            read = l.in_height * l.in_width * l.in_channels * net.pixel_bits // 8 * passes  # the image once a pass
        else:
            lb = line_rows(l.kind, kernel) * in_w * l.in_channels * tc * K
            read = passes * l.in_height * l.in_width * l.in_channels * T * K // 8  # every chunk of every input
        if weights == "stream":
            read += lw // 8
        if spec.has_neuron:
            write = l.out_channels * l.height * l.width * T * K // 8
            membrane = l.widths.get("membrane_bits", 32)
            if chunks > 1:  # the membranes cross the chunk boundaries through external memory
                mem_bytes = l.out_channels * l.height * l.width * math.ceil(membrane / 8)
                write += (chunks - 1) * mem_bytes
                read += (chunks - 1) * mem_bytes
        else:
            write = l.out_channels * l.height * l.width * out_bits // 8  # A_T
        plans.append(LayerPlan(l.name, l.kind, passes, int(lb), int(lw), int(read), int(write)))
    return plans


def frame_plan(net, max_width: int, t_chunk: int | None = None, weights: str = "rom", lanes: int = 8,
               **kw) -> dict:
    """The totals: on-chip bits (the largest line buffer + the weights on chip), BRAM18 and URAM if the line
    buffer goes to URAM, external bytes per frame."""
    layers = plan_layers(net, max_width, t_chunk, weights, **kw)
    line = max(p.line_buffer_bits for p in layers)
    if weights == "rom":
        weight_mem = sum(p.weight_bits for p in layers)
    else:  # two groups of the largest pass: one in use, one loading
        weight_mem = 2 * max(math.ceil(p.weight_bits / p.passes) for p in layers)
    read, write = sum(p.read_bytes for p in layers), sum(p.write_bytes for p in layers)
    return {
        "model": net.name, "frame": f"{net.height}x{net.width}", "max_width": max_width, "T": net.timesteps,
        "t_chunk": min(t_chunk or net.timesteps, net.timesteps), "weights": weights, "lanes": lanes,
        "line_buffer_bits": line, "weight_memory_bits": weight_mem,
        "bram18_all_bram": math.ceil(line / BRAM18_BITS) + math.ceil(weight_mem / BRAM18_BITS),
        "uram_line_buffer": math.ceil(line / URAM_BITS), "bram18_weights": math.ceil(weight_mem / BRAM18_BITS),
        "external_read_mb": read / 1e6, "external_write_mb": write / 1e6,
        "layers": [asdict(p) for p in layers],
    }


def fits_xczu7ev(plan: dict) -> bool:
    """The memories alone within the part: weights in BRAM, line buffer in URAM (or BRAM if it is small)."""
    bram36 = math.ceil(plan["bram18_weights"] / 2)
    line_bram36 = math.ceil(plan["line_buffer_bits"] / (2 * BRAM18_BITS))
    return (bram36 + line_bram36 <= XCZU7EV["bram36"]
            or (bram36 <= XCZU7EV["bram36"] and plan["uram_line_buffer"] <= XCZU7EV["uram"]))


def line(plan: dict) -> str:
    return (f"FRAME {plan['model']} frame={plan['frame']} max_width={plan['max_width']} T={plan['T']} "
            f"t_chunk={plan['t_chunk']} weights={plan['weights']} line_buffer_kbit={plan['line_buffer_bits'] / 1024:.0f} "
            f"weight_kbit={plan['weight_memory_bits'] / 1024:.0f} bram18={plan['bram18_all_bram']} "
            f"(or line buffer in uram={plan['uram_line_buffer']} + bram18={plan['bram18_weights']}) "
            f"ext_read_mb={plan['external_read_mb']:.1f} ext_write_mb={plan['external_write_mb']:.1f} "
            f"fits_xczu7ev={'yes' if fits_xczu7ev(plan) else 'no'}")
