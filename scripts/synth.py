#!/usr/bin/env python3
"""Logic synthesis of the RTL with yosys `synth_xilinx` (7-series cells): LUT / FF / BRAM / DSP per top.

    python scripts/synth.py [--net-export DIR] [--lanes P ...]

rtl/snn_engine (sources: rtl/snn_engine.f) with the parameters and ROM images that rtl_tb/engine_desc.py derives
from a network export (default: a seeded random U-Net, base 4, depth 2, 16x16, T=6, written to
build/synth/export_net). Writes build/synth/snn_engine-p<P>.log (the yosys log), build/synth/report.json and
build/synth/report.md (cells and every HDL parameter). Counts: LUT = LUT1..LUT6, LUTRAM = RAM*/SRL* cells, FF = FD*, BRAM = RAMB18E1 + 2*RAMB36E1
(in RAMB18 units), DSP = DSP48E1. No timing (yosys has none); the numbers compare architectures and lane counts.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "rtl_tb"))
sys.path.insert(0, str(ROOT))

import simlib  # noqa: E402
from golden.manifest import load_manifest  # noqa: E402

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
        from golden.netexport import random_network_export

        random_network_export(out, seed=1, base=4, depth=2, size=16, timesteps=6)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--net-export", help="network export for the engine (default: a seeded random U-Net)")
    ap.add_argument("--lanes", type=int, nargs="+", default=[1, 2, 4], help="engine lane counts P")
    args = ap.parse_args(argv)
    if shutil.which("yosys") is None:
        print("error: yosys not found (Debian: apt-get install yosys)", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    report = {}
    export = Path(args.net_export) if args.net_export else default_net_export()
    m = load_manifest(export)
    srcs = [str(simlib.RTL_DIR / s) for s in simlib.engine_sources()]
    for p in args.lanes:
        params = _engine_params(m, export, p)
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


def _engine_params(m: dict, export: Path, lanes: int) -> dict:
    import engine_desc

    return engine_desc.build_config(m, export, lanes, OUT / f"engine_cfg-p{lanes}").params


if __name__ == "__main__":
    sys.exit(main())
