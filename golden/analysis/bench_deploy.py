"""`python -m golden bench` (deployment part): the deployment configuration (golden/backends/rtl/deploy.py) next to
Vitis AI's DPU and FireFly on the same board, one table, from what the tools measured:

- cycles, synaptic events and external traffic of a whole 512x512 EM slice: the fast bench
  (`make sim FAST=1 IMAGE=<slice> LABELS=<label>`, its report build/sim/reports/<run>.json);
- the clock: `make timing`'s ECP5-85F place and route (build/timing/<config>/report.json). It is a Lattice ECP5
  clock, not a Zynq one: frames/s at it are a lower bound for an UltraScale+ part; a second row gives frames/s at
  a STATED UltraScale+ clock (the DPU's 300 MHz), which no tool here has timed;
- LUT / FF / BRAM / URAM / DSP: `make synth` (yosys synth_xilinx -family xcup, build/synth/report.json).
A missing report is named with the command that writes it. The DPU and FireFly figures are their authors' (cited).
Writes build/bench/deploy.json and deploy.md.
"""
from __future__ import annotations

import json
from pathlib import Path

from golden.atomic import write_text
from golden.backends.rtl import deploy
from golden.paths import REPO_ROOT as ROOT

SIM_REPORTS = ROOT / "build" / "sim" / "reports"
TIMING_REPORTS = ROOT / "build" / "timing"
SYNTH_REPORT = ROOT / "build" / "synth" / "report.json"
STATED_MHZ = 300.0   # the DPU's clock on the ZCU104: a stated UltraScale+ clock, not a timing result

# Their own published figures (issue 22 quotes them): design, device, clock, frames/s, GOP or GSOP per second, note
PEERS = [
    {"design": "Vitis AI DPU, 2 x B4096 (INT8), U-Net pt_unet_chaos-CT_512_512_23.3G", "device": "ZCU104",
     "clock_mhz": 300, "fps": "23.6 (1 thread), 59.4 (several)", "gops": round(23.3 * 59.4),
     "note": "23.3 GOP per 512x512 frame (an ANN: dense MACs x 2)",
     "source": "Vitis AI Model Zoo performance table, https://github.com/Xilinx/Vitis-AI/tree/master/model_zoo"},
    {"design": "FireFly (SNN, DSP48E2 as SIMD accumulators)", "device": "ZCU104", "clock_mhz": 300, "fps": "-",
     "gops": 5530, "note": "5.53 TOP/s of synaptic operations (peak)",
     "source": "Li et al., FireFly, IEEE TVLSI 2023, https://arxiv.org/abs/2301.01905"},
]


def sim_report(dep: deploy.Deployment) -> dict | None:
    """The newest passing whole-frame (512x512) fast-bench run of this configuration."""
    best = None
    for p in sorted(SIM_REPORTS.glob("*.json")):
        r = json.loads(p.read_text())
        if (r.get("pass") and r.get("lanes") == dep.lanes and r.get("engines") == dep.engines
                and r.get("data_bits") == dep.data_bits and r.get("width") == dep.max_width
                and r.get("height") == dep.max_width):
            if best is None or p.stat().st_mtime > best[0]:
                best = (p.stat().st_mtime, {**r, "report": str(p)})
    return best[1] if best else None


def timing_report(dep: deploy.Deployment) -> dict | None:
    """The newest `golden timing` report whose ECP5 place and route built this configuration (`deployment`, as
    deploy.Deployment.describe() writes it)."""
    best = None
    for p in TIMING_REPORTS.glob("*/report.json"):
        r = json.loads(p.read_text())
        e = (r.get("flows") or {}).get("ecp5") or {}
        if e.get("deployment") == dep.describe() and e.get("fmax_mhz"):
            if best is None or p.stat().st_mtime > best[0]:
                best = (p.stat().st_mtime, {**r, "report": str(p)})
    return best[1] if best else None


def ecp5_fmax(t: dict) -> float | None:
    e = (t.get("flows") or {}).get("ecp5") or {}
    return float(e["fmax_mhz"]) if e.get("fmax_mhz") else None


def synth_entry(dep: deploy.Deployment) -> dict | None:
    if not SYNTH_REPORT.is_file():
        return None
    entries = json.loads(SYNTH_REPORT.read_text())
    for name, e in entries.items():
        if (e.get("lanes") == dep.lanes and e.get("engines", 1) == dep.engines and e.get("max_width") == dep.max_width
                and e.get("data_bits") == dep.data_bits and e.get("weights") == dep.weights):
            return {**e, "name": name}
    return None


def rows(dep: deploy.Deployment, sim: dict, fmax: float | None, syn: dict | None) -> list[dict]:
    res = {k: syn.get(k) for k in ("lut", "ff", "bram18", "bram36", "uram", "dsp")} if syn else {}
    traffic = (sim["read_bytes"] + sim["written_bytes"]) if sim.get("read_bytes") is not None else None
    out = []
    for label, mhz in ((f"ECP5-85F place and route ({fmax:.1f} MHz)" if fmax else None, fmax),
                       (f"stated UltraScale+ clock ({STATED_MHZ:g} MHz, not timed)", STATED_MHZ)):
        if not mhz:
            continue
        fps = mhz * 1e6 / sim["cycles"]
        out.append({"design": f"this engine, {dep.name}", "clock": label, "lanes": dep.lanes,
                    "engines": dep.engines, "cycles": sim["cycles"], "fps": fps,
                    "gsops": sim["events"] * fps / 1e9 if sim.get("events") else None,
                    "traffic_mb": traffic / 1e6 if traffic else None,
                    "traffic_gbs": traffic * fps / 1e9 if traffic else None, **res})
    return out


def line(r: dict) -> str:
    tr = f"traffic_mb={r['traffic_mb']:.1f} traffic_gbs={r['traffic_gbs']:.2f}" if r["traffic_mb"] else "traffic=?"
    return (f"BENCH deploy lanes={r['lanes']} engines={r['engines']} cycles={r['cycles']} fps={r['fps']:.2f} "
            f"gsops={r['gsops']:.1f} {tr} clock=\"{r['clock']}\"")


def markdown(dep: deploy.Deployment, ours: list[dict], sim: dict, syn: dict | None, missing: list[str]) -> str:
    md = ["# Deployment configuration next to the DPU and FireFly (ZCU104)", "",
          f"{dep.describe()}. A whole {sim['height']}x{sim['width']} EM slice at T = {sim['timesteps']} through the "
          f"RTL (fast bench, {sim['report']}): {sim['cycles']:,} cycles, {sim['events']:,} synaptic events. "
          "The ECP5 clock is a Lattice ECP5-85F place and route (`make timing`), not a Zynq clock: its frames/s are "
          "a lower bound for an UltraScale+ part. Resources: yosys synth_xilinx -family xcup (`make synth`), "
          "not Vivado.", "",
          "| design | device | clock | lanes x engines | frames/s | GSOP/s | LUT | FF | BRAM18 + BRAM36 | URAM | DSP | "
          "traffic MB/frame | GB/s |", "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in ours:
        res = (f"{r.get('lut', '?')} | {r.get('ff', '?')} | {r.get('bram18', '?')} + {r.get('bram36', '?')} | "
               f"{r.get('uram', '?')} | {r.get('dsp', '?')}")
        md.append(f"| {r['design']} | ZCU104 (XCZU7EV) | {r['clock']} | {r['lanes']} x {r['engines']} | "
                  f"{r['fps']:.2f} | {r['gsops']:.1f} | {res} | {r['traffic_mb']:.1f} | {r['traffic_gbs']:.2f} |")
    for p in PEERS:
        md.append(f"| {p['design']} | {p['device']} | {p['clock_mhz']} MHz | - | {p['fps']} | {p['gops']} "
                  f"(GOP/s or GSOP/s: {p['note']}) | - | - | - | - | - | - | - |")
    md += ["", "Sources: " + "; ".join(f"{p['design']}: {p['source']}" for p in PEERS) + ".",
           "The ZCU104's PS DDR4 gives 19.2 GB/s."]
    if missing:
        md += ["", "Missing: " + "; ".join(missing)]
    return "\n".join(md) + "\n"


def run(out: str = "build/bench/deploy", dep: deploy.Deployment = deploy.DEFAULT) -> int:
    sim = sim_report(dep)
    if sim is None:
        print(f"BENCH deploy skipped: no whole-frame fast run of {dep.name} in {SIM_REPORTS} (run `make sim FAST=1 "
              f"IMAGE=<a 512x512 EM slice> LABELS=<its label>`)", flush=True)
        return 0
    t = timing_report(deploy.ECP5)
    fmax = ecp5_fmax(t) if t else None
    syn = synth_entry(dep)
    missing = ([] if fmax else [f"the ECP5 clock (`make timing`, {TIMING_REPORTS})"]) + \
              ([] if syn else [f"the resources (`make synth`, {SYNTH_REPORT})"])
    ours = rows(dep, sim, fmax, syn)
    for r in ours:
        print(line(r), flush=True)
    for m in missing:
        print(f"BENCH deploy missing: {m}", flush=True)
    result = {"deploy": dep.__dict__, "sim": sim, "timing": t, "synth": {k: v for k, v in (syn or {}).items()
                                                                      if k not in ("cells", "params")},
              "rows": ours, "peers": PEERS, "missing": missing}
    write_text(f"{out}.json", json.dumps(result, indent=1, default=str) + "\n")
    write_text(f"{out}.md", markdown(dep, ours, sim, syn, missing))
    print(f"BENCH deploy table: {out}.md", flush=True)
    return 0
