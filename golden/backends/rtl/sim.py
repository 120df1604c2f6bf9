"""RTL simulation of a whole-network export on the frame engine: every layer, every value, every time step.

    python -m golden sim --export DIR [--lanes P] [--max-width W] [--data-bits 64|128|256] [--reset-at mid]
                         [--seed S] [--frames F] [--p-pause P] [--pause-cycles N] [--labels PNG] [--vectors FILE]
                         [--fast] [--coverage]

The external-memory frame engine (rtl/snn_frame_kernel.sv, docs/frame_engine.md), built with P lanes for frames up
to --max-width (default: the export's width; below it: refused, exit 2), runs rtl_tb/tb_frame_engine.py
(cocotbext-axi AxiRam as the external
memory with random pauses on every AXI channel, AxiLiteMaster for the registers); every spiking layer's spike
words at every step (read back from the scratch buffer) and A_T (the output buffer) are compared with ==, and the
STATUS register (docs/ctrl_axil.md) is read and printed after each frame: not 0 (an error the bench did not
inject: an AXI error response, the watchdog, a bad argument) fails the run.
`--labels PNG` (segmentation) then prints the F1 of the RTL's own A_T against the label next to the golden
model's. The last line is exactly one of
    SIM PASS layers=L timesteps=T values=N mismatches=0 cycles=C bound=B
    SIM FAIL layers=L timesteps=T values=N mismatches=M cycles=C bound=B      (exit status 1)
with N the values compared (spike words + A_T), C the cycles of the frame(s) (it depends on the random stall
pattern) and B = ceil(synaptic events / P), the synaptic events counted from the golden vectors (golden/kinds
`events`). Exit status 0 pass, 1 mismatch, 2 bad input (an export the IR refuses, a network the engine cannot
run) or a build error. WAVES=1 in the environment writes an FST of the run (its path on the last lines, before
the SIM line); `--trace` writes the neuron stage's membranes and compares them with the export's membrane vectors
when it has them (docs/frame_engine.md, "Debugging a mismatch").
"""
from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path


from golden.backends.rtl import deploy
from golden.backends.rtl import simulate as simlib
from golden.ir.manifest import ManifestError, load_manifest
from golden.export.load import load_network, load_vectors, verify_vectors


def add_arguments(ap) -> None:
    ap.add_argument("--export", required=True, help="export directory (manifest.yaml, .mem files, vectors/)")
    ap.add_argument("--vectors", help="golden vectors folder to compare with, in the export's format (index.json "
                                      "and its gzip files; default: <export>/vectors)")
    ap.add_argument("--no-verify", action="store_true",
                    help="compare with the export's vectors as they are, without re-computing them by the model "
                         "first (which names an edited vector; a few seconds)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the random stalls")
    ap.add_argument("--frames", type=int, default=1, help="send the image this many times back to back")
    ap.add_argument("--max-width", type=int, help="widest frame it is built for (default: the export's)")
    ap.add_argument("--data-bits", type=int, choices=[64, 128, 256], default=64, help="AXI data width")
    ap.add_argument("--p-pause", type=float, default=0.1,
                    help="probability of a pause cycle on each AXI channel of the memory model")
    ap.add_argument("--pause-cycles", type=int, default=200_000,
                    help="pauses only in the first N cycles of each frame (0: all; the memory model's "
                         "pauses cost Python time every cycle)")
    ap.add_argument("--fast", action="store_true",
                    help="the self-contained SystemVerilog bench (verilator --binary, behavioural AXI "
                         "memory, no Python while it runs) for long frames such as a whole 512x512 slice")
    ap.add_argument("--labels", help="segmentation: the label PNG of the exported image (the whole image: the "
                                     "export's crop origin, recorded in its manifest, is applied; or the crop itself)")
    ap.add_argument("--crop", nargs=2, type=int, metavar=("Y", "X"),
                    help="top-left corner of the export's region inside --labels (default: the origin the manifest "
                         "records, source.crop)")
    ap.add_argument("--lanes", type=int, default=8, help="engine lanes P (output channels in parallel, default 8)")
    ap.add_argument("--engines", type=int, default=1,
                    help="engines E, each a column strip of the frame (default 1; the frame width must be a multiple "
                         "of E x 2^levels)")
    ap.add_argument("--weights", choices=["rom", "stream"], default="rom",
                    help="weights on chip (rom) or read per layer pass into a weight RAM (stream)")
    ap.add_argument("--weight-words", type=int, default=65536,
                    help="stream: the weight RAM's depth in words of P weights (passes are split to fit)")
    deploy.add_argument(ap)
    ap.add_argument("--reset-at", choices=["mid"], help="first a frame cut by a reset half-way")
    ap.add_argument("--trace", action="store_true",
                    help="debugging: write the neuron stage's membrane trace (+snn_trace) next to the run and compare "
                         "every membrane with the golden model's (docs/frame_engine.md, \"Debugging a mismatch\")")
    ap.add_argument("--coverage", action="store_true",
                    help="also run every layer with parameters alone (its probe network: inputs firing everywhere) "
                         "and print the fraction of nonzero weights and biases that took part in a compared "
                         "accumulate")


def run(args) -> int:
    deploy.apply(args)
    if args.engines < 1 or args.engines & (args.engines - 1):
        print("error: --engines must be a power of two", file=sys.stderr)
        return 2
    if args.lanes < 1 or args.lanes & (args.lanes - 1) or args.frames < 1 or not 0 <= args.p_pause < 1:
        print("error: --lanes must be a power of two, --frames >= 1 and --p-pause in [0, 1)", file=sys.stderr)
        return 2
    export = Path(args.export).resolve()
    try:
        m = load_manifest(export)
        net = load_network(export, m)  # every file, the weights and the structure, checked once
        vec = load_vectors(export, m, Path(args.vectors).resolve() if args.vectors else None)  # every file too
        if not (args.vectors or args.no_verify):  # the export's vectors are the model's: an edited one is named
            verify_vectors(export, m, net, vec)
    except ManifestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.max_width is not None and args.max_width < net.width:
        # the engine would refuse the frame at run time (STATUS bit 3, bad argument): refuse before building
        print(f"error: --max-width {args.max_width} is below the export's width {net.width}: a build for frames up "
              f"to {args.max_width} wide cannot run it (the engine would end the frame with STATUS bit 3, bad "
              f"argument)", file=sys.stderr)
        return 2
    return run_engine(args, export, m, net)


def _tag(export: Path, lanes: int) -> str:
    return (re.sub(r"[^A-Za-z0-9_.-]", "_", export.name) + "-" + hashlib.sha1(str(export).encode()).hexdigest()[:8]
            + f"-p{lanes}")


def _run_name(args, export: Path, net) -> str:
    extra = (f"-e{args.engines}" if getattr(args, "engines", 1) != 1 else "") + \
        (f"-s{args.weight_words}" if getattr(args, "weights", "rom") == "stream" else "")
    return f"{_tag(export, args.lanes)}-d{args.data_bits}-w{args.max_width or net.width}{extra}"


def _remove_run(args, export: Path, net) -> None:
    """A finished probe's run folders (its build stays cached under build/sim/builds)."""
    import shutil

    run = _run_name(args, export, net)
    for kind in ("run_frame", "run_fast"):
        for folder in (simlib.SIM_ROOT / f"{kind}-{run}", simlib.SIM_ROOT / "frame_cfg" / f"{kind}-{run}"):
            shutil.rmtree(folder, ignore_errors=True)
        (simlib.SIM_ROOT / f"{kind}-{run}.lock").unlink(missing_ok=True)


def simulate_export(args, export: Path, m: dict, net, vectors: Path | None = None, out_dir: Path | None = None):
    """Build (or reuse) the frame kernel for `export` (its loaded IR `net`) and run the bench on it; the
    SimResult (with `--trace`, its summary carries the membrane comparison as "trace")."""
    vec = load_vectors(export, m, vectors)
    run_name = _run_name(args, export, net)
    trace = out_dir / "membranes.trace" if getattr(args, "trace", False) and out_dir is not None else None
    if trace is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        trace.unlink(missing_ok=True)
    if getattr(args, "fast", False):
        import math

        import numpy as np

        from golden.backends.rtl.frame_fast import run_fast
        from golden.backends.rtl.frame_sim import synaptic_events

        s = run_fast(net, vec, args.lanes, f"run_fast-{run_name}", data_bits=args.data_bits,
                     max_width=args.max_width, trace=trace, engines=getattr(args, "engines", 1),
                     weights=getattr(args, "weights", "rom"), weight_words=getattr(args, "weight_words", 65536))
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            np.save(out_dir / "frame0.accum.npy", s.pop("accum"))
        s["events"] = synaptic_events(net, vec)
        s["bound"] = math.ceil(s["events"] / (args.lanes * getattr(args, "engines", 1)))
        ok = s["mismatches"] == 0 and s["error"] is None
        return simlib.SimResult(ok, s, simlib.SIM_ROOT / f"run_fast-{run_name}",
                                s["first_mismatch"] or s["error"] or "ok")
    from golden.backends.rtl.frame_sim import run_frames

    frames = [(f"frame{i}", vec["input"]) for i in range(args.frames)]
    res = run_frames(net, frames, args.lanes, f"run_frame-{run_name}", data_bits=args.data_bits,
                     max_width=args.max_width, p_pause=args.p_pause, seed=args.seed,
                     reset_mid=args.reset_at == "mid", vectors=[vec] * args.frames, out_dir=out_dir,
                     pause_cycles=args.pause_cycles, trace=trace, engines=getattr(args, "engines", 1),
                     weights=getattr(args, "weights", "rom"), weight_words=getattr(args, "weight_words", 65536))
    if trace is not None and res.summary is not None:
        from golden.backends.rtl.membrane_trace import compare_trace

        res.summary["trace"] = compare_trace(net, res.config, trace, vec) if trace.is_file() else \
            {"values": 0, "mismatches": 0, "first_mismatch": None, "error": f"{trace}: not written"}
    return res


def passed(res, m: dict) -> bool:
    s = res.summary or {}
    checked = set((s.get("layers") or {})) == {l["name"] for l in m["layers"]}
    return bool(res.ok and int(s.get("mismatches", 0)) == 0 and checked and int(s.get("values", 0)) > 0)


def probe_runs(args, export: Path, net, cov) -> tuple[int, str]:
    """Every layer with parameters alone on the engine, driven by spikes that fire everywhere (its probe network,
    golden/export/probe.py); adds each run to `cov`. Returns (mismatches, first failure)."""
    import copy
    import shutil

    from tqdm import tqdm

    from golden.export.probe import probed_layers, write_probe

    root = simlib.SIM_ROOT / "probes" / _tag(export, args.lanes)
    bad, first = 0, ""
    for name in tqdm(probed_layers(net), desc="sim probes", unit="layer"):
        probe_dir, pm = write_probe(net, name, root / name)
        pnet = load_network(probe_dir, pm)
        probe_args = copy.copy(args)
        probe_args.max_width = None     # a probe runs on its own frame size
        res = simulate_export(probe_args, probe_dir, pm, pnet)
        if not passed(res, pm):
            bad += max(1, int((res.summary or {}).get("mismatches", 0)))
            first = first or f"probe {name}: {res.message}"
            continue        # a failing probe's folders stay, for debugging
        vec = load_vectors(probe_dir, pm)
        sources = next(l["sources"] for l in pm["layers"] if l["name"] == name)
        cov.add_layer_inputs(name, [vec["input"] if s == "input" else vec[f"{s}.spikes"] for s in sources])
        _remove_run(probe_args, probe_dir, pnet)
        shutil.rmtree(probe_dir, ignore_errors=True)
    return bad, first


def label_origin(m: dict, label_hw: tuple[int, int], given=None) -> tuple[int, int]:
    """Where the exported region starts inside a label image: `given` (--crop Y X) if set; (0, 0) for a label of
    the export's own size (already cropped); else the origin the manifest records (source.crop)."""
    if given is not None:
        return int(given[0]), int(given[1])
    if tuple(label_hw) == (m["input"]["height"], m["input"]["width"]):
        return 0, 0
    y, x = (m.get("source") or {}).get("crop", (0, 0))
    return int(y), int(x)


def f1_lines(args, export: Path, m: dict, net, out_dir: Path) -> list[str]:
    """The F1 of the RTL's A_T and of the golden model's against the label (interior = class 1 positive)."""
    import numpy as np

    from golden.data import crop, load_u8
    from golden.errors import InputError
    from golden.model.metrics import f1_score

    if net.task != "segmentation":
        raise InputError(f"--labels: {export} is a {net.task} model, F1 needs segmentation")
    h, w = m["input"]["height"], m["input"]["width"]
    full = load_u8(Path(args.labels), channels=1)
    y, x = label_origin(m, full.shape[1:], args.crop)
    label = crop(full, y, x, h, w, path=args.labels)[0]
    target = (label >= 128).astype(np.int64)
    golden_at = load_vectors(export, m)[f"{net.output_layer.name}.accum"][-1]
    lines = []
    for f in sorted(out_dir.glob("*.accum.npy")):
        rtl = np.load(f)
        same = bool(np.array_equal(rtl.argmax(0), golden_at.argmax(0)))
        lines.append(f"F1 {f.name.split('.')[0]}: rtl={f1_score(rtl.argmax(0), target):.6f} "
                     f"golden={f1_score(golden_at.argmax(0), target):.6f} same_predictions={'yes' if same else 'no'} "
                     f"(label {args.labels} at y={y} x={x})")
    return lines


FAST_REPORTS = simlib.SIM_ROOT / "reports"


def _write_fast_report(args, export: Path, m: dict, net, s: dict, ok: bool, f1: list[str]) -> None:
    """build/sim/reports/<run>.json: what a --fast run measured (cycles, traffic, the build's configuration),
    for `golden bench`'s deployment table."""
    import json

    from golden.atomic import write_text

    rep = {"export": str(export), "model": m.get("model"), "source": m.get("source"),
           "height": net.height, "width": net.width, "timesteps": net.timesteps, "lanes": args.lanes,
           "engines": getattr(args, "engines", 1), "data_bits": args.data_bits,
           "max_width": args.max_width or net.width, "weights": getattr(args, "weights", "rom"),
           "deploy": getattr(args, "deploy", None), "pass": ok, "values": s.get("values"),
           "mismatches": s.get("mismatches"), "cycles": s.get("cycles"), "events": s.get("events"),
           "read_bytes": s.get("read_bytes"), "written_bytes": s.get("written_bytes"), "f1": f1}
    FAST_REPORTS.mkdir(parents=True, exist_ok=True)
    write_text(FAST_REPORTS / f"{_run_name(args, export, net)}.json", json.dumps(rep, indent=1) + "\n")


def run_engine(args, export: Path, m: dict, net) -> int:
    n, t_n = len(m["layers"]), m["timesteps"]
    h, w = m["input"]["height"], m["input"]["width"]
    engine = (f"snn_frame_kernel (P={args.lanes}, engines {getattr(args, 'engines', 1)}, AXI {args.data_bits} bits, "
              f"max width {args.max_width or w}, weights {getattr(args, 'weights', 'rom')})")
    print(f"RTL sim: {engine} on {args.export} ({w}x{h}, T={t_n}, K={len(m['thresholds_log2'])}, "
          f"compare={m['compare']}, {n} layers: {', '.join(l['name'] + ':' + l['kind'] for l in m['layers'])})",
          flush=True)
    out_dir = simlib.SIM_ROOT / "frame_out" / _tag(export, args.lanes)
    if out_dir.exists():
        for f in out_dir.glob("*.accum.npy"):
            f.unlink()
    try:
        res = simulate_export(args, export, m, net, Path(args.vectors).resolve() if args.vectors else None,
                              out_dir=out_dir)
    except (ValueError, KeyError) as exc:
        print(f"error: {export}: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    s = res.summary or {}
    from golden.backends.rtl.ctrl_map import status_text

    statuses = s.get("status") or [f.get("status", 0) for f in s.get("frames") or []]
    for i, st in enumerate(statuses):     # STATUS (0x58) after each frame (issue 23)
        print(f"frame {i}: STATUS 0x{st:x} ({status_text(st)})")
    for name, r in (s.get("layers") or {}).items():
        print(f"{name}: {r['values']} values and {r['membranes']} membranes compared, {r['mismatches']} mismatches")
    lanes = args.lanes * getattr(args, "engines", 1)
    print(f"A_T in the output buffer; {s.get('cycles', 0)} cycles for {s.get('events', 0)} synaptic events on {lanes} lanes "
          f"(bound {s.get('bound', 0)}); log: {res.build_dir}")
    if "read_bytes" in s:   # the fast bench counts the external traffic
        print(f"TRAFFIC read_bytes={s['read_bytes']} written_bytes={s['written_bytes']} "
              f"per_frame_mb={(s['read_bytes'] + s['written_bytes']) / 1e6:.1f}")
    f1 = []
    if args.labels and res.ok:
        from golden.errors import InputError
        try:
            f1 = f1_lines(args, export, m, net, out_dir)
            for line_ in f1:
                print(line_)
        except (InputError, OSError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    values, mismatches = int(s.get("values", 0)), int(s.get("mismatches", 0))
    ok, message = passed(res, m), res.message
    if args.coverage:
        from golden.ir.coverage import Coverage, line

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
    tr = s.get("trace")
    if tr:
        detail = tr.get("error") or tr["first_mismatch"] or "all equal"
        print(f"membranes: {tr['values']} compared from the trace {tr.get('trace', '')}, {tr['mismatches']} "
              f"mismatches ({detail})")
        if tr.get("error") or tr["mismatches"]:
            ok, mismatches, message = False, mismatches + max(1, tr["mismatches"]), message if not ok else detail
    elif s:
        print("membranes: not compared (the frame engine keeps membranes only for the pixel in flight; --trace "
              "compares them)")
    if simlib.waves_enabled():
        wave = simlib.waves_file(res.build_dir)
        print(f"waves: {wave}" if wave.is_file() else f"waves: none written ({wave} missing)")
    if getattr(args, "fast", False):
        _write_fast_report(args, export, m, net, s, ok, f1)
    if ok:
        print(f"SIM PASS layers={n} timesteps={t_n} values={values} mismatches=0 {tail}")
        return 0
    print(f"first mismatch: {message}")
    print(f"SIM FAIL layers={n} timesteps={t_n} values={values} mismatches={mismatches} {tail}")
    return 1
