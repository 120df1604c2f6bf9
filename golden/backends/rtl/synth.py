"""Logic synthesis of the RTL with yosys `synth_xilinx` (7-series cells): LUT / FF / BRAM / DSP per top.

    python -m golden synth [--export DIR] [--lanes P ...]

rtl/snn_engine (sources: rtl/snn_engine.f) with the parameters and ROM images that golden/backends/rtl/engine_config.py derives
from a network export (default: a seeded random U-Net, base 4, depth 2, 16x16, T=6, written to
build/synth/export_net). Writes build/synth/snn_engine-p<P>.log (the yosys log), build/synth/report.json and
build/synth/report.md (cells and every HDL parameter). Counts: LUT = LUT1..LUT6, LUTRAM = RAM*/SRL* cells, FF = FD*, BRAM = RAMB18E1 + 2*RAMB36E1
(in RAMB18 units), DSP = DSP48E1. No timing (yosys has none); the numbers compare architectures and lane counts.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from golden.backends.rtl import engine_config
from golden.backends.rtl import simulate as simlib
from golden.ir.manifest import ManifestError, load_manifest, load_network
from golden.paths import REPO_ROOT as ROOT

OUT = ROOT / "build" / "synth"


MEM_LIMIT_KB = 8 * 1024 * 1024   # yosys is stopped (not the machine) if a memory mapping blows up


def run_yosys(top: str, sources: list[str], params: dict, log: Path) -> dict:
    chparam = " ".join(f"-set {k} {v}" for k, v in params.items())
    script = (f"read_verilog -defer -sv -I{simlib.RTL_DIR} {' '.join(sources)}; chparam {chparam} {top}; "
              f"synth_xilinx -top {top} -flatten; stat")
    t0 = time.time()
    proc = subprocess.run(["bash", "-c", f'ulimit -v {MEM_LIMIT_KB}; exec yosys -q -l "$0" -p "$1"', str(log), script],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"yosys failed on {top} (see {log}):\n{(proc.stdout + proc.stderr)[-3000:]}")
    text = log.read_text()
    stat = text[text.rfind("Printing statistics"):]
    cells = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s+(\S+)\s+(\d+)\s*$", stat, re.M)}
    count = lambda pred: sum(n for c, n in cells.items() if pred(c))  # noqa: E731
    return {
        "LUT": count(lambda c: re.fullmatch(r"LUT[1-6]", c) is not None),
        "LUTRAM": count(lambda c: c.startswith("RAM") and not c.startswith("RAMB") or c.startswith("SRL")),
        "FF": count(lambda c: c.startswith("FD")),
        "BRAM18": count(lambda c: c == "RAMB18E1") + 2 * count(lambda c: c == "RAMB36E1"),
        "DSP": count(lambda c: c.startswith("DSP48")),
        "CARRY4": count(lambda c: c == "CARRY4"),
        "seconds": round(time.time() - t0, 1),
        "cells": cells,
    }


def default_net_export() -> Path:
    out = OUT / "export_net"
    if not (out / "manifest.yaml").is_file():
        from golden.export.network import random_network_export

        random_network_export(out, seed=1, base=4, depth=2, size=16, timesteps=6)
    return out


def add_arguments(ap) -> None:
    ap.add_argument("--export", help="network export for the engine (default: a seeded random U-Net)")
    ap.add_argument("--lanes", type=int, nargs="+", default=[1, 2, 4], help="engine lane counts P (default 1 2 4)")


def run(args) -> int:
    if shutil.which("yosys") is None:
        print("error: yosys not found (Debian: apt-get install yosys)", file=sys.stderr)
        return 2
    if any(p < 1 for p in args.lanes):
        print(f"error: --lanes {args.lanes}: every lane count must be >= 1", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    report = {}
    export = Path(args.export) if args.export else default_net_export()
    try:
        m = load_manifest(export)
        net = load_network(export, m)
    except ManifestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    srcs = [str(simlib.RTL_DIR / s) for s in simlib.engine_sources()]
    for p in args.lanes:
        params = _engine_params(m, export, p, net)
        r = run_yosys("snn_engine", srcs, params, OUT / f"snn_engine-p{p}.log")
        report[f"snn_engine-p{p}"] = {"export": str(export), "model": m["model"], "params": params, **r}
        print(f"snn_engine P={p}: LUT={r['LUT']} LUTRAM={r['LUTRAM']} FF={r['FF']} BRAM18={r['BRAM18']} "
              f"DSP={r['DSP']} ({r['seconds']} s)", flush=True)
    (OUT / "report.json").write_text(json.dumps(report, indent=1))
    lines = ["# yosys synth_xilinx (xc7 cells)", "", "| top | LUT | LUTRAM | FF | BRAM18 | DSP | CARRY4 |",
             "|---|---|---|---|---|---|---|"]
    for name, r in report.items():
        lines.append(f"| {name} | {r['LUT']} | {r['LUTRAM']} | {r['FF']} | {r['BRAM18']} | {r['DSP']} | {r['CARRY4']} |")
    for name, r in report.items():
        lines += ["", f"## {name}: {r['model']} ({r['export']})", ""]
        lines += [f"- {k} = {v}" for k, v in r["params"].items()]
    (OUT / "report.md").write_text("\n".join(lines) + "\n")
    print(f"report: {OUT / 'report.md'}")
    return 0


def _engine_params(m: dict, export: Path, lanes: int, net) -> dict:
    return engine_config.build_config(m, export, lanes, OUT / f"engine_cfg-p{lanes}", net).params
