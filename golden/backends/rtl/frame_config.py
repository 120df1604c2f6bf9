"""Export -> configuration of the external-memory frame engine (rtl/snn_frame_engine.sv, docs/frame_engine.md):
descriptor ROM, weight and bias ROM images, HDL parameters. Nothing is copied by hand: the structure, the
weights and every width come from the IR (golden/ir/network.py); the descriptor layout is FIELDS below, and
rtl/snn_frame_pkg.svh (included by the RTL) is generated from it (`write_pkg`; rtl_tb/test_frame_engine.py fails
when it is stale).

Lanes and sub-lanes. The engine has P lanes. A layer with c_pad = pow2(C_out) >= P output channels runs in
G = c_pad / P groups, lane l = channel g*P + l. A layer with fewer (c_pad < P) spreads its taps over the lanes
instead: S = P / c_pad sub-lanes of CO = c_pad lanes each; lane l = (s = l >> log2 CO, o = l & (CO - 1)) adds the
tap j*S + s of op j into its own partial accumulator of channel o, and the neuron phase sums the S partials
(an adder tree over the lanes). So every lane works in every layer (docs/frame_engine.md, "Filling the lanes").

Weight ROM: word = P lanes of WB bits; word (c, g, j) of pass p of a layer at wbase + p*WSTRIDE + (c*GP + g)*J + j,
c the global input channel (concat: source 1 after source 0's channels), g the group within the pass, J =
ceil(taps / S) ops; lane l = w[(p*GP + g)*CO + o][tap j*S + s][c] (taps in [ky][kx] order), 0 where the tap or
the channel does not exist. Passes: a layer's G groups run in G / GP passes of GP groups, each re-reading the
layer's sources; with the weights on chip (`weights="rom"`) GP = G unless `group_pass` asks for fewer. With
`weights="stream"` only one pass's weights are on chip: the engine loads them from the `weights` buffer (the
words of every layer and pass in ROM order, packed WPB to a beat, or one word over BPW beats; written here as
frame_weights.bin) before the pass, and GP = min(G, group_pass or 1). Bias ROM: word (g) at bbase + g, lane
o < CO = b[g*CO + o], lanes of sub-lanes s > 0 are 0 (the bias is added once, after the partials are summed).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from golden import kinds
from golden.ir import frame_memory as fm
from golden.ir.network import Network
from golden.paths import REPO_ROOT

PKG_SVH = REPO_ROOT / "rtl" / "snn_frame_pkg.svh"
REGENERATE = "python -c 'import golden.backends.rtl.frame_config as c; c.write_pkg()'"
ACC_SLOTS = 4          # output rows held in the accumulator band (docs/frame_engine.md)

# Descriptor fields, in order: (name, comment). Field i sits at [DESC_FW*i +: DESC_FW] of a layer's word.
FIELDS: tuple[tuple[str, str], ...] = (
    ("F_KIND", "KIND_* below"),
    ("F_LEVEL", "output size = frame >> level"),
    ("F_IN_LEVEL", "input (sources') size = frame >> in_level"),
    ("F_NSRC", "sources: 1 or 2 (a concat)"),
    ("F_SRC0", "region index of source 0 (the encoder part of a concat; unused by the input layer)"),
    ("F_SRC1", "region index of source 1"),
    ("F_SRC0_RB", "beats per record of source 0 (input layer: c_pad bytes per pixel, see F_SRC0_CL)"),
    ("F_SRC1_RB", "beats per record of source 1"),
    ("F_SRC0_CL", "log2 c_pad of source 0"),
    ("F_SRC1_CL", "log2 c_pad of source 1"),
    ("F_SRC0_C", "channels of source 0"),
    ("F_SRC1_C", "channels of source 1"),
    ("F_DST", "region index of this layer's spike trains (the output layer writes the output buffer)"),
    ("F_OUT_RB", "beats per output record"),
    ("F_OUT_C", "output channels"),
    ("F_G", "output channel groups G"),
    ("F_J", "ops per (input channel, group): ceil(taps / S)"),
    ("F_SL", "log2 S, sub-lanes"),
    ("F_COL", "log2 CO, lanes per sub-lane"),
    ("F_NTAPS", "taps of the kernel: 9 (3x3, transposed 3x3) or 1 (1x1, pool)"),
    ("F_GJ", "GP * J: weight words per input channel in a pass"),
    ("F_WBASE", "weight ROM base"),
    ("F_BBASE", "bias ROM base"),
    ("F_THEXP", "log2 of the highest threshold, e_0 + F"),
    ("F_SHIFT", "input_conv: right shift G of (acc + bias); pool: left shift F + e_min - 2"),
    ("F_LAST", "1 on the last layer"),
    ("F_GP", "output channel groups per pass (a power of two dividing G)"),
    ("F_NPASS", "passes: G / GP, each re-reading the sources (streamed weights: one pass's weights on chip)"),
    ("F_SRC0_NP", "passes of source 0's layout (row segments, golden/ir/frame_memory.py)"),
    ("F_SRC1_NP", "passes of source 1's layout"),
    ("F_WSTRIDE", "weight words per pass: C_in * GP * J"),
    ("F_WOFF", "streamed weights: this layer's first beat in the weight buffer"),
    ("F_WBEATS", "streamed weights: beats per pass"),
)
KINDS: tuple[tuple[str, str], ...] = tuple((k.rtl_name, k.name) for k in kinds.REGISTRY.values())  # code order
FIELD_INDEX = {n: i for i, (n, _) in enumerate(FIELDS)}
KIND_CODE = {k.name: k.code for k in kinds.REGISTRY.values()}  # the kind's F_KIND (LayerKind.code)


def render_pkg_svh() -> str:
    lines = ["// snn_frame_pkg.svh: descriptor layout and kind codes of snn_frame_engine (docs/frame_engine.md).",
             "// GENERATED by golden/backends/rtl/frame_config.py -- do not edit; regenerate with",
             f"//   {REGENERATE}",
             "// Field i of a layer's descriptor sits at [DESC_FW*i +: DESC_FW], unsigned. Included inside module bodies."]
    for i, (n, c) in enumerate(FIELDS):
        lines.append(f"localparam integer {n:<11} = {i};  // {c}")
    lines.append(f"localparam integer DESC_N      = {len(FIELDS)};")
    for code, (n, kind) in enumerate(KINDS):
        lines.append(f"localparam integer {n:<11} = {code};  // {kind}")
    return "\n".join(lines) + "\n"


def write_pkg(path: Path | str = PKG_SVH) -> Path:
    Path(path).write_text(render_pkg_svh())
    return Path(path)


def _hex_word(values, width: int) -> str:
    """P lanes of `width` bits (lane j at [width*j +: width], two's complement) as one hex word."""
    total = 0
    for j, v in enumerate(values):
        total |= (int(v) & ((1 << width) - 1)) << (width * j)
    return format(total, f"0{(width * len(values) + 3) // 4}x")


def _packed(values, width: int) -> str:
    """A packed Verilog literal: values[i] at bits [width*i +: width] (sized hex, any width)."""
    total = 0
    for i, v in enumerate(values):
        if not 0 <= v < (1 << width):
            raise ValueError(f"value {v} does not fit {width} unsigned bits")
        total |= int(v) << (width * i)
    return f"{width * len(values)}'h{total:x}"


def _bits(v: int) -> int:
    return max(1, int(v).bit_length())


@dataclass
class FrameConfig:
    params: dict                                   # HDL parameters of snn_frame_engine
    layers: list = field(default_factory=list)     # per layer: descriptor fields by name
    files: dict = field(default_factory=dict)
    acc_depth: int = 0
    passes: dict = field(default_factory=dict)     # layer -> passes (golden/ir/frame_memory.py layout)
    weights: str = "rom"
    weight_bytes: int = 0                           # streamed weights: the size of the weight buffer


def _weight_image(descs, words: np.ndarray, word_w: int, wpb: int, bpw: int, data_bits: int) -> bytes:
    """The weight buffer of a streamed-weights build: every layer's words (ROM order), per pass WPB words to a
    beat (word i of the beat at [word_w*i +: word_w]) or one word over BPW beats, little-endian."""
    out = bytearray()
    bb = data_bits // 8
    for d in descs:
        n = d["F_WSTRIDE"]
        for p in range(d["F_NPASS"] if n else 0):
            chunk = words[d["F_WBASE"] + p * n: d["F_WBASE"] + (p + 1) * n]
            if bpw == 1:
                pad = (-n) % wpb
                chunk = np.concatenate([chunk, np.zeros((pad, chunk.shape[1]), np.int64)])
                beats = _word_bytes(chunk.reshape(-1, wpb * chunk.shape[1]), word_w // chunk.shape[1])
                # words of word_w bits packed back to back: the beat holds wpb of them in its low bits
                out += np.pad(beats, ((0, 0), (0, bb - beats.shape[1]))).tobytes()
            else:
                wbytes = _word_bytes(chunk, word_w // chunk.shape[1])
                out += np.pad(wbytes, ((0, 0), (0, bb * bpw - wbytes.shape[1]))).tobytes()
        assert len(out) == (d["F_WOFF"] + d["F_NPASS"] * d["F_WBEATS"]) * bb
    return bytes(out)


def _layer_words(wt: np.ndarray, n_pass: int, GP: int, J: int, S: int, CO: int, taps: int, P: int) -> np.ndarray:
    """A layer's weight words in ROM order [pass][c][g][j], lanes last: int64 [words, P] (module docstring)."""
    c_out, _, c_in = wt.shape
    words = np.zeros((n_pass, c_in, GP, J, S, CO), np.int64)
    for s_ in range(S):
        for j in range(J):
            tap = j * S + s_
            if tap >= taps:
                continue
            for g in range(n_pass * GP):
                ch = np.arange(g * CO, min((g + 1) * CO, c_out))
                if ch.size:
                    words[g // GP, :, g % GP, j, s_, :ch.size] = wt[ch, tap, :].T
    return words.reshape(-1, P)


def _word_bytes(words: np.ndarray, width: int) -> np.ndarray:
    """int64 [N, P] lanes of `width` bits (two's complement) -> uint8 [N, ceil(P*width/8)], lane j at
    [width*j +: width], little-endian."""
    n, lanes = words.shape
    bits = ((words[..., None] >> np.arange(width)) & 1).astype(np.uint8).reshape(n, lanes * width)
    return np.packbits(bits, axis=1, bitorder="little")


def _hex_lines(words: np.ndarray, width: int) -> list[str]:
    digits = (words.shape[1] * width + 3) // 4
    return [row[::-1].tobytes().hex()[-digits:].rjust(digits, "0") for row in _word_bytes(words, width)]


def lane_split(c_out: int, P: int) -> tuple[int, int, int]:
    """(G groups, S sub-lanes, CO lanes per sub-lane) of a layer with c_out channels on P lanes."""
    cp = fm.pow2(c_out)
    if cp >= P:
        return cp // P, 1, P
    return 1, P // cp, cp


def build_frame_config(net: Network, lanes: int, out_dir: Path | str, max_width: int | None = None,
                       data_bits: int = 64, max_burst: int = 16, max_outstanding: int = 4, weights: str = "rom",
                       group_pass: int | None = None, weight_buffer_words: int = 65536,
                       read_from: Path | str | None = None, engines: int = 1) -> FrameConfig:
    """Lay the network out for snn_frame_engine (P = lanes) and write frame_layers.mem, frame_weights.mem (the
    ROM image, or with weights="stream" frame_weights.bin, the weight buffer's contents), frame_bias.mem and
    frame_params.json into out_dir. `read_from`: the folder the RTL will read the files from, recorded in the
    parameters (DESC_FILE, WEIGHTS_FILE, BIAS_FILE; default out_dir): rtl-config writes into a temporary sibling
    and swaps it in as read_from. `engines`: engines sharing each frame, one column strip of max_width / engines
    each (snn_frame_kernel N_ENG): the band holds a strip."""
    if weights not in ("rom", "stream"):
        raise ValueError(f"weights must be 'rom' or 'stream', not {weights!r}")
    if group_pass is not None and (group_pass < 1 or group_pass & (group_pass - 1)):
        raise ValueError(f"group_pass must be a power of two, not {group_pass}")
    P = int(lanes)
    if P < 1 or P & (P - 1):
        raise ValueError(f"lanes must be a power of two, not {lanes}")
    if data_bits not in fm.DATA_BITS:
        raise ValueError(f"data_bits must be one of {fm.DATA_BITS}")
    if net.K > 8 or net.pixel_bits != 8:
        raise ValueError("the frame engine takes K <= 8 thresholds and 8-bit pixels")
    FB = fm.pow2(net.K)
    if P * FB > data_bits:
        raise ValueError(f"lanes x field bits = {P * FB} exceeds the data width {data_bits}")
    max_width = max_width or net.width
    lv = fm.levels(net)
    fm.check_frame_size(net, net.height, max_width)
    E = int(engines)
    if E < 1 or E & (E - 1) or E > 64:
        raise ValueError(f"engines must be a power of two <= 64, not {engines}")
    if max_width % (E << fm.max_level(net)):
        raise ValueError(f"max_width {max_width} must be a multiple of engines x 2^levels = "
                         f"{E << fm.max_level(net)} (each engine's strip holds whole pixels at every level)")
    strip = max_width // E   # the band's width: one engine's strip
    exps = list(net.thresholds_log2)
    T = net.timesteps
    region = {l.name: i for i, l in enumerate(net.spiking)}
    w_words, b_words, descs = [], [], []
    passes = {}
    # streamed weights, groups per pass unset: as many as the band (sized by the widest layer at one group) and a
    # weight buffer of weight_buffer_words words take, so narrow deep layers re-read their inputs less often
    slot_budget = max((strip >> lv[l.name]) * net.timesteps for l in net.layers)
    for l in net.layers:
        G = lane_split(l.out_channels, P)[0]
        if weights == "rom" or group_pass is not None:
            gp = G if (weights == "rom" and group_pass is None) else min(G, group_pass or 1)
        else:
            taps = l.spec.taps(l)
            j_ops = math.ceil(taps / lane_split(l.out_channels, P)[1])
            c_in = sum(net.layer(s_).out_channels if s_ != "input" else net.in_channels for s_ in l.sources)
            gp = 1
            while (gp * 2 <= G and (strip >> lv[l.name]) * net.timesteps * gp * 2 <= slot_budget
                   and c_in * gp * 2 * j_ops <= weight_buffer_words):
                gp *= 2
        if l.spec.frame_one_pass:   # the output layer: a few weights, and A_T stays one record a pixel
            gp = G
        passes[l.name] = G // gp
    word_w = P * max(l.weight_bits for l in net.layers if l.spec.has_params)
    wpb, bpw = (data_bits // word_w, 1) if word_w <= data_bits else (1, math.ceil(word_w / data_bits))
    w_beats_total = 0
    wb = max(l.weight_bits for l in net.layers if l.spec.has_params)
    bb = max(l.bias_bits for l in net.layers if l.spec.has_params)
    acc_slot = 1
    c_max = 1
    for l in net.layers:
        G, S, CO = lane_split(l.out_channels, P)
        taps = l.spec.taps(l)
        J = math.ceil(taps / S)          # pool: one op, into lane c mod CO of group c / CO, weight 1
        srcs = [] if l.spec.reads_image else list(l.sources)
        src_c = [net.layer(s).out_channels for s in srcs] if srcs else [net.in_channels]
        if l.spec.reads_image:
            src_rb, src_cl = [fm.pow2(net.in_channels)], [(fm.pow2(net.in_channels) - 1).bit_length()]
        else:
            src_rb = [math.ceil(T * fm.pow2(c) * FB / data_bits) for c in src_c]
            src_cl = [(fm.pow2(c) - 1).bit_length() for c in src_c]
        c_max = max(c_max, sum(src_c), l.out_channels)
        n_pass = passes[l.name]
        GP = G // n_pass
        src_np = [passes[s_] for s_ in srcs] if srcs else [1]
        if l.spec.reads_spikes:   # a source laid out in passes: sub-records of c_pad / NP channels
            src_rb = [math.ceil(T * (fm.pow2(c) // n) * FB / data_bits) for c, n in zip(src_c, src_np)]
            src_cl = [((fm.pow2(c) // n) - 1).bit_length() for c, n in zip(src_c, src_np)]
        c_in = sum(src_c)
        pass_words = c_in * GP * J if l.spec.has_params else 0
        pass_beats = (math.ceil(pass_words / wpb) if bpw == 1 else pass_words * bpw) if pass_words else 0
        in_level = l.spec.in_level(lv[l.name])
        d = {
            "F_KIND": l.spec.code, "F_LEVEL": lv[l.name], "F_IN_LEVEL": in_level, "F_NSRC": len(src_c),
            "F_SRC0": region[srcs[0]] if srcs else 0, "F_SRC1": region[srcs[1]] if len(srcs) > 1 else 0,
            "F_SRC0_RB": src_rb[0], "F_SRC1_RB": src_rb[1] if len(src_rb) > 1 else 0,
            "F_SRC0_CL": src_cl[0], "F_SRC1_CL": src_cl[1] if len(src_cl) > 1 else 0,
            "F_SRC0_C": src_c[0], "F_SRC1_C": src_c[1] if len(src_c) > 1 else 0,
            "F_DST": region.get(l.name, 0),
            "F_OUT_RB": (math.ceil(T * (fm.pow2(l.out_channels) // n_pass) * FB / data_bits) if l.spec.has_neuron
                         else math.ceil(l.out_channels * fm.OUT_WORD_BITS / data_bits)),
            "F_OUT_C": l.out_channels, "F_G": G, "F_J": J, "F_SL": S.bit_length() - 1,
            "F_COL": CO.bit_length() - 1, "F_NTAPS": taps, "F_GJ": 0,
            "F_WBASE": sum(len(x) for x in w_words), "F_BBASE": len(b_words),
            "F_THEXP": (exps[0] + l.frac_bits) if l.spec.has_neuron else 0,
            "F_SHIFT": l.spec.rtl_shift(l),
            "F_LAST": int(l is net.layers[-1]),
            "F_GP": GP, "F_NPASS": n_pass, "F_SRC0_NP": src_np[0], "F_SRC1_NP": src_np[1] if len(src_np) > 1 else 0,
            "F_WSTRIDE": pass_words, "F_WOFF": w_beats_total, "F_WBEATS": pass_beats,
        }
        d["F_GJ"] = GP * J
        w_beats_total += n_pass * pass_beats
        if l.spec.has_params:
            w = np.asarray(l.weight, np.int64)           # [out][ky][kx][in]
            k = l.kernel
            wt = w.reshape(l.out_channels, k * k, w.shape[3])
            w_words.append(_layer_words(wt, n_pass, GP, J, S, CO, taps, P))
            bias = np.asarray(l.bias, np.int64)
            for g in range(G):
                lanes_v = [int(bias[g * CO + o]) if g * CO + o < l.out_channels else 0 for o in range(CO)]
                b_words.append(_hex_word(lanes_v + [0] * (P - CO), bb))
        # accumulator band: one slot holds an output row of a pass, [x][t][g] (the input layer keeps t = 0 only)
        wl = strip >> lv[l.name]
        acc_slot = max(acc_slot, wl * T * GP)
        descs.append(d)
    fw = max(_bits(v) for d in descs for v in d.values())
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    n = len(FIELDS)
    desc_lines = [format(sum(d[name] << (fw * i) for i, (name, _) in enumerate(FIELDS)), f"0{(fw * n + 3) // 4}x")
                  for d in descs]
    files = {"layers": out_dir / "frame_layers.mem", "weights": out_dir / "frame_weights.mem",
             "bias": out_dir / "frame_bias.mem"}
    files["layers"].write_text("\n".join(desc_lines) + "\n")
    all_words = np.concatenate(w_words) if w_words else np.zeros((0, P), np.int64)
    if weights == "stream":
        files["weights"] = out_dir / "frame_weights.bin"
        files["weights"].write_bytes(_weight_image(descs, all_words, word_w, wpb, bpw, data_bits))
        w_depth = max(max(d["F_WSTRIDE"] for d in descs), 2)
        files["rom_blank"] = out_dir / "frame_weights_blank.mem"
        files["rom_blank"].write_text(format(0, f"0{(word_w + 3) // 4}x") + "\n")
    else:
        files["weights"].write_text("\n".join(_hex_lines(all_words, wb)) + "\n")
        w_depth = max(2, len(all_words))
    files["bias"].write_text("\n".join(b_words) + "\n")
    M = sum(1 << (e - net.e_min) for e in exps)
    spiking = net.spiking
    where = Path(read_from) if read_from is not None else out_dir
    params = {
        "P": P, "LG": P // max([lane_split(l.out_channels, P)[1] for l in net.layers
                                 if l.spec.taps(l) > 1] or [1]),
        "DATA_W": data_bits, "K": net.K, "FB": FB, "T": T, "N_LAYERS": len(net.layers),
        "N_REGIONS": max(1, len(spiking)), "DESC_FW": fw,
        "W_BITS": wb, "B_BITS": bb,
        "ACC_W": max(l.acc_bits for l in net.layers),
        "CUR_W": max(l.current_bits for l in net.layers),
        "MEM_W": max(l.membrane_bits for l in net.layers),
        "VAL_W": max(8, _bits(M)),
        "TH_W": max(d["F_THEXP"] for d in descs) + 2,
        "W_MAX": max_width, "SLOT_DEPTH": max(2, acc_slot), "G_MAX": max(d["F_G"] for d in descs),
        "C_MAX": c_max, "WROM_DEPTH": w_depth, "BROM_DEPTH": max(2, len(b_words)),
        "WSTREAM": int(weights == "stream"), "WPB": wpb, "BPW": bpw, "N_ENG": E,
        "OUT_CO": lane_split(net.output_layer.out_channels, P)[2],
        "COMPARE_GE": int(net.compare == "ge"),
        "TH_SHIFT": _packed([exps[0] - e for e in exps], 8),
        "SPIKE_SHIFT": _packed(net.spike_shift, 8),
        "MAX_BURST": max_burst, "MAX_OUTSTANDING": max_outstanding,
        "DESC_FILE": f'"{(where / files["layers"].name).resolve()}"',
        "WEIGHTS_FILE": f'"{(where / files["rom_blank" if weights == "stream" else "weights"].name).resolve()}"',
        "BIAS_FILE": f'"{(where / files["bias"].name).resolve()}"',
    }
    if params["MEM_W"] > fm.OUT_WORD_BITS:
        raise ValueError(f"membrane_bits {params['MEM_W']} > 32: A_T does not fit the output word")
    cfg = FrameConfig(params, descs, {k: str(v) for k, v in files.items()}, acc_slot * ACC_SLOTS, passes,
                      weights, w_beats_total * (data_bits // 8))
    (out_dir / "frame_params.json").write_text(json.dumps({"params": params, "layers": descs}, indent=1) + "\n")
    return cfg


# ------------------------------------------------------------------------------------------- command line
def add_arguments(ap) -> None:
    ap.add_argument("--export", required=True, help="export directory (manifest.yaml, *.mem, weights.npz)")
    ap.add_argument("--lanes", type=int, default=8, help="lanes P, a power of two (default 8)")
    ap.add_argument("--out", help="output directory (default build/engine/<model>-frame-p<P>)")
    ap.add_argument("--max-width", type=int, help="widest frame (default: the export's width)")
    ap.add_argument("--data-bits", type=int, choices=[64, 128, 256], default=64, help="AXI data width")
    ap.add_argument("--weights", choices=["rom", "stream"], default="rom",
                    help="weights on chip, or streamed per pass from the weights buffer")


RTL_FILES = "rtl_files.json"  # in an rtl-config folder: the SHA-256 of every other file (verify_rtl_config)
RTL_FORMAT = "snn-frame-config"
RECORDED_PATHS = ("DESC_FILE", "WEIGHTS_FILE", "BIAS_FILE")  # the files the RTL reads ($readmemh), by absolute path


def run(args) -> int:
    """`python -m golden rtl-config`: frame_layers.mem, frame_weights.mem (or .bin, streamed), frame_bias.mem,
    frame_params.json and frame_params.vh (every HDL parameter of snn_frame_kernel as a localparam), for a user's
    own synthesis or simulation, and rtl_files.json (the SHA-256 of each; verify_rtl_config checks them). The folder
    is written as a temporary sibling and swapped in (golden/atomic.py): a killed run leaves the old folder or
    none, never a mix."""
    import shutil
    import sys

    from golden.atomic import replace_dir, temporary_sibling, write_file_hashes, write_text
    from golden.ir.manifest import ManifestError
    from golden.export.load import load_network

    if args.lanes < 1:
        print(f"error: --lanes {args.lanes}: must be >= 1", file=sys.stderr)
        return 2
    try:
        net = load_network(args.export)
        out = Path(args.out) if args.out else REPO_ROOT / "build" / "engine" / f"{net.name}-frame-p{args.lanes}"
        tmp = temporary_sibling(out)
        try:
            cfg = build_frame_config(net, args.lanes, tmp, max_width=args.max_width, data_bits=args.data_bits,
                                     weights=args.weights, read_from=out)
            vh = [f"// generated by golden/backends/rtl/frame_config.py from {args.export}: snn_frame_kernel "
                  "parameters", f"// model {net.name}, {len(net.layers)} layers, P={args.lanes} lanes, weights "
                  f"{args.weights}"]
            vh += [f"localparam {'' if isinstance(v, str) else 'integer '}FRAME_{k} = {v};"
                   for k, v in cfg.params.items()]
            write_text(tmp / "frame_params.vh", "\n".join(vh) + "\n")
            write_file_hashes(tmp, RTL_FILES, {"format": RTL_FORMAT, "version": 1, "model": net.name,
                                               "export": str(args.export), "folder": str(out.resolve())})
            replace_dir(tmp, out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    except (ManifestError, ValueError, OSError) as exc:
        if isinstance(exc, OSError) and exc.filename is not None:
            exc = f"{exc.filename}: {exc.strerror or type(exc).__name__}"
        print(f"error: {exc}", file=sys.stderr)
        return 2
    files = [out / Path(f).name for f in cfg.files.values()]
    print(f"RTL-CONFIG {net.name} frame P={args.lanes} max_width={cfg.params['W_MAX']} weights={args.weights}: "
          f"{', '.join(str(p) for p in files)}, {out / 'frame_params.json'}, {out / 'frame_params.vh'}; SHA-256 "
          f"in {out / RTL_FILES}")
    return 0


def verify_rtl_config(folder: Path | str) -> dict:
    """An rtl-config folder checked before use (sim, synth, timing given a config folder): rtl_files.json lists
    every file with its SHA-256 and nothing else is there (golden/atomic.py verify_file_hashes), frame_params.json
    parses, and the paths the RTL reads ($readmemh: params DESC_FILE, WEIGHTS_FILE, BIAS_FILE) are files of this
    folder (a moved folder still names the old one). Returns frame_params.json ({"params", "layers"}); errors are
    ManifestError (exit 2) `<file>: field <name> ...`."""
    from golden.atomic import read_json, verify_file_hashes
    from golden.errors import ManifestError

    folder = Path(folder)
    record = verify_file_hashes(folder, RTL_FILES, ManifestError)
    rec_path = folder / RTL_FILES
    if record.get("format") != RTL_FORMAT or record.get("version") != 1:
        raise ManifestError(f"{rec_path}: field format/version must be {RTL_FORMAT!r}/1, got "
                            f"{record.get('format')!r}/{record.get('version')!r}")
    path = folder / "frame_params.json"
    if "frame_params.json" not in record["files"]:
        raise ManifestError(f"{rec_path}: field files has no entry for frame_params.json")
    doc = read_json(path, ManifestError)
    params = doc.get("params") if isinstance(doc, dict) else None
    if not isinstance(params, dict) or not isinstance(doc.get("layers"), list):
        raise ManifestError(f"{path}: field params / layers missing (not an rtl-config folder)")
    for key in RECORDED_PATHS:
        value = params.get(key)
        if not isinstance(value, str) or not value.startswith('"') or not value.endswith('"'):
            raise ManifestError(f"{path}: field params.{key} must be a quoted path, got {value!r}")
        named = Path(value[1:-1])
        if named.parent != folder.resolve() or named.name not in record["files"]:
            raise ManifestError(f"{path}: field params.{key} names {named}, not a file of {folder.resolve()} "
                                "(the folder was moved or copied after rtl-config: re-run rtl-config --out here)")
    return doc
