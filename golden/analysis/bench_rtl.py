"""`python -m golden bench` (RTL part): the external-memory frame engine's cycles per frame against the lower bound,
measured in the same run, and what that means for a whole 512x512 EM slice.

- `BENCH rtl`: the frame engine (rtl/snn_frame_kernel.sv, `python -m golden sim`, its default `--engine frame`)
  on the committed default model's 64x64 EM tile (`simulate.default_network_export()`: 27 layers, T = 10), AXI
  64 bits, no pauses on the memory model (`--p-pause 0`), at each of `--lanes` (default 8 and 16). bound =
  ceil(synaptic events / lanes): every accumulate that a nonzero input spike (or pixel) causes, counted from the
  golden vectors, shared by P lanes; an event-driven engine that wastes no cycle would need exactly that. Each
  lane count runs twice: the first builds the simulator, the second's wall time gives Verilator's simulated
  cycles per wall-clock second (cocotb and the bench's start-up included, the compile not).
- `BENCH frame512`: the same model on the whole 512x512 EM slice (slice 22 of the data root, as `BENCH golden`).
  Its bound is exact (the slice's synaptic events from the golden model, golden/backends/rtl/frame_sim.py);
  its cycles are an ESTIMATE, round(ratio x bound) with the ratio just measured on the tile (the whole-slice RTL
  run takes hours, too long for `make bench`). The external traffic per frame is exact
  (golden/backends/rtl/frame_traffic.py, from frame_memory's layout); bandwidth = bytes per frame x frames/s.
- Frames per second are at a STATED clock (`--clock-mhz`, default 200): yosys gives no timing, nothing here has
  been placed and routed.
- Published FPGA segmentation accelerators, for scale: their own figures, with their sources (other networks,
  other images, mostly other resolutions: order of magnitude only).
Writes build/bench/rtl_bench.json and .md.
"""
from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import time
from pathlib import Path

from golden.atomic import write_text
from golden.paths import REPO_ROOT as ROOT

SIM_LINE = re.compile(r"SIM (PASS|FAIL) layers=(\d+) timesteps=(\d+) values=(\d+) mismatches=(\d+) "
                      r"cycles=(\d+) bound=(\d+)")
TARGET_RATIO = 1.15
DATA_BITS = 64  # the AXI width of the runs (`golden sim`'s default) and of the traffic figures
CLOCK_NOTE = "stated, not timed (yosys gives no timing; nothing has been placed and routed)"

# Published FPGA semantic-segmentation accelerators, as reported by their authors or vendor:
# (design, device, resolution, figure, source). Only figures read in the source; "not in the abstract" where the
# resolution was not found there.
PUBLISHED = [
    ("Vitis AI Library 2.5, ENet_cityscapes_pt (INT8 DPU)", "ZCU104 (2x B4096 DPU, 300 MHz)", "512x1024",
     "10.4 fps (1 thread), 39.4 fps (multi-thread)",
     "https://docs.amd.com/r/2.5-English/ug1354-xilinx-ai-sdk/ZCU104-Evaluation-Board"),
    ("Vitis AI Library 1.3, fpn (INT8 DPU)", "ZCU104 (2x B4096F DPU, 300 MHz)", "256x512",
     "34.1 fps (1 thread), 128.6 fps (multi-thread)",
     "https://docs.amd.com/r/1.3-English/ug1354-xilinx-ai-sdk/ZCU104-Performance"),
    ("Vitis AI Library 1.3, FPN_Res18_Medical_segmentation (INT8 DPU)", "ZCU104 (2x B4096F DPU, 300 MHz)",
     "320x320", "12.9 fps (1 thread), 33.6 fps (multi-thread)",
     "https://docs.amd.com/r/1.3-English/ug1354-xilinx-ai-sdk/ZCU104-Performance"),
    ("Vitis AI Library 1.3, ENet_cityscapes_pt (INT8 DPU)", "ZCU102 (3x B4096F DPU, 281 MHz)", "512x1024",
     "9.1 fps (1 thread), 38.5 fps (multi-thread)",
     "https://docs.amd.com/r/1.3-English/ug1354-xilinx-ai-sdk/ZCU102-Performance"),
    ("Micromachines 16(3) 258, 2025: simplified 8-bit ENet (51.18% mIoU)", "ZCU104",
     "not in the abstract", "130.75 fps", "https://www.mdpi.com/2072-666X/16/3/258"),
    ("Ghielmetti et al. 2022, hls4ml: compressed ENet, fully on chip (Cityscapes)", "ZCU102",
     "not in the abstract", "4.9 ms per image (batch 1), 3 ms per image (batch 10)",
     "https://arxiv.org/abs/2205.07690"),
    ("Le Blevec et al., ICECS 2023: pipelined U-Net-based encoder-decoder, 4-bit (Cityscapes, 62.9% mIoU)",
     "Alveo U250", "not in the abstract", "close to 23 images/s, 44 ms latency",
     "https://www.mathieuleonardon.com/publication/2023-leblevec-4262138/"),
    ("Khadem Hosseini and Mirzakuchaki 2025: LMIINet on CGRA4ML, 8-bit (Cityscapes, 45% mIoU)", "ZCU104",
     "not in the abstract", "20 fps, 50.1 ms latency", "https://arxiv.org/html/2510.22243v1"),
]


# ------------------------------------------------------------------------------------------- measuring
def parse_sim(stdout: str) -> dict | None:
    """The SIM line that ends `golden sim`'s output, as numbers (None if the output does not end in one)."""
    lines = stdout.strip().splitlines()
    m = SIM_LINE.fullmatch(lines[-1].strip()) if lines else None
    if not m:
        return None
    keys = ("layers", "timesteps", "values", "mismatches", "cycles", "bound")
    return {"passed": m.group(1) == "PASS", **{k: int(v) for k, v in zip(keys, m.groups()[1:])}}


def run_sim(export: Path, lanes: int) -> tuple[dict, float]:
    """`python -m golden sim` (frame engine, no pauses) on `export`; its SIM line and its wall-clock seconds."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "golden", "sim", "--export", str(export), "--lanes", str(lanes),
                           "--p-pause", "0", "--data-bits", str(DATA_BITS)], capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    sim = parse_sim(proc.stdout)
    if proc.returncode or not sim or not sim["passed"]:
        raise RuntimeError(f"golden sim failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return sim, wall


def slice_image(index: int, data_root=None):
    """EM slice `index` (uint8 [1][512][512]), read as `BENCH golden` reads its slice."""
    from golden.model.datasets import load_em_pairs

    return load_em_pairs([index], data_root)[0][0]


def slice_events(net, image) -> int:
    """Synaptic events of `net` on a whole image (the fast integer golden model)."""
    from golden.backends.rtl import frame_sim

    placed = frame_sim.resized(net, image.shape[1], image.shape[2])
    return frame_sim.synaptic_events(placed, frame_sim.golden_frame(placed, image))


# ------------------------------------------------------------------------------------------- rows and lines
def tile_row(lanes: int, sim: dict, wall: float, clock_mhz: float) -> dict:
    cycles, bound = sim["cycles"], sim["bound"]
    return {"lanes": lanes, "cycles": cycles, "bound": bound, "ratio": cycles / bound,
            "verilator_cycles_per_s": cycles / wall, "wall_s": wall, "fps_at_clock": clock_mhz * 1e6 / cycles}


def rtl_line(row: dict) -> str:
    return (f"BENCH rtl lanes={row['lanes']} cycles={row['cycles']} bound={row['bound']} ratio={row['ratio']:.3f} "
            f"(target <= {TARGET_RATIO}) verilator={row['verilator_cycles_per_s']:,.0f} cycles/s")


def frame_row(lanes: int, ratio: float, events: int, traffic: dict, clock_mhz: float) -> dict:
    bound = math.ceil(events / lanes)
    est = round(ratio * bound)
    fps = clock_mhz * 1e6 / est
    return {"lanes": lanes, "events": events, "bound": bound, "tile_ratio": ratio, "est_cycles": est, "fps": fps,
            "ext_read_mb": traffic["read_bytes"] / 1e6, "ext_write_mb": traffic["write_bytes"] / 1e6,
            "bandwidth_gbs": traffic["total_bytes"] * fps / 1e9}


def frame_tag(height: int, width: int) -> str:
    return f"frame{height}" if height == width else f"frame{height}x{width}"


def frame_line(row: dict, tag: str, clock_mhz: float) -> str:
    return (f"BENCH {tag} lanes={row['lanes']} bound={row['bound']} est_cycles={row['est_cycles']} "
            f"fps@{clock_mhz:g}MHz={row['fps']:.2f} ext_read_mb={row['ext_read_mb']:.1f} "
            f"ext_write_mb={row['ext_write_mb']:.1f} bandwidth_gbs={row['bandwidth_gbs']:.2f} "
            "(estimate: the tile's ratio x this exact bound; stated clock)")


# ------------------------------------------------------------------------------------------- reports
def write_reports(out: str, result: dict) -> None:
    write_text(f"{out}.json", json.dumps(result, indent=1) + "\n")
    clock = result["clock_mhz"]
    md = ["# RTL frame engine performance", "",
          f"Export: `{result['export']}` ({result['model']}, {result['tile']}, T = {result['timesteps']}); "
          f"frame engine, AXI {result['data_bits']} bits, no pauses on the memory model. "
          f"Clock {clock:g} MHz: {CLOCK_NOTE}.", "",
          f"| lanes | cycles/frame | bound | ratio (target <= {TARGET_RATIO}) | Verilator cycles/s | "
          "frames/s at clock |", "|---|---|---|---|---|---|"]
    md += [f"| {r['lanes']} | {r['cycles']:,} | {r['bound']:,} | {r['ratio']:.3f} | "
           f"{r['verilator_cycles_per_s']:,.0f} | {r['fps_at_clock']:,.1f} |" for r in result["runs"]]
    fr = result.get("frame")
    if fr:
        md += ["", f"## Whole {fr['height']}x{fr['width']} EM slice {fr['slice']} (estimate)", "",
               f"Synaptic events {fr['events']:,} (golden model, exact). Cycles = the tile's ratio x the exact "
               "bound: an estimate, not a simulation. External traffic per frame (exact, from the memory layout): "
               f"{fr['read_bytes'] / 1e6:.1f} MB read, {fr['write_bytes'] / 1e6:.1f} MB written.", "",
               f"| lanes | bound | est. cycles | frames/s at {clock:g} MHz | bandwidth GB/s |", "|---|---|---|---|---|"]
        md += [f"| {r['lanes']} | {r['bound']:,} | {r['est_cycles']:,} | {r['fps']:.2f} | {r['bandwidth_gbs']:.2f} |"
               for r in fr["rows"]]
    elif result.get("frame_skipped"):
        md += ["", f"Whole-slice estimate skipped: {result['frame_skipped']}"]
    md += ["", "## Published FPGA segmentation accelerators (their own figures; other networks and images: scale only)",
           "", "| design | device | resolution | figure | source |", "|---|---|---|---|---|"]
    md += [f"| {p['design']} | {p['device']} | {p['resolution']} | {p['figure']} | {p['source']} |"
           for p in result["published"]]
    write_text(f"{out}.md", "\n".join(md) + "\n")


# ------------------------------------------------------------------------------------------- the command
def add_arguments(ap) -> None:
    ap.add_argument("--rtl-export", help="export the engine runs (default: the committed default model on its 64x64 "
                                         "EM tile, T = 10)")
    ap.add_argument("--lanes", type=int, nargs="+", default=[8, 16], help="engine lanes to measure (default 8 16)")
    ap.add_argument("--clock-mhz", type=float, default=200.0,
                    help="stated clock for frames/s (default 200; not a timing result)")
    ap.add_argument("--rtl-slice", type=int, default=None,
                    help="EM slice of the whole-frame estimate (default: BENCH golden's slice, 22)")
    ap.add_argument("--rtl-out", default="build/bench/rtl_bench", help="report prefix (.json, .md)")


def run(args) -> int:
    from golden.backends.rtl import simulate as simlib
    from golden.backends.rtl.frame_traffic import traffic
    from golden.export.load import load_manifest, load_network

    export = Path(args.rtl_export) if args.rtl_export else simlib.default_network_export()
    m = load_manifest(export)
    net = load_network(export, m)
    clock = args.clock_mhz
    rows = []
    for lanes in args.lanes:
        run_sim(export, lanes)  # builds (or reuses) the simulator
        sim, wall = run_sim(export, lanes)
        rows.append(tile_row(lanes, sim, wall, clock))
        print(rtl_line(rows[-1]), flush=True)
    result = {"export": str(export), "model": net.name, "tile": f"{net.height}x{net.width}",
              "timesteps": net.timesteps, "data_bits": DATA_BITS, "clock_mhz": clock, "clock_note": CLOCK_NOTE,
              "target_ratio": TARGET_RATIO, "runs": rows,
              "tile_traffic": {k: v for k, v in traffic(net, data_bits=DATA_BITS).items() if k != "layers"}}
    from golden.analysis.bench import BENCH_SLICE

    index = BENCH_SLICE if getattr(args, "rtl_slice", None) is None else args.rtl_slice
    try:
        image = slice_image(index, getattr(args, "data_root", None))
    except (FileNotFoundError, ValueError) as exc:
        result["frame_skipped"] = str(exc)
        print(f"BENCH frame skipped: {exc}", flush=True)
    else:
        h, w = int(image.shape[1]), int(image.shape[2])
        events = slice_events(net, image)
        t = traffic(net, h, w, DATA_BITS)
        frows = [frame_row(r["lanes"], r["ratio"], events, t, clock) for r in rows]
        for r in frows:
            print(frame_line(r, frame_tag(h, w), clock), flush=True)
        result["frame"] = {"slice": index, "height": h, "width": w, "events": events,
                           "read_bytes": t["read_bytes"], "write_bytes": t["write_bytes"],
                           "regions": t["regions"], "rows": frows}
    result["published"] = [dict(zip(("design", "device", "resolution", "figure", "source"), p)) for p in PUBLISHED]
    write_reports(args.rtl_out, result)
    return 0
