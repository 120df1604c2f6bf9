"""Estimate of the one hardware design, the external-memory frame engine (rtl/snn_frame_*.sv, docs/frame_engine.md;
its HLS counterpart snn_frame_top has the same schedule and memory layout): cycles per frame, per layer, at a
stated clock, and its on-chip memories and external traffic. Not a synthesis result.

    python -m golden estimate --export DIR [--lanes 8] [--max-width W] [--data-bits 64] [--weights rom|stream]
                              [--clock-mhz 200] [--out build/hls_estimate]
    python -m golden estimate --config configs/unet_paper.yaml --size 512 --timesteps 50 --max-width 512

Cycles (`--export`): golden/backends/hls/frame_cycles.py, a model of the engine's sequencer, scanner, scatter and
neuron phase driven by the export's golden spikes (an event-driven engine's work depends on them); its error
against the RTL simulation (`golden sim --p-pause 0`) is measured by tests/hls/test_frame_estimate.py. A config
has no spikes: `--config` gives the memories and traffic only. Memories and traffic:
golden/backends/rtl/frame_plan.py (the FRAME line, always the last line). Output: a table on stdout and
<out>/<model>.md and <out>/<model>.json; then
`ESTIMATE <model>: frame C cycles = X us at F MHz (N frames/s), lanes=P, ...` and the FRAME line.
"""
from __future__ import annotations

from golden.backends.rtl import deploy

import json
import math
import sys
from pathlib import Path

import numpy as np

from golden.contract.quant import timesteps_problem
from golden.ir.network import Layer, Network
from golden.paths import REPO_ROOT as ROOT


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
    lines = [f"# Frame engine estimate: {r['model']}", "",
             f"Model of the RTL frame engine (golden/backends/hls/frame_cycles.py), not a synthesis report. "
             f"{r['lanes']} lanes, AXI {r['data_bits']} bits, frame {r['frame']}, T = {r['timesteps']}, "
             f"clock {r['clock_mhz']:g} MHz.", ""]
    if r.get("layers"):
        lines += ["| layer | kind | level | passes | events | scan | scatter | neuron | cycles |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {l['layer']} | {l['kind']} | {l['level']} | {l['passes']} | {l['events']} | {l['scan']} | "
                  f"{l['scatter']} | {l['neuron']} | {l['cycles']} |" for l in r["layers"]]
        lines += [f"| **frame** | | | | | | | | **{r['frame_cycles']}** |", "",
                  f"{r['frame_latency_us']:.2f} us per frame, {r['frames_per_second']:.1f} frames/s.", ""]
    p = r["plan"]
    lines += ["## On chip and external traffic (golden/backends/rtl/frame_plan.py)", "",
              f"band {p['band_bits']} bits, weights {p['weight_bits']} bits ({p['weights']}), biases "
              f"{p['bias_bits']} bits; {p['bram36_all']} BRAM36 (or the band in {p['uram_band']} URAM + "
              f"{p['bram36_rest']} BRAM36); external reads {p['external_read_mb']:.3f} MB, writes "
              f"{p['external_write_mb']:.3f} MB per frame.", ""]
    return "\n".join(lines)


def add_arguments(ap) -> None:
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--export", help="export directory (manifest.yaml, golden vectors: the cycle model's spikes)")
    src.add_argument("--config", help="training config (configs/unet_*.yaml): shapes only, memories and traffic")
    ap.add_argument("--size", type=int, default=256, help="--config: square input size (default 256)")
    ap.add_argument("--timesteps", type=int, help="--config: T (default: the config's largest)")
    ap.add_argument("--lanes", type=int, default=8, help="the frame engine's lanes P (a power of two, default 8)")
    ap.add_argument("--max-width", type=int, help="W_MAX of the engine (default: the frame's width)")
    ap.add_argument("--data-bits", type=int, choices=(64, 128, 256), default=64, help="AXI data width (default 64)")
    ap.add_argument("--weights", choices=("rom", "stream"), default="rom",
                    help="weights on chip, or streamed one pass at a time (default rom)")
    ap.add_argument("--engines", type=int, default=1, help="engines E on column strips (default 1)")
    ap.add_argument("--weight-words", type=int, default=65536,
                    help="stream: the weight RAM's depth in words of P weights (passes are split to fit)")
    deploy.add_argument(ap)
    ap.add_argument("--clock-mhz", type=float, default=200.0, help="clock for the times (default 200 MHz)")
    ap.add_argument("--out", default=str(ROOT / "build" / "hls_estimate"), help="report directory")


def run(args) -> int:
    from golden.backends.hls.frame_cycles import layer_cycles
    from golden.backends.rtl import frame_plan
    from golden.ir.manifest import ManifestError
    from golden.export.load import load_network, load_vectors

    deploy.apply(args)
    if (args.clock_mhz <= 0 or args.lanes < 1 or args.lanes & (args.lanes - 1) or args.engines < 1
            or args.engines & (args.engines - 1)):
        print("error: --clock-mhz must be > 0, --lanes and --engines powers of two", file=sys.stderr)
        return 2
    if args.timesteps is not None and timesteps_problem(args.timesteps):
        print(f"error: --timesteps {timesteps_problem(args.timesteps)}", file=sys.stderr)
        return 2
    try:
        if args.export:
            net = load_network(args.export)
            vec = load_vectors(args.export)
        else:
            net, vec = network_from_config(Path(args.config), args.size, args.timesteps), None
    except (OSError, ValueError, KeyError, ManifestError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    max_width = args.max_width or net.width
    if max_width < net.width:
        print(f"error: --max-width must be >= the frame width {net.width}", file=sys.stderr)
        return 2
    try:
        plan = frame_plan.frame_plan(frame_plan.with_assumed_widths(net), max_width, args.weights, args.lanes,
                                     args.data_bits)
    except ValueError as exc:
        print(f"error: --max-width {max_width}: {exc}", file=sys.stderr)
        return 2
    r = {"model": net.name, "frame": f"{net.height}x{net.width}", "timesteps": net.timesteps, "lanes": args.lanes,
         "data_bits": args.data_bits, "clock_mhz": args.clock_mhz, "plan": plan}
    if vec is not None:
        passes = None  # weights rom: one pass a layer (the engine's default group_pass)
        if args.weights == "stream":
            from golden.backends.rtl.frame_config import build_frame_config
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                passes = build_frame_config(frame_plan.with_assumed_widths(net), args.lanes, Path(tmp),
                                            max_width=max_width, data_bits=args.data_bits, weights="stream",
                                            engines=args.engines, weight_buffer_words=args.weight_words).passes
        r["engines"] = args.engines
        r["layers"] = layer_cycles(net, vec, args.lanes, args.data_bits, passes, args.engines)
        r["frame_cycles"] = sum(l["cycles"] for l in r["layers"])
        r["frame_latency_us"] = r["frame_cycles"] / args.clock_mhz
        r["frames_per_second"] = 1e6 / r["frame_latency_us"]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    md = markdown(r)
    (out / f"{net.name}.md").write_text(md)
    (out / f"{net.name}.json").write_text(json.dumps(r, indent=1, default=str) + "\n")
    print(md)
    if vec is not None:
        print(f"ESTIMATE {net.name}: frame {r['frame_cycles']} cycles = {r['frame_latency_us']:.2f} us at "
              f"{args.clock_mhz:g} MHz ({r['frames_per_second']:.1f} frames/s), lanes={args.lanes}, "
              f"engines={args.engines}, "
              f"frame engine (rtl/snn_frame_*.sv; HLS snn_frame_top); reports in {out}")
    else:
        print(f"ESTIMATE {net.name}: no cycles from a config (the engine's work depends on the spikes: use "
              f"--export); memories and traffic below; reports in {out}")
    print(frame_plan.line(plan))
    return 0
