"""`python -m golden bench` (RTL part): the engine's cycles per frame against the lower bound, in the same run.

bound = ceil(synaptic events / lanes): every accumulate that a nonzero input spike (or pixel) causes, counted
from the golden vectors, shared by P lanes; an event-driven engine that wastes no cycle would need exactly that.
Also: Verilator's simulated cycles per wall-clock second (the second run of the same build, so the compile is
not counted; cocotb start-up is), and frames per second at a stated clock. Published FPGA SNN accelerators are
listed for scale; they run classification networks, not a U-Net, so the comparison is of order of magnitude only.
Writes build/bench/rtl_bench.json and .md.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

from golden.atomic import write_text
from golden.paths import REPO_ROOT as ROOT

SIM_LINE = re.compile(r"SIM (PASS|FAIL) layers=(\d+) timesteps=(\d+) values=(\d+) mismatches=(\d+) "
                      r"cycles=(\d+) bound=(\d+)")

# Published FPGA SNN accelerators (as reported by their authors; classification tasks).
PUBLISHED = [
    ("SyncNN, Panchapakesan et al. 2021 (VGG-13 SNN, CIFAR-10/SVHN)", "Xilinx ZCU102", "13,086 fps at 200 MHz",
     "survey table, Neural Computation: https://direct.mit.edu/view-large/3810197"),
    ("Aung et al. 2021 (spiking AlexNet, CIFAR-10/SVHN)", "Xilinx VCU118", "28.3 kfps at 425 MHz",
     "same survey table"),
    ("Han 2020 (784-1200-1200-10 SNN, MNIST)", "Xilinx ZC706", "161 fps at 200 MHz, 0.477 W", "same survey table"),
    ("Skydiver, Chen et al. 2022 (conv SNN, MNIST; also segmentation)", "Xilinx XC7Z045", "22.6 kfps",
     "arXiv:2203.07516"),
    ("Fan and Levy 2025 (SNN, MNIST)", "Xilinx Artix-7", "0.52 ms/image at 100 MHz, 6358 LUT, 40.5 BRAM",
     "arXiv:2507.07284"),
]


def run_sim(export: Path, lanes: int) -> tuple[re.Match, float]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "golden", "sim", "--export", str(export),
                           "--lanes", str(lanes), "--p-idle", "0", "--p-backpressure", "0"],
                          capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    lines = proc.stdout.strip().splitlines()
    m = SIM_LINE.fullmatch(lines[-1]) if lines else None
    if proc.returncode or not m or m.group(1) != "PASS":
        raise RuntimeError(f"golden sim failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return m, wall


def add_arguments(ap) -> None:
    ap.add_argument("--rtl-export", help="export the engine runs (default: a seeded random U-Net, base 4, depth 2, "
                                         "16x16, T=4)")
    ap.add_argument("--lanes", type=int, nargs="+", default=[1, 4], help="engine lanes to measure (default 1 4)")
    ap.add_argument("--clock-mhz", type=float, default=200.0, help="stated clock for frames/s (default 200)")
    ap.add_argument("--rtl-out", default="build/bench/rtl_bench", help="report prefix (.json, .md)")


def run(args) -> int:
    export = Path(args.rtl_export) if args.rtl_export else ROOT / "build/bench/rand_unet"
    out = args.rtl_out
    if not args.rtl_export:
        from golden.export.network import random_network_export
        random_network_export(export, seed=0, base=4, depth=2, size=16, timesteps=4)
    rows = []
    for lanes in args.lanes:
        run_sim(export, lanes)  # builds (or reuses) the simulator
        m, wall = run_sim(export, lanes)
        cycles, bound = int(m.group(6)), int(m.group(7))
        rows.append({"lanes": lanes, "cycles": cycles, "bound": bound, "ratio": round(cycles / bound, 3),
                     "verilator_cycles_per_s": round(cycles / wall), "wall_s": round(wall, 2),
                     "fps_at_clock": round(args.clock_mhz * 1e6 / cycles, 1)})
        print(f"BENCH rtl lanes={lanes} cycles={cycles} bound={bound} ratio={cycles / bound:.2f} "
              f"(target <= 1.25) verilator={cycles / wall:,.0f} cycles/s "
              f"fps@{args.clock_mhz:g}MHz={args.clock_mhz * 1e6 / cycles:,.1f}")
    result = {"export": str(export), "clock_mhz": args.clock_mhz, "runs": rows,
              "published": [dict(zip(("design", "device", "figure", "source"), p)) for p in PUBLISHED]}
    write_text(f"{out}.json", json.dumps(result, indent=1) + "\n")
    md = ["# RTL engine performance", "", f"Export: `{export}`; clock {args.clock_mhz:g} MHz (stated, not timed).", "",
          "| lanes | cycles/frame | bound | ratio | Verilator cycles/s | frames/s at clock |", "|---|---|---|---|---|---|"]
    md += [f"| {r['lanes']} | {r['cycles']} | {r['bound']} | {r['ratio']} | {r['verilator_cycles_per_s']:,} | "
           f"{r['fps_at_clock']:,} |" for r in rows]
    md += ["", "Published FPGA SNN accelerators (their own figures, classification networks: scale only):", "",
           "| design | device | figure | source |", "|---|---|---|---|"]
    md += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in PUBLISHED]
    write_text(f"{out}.md", "\n".join(md) + "\n")
    return 0
