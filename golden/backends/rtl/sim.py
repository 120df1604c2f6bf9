#!/usr/bin/env python3
"""RTL simulation of a whole-network export on rtl/snn_engine: every layer, every value, every time step.

    python scripts/run_sim.py --export DIR [--lanes P] [--reset-at mid|input] [--seed S] [--frames F]
                              [--p-idle P] [--p-backpressure P] [--vectors FILE]

Builds rtl/snn_engine with P lanes and the export's parameters (Verilator through the cocotb runner, in
build/sim/run_sim-<export>-p<P>; docs/rtl_engine.md) and runs rtl_tb/tb_engine.py on it: the image goes in on
s_axis with random idle cycles, A_T comes out on m_axis with random back-pressure (cocotbext-axi), and every
layer's spike words and membranes at every step and the output layer's A_t are compared with == through the
engine's trace port, A_T also at m_axis. The last line is exactly one of
    SIM PASS layers=L timesteps=T values=N mismatches=0 cycles=C bound=B
    SIM FAIL layers=L timesteps=T values=N mismatches=M cycles=C bound=B      (exit status 1)
with N = spike words + output accumulations compared, C the cycles of the frame (ap_start to ap_done; it depends
on the random stall pattern) and B = ceil(synaptic events / P), the synaptic events counted from the golden
vectors (rtl_tb/engine_desc.py). WAVES=1 in the environment writes build/sim/run_sim-<export>-p<P>/dump.fst.
"""
from __future__ import annotations

import argparse
import hashlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "rtl_tb"))
sys.path.insert(0, str(ROOT))

import simlib  # noqa: E402
from cases import EngineCase  # noqa: E402
from golden.manifest import ManifestError, load_manifest  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--export", required=True, help="export directory (manifest.yaml, .mem files, vectors.npz)")
    ap.add_argument("--vectors", help="golden vectors to compare with (default: <export>/vectors.npz)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the random stalls")
    ap.add_argument("--frames", type=int, default=1, help="send the image this many times back to back")
    ap.add_argument("--p-idle", type=float, default=0.2, help="probability that the image source idles a cycle")
    ap.add_argument("--p-backpressure", type=float, default=0.3, help="probability that m_axis_tready is low")
    ap.add_argument("--lanes", type=int, default=2, help="engine lanes P (output channels in parallel)")
    ap.add_argument("--reset-at", choices=["mid", "input"], help="first a frame cut by a reset")
    args = ap.parse_args(argv)

    export = Path(args.export).resolve()
    try:
        m = load_manifest(export)
    except ManifestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("SIM FAIL layers=0 timesteps=0 values=0 mismatches=0 cycles=0 bound=0")
        return 1
    return run_engine(args, export, m)


def run_engine(args, export: Path, m: dict) -> int:
    n, t_n = len(m["layers"]), m["timesteps"]
    tag = re.sub(r"[^A-Za-z0-9_.-]", "_", export.name) + "-" + hashlib.sha1(str(export).encode()).hexdigest()[:8]
    tag += f"-p{args.lanes}"
    fail = f"SIM FAIL layers={n} timesteps={t_n} values=0 mismatches=0 cycles=0 bound=0"
    try:
        params = simlib.engine_params(m, export, args.lanes, f"run_sim-{tag}")
    except (ValueError, KeyError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        print(fail)
        return 1
    h, w = m["input"]["height"], m["input"]["width"]
    print(f"RTL sim: snn_engine (P={args.lanes}) on {args.export} ({w}x{h}, T={t_n}, K={len(m['thresholds_log2'])}, "
          f"compare={m['compare']}, {n} layers: {', '.join(l['name'] + ':' + l['kind'] for l in m['layers'])})",
          flush=True)
    case = EngineCase(f"run_sim-{tag}", lanes=args.lanes, frames=args.frames, reset_at=args.reset_at or "",
                      p_idle=args.p_idle, p_backpressure=args.p_backpressure, bench_seed=args.seed)
    env = case.env(export, Path(args.vectors).resolve() if args.vectors else None)
    try:
        res = simlib.simulate(f"run_sim-{tag}", "snn_engine", "tb_engine", params, env, quiet=True)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print(fail)
        return 1
    s = res.summary or {}
    for name, r in (s.get("layers") or {}).items():
        print(f"{name}: {r['values']} values and {r['membranes']} membranes compared, {r['mismatches']} mismatches")
    print(f"A_T at m_axis: {s.get('out_values', 0)} values; {s.get('cycles', 0)} cycles for "
          f"{s.get('events', 0)} synaptic events on {args.lanes} lanes (bound {s.get('bound', 0)}); "
          f"log: {res.build_dir}")
    if simlib.waves_enabled():
        print(f"waves: {simlib.waves_file(res.build_dir)}")
    values, mismatches = int(s.get("values", 0)), int(s.get("mismatches", 0))
    tail = f"cycles={s.get('cycles', 0)} bound={s.get('bound', 0)}"
    checked = set((s.get("layers") or {})) == {l["name"] for l in m["layers"]}
    if res.ok and mismatches == 0 and checked and values > 0:
        print(f"SIM PASS layers={n} timesteps={t_n} values={values} mismatches=0 {tail}")
        return 0
    print(f"first mismatch: {res.message}")
    print(f"SIM FAIL layers={n} timesteps={t_n} values={values} mismatches={mismatches} {tail}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
