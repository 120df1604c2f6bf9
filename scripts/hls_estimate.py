#!/usr/bin/env python3
"""Latency / throughput estimate of the generated HLS network (hls/, golden/hls_header.py render_network), per
layer and per frame, in cycles and at a stated clock. Not a synthesis result: a model of the pipelining the C++
asks for, documented here so that it can be checked against Vitis HLS reports once the tool is available.

    python scripts/hls_estimate.py --export DIR [--clock-mhz 200] [--reuse 1] [--out build/hls_estimate]
    python scripts/hls_estimate.py --config configs/unet_paper.yaml --size 512 --timesteps 50

The model (what the generated top does):
- A frame = encode_frame (input_conv -> store_frame, DATAFLOW) + T x time_step (one DATAFLOW region per step;
  successive steps do not overlap) + emit_accum (A_T out).
- Every process is one pipelined loop (nested loops are perfect and flatten) with initiation interval II =
  --reuse (1: the C++ as written, every output channel and tap unrolled). Iteration k of a process starts at
  s_k = max(s_{k-1} + II, arrival of every token it reads); the iteration structure is the C++'s:
  3x3 conv (H+1)x(W+1) iterations (reads at r<H, c<W; writes at r>=1, c>=1), 1x1 conv / MT-IF / accumulate /
  replay / fork / concat H*W, pool IH*IW (writes on odd row and column), upconv H*W output iterations (reads input
  row 0 during output row 0, row j+1 during output row 2j+1, column 0 at ox=0 and column i+1 at ox=2i+1).
  A write happens D cycles after its iteration starts (the pipeline depth, assumed below) and is readable one
  cycle later (FIFO). Processes of a DATAFLOW region all start at cycle 0 of the region.
- Pipeline depths are assumptions, not tool output: 2 adder levels per cycle at the stated clock, so a sum of n
  terms takes 1 + ceil(log2(n) / 2) cycles; conv n = k*k*C_in*K + 1, upconv 4*C_in*K + 1, input conv 3 + that of
  9*C_in products (multipliers), MT-IF 1 + ceil(K / 2), pool and accumulate 2, copies 1.
- FIFOs: the schedule is computed without back-pressure; then every stream's peak occupancy under it is the
  depth at which the schedule is exact (no stall). Where the generated depth is smaller (a 3x3 conv reads no
  input on its padding column, so its producer gets one beat ahead per row), the real design stalls its
  producer instead; streaming rates are set by the slowest process of the chain, so this changes the step
  latency by at most a few rows. The report lists both depths.
- Parallel hardware per layer (II = 1): gated adders per cycle = taps x C_out (conv k*k*C_in*K, upconv 4*C_in*K,
  input conv 9*C_in multipliers), MT-IF K compare-subtracts per channel. --reuse R divides them by R and
  multiplies the loop time by R (a designer's fold of the channel loops; the C++ as written is R = 1).
- Storage per layer: membranes H*W*C*membrane_bits, line buffers, skip FIFOs H*W*C*K, the static current.
Output: a table on stdout and <out>/<model>.md and <out>/<model>.json.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from golden.hls_header import consumers, is_network, layer_geometry, layer_sources, skip_depth  # noqa: E402


def adder_depth(n: int) -> int:
    return 1 + math.ceil(math.log2(max(n, 2)) / 2)


@dataclass
class Process:
    name: str
    layer: str
    iterations: int
    depth: int  # cycles from iteration start to its write
    reads: dict = field(default_factory=dict)  # stream -> bool[iterations]
    writes: dict = field(default_factory=dict)  # stream -> bool[iterations]


@dataclass
class Stream:
    name: str
    depth: int
    beat_bits: int


def _ones(n: int) -> np.ndarray:
    return np.ones(n, dtype=bool)


def conv3_pattern(h: int, w: int):
    r, c = np.divmod(np.arange((h + 1) * (w + 1)), w + 1)
    return (r < h) & (c < w), (r >= 1) & (c >= 1)


def pool_pattern(ih: int, iw: int):
    y, x = np.divmod(np.arange(ih * iw), iw)
    return _ones(ih * iw), ((x & 1) == 1) & ((y & 1) == 1)


def upconv_pattern(ih: int, iw: int):
    oy, ox = np.divmod(np.arange(4 * ih * iw), 2 * iw)
    j, i = oy >> 1, ox >> 1
    load = (ox == 0) | (((ox & 1) == 1) & (i + 1 < iw))
    read = load & ((oy == 0) | (((oy & 1) == 1) & (j + 1 < ih)))
    return read, _ones(4 * ih * iw)


def build_graph(manifest: dict):
    """The processes and streams of one time step, exactly as the generated time_step() wires them."""
    k = len(manifest["thresholds_log2"])
    geo = layer_geometry(manifest)
    cons = consumers(manifest)
    procs: list[Process] = []
    streams: dict[str, Stream] = {}
    feed: dict[tuple[str, int], str] = {}
    chans = {l["name"]: l["out_channels"] for l in manifest["layers"]}

    def stream(name, depth, bits):
        streams[name] = Stream(name, depth, bits)
        return name

    for l in manifest["layers"]:
        n, kind, src = l["name"], l["kind"], layer_sources(l)
        g = geo[n]
        h, w = g["height"], g["width"]
        hw = h * w
        cur = stream(f"{n}_current", 2, l["out_channels"] * l.get("current_bits", 0))
        ins = [feed[(n, i)] for i in range(len(src))] if kind != "input_conv" else []
        if len(ins) > 1:
            acc, acc_ch = ins[0], chans[src[0]]
            for j in range(1, len(ins)):
                acc_ch += chans[src[j]]
                out = stream(f"{n}_cat{j}", 2, acc_ch * k)
                procs.append(Process(f"{n}.concat{j}", n, hw, 1, {acc: _ones(hw), ins[j]: _ones(hw)}, {out: _ones(hw)}))
                acc = out
            ins = [acc]
        if kind == "input_conv":
            procs.append(Process(f"{n}.replay", n, hw, 1, {}, {cur: _ones(hw)}))
        elif kind in ("spiking_conv", "output") and l["kernel"] == 3:
            rd, wr = conv3_pattern(h, w)
            procs.append(Process(f"{n}.conv3x3", n, len(rd), adder_depth(9 * l["in_channels"] * k + 1),
                                 {ins[0]: rd}, {cur: wr}))
        elif kind in ("spiking_conv", "output"):
            procs.append(Process(f"{n}.conv1x1", n, hw, adder_depth(l["in_channels"] * k + 1), {ins[0]: _ones(hw)},
                                 {cur: _ones(hw)}))
        elif kind == "pool":
            rd, wr = pool_pattern(g["in_height"], g["in_width"])
            procs.append(Process(f"{n}.pool", n, len(rd), 2, {ins[0]: rd}, {cur: wr}))
        elif kind == "upconv":
            rd, wr = upconv_pattern(g["in_height"], g["in_width"])
            procs.append(Process(f"{n}.upconv", n, len(rd), adder_depth(4 * l["in_channels"] * k + 1),
                                 {ins[0]: rd}, {cur: wr}))
        if kind == "output":
            procs.append(Process(f"{n}.accumulate", n, hw, 2, {cur: _ones(hw)}, {}))
            continue
        users = cons[n]
        spikes = stream(f"{n}_spikes", skip_depth(manifest, n, *users[0]) if len(users) == 1 else 2,
                        l["out_channels"] * k)
        procs.append(Process(f"{n}.mtif", n, hw, 1 + math.ceil(k / 2), {cur: _ones(hw)}, {spikes: _ones(hw)}))
        if len(users) == 1:
            feed[users[0]] = spikes
        elif not users:
            procs.append(Process(f"{n}.drain", n, hw, 1, {spikes: _ones(hw)}, {}))
        else:
            srcs = spikes
            for j, user in enumerate(users[:-1]):
                a = stream(f"{n}_to_{user[0]}", skip_depth(manifest, n, *user), l["out_channels"] * k)
                feed[user] = a
                if j == len(users) - 2:
                    b = stream(f"{n}_to_{users[-1][0]}", skip_depth(manifest, n, *users[-1]), l["out_channels"] * k)
                    feed[users[-1]] = b
                else:
                    b = stream(f"{n}_fork{j}", 2, l["out_channels"] * k)
                procs.append(Process(f"{n}.fork{j}", n, hw, 1, {srcs: _ones(hw)}, {a: _ones(hw), b: _ones(hw)}))
                srcs = b
    return procs, streams


class Deadlock(RuntimeError):
    pass


def schedule(procs: list[Process], ii: int, depths: dict[str, int] | None = None, max_rounds: int = 0) -> dict:
    """Start time of every iteration of every process.

    Constraints (max-plus, all of the form s >= ...): s_k >= s_{k-1} + II; s_k >= the cycle at which every token
    that iteration k reads is readable (producer's start + its pipeline depth + 1); and, with `depths`, a write
    of token n into a FIFO of depth d waits until the consumer has read token n - d (s_k + D >= r_{n-d} + 1).
    Without depths it is one pass in network order (a topological order of the step). With depths it iterates
    (Gauss-Seidel) from that lower bound to the least fixed point, which is the modelled schedule with
    back-pressure; a FIFO cycle that cannot be satisfied (deadlock) never converges and raises Deadlock."""
    starts: dict[str, np.ndarray] = {}
    read_of: dict[str, tuple[str, np.ndarray]] = {}  # stream -> (consumer, read mask)
    for p in procs:
        for s, mask in p.reads.items():
            read_of[s] = (p.name, mask)
    rounds = max_rounds or 4 * len(procs) + 50
    for rnd in range(rounds if depths else 1):
        changed = False
        avail: dict[str, np.ndarray] = {}
        for p in procs:
            ready = np.zeros(p.iterations, dtype=np.int64)
            for s, mask in p.reads.items():
                idx = np.cumsum(mask) - 1
                ready = np.maximum(ready, np.where(mask, avail[s][np.clip(idx, 0, None)], 0))
            if depths and rnd > 0:
                for s, mask in p.writes.items():
                    consumer = read_of.get(s)
                    if consumer is None or consumer[0] not in starts:
                        continue
                    reads = starts[consumer[0]][consumer[1]]
                    n = np.cumsum(mask) - 1
                    back = n - depths[s]
                    ok = mask & (back >= 0)
                    need = np.zeros(p.iterations, dtype=np.int64)
                    need[ok] = reads[back[ok]] + 1 - p.depth
                    ready = np.maximum(ready, need)
            k = np.arange(p.iterations, dtype=np.int64) * ii
            start = k + np.maximum.accumulate(ready - k)  # s_k = max(s_{k-1} + II, ready_k)
            if p.name not in starts or not np.array_equal(start, starts[p.name]):
                changed = True
            starts[p.name] = start
            for s, mask in p.writes.items():
                avail[s] = start[mask] + p.depth + 1
        if not changed and rnd > 0:
            break
    else:
        if depths:
            raise Deadlock(f"no fixed point after {rounds} rounds: the FIFO depths deadlock the step")
    peaks = {}
    for s, a in avail.items():
        consumer = read_of.get(s)
        if consumer is None:
            peaks[s] = len(a)
            continue
        r = starts[consumer[0]][consumer[1]]
        # occupancy just before token n is read: tokens readable by then minus the n already read
        peaks[s] = int(np.max(np.searchsorted(a, r, side="right") - np.arange(len(r))))
    return {"starts": starts, "avail": avail, "peaks": peaks}


def layer_costs(manifest: dict, reuse: int) -> list[dict]:
    k = len(manifest["thresholds_log2"])
    geo = layer_geometry(manifest)
    out = []
    for l in manifest["layers"]:
        g, kind, c_in, c_out = geo[l["name"]], l["kind"], l["in_channels"], l["out_channels"]
        hw = g["height"] * g["width"]
        # gated adds per output pixel and time step: conv/upconv taps x C_out; pool: K magnitude adds per input
        # pixel plus the pair/block sums, per channel
        taps = {"input_conv": 0, "spiking_conv": l["kernel"] ** 2 * c_in * k, "output": l["kernel"] ** 2 * c_in * k,
                "upconv": 4 * c_in * k, "pool": 0}[kind]
        adders = taps * c_out if kind != "pool" else (k + 2) * c_out
        mults = 9 * c_in * c_out if kind == "input_conv" else 0
        bits = lambda key: l.get(key, 0)  # noqa: E731
        mem = {"state": hw * c_out * bits("membrane_bits")}
        if kind in ("spiking_conv", "output") and l["kernel"] == 3:
            mem["line_buffers"] = 2 * g["width"] * c_in * k
        if kind == "input_conv":
            mem["line_buffers"] = 2 * g["width"] * c_in * manifest["input"]["pixel_bits"]
            mem["static_current"] = hw * c_out * bits("current_bits")
        if kind == "upconv":
            mem["line_buffers"] = 2 * g["in_width"] * c_in * k
        if kind == "pool":
            mem["line_buffers"] = g["width"] * c_out * bits("acc_bits")
        rom = 0 if kind == "pool" else int(np.prod(l["weight_shape"])) * bits("weight_bits") + c_out * bits("bias_bits")
        out.append({"layer": l["name"], "kind": kind, "size": f"{c_out}x{g['height']}x{g['width']}",
                    "gated_adders": math.ceil(adders / reuse), "multipliers": math.ceil(mults / reuse),
                    "compare_subtract": 0 if kind == "output" else c_out * k, "memory_bits": mem, "rom_bits": rom})
    return out


def estimate(manifest: dict, clock_mhz: float, reuse: int = 1) -> dict:
    if not is_network(manifest):
        raise ValueError("the estimate is for a network ending in an output layer (not the slice)")
    procs, streams = build_graph(manifest)
    free = schedule(procs, reuse)  # unbounded FIFOs: the stall-free depths
    sched = schedule(procs, reuse, {s.name: s.depth for s in streams.values()})  # the generated depths
    first = manifest["layers"][0]
    geo = layer_geometry(manifest)
    h, w = geo[first["name"]]["height"], geo[first["name"]]["width"]
    k_in = manifest["input"]["channels"]
    # encode_frame: input_conv ((H+1)(W+1) iterations, reads the image at 1 beat per cycle) -> store_frame
    rd, wr = conv3_pattern(h, w)
    enc = [Process("encode.input_conv", first["name"], len(rd), 3 + adder_depth(9 * k_in), {"image": rd},
                   {"static": wr}),
           Process("encode.store", first["name"], h * w, 1, {"static": _ones(h * w)}, {})]
    enc_sched = schedule([Process("image", "", h * w, 0, {}, {"image": _ones(h * w)})] + enc, reuse)
    encode_cycles = int(enc_sched["starts"]["encode.store"][-1]) + 2
    step_end = {p.name: int(sched["starts"][p.name][-1]) + p.depth + 1 for p in procs}
    step_cycles = max(step_end.values())
    free_step = max(int(free["starts"][p.name][-1]) + p.depth + 1 for p in procs)
    head = manifest["layers"][-1]
    hw_out = geo[head["name"]]["height"] * geo[head["name"]]["width"]
    emit_cycles = hw_out * reuse + 2
    t_steps = manifest["timesteps"]
    frame_cycles = encode_cycles + t_steps * step_cycles + emit_cycles
    period_ns = 1000.0 / clock_mhz
    layers = []
    costs = {c["layer"]: c for c in layer_costs(manifest, reuse)}
    for l in manifest["layers"]:
        mine = [p for p in procs if p.layer == l["name"]]
        first_out = min(int(sched["starts"][p.name][0]) for p in mine)
        done = max(step_end[p.name] for p in mine)
        layers.append({**costs[l["name"]], "processes": [p.name for p in mine],
                       "loop_iterations": max(p.iterations for p in mine) * reuse,
                       "pipeline_depth": max(p.depth for p in mine),
                       "first_iteration_cycle": first_out, "done_cycle": done})
    fifo = [{"stream": s.name, "generated_depth": s.depth, "stall_free_depth": max(free["peaks"].get(s.name, 0), 1),
             "peak_occupancy": sched["peaks"].get(s.name, 0), "beat_bits": s.beat_bits} for s in streams.values()]
    return {
        "model": manifest["model"], "clock_mhz": clock_mhz, "reuse": reuse, "timesteps": t_steps,
        "input": f"{k_in}x{h}x{w}", "thresholds": len(manifest["thresholds_log2"]),
        "encode_cycles": encode_cycles, "step_cycles": step_cycles, "step_cycles_stall_free": free_step,
        "emit_cycles": emit_cycles,
        "frame_cycles": frame_cycles, "frame_latency_us": frame_cycles * period_ns / 1000.0,
        "frames_per_second": clock_mhz * 1e6 / frame_cycles,
        "pixels_per_cycle": h * w * t_steps / (t_steps * step_cycles),
        "widths_known": all("membrane_bits" in l for l in manifest["layers"]),
        "layers": layers, "fifos": fifo,
        "totals": {"gated_adders": sum(c["gated_adders"] for c in layers),
                   "multipliers": sum(c["multipliers"] for c in layers),
                   "memory_bits": sum(sum(c["memory_bits"].values()) for c in layers)
                   + sum(f["generated_depth"] * f["beat_bits"] for f in fifo if f["generated_depth"] > 2),
                   "skip_fifo_bits": sum(f["generated_depth"] * f["beat_bits"] for f in fifo
                                         if f["generated_depth"] > 2),
                   "rom_bits": sum(c["rom_bits"] for c in layers)},
    }


def manifest_from_config(config: Path, size: int, timesteps: int | None) -> dict:
    """Shapes only (no export): the U-Net of a training config, widths unknown (memory bits reported as 0)."""
    from golden.unet import layer_specs

    cfg = yaml.safe_load(config.read_text())
    m, snn = cfg["model"], cfg.get("snn", {})
    ths = snn.get("thresholds", [2.0, 1.0, 0.5, 0.25])
    exps = [int(round(math.log2(t))) for t in ths]
    t = snn.get("timesteps", 10)
    t = timesteps or (max(t) if isinstance(t, list) else t)
    out_ch = m.get("classes", m["in_channels"]) if cfg["task"] == "segmentation" else m["in_channels"]
    specs = layer_specs(m["in_channels"], out_ch, m["base"], m["depth"], cfg["task"])
    concat = {s.name: s.sources for s in specs if s.kind == "concat"}
    kinds = {"conv": "spiking_conv", "pool": "pool", "upconv": "upconv", "head": "output"}
    layers = []
    for s in specs:
        if s.kind == "concat":
            continue
        src = [x for y in s.sources for x in concat.get(y, (y,))]
        kind = "input_conv" if src == ["input"] else kinds[s.kind]
        kern = s.kernel or 2
        layers.append({"name": s.name, "kind": kind, "sources": src, "in_channels": s.in_channels,
                       "out_channels": s.out_channels, "kernel": kern,
                       "weight_shape": [s.out_channels, kern, kern, s.in_channels] if s.has_params else [0]})
    return {"model": cfg["name"], "timesteps": int(t), "thresholds_log2": exps,
            "input": {"channels": m["in_channels"], "height": size, "width": size, "pixel_bits": 8}, "layers": layers}


def markdown(r: dict) -> str:
    mhz = r["clock_mhz"]
    lines = [
        f"# HLS latency / throughput estimate: {r['model']}",
        "",
        f"Model of the generated top (scripts/hls_estimate.py docstring), not a synthesis report. Clock {mhz:g} MHz, "
        f"reuse (II) {r['reuse']}, input {r['input']}, T = {r['timesteps']}, K = {r['thresholds']}.",
        "",
        "| | cycles | time |",
        "|---|---:|---:|",
        f"| encode (input conv, once per frame) | {r['encode_cycles']} | {r['encode_cycles'] / mhz:.2f} us |",
        f"| one time step (DATAFLOW) | {r['step_cycles']} | {r['step_cycles'] / mhz:.2f} us |",
        f"| emit A_T | {r['emit_cycles']} | {r['emit_cycles'] / mhz:.2f} us |",
        f"| **frame** (encode + T steps + emit) | **{r['frame_cycles']}** | **{r['frame_latency_us']:.2f} us** |",
        "",
        f"Throughput: {r['frames_per_second']:.1f} frames/s (frames do not overlap); "
        f"{r['pixels_per_cycle']:.3f} input pixels per cycle per step.",
        "",
        "## Per layer (one time step)",
        "",
        "| layer | kind | C x H x W | loop iterations | pipeline depth | first iteration | done | gated adders "
        "| multipliers | cmp-sub | memory bits | ROM bits |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for l in r["layers"]:
        lines.append(f"| {l['layer']} | {l['kind']} | {l['size']} | {l['loop_iterations']} | {l['pipeline_depth']} | "
                     f"{l['first_iteration_cycle']} | {l['done_cycle']} | {l['gated_adders']} | {l['multipliers']} | "
                     f"{l['compare_subtract']} | {sum(l['memory_bits'].values())} | {l['rom_bits']} |")
    t = r["totals"]
    lines += [
        f"| **total** | | | | | | | **{t['gated_adders']}** | **{t['multipliers']}** | | **{t['memory_bits']}** | "
        f"**{t['rom_bits']}** |",
        "",
        f"Skip-connection frame buffers: {t['skip_fifo_bits']} bits (included in the memory total)."
        + ("" if r["widths_known"] else " Widths unknown (shapes from a config, no export): memory and ROM bits "
           "count only the spike-word buffers."),
        "",
        "## Streams",
        "",
        "Generated FIFO depth vs the depth at which the modelled schedule never stalls (peak occupancy).",
        "",
        "| stream | beat bits | generated depth | stall-free depth |",
        "|---|---:|---:|---:|",
        *[f"| {f['stream']} | {f['beat_bits']} | {f['generated_depth']} | {f['stall_free_depth']}"
          f"{' (producer stalls)' if f['stall_free_depth'] > f['generated_depth'] else ''} |" for f in r["fifos"]],
        "",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--export", help="full-network export directory (manifest.yaml)")
    src.add_argument("--config", help="training config (configs/unet_*.yaml): shapes only, widths unknown")
    ap.add_argument("--size", type=int, default=256, help="--config: square input size (default 256)")
    ap.add_argument("--timesteps", type=int, help="--config: T (default: the config's largest)")
    ap.add_argument("--clock-mhz", type=float, default=200.0, help="clock for the times (default 200 MHz)")
    ap.add_argument("--reuse", type=int, default=1, help="initiation interval of every loop (default 1)")
    ap.add_argument("--out", default=str(ROOT / "build" / "hls_estimate"), help="report directory")
    args = ap.parse_args(argv)
    if args.reuse < 1 or args.clock_mhz <= 0:
        print("error: --reuse must be >= 1 and --clock-mhz > 0", file=sys.stderr)
        return 2
    try:
        if args.export:
            manifest = yaml.safe_load((Path(args.export) / "manifest.yaml").read_text())
        else:
            manifest = manifest_from_config(Path(args.config), args.size, args.timesteps)
        report = estimate(manifest, args.clock_mhz, args.reuse)
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    md = markdown(report)
    (out / f"{report['model']}.md").write_text(md)
    (out / f"{report['model']}.json").write_text(json.dumps(report, indent=1) + "\n")
    print(md)
    print(f"ESTIMATE {report['model']}: frame {report['frame_cycles']} cycles = {report['frame_latency_us']:.2f} us "
          f"at {args.clock_mhz:g} MHz ({report['frames_per_second']:.1f} frames/s), step {report['step_cycles']} "
          f"cycles; reports in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
