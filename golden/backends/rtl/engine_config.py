"""Export -> snn_engine configuration: descriptor ROM, weight/bias ROM images, HDL parameters (docs/rtl_engine.md).

Everything snn_engine needs is derived here from an export's manifest and its `$readmemh` files (contract §8);
nothing is copied by hand. The descriptor layout, the kind codes and the engine's fixed widths come from
golden/backends/rtl/constants.py, the table rtl/snn_engine_pkg.svh (which the RTL includes) is generated from.

Memory layout (P lanes = output channels group*P + lane; every memory has P banks, one per lane):
  feature-map address of (group g, y, x) in a layer of padded size 2^yl x 2^xl: (g << (yl + xl)) | (y << xl) | x
  spike memory : one region per layer with a neuron, K-bit words      (base D_DST, read by consumers D_SRC*)
  membrane RAM : one region per layer (the output layer's is A_t)     (base D_MBASE)
  acc RAM      : one region, as large as the largest layer (reused by every layer, cleared by the neuron phase)
  current RAM  : the input layer's static current
  weight ROM   : word = P lanes of WB bits; address wbase + (cin << (gl + tl)) + (g << tl) + (ky*4 + kx) (tl = 4 for
                 3x3, 0 for 1x1), lane j = w[g*P + j][ky][kx][cin], 0 past out_channels
  bias ROM     : word = P lanes of BB bits; address bbase + g (pool: zeros)
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from golden.backends.rtl import constants as rc



def _log2_ceil(n: int) -> int:
    return max(0, (int(n) - 1).bit_length())


def _ubits(v: int) -> int:
    """Unsigned width that holds v (at least 1)."""
    return max(1, int(v).bit_length())


def _hex_word(values, width: int) -> str:
    """P lanes of `width` bits (lane j at [width*j +: width], two's complement) as one hex word."""
    total = 0
    for j, v in enumerate(values):
        total |= (int(v) & ((1 << width) - 1)) << (width * j)
    return format(total, f"0{(width * len(values) + 3) // 4}x")


@dataclass
class EngineConfig:
    params: dict                    # HDL parameters of snn_engine (strings quoted for the runner)
    layers: list[dict] = field(default_factory=list)   # per layer: the descriptor fields, by name
    files: dict = field(default_factory=dict)

    def hdl_params(self) -> dict:
        return self.params


def build_config(manifest: dict, export_dir: Path, lanes: int, out_dir: Path, net=None) -> EngineConfig:
    """Lay the network out for snn_engine with `lanes` = P and write layers.mem, weights.mem, bias.mem,
    engine_params.vh and engine_params.json to out_dir. The structure and the weights come from the IR (`net`,
    or loaded here), whose loader has checked them equal to the export's ROM images."""
    from golden.ir.manifest import load_network

    P = int(lanes)
    if P < 1:
        raise ValueError("lanes must be >= 1")
    export_dir = Path(export_dir)
    net = net if net is not None else load_network(export_dir, manifest)
    if net.K > rc.EVENT_VAL_W:
        raise ValueError(f"snn_engine carries spike words in {rc.EVENT_VAL_W}-bit events: K <= {rc.EVENT_VAL_W}")
    if net.pixel_bits != 8:
        raise ValueError("snn_engine reads 8-bit pixels")
    exps = list(net.thresholds_log2)
    th_shift = [exps[0] - e for e in exps]
    by_name = {l.name: l for l in net.layers}

    spk_base, mem_base, w_base, b_base = {}, {}, 0, 0
    spk_next = mem_next = 0
    acc_depth = cur_depth = 1
    w_words: list[str] = []
    b_words: list[str] = []
    wb = max(l.weight_bits for l in net.layers if l.spec.has_params)
    bb = max(l.bias_bits for l in net.layers)
    descs = []
    for l in net.layers:
        name, spec = l.name, l.spec
        if len(l.sources) > 2:
            raise ValueError(f"layer {name}: snn_engine reads at most two sources (a U-Net concat)")
        cout, cin = l.out_channels, l.in_channels
        G = -(-cout // P)
        oyl, oxl = _log2_ceil(l.height), _log2_ceil(l.width)
        region = G << (oyl + oxl)
        acc_depth = max(acc_depth, region)
        mem_base[name] = mem_next
        mem_next += region
        if spec.has_neuron:
            spk_base[name] = spk_next
            spk_next += region
        if spec.reads_image:
            cur_depth = region
        k3 = int(spec.k3(l.kernel))
        tl = 4 if k3 else 0
        gtl = _log2_ceil(G) + tl
        d = {"D_KIND": rc.KIND_CODE[l.kind], "D_K3": k3, "D_TL": tl, "D_IH": l.in_height, "D_IW": l.in_width,
             "D_IYL": _log2_ceil(l.in_height), "D_IXL": _log2_ceil(l.in_width), "D_OH": l.height, "D_OW": l.width,
             "D_OYL": oyl, "D_OXL": oxl, "D_G": G, "D_GTL": gtl, "D_SRC0": 0, "D_SRC0_C": 0, "D_SRC1": 0,
             "D_SRC1_C": 0, "D_DST": spk_base.get(name, 0), "D_MBASE": mem_base[name], "D_WBASE": 0,
             "D_BBASE": b_base, "D_THEXP": 0, "D_SHIFT": spec.rtl_shift(l), "D_OUTC": cout}
        if spec.reads_image:
            d["D_SRC0_C"] = cin
        else:
            for i, s in enumerate(l.sources):
                d[f"D_SRC{i}"] = spk_base[s]
                d[f"D_SRC{i}_C"] = by_name[s].out_channels
        if spec.has_neuron:
            th = [int(v) for v in l.thresholds_int]
            e0 = th[0].bit_length() - 1
            if any(v != 1 << (e0 - s) for v, s in zip(th, th_shift)):
                raise ValueError(f"layer {name}: thresholds {th} are not 2^(e_i + F)")
            d["D_THEXP"] = e0
        if not spec.has_params:
            b_words += [_hex_word([0] * P, bb)] * G
        else:
            k, w, b = l.kernel, l.weight, l.bias
            d["D_WBASE"] = w_base
            n_words = cin << gtl
            rom = np.zeros((n_words, P), dtype=np.int64)
            for o in range(cout):
                g, j = divmod(o, P)
                for ky in range(k):
                    for kx in range(k):
                        for c in range(cin):
                            rom[(c << gtl) + (g << tl) + (ky * 4 + kx if k3 else 0), j] = w[o, ky, kx, c]
            w_words += [_hex_word(r, wb) for r in rom]
            w_base += n_words
            bl = np.zeros(G * P, dtype=np.int64)
            bl[:cout] = b
            b_words += [_hex_word(bl[g * P:(g + 1) * P], bb) for g in range(G)]
        b_base += G
        if set(d) != set(rc.FIELD_INDEX):
            raise AssertionError(f"descriptor fields {sorted(d)} != constants.py {sorted(rc.FIELD_INDEX)}")
        for key, v in d.items():
            if int(v) < 0:
                raise ValueError(f"layer {name}: descriptor field {key}={v} is negative")
            if key in rc.SHIFT_FIELDS and int(v) >= 1 << rc.SH_W:
                raise ValueError(f"layer {name}: descriptor field {key}={v} does not fit the engine's "
                                 f"{rc.SH_W}-bit shift amounts (SH_W)")
        descs.append({"name": name, "kind": l.kind, **d})

    n_fields = rc.DESC_N
    # the field width (HDL parameter DESC_FW): the widest descriptor value of this export
    fw = max(_ubits(d[key]) for d in descs for key in rc.FIELD_INDEX)
    desc_lines = []
    for d in descs:
        word = 0
        for key, idx in rc.FIELD_INDEX.items():
            word |= int(d[key]) << (fw * idx)
        desc_lines.append(format(word, f"0{(fw * n_fields + 3) // 4}x"))

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {"DESC_FILE": out_dir / "layers.mem", "WEIGHT_FILE": out_dir / "weights.mem",
             "BIAS_FILE": out_dir / "bias.mem"}
    if not w_words:
        w_words = [_hex_word([0] * P, wb)]
    for key, lines in (("DESC_FILE", desc_lines), ("WEIGHT_FILE", w_words), ("BIAS_FILE", b_words)):
        files[key].write_text("\n".join(lines) + "\n")

    max_thexp = max(d["D_THEXP"] for d in descs)
    max_c = max(max(l.in_channels, l.out_channels) for l in net.layers)
    max_g = max(max(d["D_G"] for d in descs), -(-max_c // P))
    max_xy = max(max(net.height, net.width), *(max(l.height, l.width) for l in net.layers))
    params = {
        "P": P, "K": net.K, "T": net.timesteps, "IN_C": net.in_channels, "N_LAYERS": len(net.layers),
        "ACC_W": max(max(l.acc_bits for l in net.layers), 10),
        "CUR_W": net.input_layer.current_bits,
        "MEM_W": max(l.membrane_bits for l in net.layers),
        "TH_W": max_thexp + 2, "EXP_W": _ubits(max_thexp),
        "WB": wb, "BB": bb, "OUT_W": net.output_layer.membrane_bits,
        "ACC_DEPTH": acc_depth, "MEM_DEPTH": max(mem_next, 2), "SPK_DEPTH": max(spk_next, 2),
        "CUR_DEPTH": max(cur_depth, 2), "W_DEPTH": max(len(w_words), 2), "B_DEPTH": max(len(b_words), 2),
        "XY_W": _ubits(max_xy), "C_W": _ubits(max_c), "G_W": _ubits(max_g),
        "SPIKE_SHIFT": _packed(net.spike_shift, 8), "TH_SHIFT": _packed(th_shift, 8),
        "COMPARE_GE": int(net.compare == "ge"), "DESC_FW": fw,
    }
    params.update({k: f'"{v.resolve()}"' for k, v in files.items()})
    (out_dir / "engine_params.json").write_text(json.dumps(params, indent=1))
    vh = ["// generated by golden/backends/rtl/engine_config.py from " + str(export_dir) + ": snn_engine parameters",
          f"// model {net.name}, {len(net.layers)} layers, P={P} lanes"]
    for k, v in params.items():
        vh.append(f"localparam {'' if isinstance(v, str) else 'integer '}ENGINE_{k} = {v};")
    (out_dir / "engine_params.vh").write_text("\n".join(vh) + "\n")
    return EngineConfig(params=params, layers=descs, files=files)


def _packed(values, width: int) -> str:
    total = 0
    for i, v in enumerate(values):
        total |= int(v) << (width * i)
    return f"{width * len(values)}'h{total:x}"


# ------------------------------------------------------------------------------------------- work bounds
def synaptic_events(manifest: dict, vectors: dict) -> int:
    """Accumulates driven by nonzero inputs (pixels at t = 0 for the input layer, spike words at every step),
    counted by each layer's kind (golden/kinds `events`)."""
    from golden import kinds

    total = 0
    for l in manifest["layers"]:
        spec = kinds.get(l["kind"])
        if spec.reads_image:
            xs = [vectors["input"]]
        else:
            xs = [np.concatenate([vectors[f"{s}.spikes"][t] for s in l["sources"]])
                  for t in range(manifest["timesteps"])]
        total += sum(spec.events(np.asarray(x) != 0, l["kernel"], l["out_channels"]) for x in xs)
    return total


def bound_cycles(manifest: dict, vectors: dict, lanes: int) -> int:
    return math.ceil(synaptic_events(manifest, vectors) / lanes)


# ------------------------------------------------------------------------------------------- command line
def add_arguments(ap) -> None:
    ap.add_argument("--export", required=True, help="export directory (manifest.yaml, *.mem, weights.npz)")
    ap.add_argument("--lanes", type=int, default=8, help="engine lanes P (default 8)")
    ap.add_argument("--out", help="output directory (default build/engine/<model>-p<P>)")
    ap.add_argument("--engine", choices=["frame", "onchip"], default="frame",
                    help="frame: snn_frame_kernel (default); onchip: snn_engine")
    ap.add_argument("--max-width", type=int, help="frame: widest frame (default: the export's width)")
    ap.add_argument("--data-bits", type=int, choices=[64, 128, 256], default=64, help="frame: AXI data width")
    ap.add_argument("--weights", choices=["rom", "stream"], default="rom",
                    help="frame: weights on chip, or streamed per pass from the weights buffer")


def run(args) -> int:
    """`python -m golden rtl-config`: the engine's ROM images and parameters for an export, for a user's own
    synthesis or simulation (engine_params.vh holds every HDL parameter as a localparam)."""
    import sys

    from golden.ir.manifest import ManifestError, load_manifest
    from golden.paths import REPO_ROOT

    if args.lanes < 1:
        print(f"error: --lanes {args.lanes}: must be >= 1", file=sys.stderr)
        return 2
    if args.engine == "frame":
        return run_frame(args)
    try:
        m = load_manifest(args.export)
        out = Path(args.out) if args.out else REPO_ROOT / "build" / "engine" / f"{m['model']}-p{args.lanes}"
        cfg = build_config(m, Path(args.export), args.lanes, out)
    except (ManifestError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for d in cfg.layers:
        print(f"{d['name']:>8} {d['kind']:<12} {d['D_IH']}x{d['D_IW']} -> {d['D_OH']}x{d['D_OW']} groups={d['D_G']} "
              f"src=({d['D_SRC0']},{d['D_SRC0_C']})+({d['D_SRC1']},{d['D_SRC1_C']}) dst={d['D_DST']} "
              f"mem={d['D_MBASE']} w={d['D_WBASE']} b={d['D_BBASE']}")
    print(f"RTL-CONFIG {m['model']} P={args.lanes}: {', '.join(str(p) for p in cfg.files.values())}, "
          f"{out / 'engine_params.json'}, {out / 'engine_params.vh'}")
    return 0


def run_frame(args) -> int:
    """`rtl-config` for the frame kernel: frame_layers.mem, frame_weights.mem (or .bin, streamed), frame_bias.mem,
    frame_params.json and frame_params.vh (every HDL parameter of snn_frame_kernel as a localparam)."""
    import sys

    from golden.backends.rtl.frame_config import build_frame_config
    from golden.ir.manifest import ManifestError, load_network
    from golden.paths import REPO_ROOT

    try:
        net = load_network(args.export)
        out = Path(args.out) if args.out else REPO_ROOT / "build" / "engine" / f"{net.name}-frame-p{args.lanes}"
        cfg = build_frame_config(net, args.lanes, out, max_width=args.max_width, data_bits=args.data_bits,
                                 weights=args.weights)
    except (ManifestError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    vh = [f"// generated by golden/backends/rtl/frame_config.py from {args.export}: snn_frame_kernel parameters",
          f"// model {net.name}, {len(net.layers)} layers, P={args.lanes} lanes, weights {args.weights}"]
    vh += [f"localparam {'' if isinstance(v, str) else 'integer '}FRAME_{k} = {v};" for k, v in cfg.params.items()]
    (out / "frame_params.vh").write_text("\n".join(vh) + "\n")
    print(f"RTL-CONFIG {net.name} frame P={args.lanes} max_width={cfg.params['W_MAX']} weights={args.weights}: "
          f"{', '.join(str(p) for p in cfg.files.values())}, {out / 'frame_params.json'}, {out / 'frame_params.vh'}")
    return 0
