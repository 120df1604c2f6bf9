"""Latency / throughput estimate of the generated HLS network (hls/, golden/backends/hls/top.py), per
layer and per frame, in cycles and at a stated clock. Not a synthesis result: a model of the pipelining the C++
asks for, documented here so that it can be checked against Vitis HLS reports once the tool is available.

    python -m golden estimate --export DIR [--clock-mhz 200] [--reuse 1] [--out build/hls_estimate]
    python -m golden estimate --config configs/unet_paper.yaml --size 512 --timesteps 50

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
(About 360 lines: the model above, its scheduler and its report are one unit; this docstring is a fifth of it.)
"""
from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from golden.paths import REPO_ROOT as ROOT

from golden.backends.hls.top import skip_depth
from golden.ir.network import Layer, Network
from golden.kinds.base import adder_depth, conv3_pattern, ones as _ones


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


def build_graph(net: Network):
    """The processes and streams of one time step, wired as the generated time_step() (top.py) wires them; each
    layer's own process comes from its kind (golden/kinds hls_process)."""
    k = net.K
    cons = net.consumers()
    procs: list[Process] = []
    streams: dict[str, Stream] = {}
    feed: dict[tuple[str, int], str] = {}

    def stream(name, depth, bits):
        streams[name] = Stream(name, depth, bits)
        return name

    for l in net.layers:
        n, src, spec = l.name, l.sources, l.spec
        hw = l.pixels
        cur = stream(f"{n}_current", 2, l.out_channels * l.widths.get("current_bits", 0))
        ins = [] if spec.reads_image else [feed[(n, i)] for i in range(len(src))]
        if len(ins) > 1:
            acc, acc_ch = ins[0], net.layer(src[0]).out_channels
            for j in range(1, len(ins)):
                acc_ch += net.layer(src[j]).out_channels
                out = stream(f"{n}_cat{j}", 2, acc_ch * k)
                procs.append(Process(f"{n}.concat{j}", n, hw, 1, {acc: _ones(hw), ins[j]: _ones(hw)}, {out: _ones(hw)}))
                acc = out
            ins = [acc]
        suffix, iterations, depth, rd, wr = spec.hls_process(l, k)
        procs.append(Process(f"{n}.{suffix}", n, iterations, depth, {ins[0]: rd} if ins else {}, {cur: wr}))
        if not spec.has_neuron:
            procs.append(Process(f"{n}.accumulate", n, hw, 2, {cur: _ones(hw)}, {}))
            continue
        users = cons[n]
        spikes = stream(f"{n}_spikes", skip_depth(net, n, *users[0]) if len(users) == 1 else 2, l.out_channels * k)
        procs.append(Process(f"{n}.mtif", n, hw, 1 + math.ceil(k / 2), {cur: _ones(hw)}, {spikes: _ones(hw)}))
        if len(users) == 1:
            feed[users[0]] = spikes
        elif not users:
            procs.append(Process(f"{n}.drain", n, hw, 1, {spikes: _ones(hw)}, {}))
        else:
            srcs = spikes
            for j, user in enumerate(users[:-1]):
                a = stream(f"{n}_to_{user[0]}", skip_depth(net, n, *user), l.out_channels * k)
                feed[user] = a
                if j == len(users) - 2:
                    b = stream(f"{n}_to_{users[-1][0]}", skip_depth(net, n, *users[-1]), l.out_channels * k)
                    feed[users[-1]] = b
                else:
                    b = stream(f"{n}_fork{j}", 2, l.out_channels * k)
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


def layer_costs(net: Network, reuse: int) -> list[dict]:
    """Per layer: the kind's gated adders, multipliers and memory, the neuron's membranes and compare-subtracts,
    the ROM bits."""
    k = net.K
    out = []
    for l in net.layers:
        c = l.spec.hls_costs(l, k, net.pixel_bits)
        bits = l.widths.get
        mem = {"state": l.pixels * l.out_channels * bits("membrane_bits", 0), **c["memory_bits"]}
        rom = l.weight.size * bits("weight_bits", 0) + l.out_channels * bits("bias_bits", 0) if l.spec.has_params else 0
        out.append({"layer": l.name, "kind": l.kind, "size": f"{l.out_channels}x{l.height}x{l.width}",
                    "gated_adders": math.ceil(c["gated_adders"] / reuse),
                    "multipliers": math.ceil(c["multipliers"] / reuse),
                    "compare_subtract": l.out_channels * k if l.spec.has_neuron else 0, "memory_bits": mem,
                    "rom_bits": int(rom)})
    return out


def estimate(net: Network, clock_mhz: float, reuse: int = 1) -> dict:
    procs, streams = build_graph(net)
    free = schedule(procs, reuse)  # unbounded FIFOs: the stall-free depths
    sched = schedule(procs, reuse, {s.name: s.depth for s in streams.values()})  # the generated depths
    first = net.input_layer
    h, w = first.height, first.width
    k_in = net.in_channels
    # encode_frame: input_conv ((H+1)(W+1) iterations, reads the image at 1 beat per cycle) -> store_frame
    rd, wr = conv3_pattern(h, w)
    enc = [Process("encode.input_conv", first.name, len(rd), 3 + adder_depth(9 * k_in), {"image": rd},
                   {"static": wr}),
           Process("encode.store", first.name, h * w, 1, {"static": _ones(h * w)}, {})]
    enc_sched = schedule([Process("image", "", h * w, 0, {}, {"image": _ones(h * w)})] + enc, reuse)
    encode_cycles = int(enc_sched["starts"]["encode.store"][-1]) + 2
    step_end = {p.name: int(sched["starts"][p.name][-1]) + p.depth + 1 for p in procs}
    step_cycles = max(step_end.values())
    free_step = max(int(free["starts"][p.name][-1]) + p.depth + 1 for p in procs)
    hw_out = net.output_layer.pixels
    emit_cycles = hw_out * reuse + 2
    t_steps = net.timesteps
    frame_cycles = encode_cycles + t_steps * step_cycles + emit_cycles
    period_ns = 1000.0 / clock_mhz
    layers = []
    costs = {c["layer"]: c for c in layer_costs(net, reuse)}
    for l in net.layers:
        mine = [p for p in procs if p.layer == l.name]
        first_out = min(int(sched["starts"][p.name][0]) for p in mine)
        done = max(step_end[p.name] for p in mine)
        layers.append({**costs[l.name], "processes": [p.name for p in mine],
                       "loop_iterations": max(p.iterations for p in mine) * reuse,
                       "pipeline_depth": max(p.depth for p in mine),
                       "first_iteration_cycle": first_out, "done_cycle": done})
    fifo = [{"stream": s.name, "generated_depth": s.depth, "stall_free_depth": max(free["peaks"].get(s.name, 0), 1),
             "peak_occupancy": sched["peaks"].get(s.name, 0), "beat_bits": s.beat_bits} for s in streams.values()]
    return {
        "model": net.name, "clock_mhz": clock_mhz, "reuse": reuse, "timesteps": t_steps,
        "input": f"{k_in}x{h}x{w}", "thresholds": net.K,
        "encode_cycles": encode_cycles, "step_cycles": step_cycles, "step_cycles_stall_free": free_step,
        "emit_cycles": emit_cycles,
        "frame_cycles": frame_cycles, "frame_latency_us": frame_cycles * period_ns / 1000.0,
        "frames_per_second": clock_mhz * 1e6 / frame_cycles,
        "pixels_per_cycle": h * w * t_steps / (t_steps * step_cycles),
        "widths_known": all("membrane_bits" in l.widths for l in net.layers),
        "layers": layers, "fifos": fifo,
        "totals": {"gated_adders": sum(c["gated_adders"] for c in layers),
                   "multipliers": sum(c["multipliers"] for c in layers),
                   "memory_bits": sum(sum(c["memory_bits"].values()) for c in layers)
                   + sum(f["generated_depth"] * f["beat_bits"] for f in fifo if f["generated_depth"] > 2),
                   "skip_fifo_bits": sum(f["generated_depth"] * f["beat_bits"] for f in fifo
                                         if f["generated_depth"] > 2),
                   "rom_bits": sum(c["rom_bits"] for c in layers)},
    }


def network_from_config(config: Path, size: int, timesteps: int | None) -> Network:
    """Shapes only (no export): the U-Net of a training config with zero weights (zero-stride views, no memory)
    and unknown widths (memory bits count only the spike-word buffers)."""
    from golden.export.network import integer_layout
    from golden.model.unet import load_unet_config, layer_specs

    cfg = load_unet_config(config)
    m, snn = cfg["model"], cfg["snn"]
    exps = tuple(int(round(math.log2(t))) for t in snn["thresholds"])
    t = timesteps or max(snn["timesteps"])
    out_ch = m["classes"] if cfg["task"] == "segmentation" else m["in_channels"]
    specs = layer_specs(m["in_channels"], out_ch, m["base"], m["depth"], cfg["task"])
    layers = []
    for s, kind, src in integer_layout(specs):
        shape = (s.out_channels, s.kernel, s.kernel, s.in_channels) if s.has_params else (s.out_channels, 0, 0, 0)
        layers.append(Layer(s.name, kind, src, np.broadcast_to(np.int64(0), shape),
                            np.zeros(s.out_channels, dtype=np.int64), 0))
    return Network(cfg["name"], tuple(layers), int(t), exps, snn["compare"], m["in_channels"], size, size, cfg["task"])


def markdown(r: dict) -> str:
    mhz = r["clock_mhz"]
    lines = [
        f"# HLS latency / throughput estimate: {r['model']}",
        "",
        f"Model of the generated top (golden/backends/hls/estimate.py docstring), not a synthesis report. Clock {mhz:g} MHz, "
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


def add_arguments(ap) -> None:
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--export", help="export directory (manifest.yaml)")
    src.add_argument("--config", help="training config (configs/unet_*.yaml): shapes only, widths unknown")
    ap.add_argument("--size", type=int, default=256, help="--config: square input size (default 256)")
    ap.add_argument("--timesteps", type=int, help="--config: T (default: the config's largest)")
    ap.add_argument("--clock-mhz", type=float, default=200.0, help="clock for the times (default 200 MHz)")
    ap.add_argument("--reuse", type=int, default=1, help="initiation interval of every loop (default 1)")
    ap.add_argument("--out", default=str(ROOT / "build" / "hls_estimate"), help="report directory")
    ap.add_argument("--max-width", type=int, help="also size the external-memory frame engine for frames up to this "
                                                  "width (golden/backends/rtl/frame_plan.py): a FRAME line")
    ap.add_argument("--lanes", type=int, default=8, help="--max-width: the frame engine's lanes P (default 8)")
    ap.add_argument("--data-bits", type=int, choices=(64, 128, 256), default=64,
                    help="--max-width: its AXI data width (default 64)")
    ap.add_argument("--weights", choices=("rom", "stream"), default="rom",
                    help="--max-width: weights on chip, or streamed one pass at a time (default rom)")


def run(args) -> int:
    from golden.ir.manifest import ManifestError, load_network

    if args.reuse < 1 or args.clock_mhz <= 0:
        print("error: --reuse must be >= 1 and --clock-mhz > 0", file=sys.stderr)
        return 2
    try:
        if args.export:
            net = load_network(args.export)
        else:
            net = network_from_config(Path(args.config), args.size, args.timesteps)
        report = estimate(net, args.clock_mhz, args.reuse)
    except (OSError, ValueError, KeyError, ManifestError) as exc:
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
    if args.max_width:
        from golden.backends.rtl import frame_plan

        if args.max_width < net.width or args.lanes < 1 or args.lanes & (args.lanes - 1):
            print(f"error: --max-width must be >= the frame width {net.width}, --lanes a power of two",
                  file=sys.stderr)
            return 2
        try:
            plan = frame_plan.frame_plan(frame_plan.with_assumed_widths(net), args.max_width, args.weights,
                                         args.lanes, args.data_bits)
        except ValueError as exc:
            print(f"error: --max-width {args.max_width}: {exc}", file=sys.stderr)
            return 2
        (out / f"{report['model']}_frame.json").write_text(json.dumps(plan, indent=1, default=str) + "\n")
        print(frame_plan.line(plan))
    return 0
