"""Logic synthesis of the frame engine with yosys `synth_xilinx`: LUT / FF / BRAM / URAM / DSP.

    python -m golden synth [--export DIR | --checkpoint NPZ --config YAML] --lanes P --max-width W
                           [--data-bits 64|128|256] [--weights rom|stream] [--no-uram]

rtl/snn_frame_kernel (sources: rtl/snn_frame.f) with the HDL parameters and ROM images that
golden/backends/rtl/frame_config.py derives from the model for P lanes and frames up to W pixels wide, synthesised
with `synth_xilinx -family xcup -uram -flatten` (UltraScale+ cells; `--no-uram` leaves out `-uram`). The model is
the export given (`--export`), or else the checkpoint / config given (default: the committed default model),
exported once through `python -m golden export-net --membranes off` into build/synth/export-<name>. It ends with
one line

    SYNTH lut=.. ff=.. bram18=.. bram36=.. uram=.. dsp=.. max_width=W lanes=P fits_xczu7ev=yes|no

lut = LUT1..LUT6, ff = FD*, bram18 = RAMB18E2, bram36 = RAMB36E2, uram = URAM288, dsp = DSP48E2 cells; the LUTs
used as memory (RAM32M16, RAM64M8, RAM*X1*, SRL*: `LUTRAM`, weighted by the LUTs each primitive occupies) are in
the report. fits_xczu7ev: lut + LUTRAM LUTs <= 230,400, bram36 + ceil(bram18 / 2) <= 312, uram <= 96,
dsp <= 1,728 (golden/backends/rtl/frame_plan.XCZU7EV). Log: build/synth/frame-<model>-p<P>-w<W>.log.

It merges its entry into build/synth/report.json and rewrites build/synth/report.md from it. No timing (yosys has
none): the numbers compare architectures, lane counts and widths; they are not a place-and-route.
"""
from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from golden.backends.rtl import deploy
from golden.backends.rtl import simulate as simlib
from golden.backends.rtl.frame_plan import XCZU7EV
from golden.errors import InputError
from golden.ir import frame_memory as fm
from golden.ir.manifest import ManifestError, load_manifest
from golden.export.load import load_network
from golden.paths import REPO_ROOT as ROOT

OUT = ROOT / "build" / "synth"
FRAME_TOP = "snn_frame_kernel"
FRAME_LIST = simlib.RTL_DIR / "snn_frame.f"

MEM_LIMIT_KB = 8 * 1024 * 1024   # yosys is stopped (not the machine) if a memory mapping blows up
TIMEOUT_S = 3600                 # default --timeout

# LUTs a LUTRAM / SRL primitive occupies (UltraScale+ SLICEM; the same on 7-series for the older cells)
LUTRAM_LUTS = {
    "RAM16X1S": 1, "RAM32X1S": 1, "RAM64X1S": 1, "RAM128X1S": 2, "RAM256X1S": 4, "RAM512X1S": 8,
    "RAM16X1D": 2, "RAM32X1D": 2, "RAM64X1D": 2, "RAM128X1D": 4, "RAM256X1D": 8,
    "RAM32M": 4, "RAM64M": 4, "RAM32M16": 8, "RAM64M8": 8, "RAM32X16DR8": 8, "RAM64X8SW": 8,
    "SRL16E": 1, "SRLC16E": 1, "SRLC32E": 1,
}


class SynthError(RuntimeError):
    """yosys failed or ran out of its memory or time limit (the CLI prints one line, exit 2)."""


# ------------------------------------------------------------------------------------------ yosys and its stat
def parse_stat(text: str, top: str | None = None) -> dict[str, int]:
    """Cell counts of the last `stat` in a yosys log (of module `top` when given; of the whole design, every
    instance of every submodule counted, when the log has a design hierarchy): {cell type: count}."""
    start = text.rfind("Printing statistics")
    if start < 0:
        raise SynthError("no `stat` output in the yosys log")
    stat = text[start:]
    hier = stat.find("=== design hierarchy ===")
    if top is not None and hier >= 0:
        stat = stat[hier:]
        at = stat.find("Number of cells")
        stat = stat[at:] if at >= 0 else stat
    elif top is not None:
        at = stat.find(f"=== {top} ===")
        if at < 0:
            raise SynthError(f"no statistics of module {top} in the yosys log")
        stat = stat[at + 1:]
        nxt = stat.find("=== ")        # the next module's block or the design hierarchy
        stat = stat if nxt < 0 else stat[:nxt]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s+([A-Za-z_$\\][\w$\\]*)\s+(\d+)\s*$", stat, re.M)}


def module_luts(text: str) -> list[tuple[str, int, int]]:
    """Where the LUTs are, from the last `stat` of a log whose design kept its hierarchy: for each module of the
    design hierarchy, (module name, its instances in the whole design, the LUT1..LUT6 cells of one instance with
    every submodule of it counted), in hierarchy order; [] when the design was flattened."""
    start = text.rfind("Printing statistics")
    hier = text.find("=== design hierarchy ===", max(start, 0))
    if start < 0 or hier < 0:
        return []
    own: dict[str, int] = {}
    for m in re.finditer(r"^=== (\S+) ===$(.*?)(?=^=== )", text[start:hier + 4], re.M | re.S):
        own[m.group(1)] = sum(int(n) for n in re.findall(r"^\s+LUT[1-6]\s+(\d+)\s*$", m.group(2), re.M))
    tree: list[tuple[int, str, int]] = []        # (indent, module, instances under its parent)
    for line in text[hier:].splitlines()[1:]:
        m = re.fullmatch(r"(\s+)(\S+)\s+(\d+)\s*", line)
        if m and m.group(2) in own:
            tree.append((len(m.group(1)), m.group(2), int(m.group(3))))
        elif tree and line.strip():
            break
    rows, path = [], []                          # path: (indent, instances in the design) of the ancestors
    for i, (ind, mod, n) in enumerate(tree):
        while path and path[-1][0] >= ind:
            path.pop()
        total_n = n * (path[-1][1] if path else 1)
        # one instance with its subtree: its own LUTs and those of the deeper entries that follow it
        luts, k = own[mod], i + 1
        while k < len(tree) and tree[k][0] > ind:
            luts += own[tree[k][1]] * tree[k][2] * _ancestors(tree, i, k)
            k += 1
        rows.append((re.sub(r"^\$paramod\$\w+\\", "", mod), total_n, luts))
        path.append((ind, total_n))
    return rows


def _ancestors(tree, i: int, k: int) -> int:
    """Instances of tree[k]'s parent chain within one instance of tree[i] (tree[k] lies below tree[i])."""
    n, want = 1, tree[k][0]
    for j in range(k - 1, i, -1):
        if tree[j][0] < want:
            n *= tree[j][2]
            want = tree[j][0]
    return n


def _count(cells: dict, pred) -> int:
    return sum(n for c, n in cells.items() if pred(c))


def _is_lutram(c: str) -> bool:
    return (c.startswith("RAM") and not c.startswith("RAMB")) or c.startswith("SRL")


def frame_counts(cells: dict[str, int]) -> dict:
    """The SYNTH numbers of an UltraScale+ (xcup) netlist."""
    unknown = sorted(c for c in cells if _is_lutram(c) and c not in LUTRAM_LUTS)
    return {
        "lut": _count(cells, lambda c: re.fullmatch(r"LUT[1-6]", c) is not None),
        "lutram": _count(cells, _is_lutram),
        "lutram_luts": sum(n * LUTRAM_LUTS.get(c, 8) for c, n in cells.items() if _is_lutram(c)),
        "lutram_unknown": unknown,          # counted as 8 LUTs each
        "ff": _count(cells, lambda c: c.startswith("FD")),
        "bram18": cells.get("RAMB18E2", 0),
        "bram36": cells.get("RAMB36E2", 0),
        "uram": cells.get("URAM288", 0),
        "dsp": cells.get("DSP48E2", 0),
        "carry": _count(cells, lambda c: c.startswith("CARRY")),
        "muxf": _count(cells, lambda c: c.startswith("MUXF")),
    }


def fits_xczu7ev(r: dict) -> bool:
    return (r["lut"] + r["lutram_luts"] <= XCZU7EV["lut"]
            and r["bram36"] + math.ceil(r["bram18"] / 2) <= XCZU7EV["bram36"]
            and r["uram"] <= XCZU7EV["uram"] and r["dsp"] <= XCZU7EV["dsp"])


def synth_line(r: dict, max_width: int, lanes: int, engines: int = 1) -> str:
    return (f"SYNTH lut={r['lut']} ff={r['ff']} bram18={r['bram18']} bram36={r['bram36']} uram={r['uram']} "
            f"dsp={r['dsp']} max_width={max_width} lanes={lanes} engines={engines} "
            f"fits_xczu7ev={'yes' if fits_xczu7ev(r) else 'no'}")


_LINE_RE = re.compile(r"SYNTH lut=(\d+) ff=(\d+) bram18=(\d+) bram36=(\d+) uram=(\d+) dsp=(\d+) max_width=(\d+) "
                      r"lanes=(\d+) (?:engines=\d+ )?fits_xczu7ev=(yes|no)")


def parse_synth_line(line: str) -> dict:
    """The fields of a SYNTH line (ints, fits_xczu7ev a bool); ValueError if it is not one."""
    m = _LINE_RE.fullmatch(line.strip())
    if not m:
        raise ValueError(f"not a SYNTH line: {line!r}")
    keys = ("lut", "ff", "bram18", "bram36", "uram", "dsp", "max_width", "lanes")
    return {**{k: int(v) for k, v in zip(keys, m.groups())}, "fits_xczu7ev": m.group(9) == "yes"}


def mapped_to_ff(text: str) -> list[str]:
    """Memories yosys' memory_libmap put in no RAM primitive (`using FF mapping`): memory_map turns them into
    registers (a RAM) or into LUT logic (a ROM: its words are constants)."""
    return sorted(set(re.findall(r"using FF mapping for memory (\S+)", text)))


def memory_mapping(text: str) -> dict[str, str]:
    """Each memory of the log -> how memory_libmap mapped it (a cell family, or `FF`)."""
    out = {}
    for m in re.finditer(r"^(?:mapping memory (\S+) via (\S+)|using FF mapping for memory (\S+))$", text, re.M):
        if m.group(1):
            out[m.group(1)] = m.group(2).strip("$_").removeprefix("XILINX_").rstrip("_")
        else:
            out[m.group(3)] = "FF"
    return out


def yosys(script: str, log: Path, timeout: float | None = None) -> tuple[str, float]:
    """Run a yosys script under the memory limit; (its log, seconds). SynthError with one line on a failure."""
    log.parent.mkdir(parents=True, exist_ok=True)
    ys = log.with_suffix(".ys")
    ys.write_text(script)
    t0 = time.time()
    try:
        proc = subprocess.run(["bash", "-c", f'ulimit -v {MEM_LIMIT_KB}; exec yosys -q -l "$0" -s "$1"', str(log),
                               str(ys)], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise SynthError(f"yosys stopped after {timeout:.0f} s (--timeout), see {log}") from None
    seconds = round(time.time() - t0, 1)
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr).strip().splitlines()
        why = next((l for l in reversed(tail) if "ERROR" in l or "rror" in l), tail[-1] if tail else "")
        if proc.returncode < 0 or "std::bad_alloc" in proc.stderr or "out of memory" in proc.stderr.lower():
            why = f"killed or out of memory (ulimit -v {MEM_LIMIT_KB // 1024 // 1024} GiB) {why}".strip()
        raise SynthError(f"yosys failed (exit {proc.returncode}) after {seconds} s: {why.strip()} (see {log})")
    return log.read_text(), seconds


def _chparam(params: dict) -> str:
    return " ".join(f"-set {k} {v}" for k, v in params.items())


def frame_sources() -> list[str]:
    lines = (l.strip() for l in FRAME_LIST.read_text().splitlines())
    return [str(simlib.RTL_DIR / l) for l in lines if l and not l.startswith("//")]


def frame_script(params: dict, uram: bool = True) -> str:
    """Flattened with one engine; with several the hierarchy is kept, so the engine (every instance the same
    module: its strip index is a port) is synthesised once and `stat` counts it once per instance."""
    flat = " -flatten" if int(params.get("N_ENG", 1)) == 1 else ""
    return (f"read_verilog -defer -sv -I{simlib.RTL_DIR} {' '.join(frame_sources())}\n"
            f"chparam {_chparam(params)} {FRAME_TOP}\n"
            f"synth_xilinx -family xcup{' -uram' if uram else ''}{flat} -top {FRAME_TOP}\nstat\n")


def memory_script(params: dict, uram: bool = True) -> str:
    """Only the memory mapping: a light prepare (proc, flatten, opt, memory -nomap), then synth_xilinx's own
    map_memory step (memory_libmap with its BRAM / URAM / LUTRAM libraries). Seconds instead of minutes; its
    RAMB18E2 / RAMB36E2 / URAM288 cells are those of the full flow (the later passes may drop a few LUTRAM
    cells of unused bits), its logic is not mapped."""
    return (f"read_verilog -defer -sv -I{simlib.RTL_DIR} {' '.join(frame_sources())}\n"
            f"chparam {_chparam(params)} {FRAME_TOP}\n"
            f"hierarchy -check -top {FRAME_TOP}\nproc\nflatten\nopt_clean\nopt\nmemory -nomap\nopt_clean\n"
            f"synth_xilinx -family xcup{' -uram' if uram else ''} -top {FRAME_TOP} -run map_memory:map_ffram\n"
            "stat\n")


def synth_frame(params: dict, log: Path, uram: bool = True, timeout: float | None = None,
                memories_only: bool = False) -> dict:
    """yosys on the frame kernel with these HDL parameters: the SYNTH counts, how each memory was mapped, the
    memories left to memory_map, the seconds and every cell. `memories_only`: memory_script, not the full flow."""
    script = memory_script(params, uram) if memories_only else frame_script(params, uram)
    text, seconds = yosys(script, log, timeout)
    cells = parse_stat(text, FRAME_TOP)
    r = frame_counts(cells)
    r["fits_xczu7ev"] = fits_xczu7ev(r)
    r["memories"] = memory_mapping(text)
    r["ff_memories"] = mapped_to_ff(text)
    r["module_luts"] = module_luts(text)
    r["seconds"] = seconds
    r["cells"] = cells
    return r


# ------------------------------------------------------------------------------------------ the command
def model_export(checkpoint: str | None, config: str | None) -> Path:
    """The model of --checkpoint / --config (default: the committed default model) exported once, without
    membranes, to build/synth/export-<name> (the export's own frame size does not matter: --max-width sizes the
    engine)."""
    import hashlib

    from golden.export.command import export_with

    spec = f"{Path(checkpoint).resolve() if checkpoint else ''}|{Path(config).resolve() if config else ''}"
    stem = Path(checkpoint).stem if checkpoint else "default"
    out = OUT / f"export-{stem}-{hashlib.sha1(spec.encode()).hexdigest()[:8]}"
    if not (out / "manifest.yaml").is_file():
        argv = ["--out", str(out), "--membranes", "off"]
        argv += ["--checkpoint", checkpoint] if checkpoint else []
        argv += ["--config", config] if config else []
        if export_with(argv) != 0:
            raise InputError(f"export-net {' '.join(argv)} failed")
    return out


def add_arguments(ap) -> None:
    ap.add_argument("--export", help="network export (export-net's folder)")
    ap.add_argument("--checkpoint", help="without --export: the SNN checkpoint to export first (default: the "
                                         "committed default model)")
    ap.add_argument("--config", help="without --export: the U-Net config of --checkpoint")
    ap.add_argument("--lanes", type=int, default=8, help="lanes P, a power of two (default 8)")
    ap.add_argument("--max-width", type=int, default=None,
                    help="the widest frame W the engine takes (a positive multiple of 2^levels; default: the "
                         "export's width); sizes the accumulator band")
    ap.add_argument("--data-bits", type=int, choices=fm.DATA_BITS, default=64, help="AXI data width (default 64)")
    ap.add_argument("--no-uram", action="store_true", help="synth_xilinx without -uram (no URAM288 inferred)")
    ap.add_argument("--weights", choices=("rom", "stream"), default="rom",
                    help="weights on chip (rom), or streamed one pass at a time from the weights buffer")
    ap.add_argument("--engines", type=int, default=1, help="engines E on column strips (default 1)")
    ap.add_argument("--weight-words", type=int, default=65536,
                    help="stream: the weight RAM's depth in words of P weights (passes are split to fit)")
    deploy.add_argument(ap)
    ap.add_argument("--timeout", type=float, default=TIMEOUT_S,
                    help=f"stop yosys after this many seconds (default {TIMEOUT_S})")


def _load(export: Path):
    if not export.is_dir():
        raise InputError(f"--export {export}: no such export folder")
    try:
        m = load_manifest(export)
        return m, load_network(export, m)
    except ManifestError as exc:
        raise InputError(f"--export {export}: {str(exc).strip().splitlines()[0]}") from None
    except FileNotFoundError as exc:
        raise InputError(f"--export {export}: {exc.filename or exc}: missing") from None


def run(args) -> int:
    try:
        return run_frame(args)
    except (InputError, SynthError) as exc:
        print(f"error: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
        return 2


def _need_yosys() -> None:
    if shutil.which("yosys") is None:
        raise InputError("yosys not found (Debian: apt-get install yosys)")


def _frame_lanes(args) -> int:
    p = args.lanes
    if p < 1 or p & (p - 1) or p > 64:
        raise InputError(f"--lanes {p}: the lane count must be a power of two, 1 .. 64")
    return p


def _frame_width(args, net, p: int) -> int:
    if p * fm.pow2(net.K) > args.data_bits:
        raise InputError(f"--lanes {p}: P x {fm.pow2(net.K)} field bits exceeds --data-bits {args.data_bits}")
    w = net.width if args.max_width is None else args.max_width
    d = fm.max_level(net)
    if w < (1 << d) or w % (1 << d):
        raise InputError(f"--max-width {w}: must be a positive multiple of {1 << d} (the network has {d} pooling "
                         f"level{'' if d == 1 else 's'})")
    return w


def run_frame(args) -> int:
    from golden.backends.rtl.frame_config import build_frame_config

    deploy.apply(args)
    engines = getattr(args, "engines", 1)
    p = _frame_lanes(args)
    if args.export and (args.checkpoint or args.config):
        raise InputError("--export and --checkpoint / --config: give one model")
    export = Path(args.export) if args.export else model_export(args.checkpoint, args.config)
    m, net = _load(export)
    w = _frame_width(args, net, p)
    uram = not args.no_uram
    name = f"frame-{m['model']}-p{p}-w{w}" + ("" if args.data_bits == 64 else f"-d{args.data_bits}") + \
        ("" if uram else "-nouram") + ("" if args.weights == "rom" else "-stream") + \
        ("" if engines == 1 else f"-e{engines}")
    try:
        cfg = build_frame_config(net, p, OUT / f"{name}-cfg", max_width=w, data_bits=args.data_bits,
                                 weights=args.weights, engines=engines,
                                 weight_buffer_words=getattr(args, "weight_words", 65536))
    except ValueError as exc:
        raise InputError(f"--export {export}: {exc}") from None
    _need_yosys()
    log = OUT / f"{name}.log"
    r = synth_frame(cfg.params, log, uram, args.timeout)
    entry = {"engine": "frame", "export": str(export), "model": m["model"], "lanes": p, "engines": engines,
             "max_width": w,
             "data_bits": args.data_bits, "uram_inference": uram, "weights": args.weights, "log": str(log), "params": cfg.params, **r,
             "line": synth_line(r, w, p, engines)}
    _merge_report({name: entry})
    print(f"{name}: yosys synth_xilinx -family xcup{' -uram' if uram else ''}"
          f"{' -flatten' if engines == 1 else ''} -top {FRAME_TOP}, log {log}")
    if r["ff_memories"]:
        print(f"memories in no RAM primitive (yosys' memory_map: registers, or LUT logic for a ROM): "
              f"{', '.join(mem.removeprefix(FRAME_TOP + '.') for mem in r['ff_memories'])}")
    print(f"lutram={r['lutram']} cells ({r['lutram_luts']} LUTs) carry={r['carry']} muxf={r['muxf']}; "
          f"report: {OUT / 'report.md'}")
    print(f"elapsed: {r['seconds']} s")
    print(entry["line"], flush=True)
    return 0


def _merge_report(new: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "report.json"
    try:
        report = json.loads(path.read_text()) if path.is_file() else {}
    except json.JSONDecodeError:
        report = {}
    report.update(new)
    path.write_text(json.dumps(report, indent=1))
    (OUT / "report.md").write_text(render_report(report))


def render_report(report: dict) -> str:
    frame = {k: r for k, r in report.items() if r.get("engine") == "frame"}
    lines = ["# yosys synth_xilinx", ""]
    if frame:
        lines += ["## Frame engine (snn_frame_kernel, xcup cells)", "",
                  "| top | LUT | LUTRAM cells (LUTs) | FF | RAMB18E2 | RAMB36E2 | URAM288 | DSP48E2 | fits xczu7ev "
                  "| s |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for name, r in frame.items():
            lines.append(f"| {name} | {r['lut']} | {r['lutram']} ({r['lutram_luts']}) | {r['ff']} | {r['bram18']} | "
                         f"{r['bram36']} | {r['uram']} | {r['dsp']} | {'yes' if r['fits_xczu7ev'] else 'no'} | "
                         f"{r['seconds']} |")
        lines.append("")
    for name, r in frame.items():
        lines += [f"### {name}: {r['model']} ({r['export']})", ""]
        lines += [f"`{r['line']}`", ""]
        if r.get("module_luts"):
            lines += ["LUTs by module (the hierarchy kept; one instance with its submodules, LUTRAM not included):",
                      "", "| module | instances | LUTs each | LUTs in all |", "|---|---|---|---|"]
            lines += [f"| {mod} | {n} | {each} | {n * each} |" for mod, n, each in r["module_luts"]]
            lines.append("")
        lines += [f"- memory {mem.removeprefix(FRAME_TOP + '.')}: "
                      f"{'FF (registers, or LUT logic for a ROM)' if how == 'FF' else how}"
                  for mem, how in r.get("memories", {}).items()]
        lines += [f"- {k} = {v}" for k, v in r["params"].items()]
        lines.append("")
    return "\n".join(lines)
