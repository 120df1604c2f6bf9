"""RTL simulation of a whole-network export: every layer, every value, every time step.

    python -m golden sim --export DIR [--lanes P] [--engine frame|onchip] [--max-width W] [--data-bits 64|128|256]
                         [--reset-at mid] [--seed S] [--frames F] [--p-pause P] [--pause-cycles N] [--labels PNG]
                         [--vectors FILE]

The default engine is the external-memory frame engine (`--engine frame`, rtl/snn_frame_kernel.sv,
docs/frame_engine.md): built with P lanes for frames up to --max-width (default: the export's width), it runs
rtl_tb/tb_frame_engine.py (cocotbext-axi AxiRam as the external memory with random pauses on every AXI channel,
AxiLiteMaster for the registers); every spiking layer's spike words at every step (read back from the scratch
buffer) and A_T (the output buffer) are compared with ==. `--labels PNG` (segmentation) then prints the F1 of
the RTL's own A_T against the label next to the golden model's. `--engine onchip` is the older engine that keeps
every feature map on chip (rtl/snn_engine.sv, docs/rtl_engine.md: image on s_axis, A_T on m_axis, a trace port,
membranes compared too when the export has them). The last line is exactly one of
    SIM PASS layers=L timesteps=T values=N mismatches=0 cycles=C bound=B
    SIM FAIL layers=L timesteps=T values=N mismatches=M cycles=C bound=B      (exit status 1)
with N the values compared (frame: spike words + A_T; onchip: spike words + every A_t), C the cycles of the
frame(s) (it depends on the random stall pattern) and B = ceil(synaptic events / P), the synaptic events counted
from the golden vectors (golden/kinds `events`). Exit status 0 pass, 1 mismatch, 2 bad input (an export the IR
refuses, a network the engine cannot run) or a build error. WAVES=1 in the environment writes an FST of the run.
"""
from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path


from golden.backends.rtl import simulate as simlib
from golden.ir.manifest import ManifestError, load_manifest, load_network, load_vectors


def add_arguments(ap) -> None:
    ap.add_argument("--export", required=True, help="export directory (manifest.yaml, .mem files, vectors/)")
    ap.add_argument("--vectors", help="golden vectors folder to compare with, in the export's format (index.json "
                                      "and its gzip files; default: <export>/vectors)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the random stalls")
    ap.add_argument("--frames", type=int, default=1, help="send the image this many times back to back")
    ap.add_argument("--engine", choices=["frame", "onchip"], default="frame",
                    help="frame: the external-memory frame engine (default); onchip: every feature map on chip")
    ap.add_argument("--max-width", type=int, help="frame engine: widest frame it is built for (default: the export's)")
    ap.add_argument("--data-bits", type=int, choices=[64, 128, 256], default=64, help="frame engine: AXI data width")
    ap.add_argument("--p-pause", type=float, default=0.1,
                    help="frame engine: probability of a pause cycle on each AXI channel of the memory model")
    ap.add_argument("--pause-cycles", type=int, default=200_000,
                    help="frame engine: pauses only in the first N cycles of each frame (0: all; the memory model's "
                         "pauses cost Python time every cycle)")
    ap.add_argument("--fast", action="store_true",
                    help="frame engine: the self-contained SystemVerilog bench (verilator --binary, behavioural AXI "
                         "memory, no Python while it runs) for long frames such as a whole 512x512 slice")
    ap.add_argument("--labels", help="segmentation: the label PNG of the exported image (same crop: --crop Y X)")
    ap.add_argument("--crop", nargs=2, type=int, metavar=("Y", "X"), default=(0, 0),
                    help="top-left corner of the export's crop inside --labels (default 0 0)")
    ap.add_argument("--p-idle", type=float, default=0.2, help="onchip: probability that the image source idles a cycle")
    ap.add_argument("--p-backpressure", type=float, default=0.3, help="onchip: probability that m_axis_tready is low")
    ap.add_argument("--lanes", type=int, default=8, help="engine lanes P (output channels in parallel, default 8)")
    ap.add_argument("--reset-at", choices=["mid", "input"], help="first a frame cut by a reset (frame engine: mid)")
    ap.add_argument("--coverage", action="store_true",
                    help="also run every layer with parameters alone (its probe network: inputs firing everywhere) "
                         "and print the fraction of nonzero weights and biases that took part in a compared "
                         "accumulate")


def run(args) -> int:
    if args.lanes < 1 or args.frames < 1 or not (0 <= args.p_idle < 1 and 0 <= args.p_backpressure < 1
                                                  and 0 <= args.p_pause < 1):
        print("error: --lanes and --frames must be >= 1, --p-idle, --p-backpressure and --p-pause in [0, 1)",
              file=sys.stderr)
        return 2
    if args.engine == "frame" and (args.lanes & (args.lanes - 1) or args.reset_at == "input"):
        print("error: --lanes must be a power of two and --reset-at mid for the frame engine", file=sys.stderr)
        return 2
    export = Path(args.export).resolve()
    try:
        m = load_manifest(export)
        net = load_network(export, m)  # every file, the weights and the structure, checked once
        load_vectors(export, m, Path(args.vectors).resolve() if args.vectors else None)  # every vector file too
    except ManifestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return run_engine(args, export, m, net)


def _tag(export: Path, lanes: int) -> str:
    return (re.sub(r"[^A-Za-z0-9_.-]", "_", export.name) + "-" + hashlib.sha1(str(export).encode()).hexdigest()[:8]
            + f"-p{lanes}")


def simulate_export(args, export: Path, m: dict, net, vectors: Path | None = None, out_dir: Path | None = None):
    """Build (or reuse) the engine for `export` (its loaded IR `net`) and run the bench on it; the SimResult."""
    from rtl_tb.cases import EngineCase

    tag = _tag(export, args.lanes)
    if getattr(args, "engine", "onchip") == "frame" and getattr(args, "fast", False):
        import math

        import numpy as np

        from golden.backends.rtl.frame_fast import run_fast
        from golden.backends.rtl.frame_sim import synaptic_events

        vec = load_vectors(export, m, vectors)
        s = run_fast(net, vec, args.lanes, f"run_fast-{tag}-d{args.data_bits}-w{args.max_width or net.width}",
                     data_bits=args.data_bits, max_width=args.max_width)
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            np.save(out_dir / "frame0.accum.npy", s.pop("accum"))
        s["events"] = synaptic_events(net, vec)
        s["bound"] = math.ceil(s["events"] / args.lanes)
        ok = s["mismatches"] == 0 and s["error"] is None
        return simlib.SimResult(ok, s, simlib.SIM_ROOT / f"run_fast-{tag}", s["first_mismatch"] or s["error"] or "ok")
    if getattr(args, "engine", "onchip") == "frame":
        from golden.backends.rtl.frame_sim import run_frames

        vec = load_vectors(export, m, vectors)
        frames = [(f"frame{i}", vec["input"]) for i in range(args.frames)]
        return run_frames(net, frames, args.lanes, f"run_frame-{tag}-d{args.data_bits}-w{args.max_width or net.width}",
                          data_bits=args.data_bits, max_width=args.max_width, p_pause=args.p_pause, seed=args.seed,
                          reset_mid=args.reset_at == "mid", vectors=[vec] * args.frames, out_dir=out_dir,
                          pause_cycles=args.pause_cycles)
    params = simlib.engine_params(m, export, args.lanes, f"run_sim-{tag}", net)
    case = EngineCase(f"run_sim-{tag}", lanes=args.lanes, frames=args.frames, reset_at=args.reset_at or "",
                      p_idle=args.p_idle, p_backpressure=args.p_backpressure, bench_seed=args.seed)
    return simlib.simulate(f"run_sim-{tag}", "snn_engine", "tb_engine", params, case.env(export, vectors),
                           quiet=True, manifest=m)


def passed(res, m: dict) -> bool:
    s = res.summary or {}
    checked = set((s.get("layers") or {})) == {l["name"] for l in m["layers"]}
    return bool(res.ok and int(s.get("mismatches", 0)) == 0 and checked and int(s.get("values", 0)) > 0)


def probe_runs(args, export: Path, net, cov) -> tuple[int, str]:
    """Every layer with parameters alone on the engine, driven by spikes that fire everywhere (its probe network,
    golden/export/probe.py); adds each run to `cov`. Returns (mismatches, first failure)."""
    from tqdm import tqdm

    from golden.export.probe import probed_layers, write_probe

    root = simlib.SIM_ROOT / "probes" / _tag(export, args.lanes)
    bad, first = 0, ""
    for name in tqdm(probed_layers(net), desc="sim probes", unit="layer"):
        probe_dir, pm = write_probe(net, name, root / name)
        res = simulate_export(args, probe_dir, pm, load_network(probe_dir, pm))
        if not passed(res, pm):
            bad += max(1, int((res.summary or {}).get("mismatches", 0)))
            first = first or f"probe {name}: {res.message}"
            continue
        vec = load_vectors(probe_dir, pm)
        sources = next(l["sources"] for l in pm["layers"] if l["name"] == name)
        cov.add_layer_inputs(name, [vec["input"] if s == "input" else vec[f"{s}.spikes"] for s in sources])
    return bad, first


def f1_lines(args, export: Path, m: dict, net, out_dir: Path) -> list[str]:
    """The F1 of the RTL's A_T and of the golden model's against the label (interior = class 1 positive)."""
    import numpy as np

    from golden.data import crop, load_u8
    from golden.errors import InputError
    from golden.model.metrics import f1_score

    if net.task != "segmentation":
        raise InputError(f"--labels: {export} is a {net.task} model, F1 needs segmentation")
    h, w = m["input"]["height"], m["input"]["width"]
    label = crop(load_u8(Path(args.labels), channels=1), args.crop[0], args.crop[1], h, w, path=args.labels)[0]
    target = (label >= 128).astype(np.int64)
    golden_at = load_vectors(export, m)[f"{net.output_layer.name}.accum"][-1]
    lines = []
    for f in sorted(out_dir.glob("*.accum.npy")):
        rtl = np.load(f)
        same = bool(np.array_equal(rtl.argmax(0), golden_at.argmax(0)))
        lines.append(f"F1 {f.name.split('.')[0]}: rtl={f1_score(rtl.argmax(0), target):.6f} "
                     f"golden={f1_score(golden_at.argmax(0), target):.6f} same_predictions={'yes' if same else 'no'} "
                     f"(label {args.labels})")
    return lines


def run_engine(args, export: Path, m: dict, net) -> int:
    n, t_n = len(m["layers"]), m["timesteps"]
    h, w = m["input"]["height"], m["input"]["width"]
    frame = getattr(args, "engine", "onchip") == "frame"
    engine = (f"snn_frame_kernel (P={args.lanes}, AXI {args.data_bits} bits, max width {args.max_width or w})"
              if frame else f"snn_engine (P={args.lanes})")
    print(f"RTL sim: {engine} on {args.export} ({w}x{h}, T={t_n}, K={len(m['thresholds_log2'])}, "
          f"compare={m['compare']}, {n} layers: {', '.join(l['name'] + ':' + l['kind'] for l in m['layers'])})",
          flush=True)
    out_dir = simlib.SIM_ROOT / "frame_out" / _tag(export, args.lanes)
    if frame and out_dir.exists():
        for f in out_dir.glob("*.accum.npy"):
            f.unlink()
    try:
        res = simulate_export(args, export, m, net, Path(args.vectors).resolve() if args.vectors else None,
                              out_dir=out_dir if frame else None)
    except (ValueError, KeyError) as exc:
        print(f"error: {export}: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    s = res.summary or {}
    for name, r in (s.get("layers") or {}).items():
        print(f"{name}: {r['values']} values and {r['membranes']} membranes compared, {r['mismatches']} mismatches")
    where = "in the output buffer" if frame else f"at m_axis: {s.get('out_values', 0)} values"
    print(f"A_T {where}; {s.get('cycles', 0)} cycles for {s.get('events', 0)} synaptic events on {args.lanes} lanes "
          f"(bound {s.get('bound', 0)}); log: {res.build_dir}")
    if frame and args.labels and res.ok:
        from golden.errors import InputError
        try:
            for line_ in f1_lines(args, export, m, net, out_dir):
                print(line_)
        except (InputError, OSError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    if simlib.waves_enabled():
        print(f"waves: {simlib.waves_file(res.build_dir)}")
    values, mismatches = int(s.get("values", 0)), int(s.get("mismatches", 0))
    ok, message = passed(res, m), res.message
    if args.coverage:
        from golden.analysis.coverage import Coverage, line

        cov = Coverage(net)
        cov.add_network_run(load_vectors(export, m))
        plain = cov.summary()  # the image run alone, before the probes add to it
        try:
            bad, first = probe_runs(args, export, net, cov)
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(line(cov.summary(), f"; the image run alone: weights={plain['weights'] / plain['nonzero_weights']:.3f}"),
              flush=True)
        if bad:
            ok, mismatches, message = False, mismatches + bad, message if not ok else first
    tail = f"cycles={s.get('cycles', 0)} bound={s.get('bound', 0)}"
    if s.get("membranes_recorded"):
        print(f"membranes: compared ({s.get('membranes', 0)} values)")
    elif s and frame:
        print("membranes: not compared (the frame engine keeps membranes only for the pixel in flight)")
    elif s:
        print("membranes: not compared (the export has no membrane vectors: export-net --membranes off)")
    if ok:
        print(f"SIM PASS layers={n} timesteps={t_n} values={values} mismatches=0 {tail}")
        return 0
    print(f"first mismatch: {message}")
    print(f"SIM FAIL layers={n} timesteps={t_n} values={values} mismatches={mismatches} {tail}")
    return 1
