#!/usr/bin/env python3
"""RTL simulation of an export: every layer, every spike word, every time step.

    python scripts/run_sim.py --export build/export/em_slice [--seed S] [--frames F] [--p-valid P] [--p-ready P]
    python scripts/run_sim.py --export DIR --net [--lanes P] [--reset-at mid|input] [...]

A two-layer slice export (input_conv -> spiking_conv) runs on rtl/snn_slice_top (below); any other export (a
whole network: pool, upconv, concat, output layer), or any export with --net, runs on rtl/snn_engine with P
lanes (docs/rtl_engine.md): every layer's spike words and membranes at every step and the output layer's A_t
are compared through the engine's trace port, A_T also at its m_axis output, and the last line is
    SIM PASS layers=L timesteps=T values=N mismatches=0 cycles=C bound=B
with N = spike words + output accumulations compared, C the cycles of the frame (ap_start to ap_done) and
B = ceil(synaptic events / P), the synaptic events counted from the golden vectors (rtl_tb/engine_desc.py).

The slice:

Builds rtl/snn_slice_top with the export's manifest parameters (Verilator through the cocotb runner, in
build/sim/run_sim-<export>), streams the export's image in with random valid stalls and random back-pressure on
the output, and compares with == against the golden vectors:
  - conv2's spike frames at the top's output,
  - conv1's spike frames at the top's observation tap (c1_valid/c1_ready/c1_data, the conv1 -> conv2 stream),
  - and with each beat both layers' membranes after the step (m_vmem, c1_vmem).
The last line is exactly one of
    SIM PASS layers=2 timesteps=T values=N mismatches=0
    SIM FAIL layers=2 timesteps=T values=N mismatches=M      (exit status 1)
where N is the number of spike words compared (T * H * W * channels, summed over both layers); M counts
mismatching spike words and membranes.
WAVES=1 in the environment writes build/sim/run_sim-<export>/dump.fst.
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
from golden.manifest import ManifestError, load_manifest  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--export", required=True, help="export directory (manifest.yaml, .mem files, vectors.npz)")
    ap.add_argument("--vectors", help="golden vectors to compare with (default: <export>/vectors.npz)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the random stalls")
    ap.add_argument("--frames", type=int, default=1, help="send the image this many times back to back")
    ap.add_argument("--p-valid", type=float, default=0.8, help="probability that the input offers a beat")
    ap.add_argument("--p-ready", type=float, default=0.7, help="probability that the output is ready")
    ap.add_argument("--net", action="store_true", help="run the whole-network engine (default for non-slice exports)")
    ap.add_argument("--lanes", type=int, default=2, help="engine lanes P (output channels in parallel)")
    ap.add_argument("--reset-at", choices=["mid", "input"], help="engine: first a frame cut by a reset")
    args = ap.parse_args(argv)

    export = Path(args.export).resolve()
    try:
        m = load_manifest(export)
    except ManifestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("SIM FAIL layers=0 timesteps=0 values=0 mismatches=0")
        return 1
    is_slice = [l["kind"] for l in m["layers"]] == ["input_conv", "spiking_conv"]
    if args.net or not is_slice:
        return run_engine(args, export, m)
    try:
        m = load_manifest(export)
        params = simlib.top_params(m, export)
    except (ManifestError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("SIM FAIL layers=0 timesteps=0 values=0 mismatches=0")
        return 1
    layers = [l["name"] for l in m["layers"]]
    t_n = m["timesteps"]
    h, w = m["input"]["height"], m["input"]["width"]
    tag = re.sub(r"[^A-Za-z0-9_.-]", "_", export.name) + "-" + hashlib.sha1(str(export).encode()).hexdigest()[:8]
    chain = " -> ".join(f"{l['name']}[{l['out_channels']}ch]" for l in m["layers"])
    print(f"RTL sim: snn_slice_top on {args.export} ({w}x{h}, T={t_n}, K={len(m['thresholds_log2'])}, "
          f"compare={m['compare']}, {chain}), checking {' and '.join(layers)} at every time step", flush=True)
    env = {"SNN_EXPORT": export, "SNN_SEED": args.seed, "SNN_FRAMES": args.frames,
           "SNN_P_VALID": args.p_valid, "SNN_P_READY": args.p_ready}
    if args.vectors:
        env["SNN_VECTORS"] = Path(args.vectors).resolve()
    try:
        res = simlib.simulate(f"run_sim-{tag}", "snn_slice_top", "tb_slice_top", params, env, quiet=True)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print(f"SIM FAIL layers={len(layers)} timesteps={t_n} values=0 mismatches=0")
        return 1
    s = res.summary or {}
    for name, r in (s.get("layers") or {}).items():
        print(f"{name}: {r['values']} spike words and {r['membranes']} membranes compared "
              f"({r['beats']}/{r['expected_beats']} beats), {r['mismatches']} mismatches")
    if s.get("cycles"):
        print(f"{s['cycles']} cycles; log: {res.build_dir}")
    if simlib.waves_enabled():
        print(f"waves: {simlib.waves_file(res.build_dir)}")
    values, mismatches = int(s.get("values", 0)), int(s.get("mismatches", 0))
    checked = set((s.get("layers") or {})) == set(layers)
    if res.ok and mismatches == 0 and checked and values > 0:
        print(f"SIM PASS layers={len(layers)} timesteps={t_n} values={values} mismatches=0")
        return 0
    print(f"first mismatch: {res.message}")
    print(f"SIM FAIL layers={len(layers)} timesteps={t_n} values={values} mismatches={mismatches}")
    return 1


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
    env = {"SNN_EXPORT": export, "SNN_SEED": args.seed, "SNN_FRAMES": args.frames, "SNN_P_VALID": args.p_valid,
           "SNN_P_READY": args.p_ready, "SNN_LANES": args.lanes, "SNN_RESET_AT": args.reset_at or ""}
    if args.vectors:
        env["SNN_VECTORS"] = Path(args.vectors).resolve()
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
