"""The generated external-memory HLS top of a network: snn_frame_top.h/.cpp (hls/nnet_frame.h kernels).

`snn_frame_top(image, output, scratch, weights, height, width, timeout, status)` has the interface of the RTL
frame engine (docs/frame_engine.md, docs/ctrl_axil.md): four `m_axi` pointers on one bundle `gmem` and the scalars
on an `s_axilite` control bundle with `ap_ctrl_hs`, in that argument order (golden.backends.rtl.ctrl_map.ENGINE_ARGS),
so Vitis gives the register map image 0x10, output 0x1c, scratch 0x28, weights 0x34, height 0x40, width 0x48,
timeout 0x50, status 0x58 (an output scalar: read only, `status_ap_vld` at 0x5c). One call is one frame of
run-time size height x width (positive multiples of 2^levels, the width a multiple of ENGINES x 2^levels, width <=
MAX_WIDTH, height < 2^16).

Parallelism (docs/frame_engine.md, the RTL's N_ENG engines of P lanes): the generated header sets ENGINES (column
strips, one per engine: engine e computes columns [e W_l / ENGINES, (e + 1) W_l / ENGINES) of every layer) and
LANES (output channels in parallel per engine) and hands them to every kernel through its model config
(`model_config` = snn_params::model_config + `engines`, `lanes`); hls/nnet_frame.h unrolls the strips and the
lanes (hls/README.md).

STATUS (issue 23, the RTL engine's bits): the top checks its arguments first and, when they are bad, writes
STATUS_BAD_ARG (bit 3) and returns having read and written nothing: height or width 0, not a multiple of
2^levels, width not a multiple of ENGINES x 2^levels, width above MAX_WIDTH, height >= 2^16, and (C simulation
only: synthesised code cannot compare m_axi addresses) a written buffer (output, scratch) overlapping another. Beat alignment holds by construction (the
pointers are to DW-bit beats). Otherwise it runs the frame and writes 0. The AXI error bits (0 read, 1 write) and
the timeout bit (2) do not exist in C simulation (memory accesses cannot fail there); `timeout` is accepted for
the register map and not used; in a Vitis build an m_axi error response is not visible to the C code either.

The top runs the layers one after the other
in network order (layer-major, all T steps of a layer), one kernel call per layer with the memory regions of its
sources and its own; the region offsets are computed at run time from height and width exactly as
golden/ir/frame_memory.py's frame_layout does (the C-sim bench prints them and golden/backends/hls/csim.py
checks them against frame_layout). `weights` is not read: the weights are the ROMs of snn_params.h.
"""
from __future__ import annotations

from golden.backends.rtl import ctrl_map
from golden.ir import frame_memory
from golden.ir.network import INPUT, Layer, Network
from golden.kinds.base import FrameCall

BURST = 64          # max_read/write_burst_length (beats)
OUTSTANDING = 16    # num_read/write_outstanding
MAX_SOURCES = 2
# the top's arguments (name, bits) in prototype order = the s_axilite register map's order: the RTL engine's one
# table (docs/ctrl_axil.md: golden.backends.rtl.ctrl_map.arg_offsets gives 0x10, 0x1c, 0x28, 0x34, 0x40, 0x48,
# 0x50, 0x58; `status` is the output scalar)
FRAME_ARGS = ctrl_map.ENGINE_ARGS
MAX_HEIGHT = (1 << 16) - 1   # the RTL engine's row counters (Y_W = 16): the same refusal here
ENGINES = 1         # default engines (column strips)
LANES = 8           # default lanes (output channels in parallel per engine)
MAX_ENGINES = 64    # as golden/backends/rtl/frame_config.py
MAX_LANES = 256


def width_step(net: Network, engines: int = ENGINES) -> int:
    """What every frame width (and MAX_WIDTH) must be a multiple of: ENGINES x 2^levels (each engine's strip
    holds whole pixels at every level)."""
    return int(engines) << frame_memory.max_level(net)


def check_parallelism(engines: int, lanes: int) -> None:
    for what, v, most in (("engines", engines, MAX_ENGINES), ("lanes", lanes, MAX_LANES)):
        if not isinstance(v, int) or v < 1 or v & (v - 1) or v > most:
            raise ValueError(f"{what} must be a power of two from 1 to {most}, not {v}")


def default_max_width(net: Network, widths=(), engines: int = ENGINES) -> int:
    """The narrowest MAX_WIDTH that holds the network's own width and every width asked for, rounded up to a
    multiple of ENGINES x 2^levels (every layer's row buffer is MAX_WIDTH >> its level, split into ENGINES
    strips)."""
    step = width_step(net, engines)
    w = max([net.width, *widths])
    return -(-w // step) * step


def check_network(net: Network) -> None:
    for l in net.layers:
        if len(l.sources) > MAX_SOURCES:
            raise ValueError(f"layer {l.name}: reads {len(l.sources)} sources; the frame kernels concatenate at "
                             f"most {MAX_SOURCES}")


def render_frame(net: Network, data_bits: int = 64, max_width: int | None = None, engines: int = ENGINES,
                 lanes: int = LANES) -> dict[str, str]:
    """{file name: text} of snn_frame_top.h and snn_frame_top.cpp for AXI width `data_bits`, line buffers
    `max_width` pixels wide (default: the network's own width, rounded up), `engines` column strips and `lanes`
    output channels in parallel per engine."""
    if data_bits not in frame_memory.DATA_BITS:
        raise ValueError(f"data_bits must be one of {frame_memory.DATA_BITS}, not {data_bits}")
    check_network(net)
    check_parallelism(engines, lanes)
    max_width = default_max_width(net, engines=engines) if max_width is None else int(max_width)
    step = width_step(net, engines)
    if max_width < step or max_width % step:
        raise ValueError(f"max_width {max_width}: must be a positive multiple of {step} (engines {engines} x "
                         f"2^{frame_memory.max_level(net)}: the network has {frame_memory.max_level(net)} pooling "
                         "levels)")
    c_pad = frame_memory.pow2(net.in_channels)
    if 8 * c_pad > data_bits:
        raise ValueError(f"{net.in_channels} image channels: a pixel ({c_pad} bytes) must fit one {data_bits}-bit beat")
    return {"snn_frame_top.h": _render_h(net, data_bits, max_width, engines, lanes),
            "snn_frame_top.cpp": _render_cpp(net, data_bits, max_width)}


def _banner(net: Network, what: str) -> list[str]:
    return [f"// Generated by golden/backends/hls/frame_top.py from manifest.yaml (model {net.name}):",
            f"// {what}. Do not edit; regenerate with python -m golden csim --export DIR [--generate-only].",
            "// Memory layout: golden/ir/frame_memory.py; kernels: hls/nnet_frame.h; contract: docs/contract.md."]


def _train(n: str) -> str:
    return f"nnet::frame::train<{n}_config, model_config, DW>::beats"


def _render_h(net: Network, data_bits: int, max_width: int, engines: int, lanes: int) -> str:
    lv = frame_memory.levels(net)
    levels = frame_memory.max_level(net)
    spiking = [l.name for l in net.spiking]
    out = net.output_layer
    lay = frame_memory.frame_layout(net, data_bits=data_bits)
    lines = _banner(net, "the external-memory frame top's constants, layout and prototype") + [
        "// layers (C x H x W at the network's own frame, level): " + ", ".join(
            f"{l.name} {l.out_channels}x{l.height}x{l.width} d{lv[l.name]}" for l in net.layers),
        "#ifndef SNN_FRAME_TOP_H_",
        "#define SNN_FRAME_TOP_H_",
        "",
        '#include "nnet_snn_common.h"  // first: see the note there on the vendor headers',
        '#include "snn_params.h"',
        '#include "nnet_frame.h"',
        "",
        "namespace snn_frame {",
        "",
        f"static const unsigned ENGINES = {engines};  // engines: column strips of every layer, unrolled "
        "(docs/frame_engine.md N_ENG)",
        f"static const unsigned LANES = {lanes};  // lanes: output channels in parallel per engine (the RTL's P)",
        "// the model's config with the top's parallelism (hls4ml style: the config carries it to every kernel)",
        "struct model_config : snn_params::model_config {",
        "    static const unsigned engines = ENGINES;",
        "    static const unsigned lanes = LANES;",
        "};",
        *[f"typedef snn_params::{l.name}_config {l.name}_config;" for l in net.layers],
        "typedef nnet::frame::addr_t addr_t;",
        "",
        f"static const unsigned DW = {data_bits};  // AXI data width: one beat (frame_memory data_bits)",
        f"static const unsigned MAX_WIDTH = {max_width};  // the widest frame the line buffers hold (any height)",
        f"static const unsigned LEVELS = {levels};  // pooling levels: height and width are multiples of 2^LEVELS",
        f"static const unsigned NUM_REGIONS = {len(spiking)};  // spike-train regions: the spiking layers",
        f"static const unsigned NOMINAL_HEIGHT = {net.height}, NOMINAL_WIDTH = {net.width};  // the export's frame "
        "(m_axi depth for co-simulation)",
        f"static const unsigned MAX_HEIGHT = {MAX_HEIGHT};  // the RTL engine's limit (height < 2^16)",
        "// STATUS bits (the output scalar `status`, docs/ctrl_axil.md; golden.backends.rtl.ctrl_map.STATUS_*): this",
        "// top sets only STATUS_BAD_ARG; AXI errors and the watchdog do not exist in C simulation",
        f"static const unsigned STATUS_RD_ERR = {ctrl_map.STATUS_RD_ERR}, STATUS_WR_ERR = {ctrl_map.STATUS_WR_ERR}, "
        f"STATUS_TIMEOUT = {ctrl_map.STATUS_TIMEOUT}, STATUS_BAD_ARG = {ctrl_map.STATUS_BAD_ARG};",
        "typedef ap_uint<DW> beat_t;",
        "static_assert(MAX_WIDTH % (ENGINES << LEVELS) == 0, \"every layer's row buffer is MAX_WIDTH >> its level, "
        "ENGINES strips of whole pixels\");",
        "",
        "// the layer sequence, checked at compile time against the configs",
    ]
    for l in net.layers:
        n = l.name
        lines.append(f"static_assert({n}_config::num_thresholds == model_config::num_thresholds, "
                     f"\"{n}: one threshold set (§1)\");")
        if l.spec.reads_image:
            continue
        chans = " + ".join(f"{s}_config::out_channels" for s in l.sources)
        lines.append(f"static_assert({n}_config::in_channels == {chans}, \"{n}: channels of its sources\");")
    lines += [
        "",
        "// Spike-train regions of the scratch buffer, network order (frame_memory.frame_layout): region i of layer",
        "// l is (height >> d_l) x (width >> d_l) records of train<l>::beats beats.",
        "enum region_index { " + ", ".join(f"REGION_{n} = {i}" for i, n in enumerate(spiking)) + " };",
        "inline const char *region_name(unsigned i) {",
        "    static const char *const names[NUM_REGIONS] = {" + ", ".join(f'"{n}"' for n in spiking) + "};",
        "    return i < NUM_REGIONS ? names[i] : \"end\";",
        "}",
        "",
        "// frame_memory.check_frame_size, the width a multiple of ENGINES x 2^LEVELS (whole strips at every level,",
        "// the RTL engine's CHECK), the width the line buffers hold, the RTL engine's height limit",
        "inline bool frame_size_ok(unsigned height, unsigned width) {",
        "    #pragma HLS INLINE",
        "    const unsigned step = 1u << LEVELS, wstep = ENGINES << LEVELS;",
        "    return height >= step && width >= step && height % step == 0 && width % wstep == 0 &&",
        "           width <= MAX_WIDTH && height <= MAX_HEIGHT;",
        "}",
        "",
        "// offset[i]: the first beat of region i in the scratch buffer; offset[NUM_REGIONS]: its size in beats",
        "inline void region_offsets(unsigned height, unsigned width, addr_t offset[NUM_REGIONS + 1]) {",
        "    #pragma HLS INLINE",
        "    offset[0] = 0;",
    ]
    for i, n in enumerate(spiking):
        d = lv[n]
        lines.append(f"    offset[{i + 1}] = offset[{i}] + addr_t(height >> {d}) * (width >> {d}) * {_train(n)};"
                     f"  // {n}, level {d}")
    d_out = lv[out.name]
    lines += [
        "}",
        "",
        "// buffer sizes in beats (the host allocates them; frame_memory image_bytes / scratch_bytes / output_bytes)",
        "inline addr_t image_beats(unsigned height, unsigned width) {",
        "    return addr_t(height) * nnet::frame::image_rows<model_config, DW>::row_beats(width);",
        "}",
        "inline addr_t scratch_beats(unsigned height, unsigned width) {",
        "    addr_t offset[NUM_REGIONS + 1];",
        "    region_offsets(height, width, offset);",
        "    return offset[NUM_REGIONS];",
        "}",
        "inline addr_t output_beats(unsigned height, unsigned width) {",
        f"    return addr_t(height >> {d_out}) * (width >> {d_out}) * "
        f"nnet::frame::output_record<{out.name}_config, DW>::beats;",
        "}",
        "",
        "#ifndef __SYNTHESIS__",
        "// C simulation only (synthesised code cannot compare m_axi addresses): a written buffer (output, scratch)",
        "// overlaps another (the RTL engine's check; its sizes at this frame size)",
        "inline bool ranges_overlap(const void *a, addr_t a_beats, const void *b, addr_t b_beats) {",
        "    const unsigned long long x = (unsigned long long)(size_t)a, y = (unsigned long long)(size_t)b;",
        "    const unsigned long long xn = (unsigned long long)a_beats * (DW / 8), yn = (unsigned long long)b_beats * (DW / 8);",
        "    return xn != 0 && yn != 0 && x < y + yn && y < x + xn;",
        "}",
        "inline bool buffers_overlap(const beat_t *image, const beat_t *output, const beat_t *scratch, unsigned height,",
        "                            unsigned width) {",
        "    const addr_t ni = image_beats(height, width), no = output_beats(height, width), ns = scratch_beats(height, width);",
        "    return ranges_overlap(image, ni, output, no) || ranges_overlap(image, ni, scratch, ns) ||",
        "           ranges_overlap(output, no, scratch, ns);",
        "}",
        "#endif",
        "",
        "}  // namespace snn_frame",
        "",
        f"// The frame top (golden/backends/hls/frame_top.py). image: the image buffer ({lay.image_bytes} bytes at "
        f"{net.height}x{net.width});",
        f"// output: A_T of {out.name} ({lay.output_bytes} bytes); scratch: every spiking layer's spike trains "
        f"({lay.scratch_bytes} bytes);",
        "// weights: not read (the ROMs are compiled in), kept for the RTL engine's register map; timeout: the RTL",
        "// engine's watchdog, not used; status: 0, or STATUS_BAD_ARG (nothing read or written).",
        "void snn_frame_top(const snn_frame::beat_t *image, snn_frame::beat_t *output, snn_frame::beat_t *scratch,",
        "                   const snn_frame::beat_t *weights, unsigned height, unsigned width, unsigned timeout,",
        "                   unsigned *status);",
        "",
        "#endif  // SNN_FRAME_TOP_H_",
        "",
    ]
    return "\n".join(lines)


def _call(l: Layer, lv: dict[str, int]) -> list[str]:
    """The layer's kernel call: its kind writes it (LayerKind.hls_frame_call), from the regions and sizes here."""
    n, d = l.name, lv[l.name]
    call = FrameCall(size=f"height >> {d}, width >> {d}", max_width=f"(MAX_WIDTH >> {d})",
                     dst=f"region[REGION_{n}]" if l.spec.has_neuron else "0",
                     sources=[f"region[REGION_{s}]" for s in l.sources if s != INPUT],
                     rom=f"snn_params::{n}_weight, snn_params::{n}_bias")
    head = f"    // {n}: {l.kind}, reads {' + '.join(l.sources)}, {l.out_channels}x(H>>{d})x(W>>{d})"
    return [head, *l.spec.hls_frame_call(l, call)]


def _render_cpp(net: Network, data_bits: int, max_width: int) -> str:
    lv = frame_memory.levels(net)
    lay = frame_memory.frame_layout(net, data_bits=data_bits)
    bb = data_bits // 8
    depth = {"image": lay.image_bytes // bb, "output": lay.output_bytes // bb, "scratch": lay.scratch_bytes // bb,
             "weights": 1}
    pragmas = []
    for port in ("image", "output", "scratch", "weights"):
        pragmas.append(f"    #pragma HLS INTERFACE mode=m_axi port={port} offset=slave bundle=gmem depth={depth[port]} "
                       f"max_read_burst_length={BURST} max_write_burst_length={BURST} "
                       f"num_read_outstanding={OUTSTANDING} num_write_outstanding={OUTSTANDING}")
    for port in ("image", "output", "scratch", "weights", "height", "width", "timeout", "status", "return"):
        pragmas.append(f"    #pragma HLS INTERFACE mode=s_axilite port={port} bundle=control")
    pragmas.append("    #pragma HLS INTERFACE mode=ap_ctrl_hs port=return")
    body = []
    for l in net.layers:
        body += _call(l, lv)
    lines = _banner(net, "the external-memory frame top") + [
        "//",
        "// One call = one frame of height x width (run time; multiples of 2^LEVELS, the width of ENGINES x 2^LEVELS,",
        "// width <= MAX_WIDTH): the layers in network order, each over the whole frame and all T steps (layer-major),",
        "// reading its sources' spike trains (or the image) and writing its own (or A_T) in the layout of",
        "// golden/ir/frame_memory.py. Each kernel runs ENGINES column strips (unrolled) of LANES lanes and returns when",
        "// all have finished: the next layer's strips start after (the RTL's layer barrier). The m_axi depths are",
        "// the buffers' sizes at the export's frame (for co-simulation only).",
        '#include "snn_frame_top.h"',
        "",
        "using namespace snn_frame;",
        "",
        "void snn_frame_top(const beat_t *image, beat_t *output, beat_t *scratch, const beat_t *weights,",
        "                   unsigned height, unsigned width, unsigned timeout, unsigned *status) {",
        *pragmas,
        "    (void)weights;  // the weights are snn_params.h's ROMs; the port keeps the engine's register map",
        "    (void)timeout;  // the RTL engine's watchdog: nothing here waits on a response that may not come",
        "    bool bad = !frame_size_ok(height, width);",
        "#ifndef __SYNTHESIS__",
        "    bad = bad || buffers_overlap(image, output, scratch, height, width);",
        "#endif",
        "    if (bad) {  // refused: nothing is read or written (STATUS bit 3, as the RTL engine)",
        "        *status = STATUS_BAD_ARG;",
        "        return;",
        "    }",
        "    addr_t region[NUM_REGIONS + 1];",
        "    #pragma HLS ARRAY_PARTITION variable=region complete",
        "    region_offsets(height, width, region);",
        *body,
        "    *status = 0;",
        "}",
        "",
    ]
    return "\n".join(lines)
