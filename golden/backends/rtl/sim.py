"""RTL simulation of a whole-network export on rtl/snn_engine: every layer, every value, every time step.

    python -m golden sim --export DIR [--lanes P] [--reset-at mid|input] [--seed S] [--frames F]
                         [--p-idle P] [--p-backpressure P] [--vectors FILE]

Builds rtl/snn_engine with P lanes and the export's parameters (Verilator through the cocotb runner, in
build/sim/run_sim-<export>-p<P>; docs/rtl_engine.md) and runs rtl_tb/tb_engine.py on it: the image goes in on
s_axis with random idle cycles, A_T comes out on m_axis with random back-pressure (cocotbext-axi), and every
layer's spike words and membranes at every step and the output layer's A_t are compared with == through the
engine's trace port, A_T also at m_axis; membranes only when the export recorded them (`export-net --membranes`),
which the line `membranes: compared|not compared (...)` before the last says. The last line is exactly one of
    SIM PASS layers=L timesteps=T values=N mismatches=0 cycles=C bound=B
    SIM FAIL layers=L timesteps=T values=N mismatches=M cycles=C bound=B      (exit status 1)
with N = spike words + output accumulations compared, C the cycles of the frame (ap_start to ap_done; it depends
on the random stall pattern) and B = ceil(synaptic events / P), the synaptic events counted from the golden
vectors (golden/backends/rtl/engine_config.py). Exit status 0 pass, 1 mismatch, 2 bad input (an export the
IR refuses, a network the engine cannot run) or a build error. WAVES=1 in the environment writes build/sim/run_sim-<export>-p<P>/dump.fst.
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
    ap.add_argument("--p-idle", type=float, default=0.2, help="probability that the image source idles a cycle")
    ap.add_argument("--p-backpressure", type=float, default=0.3, help="probability that m_axis_tready is low")
    ap.add_argument("--lanes", type=int, default=8, help="engine lanes P (output channels in parallel, default 8)")
    ap.add_argument("--reset-at", choices=["mid", "input"], help="first a frame cut by a reset")
    ap.add_argument("--coverage", action="store_true",
                    help="also run every layer with parameters alone (its probe network: inputs firing everywhere) "
                         "and print the fraction of nonzero weights and biases that took part in a compared "
                         "accumulate")


def run(args) -> int:
    if args.lanes < 1 or args.frames < 1 or not (0 <= args.p_idle < 1 and 0 <= args.p_backpressure < 1):
        print("error: --lanes and --frames must be >= 1, --p-idle and --p-backpressure in [0, 1)", file=sys.stderr)
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


def simulate_export(args, export: Path, m: dict, net, vectors: Path | None = None):
    """Build (or reuse) the engine for `export` (its loaded IR `net`) and run the bench on it; the SimResult."""
    from rtl_tb.cases import EngineCase

    tag = _tag(export, args.lanes)
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


def run_engine(args, export: Path, m: dict, net) -> int:
    n, t_n = len(m["layers"]), m["timesteps"]
    h, w = m["input"]["height"], m["input"]["width"]
    print(f"RTL sim: snn_engine (P={args.lanes}) on {args.export} ({w}x{h}, T={t_n}, K={len(m['thresholds_log2'])}, "
          f"compare={m['compare']}, {n} layers: {', '.join(l['name'] + ':' + l['kind'] for l in m['layers'])})",
          flush=True)
    try:
        res = simulate_export(args, export, m, net, Path(args.vectors).resolve() if args.vectors else None)
    except (ValueError, KeyError) as exc:
        print(f"error: {export}: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    s = res.summary or {}
    for name, r in (s.get("layers") or {}).items():
        print(f"{name}: {r['values']} values and {r['membranes']} membranes compared, {r['mismatches']} mismatches")
    print(f"A_T at m_axis: {s.get('out_values', 0)} values; {s.get('cycles', 0)} cycles for "
          f"{s.get('events', 0)} synaptic events on {args.lanes} lanes (bound {s.get('bound', 0)}); "
          f"log: {res.build_dir}")
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
    elif s:
        print("membranes: not compared (the export has no membrane vectors: export-net --membranes off)")
    if ok:
        print(f"SIM PASS layers={n} timesteps={t_n} values={values} mismatches=0 {tail}")
        return 0
    print(f"first mismatch: {message}")
    print(f"SIM FAIL layers={n} timesteps={t_n} values={values} mismatches={mismatches} {tail}")
    return 1
