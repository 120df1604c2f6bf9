"""HLS C-simulation of an export through the external-memory frame top (snn_frame_top): pack the image into its
buffer, run the top, unpack every spiking layer's spike trains and the output's A_T from the buffers it wrote,
compare with ==. Exit code: 0 pass, 1 mismatch, 2 bad input or build error.

    python -m golden csim --export DIR [--size HxW ...] [--engines E] [--lanes P] [--data-bits 64|128|256]
                          [--max-width W] [--coverage] [--build DIR] [--opt O2|Og|..] [--generate-only]

`--engines E` (default 1, a power of two) and `--lanes P` (default 8): the generated top's ENGINES column strips
and LANES output channels in parallel (hls/README.md); every frame width must then be a multiple of E x 2^levels.

The top is generated from the manifest by golden/backends/hls/frame_top.py (snn_frame_top.h/.cpp, into the build
directory, default build/csim/<export dir name>) and built with hls/tb/csim_frame_main.cpp by g++ (-std=c++17
-Wall -Wextra -Werror -Wno-unknown-pragmas, -isystem the hls4ml ap_types), all sources as one translation unit
(<build>/csim_all.cpp), so the ap_types headers, most of the compile time, are parsed once. A build is skipped when
the compiler command, the HLS sources, the generated files and snn_params.h are unchanged (<build>/csim.stamp,
`cached_build`: the one build cache of the HLS backend).

The frames run in the order given, back to back through the same top (default: one frame, the export's own
size). A frame of the export's size is compared with the export's golden vectors (`<layer>.spikes`, and
`<output>.accum`[T-1] = A_T); a frame of another size (its image: the export's image tiled) with the integer model
(golden/contract/intmodel.py) run on it. The buffers are unpacked with golden/ir/frame_memory.py (the top's region
offsets, printed by the bench, must be frame_layout's), and the bits the layout leaves unused in a record must be
0. The top's STATUS output (issue 23) must be 0 after each frame, and the bench's `--check-args` run (every bad
argument: STATUS_BAD_ARG, nothing written; a line `CSIM arguments: ...`) must pass; either failing counts as a
mismatch. AXI error responses and the watchdog do not exist in C simulation. Output: per mismatching layer its
first value
`MISMATCH frame=HxW layer=.. t=.. channel=.. y=.. x=.. expected=.. got=..` (the output layer: `A_T` instead of t),
a line `CSIM frames=HxW[,HxW..] data_bits=DW`, and last
`CSIM PASS|FAIL layers=L timesteps=T values=N mismatches=M` (values: every spike word of every spiking layer at
every step, and A_T, of every frame).

`--coverage` also runs every layer with parameters alone, in its probe network (golden/export/probe.py: its
inputs fire everywhere), through the same frame C-sim (one build per probe, <build>/probes/<layer>/), and prints
`COVERAGE weights=.. biases=.. (...)` (golden/ir/coverage.py) before the last line; a failing probe counts
as mismatches. `--generate-only` writes the generated sources and exits: hls/run_hls.tcl takes that directory.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from golden.backends.hls.frame_top import (ENGINES, LANES, check_parallelism, default_max_width, render_frame,
                                           width_step)
from golden.contract import intmodel
from golden.ir import frame_memory as fm
from golden.ir.manifest import ManifestError, load_manifest
from golden.export.load import load_network, load_vectors, verify_vectors
from golden.ir.network import Network
from golden.paths import REPO_ROOT as ROOT

HLS = ROOT / "hls"
SOURCES = ["snn_frame_top.cpp", "tb/csim_frame_main.cpp"]  # snn_frame_top.cpp is generated into the build dir
# -Wno-unknown-pragmas: g++ does not know `#pragma HLS` (the Vitis directives) and -Wall would reject every one.
# Everything else is -Wall -Wextra -Werror on our code; the vendor ap_types headers are -isystem.
FLAGS = ["-std=c++17", "-Wall", "-Wextra", "-Werror", "-Wno-unknown-pragmas"]
OPT = "-O2"  # default; --opt Og or O1 builds faster (the tests use them), the warnings stay on
RESULT = "CSIM"


def ap_types_dir() -> Path:
    """hls4ml's copy of the Xilinx ap_types (ap_int.h, hls_stream.h); found without importing hls4ml."""
    env = os.environ.get("AP_TYPES")
    if env:
        return Path(env)
    spec = importlib.util.find_spec("hls4ml")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("hls4ml is not installed (run `make setup`), or set $AP_TYPES")
    path = Path(list(spec.submodule_search_locations)[0]) / "templates" / "vivado" / "ap_types"
    if not (path / "ap_int.h").is_file():
        raise FileNotFoundError(f"{path}: no ap_int.h (set $AP_TYPES to an ap_types include directory)")
    return path


def write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text() != text:
        tmp = path.with_name(path.name + f".tmp{os.getpid()}")
        tmp.write_text(text)
        os.replace(tmp, path)


def cached_build(cxx: str, opt: str, build_dir: Path, include_dirs: list[Path], sources: list[str],
                 inputs: list[Path], name: str = "csim", hls_dir: Path = HLS) -> Path:
    """Compile `sources` (paths relative to the include directories) as one translation unit
    <build_dir>/<name>_all.cpp into <build_dir>/<name>; skipped when the command, every hls/ source and every file
    of `inputs` (the generated sources, snn_params.h: hashed by file name and content, not path, so a copy of an
    export reuses the build) are unchanged (<build_dir>/<name>.stamp). `hls_dir`: the HLS sources (default hls/;
    the tests build mutants from a copy)."""
    ap = ap_types_dir()
    hls_dir = Path(hls_dir)
    exe = build_dir / name
    unity = build_dir / f"{name}_all.cpp"
    incs = [a for d in include_dirs for a in ("-I", str(d))]
    cmd = [cxx, *FLAGS[:1], opt, *FLAGS[1:], "-isystem", str(ap), *incs, "-I", str(hls_dir), str(unity), "-o"]
    digest = hashlib.sha256()
    digest.update(" ".join([cxx, opt, *FLAGS, str(ap), *sources]).encode() + b"\0" + Path(__file__).read_bytes())
    for f in sorted(hls_dir.rglob("*")):
        if f.suffix in (".h", ".hpp", ".cpp") and f.is_file():
            digest.update(str(f.relative_to(hls_dir)).encode() + b"\0" + f.read_bytes())
    for f in inputs:
        digest.update(f.name.encode() + b"\0" + f.read_bytes())
    stamp = build_dir / f"{name}.stamp"
    if exe.is_file() and stamp.is_file() and stamp.read_text().strip() == digest.hexdigest():
        print(f"{RESULT} build {exe}: up to date", flush=True)
        return exe
    build_dir.mkdir(parents=True, exist_ok=True)
    unity.write_text("// Generated by golden/backends/hls/csim.py: the C-sim sources as one translation unit.\n"
                     + "".join(f'#include "{src}"\n' for src in sources))
    tmp = build_dir / f"{name}.tmp{os.getpid()}"
    print(f"{RESULT} build: " + " ".join([*cmd, str(exe)]), flush=True)
    start = time.monotonic()
    proc = subprocess.run([*cmd, str(tmp)], cwd=ROOT)
    if proc.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"compilation failed (exit {proc.returncode})")
    os.replace(tmp, exe)
    stamp.write_text(digest.hexdigest() + "\n")
    print(f"{RESULT} build: {time.monotonic() - start:.1f} s", flush=True)
    return exe


@dataclass
class Frame:
    """One frame of a run: its size, image, expected values and buffer files."""
    height: int
    width: int
    image: np.ndarray                 # uint8 [C][H][W]
    expect: dict                      # <layer>.spikes [T][C][H][W] per spiking layer; <output>.A_T [O][H][W]
    reference: str                    # where `expect` comes from
    layout: fm.FrameLayout
    files: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.height}x{self.width}"


def parse_size(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not m:
        raise ValueError(f"--size {text!r}: expected HxW, e.g. 16x32")
    return int(m.group(1)), int(m.group(2))


def tiled(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """The export's image repeated to cover height x width (the image of a frame of another size)."""
    c, h, w = image.shape
    reps = (1, -(-height // h), -(-width // w))
    return np.ascontiguousarray(np.tile(image, reps)[:, :height, :width])


def make_frames(net: Network, vec: dict, sizes: list[tuple[int, int]], data_bits: int) -> list[Frame]:
    frames = []
    for h, w in sizes:
        fm.check_frame_size(net, h, w)  # ValueError: one line, exit 2
        layout = fm.frame_layout(net, h, w, data_bits)
        if (h, w) == (net.height, net.width):
            image, ref = vec["input"], "the export's golden vectors"
            src = vec
        else:
            image, ref = tiled(vec["input"], h, w), "the integer model on the export's image tiled"
            src = intmodel.run(net, image, net.timesteps, net.thresholds_log2, net.compare, record_membranes=False)
        expect = {f"{l.name}.spikes": np.asarray(src[f"{l.name}.spikes"]) for l in net.spiking}
        out = net.output_layer.name
        expect[f"{out}.A_T"] = np.asarray(src[f"{out}.accum"])[net.timesteps - 1]
        frames.append(Frame(h, w, np.asarray(image, np.uint8), expect, ref, layout))
    return frames


def generate(net: Network, build_dir: Path, data_bits: int, max_width: int, engines: int = ENGINES,
             lanes: int = LANES) -> list[Path]:
    """Write snn_frame_top.h/.cpp into build_dir; returns their paths."""
    build_dir.mkdir(parents=True, exist_ok=True)
    out = []
    for name, text in render_frame(net, data_bits, max_width, engines, lanes).items():
        write_if_changed(build_dir / name, text)
        out.append(build_dir / name)
    return out


def build(params_dir: Path, build_dir: Path, cxx: str, generated: list[Path], opt: str = OPT,
          hls_dir: Path = HLS) -> Path:
    """The bench and the generated top against params_dir/snn_params.h (the export's), cached."""
    return cached_build(cxx, opt, build_dir, [params_dir, build_dir], SOURCES,
                        [*generated, params_dir / "snn_params.h"], hls_dir=hls_dir)


def run_bench(exe: Path, frames: list[Frame], build_dir: Path, echo: bool = True) -> tuple[int, list[str]]:
    """Write each frame's image buffer, run the bench on all frames, return (exit code, its stdout lines)."""
    argv = [str(exe)]
    for i, f in enumerate(frames):
        f.files = {k: build_dir / f"frame{i}_{f.name}.{k}.bin" for k in ("image", "scratch", "output")}
        f.files["image"].write_bytes(fm.pack_image(f.image, f.layout))
        for k in ("scratch", "output"):
            f.files[k].unlink(missing_ok=True)
        argv += [str(f.files["image"]), str(f.height), str(f.width), str(f.files["scratch"]), str(f.files["output"])]
    proc = subprocess.run(argv, capture_output=True, text=True)
    sys.stderr.write(proc.stderr)
    lines = proc.stdout.splitlines()
    if echo or proc.returncode:
        for line in lines:
            print(line, flush=True)
    return proc.returncode, lines


def check_regions(frames: list[Frame], lines: list[str]) -> list[str]:
    """The bench's REGIONS lines (the top's offsets, computed at run time) against frame_layout; the problems."""
    got = [dict(kv.split("=", 1) for kv in line.split()[1:]) for line in lines if line.startswith("REGIONS ")]
    sizes = [dict(kv.split("=", 1) for kv in line.split()[1:]) for line in lines if line.startswith("FRAME ")]
    if len(got) != len(frames) or len(sizes) != len(frames):
        return [f"the bench reported {len(got)} region lines for {len(frames)} frames"]
    bad = []
    for f, regions, size in zip(frames, got, sizes):
        want = {n: str(r.offset) for n, r in f.layout.layers.items()}
        want["end"] = str(f.layout.scratch_bytes)
        for n, off in want.items():
            if regions.get(n) != off:
                bad.append(f"frame {f.name}: region {n} at byte {regions.get(n)} in the top, {off} in frame_layout")
        for k, v in (("image_bytes", f.layout.image_bytes), ("scratch_bytes", f.layout.scratch_bytes),
                     ("output_bytes", f.layout.output_bytes)):
            if size.get(k) != str(v):
                bad.append(f"frame {f.name}: {k}={size.get(k)} in the bench, {v} in frame_layout")
    return bad


def check_status(lines: list[str]) -> list[str]:
    """The top's STATUS after each frame (the FRAME lines' status=): 0, or the problems (issue 23)."""
    bad = []
    for line in lines:
        if line.startswith("FRAME "):
            kv = dict(x.split("=", 1) for x in line.split()[1:])
            if kv.get("status") != "0":
                bad.append(f"frame {kv.get('frame')}: STATUS {kv.get('status')} after a valid frame")
    return bad


def check_args(exe: Path) -> tuple[bool, list[str]]:
    """Run the bench's --check-args (every bad argument the top refuses: STATUS_BAD_ARG, no byte written);
    (all refused, its ARGS lines)."""
    proc = subprocess.run([str(exe), "--check-args"], capture_output=True, text=True, timeout=600)
    lines = [l for l in proc.stdout.splitlines() if l.startswith("ARGS ")]
    return proc.returncode == 0 and bool(lines), lines


def compare(net: Network, frame: Frame, scratch: bytes, output: bytes) -> tuple[int, int, list[str]]:
    """(values compared, mismatches, MISMATCH lines: the first of each layer) of one frame's buffers. Values are
    compared with ==; a record's unused bits (padding channels, bits past T steps, beat padding) must be 0: each
    byte where they are not counts as a mismatch."""
    lay, values, bad, lines = frame.layout, 0, 0, []
    if len(scratch) != lay.scratch_bytes or len(output) != lay.output_bytes:
        return 0, 1, [f"MISMATCH frame={frame.name}: buffer sizes scratch={len(scratch)} output={len(output)}, "
                      f"frame_layout {lay.scratch_bytes} / {lay.output_bytes}"]
    for l in net.layers:
        if l.spec.has_neuron:
            r = lay.layers[l.name]
            raw = scratch[r.offset:r.offset + lay.size(r)]
            got = fm.unpack_spikes(raw, r, lay)
            exp = frame.expect[f"{l.name}.spikes"]
            repacked = fm.pack_spikes(got, r, lay)
        else:
            raw = output
            got = fm.unpack_output(raw, lay)
            exp = frame.expect[f"{l.name}.A_T"]
            repacked = fm.pack_output(got, lay)
        values += exp.size
        diff = got != exp
        n = int(diff.sum())
        if n:
            bad += n
            idx = tuple(int(i) for i in np.argwhere(diff)[0])
            where = (f"t={idx[0]} channel={idx[1]} y={idx[2]} x={idx[3]}" if len(idx) == 4 else
                     f"A_T channel={idx[0]} y={idx[1]} x={idx[2]}")
            lines.append(f"MISMATCH frame={frame.name} layer={l.name} {where} expected={int(exp[idx])} "
                         f"got={int(got[idx])} ({n} values of this layer differ)")
        pad = np.frombuffer(raw, np.uint8) != np.frombuffer(repacked, np.uint8)
        if pad.any():
            bad += int(pad.sum())
            first = int(np.argmax(pad))
            lines.append(f"MISMATCH frame={frame.name} layer={l.name} padding: {int(pad.sum())} bytes with unused bits "
                         f"set, the first at byte {first} of the region (0x{raw[first]:02x})")
    return values, bad, lines


def simulate(net: Network, vec: dict, params_dir: Path, build_dir: Path, sizes: list[tuple[int, int]],
             data_bits: int, max_width: int, cxx: str, opt: str, echo: bool = True, engines: int = ENGINES,
             lanes: int = LANES, hls_dir: Path = HLS) -> tuple[int, int, list[str], list[Frame]]:
    """Generate, build and run the frame top (`engines` strips, `lanes` lanes) on `sizes`, compare every frame:
    (values, mismatches, MISMATCH lines, frames). RuntimeError / ValueError / OSError: a build or input error. A
    bench that exits nonzero is one mismatch (its output is printed)."""
    generated = generate(net, build_dir, data_bits, max_width, engines, lanes)
    exe = build(params_dir, build_dir, cxx, generated, opt, hls_dir)
    frames = make_frames(net, vec, sizes, data_bits)
    if echo:
        for f in frames:
            print(f"{RESULT} frame {f.name}: compared with {f.reference}", flush=True)
    rc, lines = run_bench(exe, frames, build_dir, echo)
    if rc != 0:
        return 0, 1, [f"MISMATCH the bench exited {rc}"], frames
    problems = [f"MISMATCH {p}" for p in check_regions(frames, lines)]
    problems += [f"MISMATCH {p}" for p in check_status(lines)]
    args_ok, args_lines = check_args(exe)
    if echo:
        print(f"CSIM arguments: {len(args_lines)} bad-argument calls (--check-args): "
              f"{'every one refused with STATUS 8, nothing written' if args_ok else 'NOT ALL REFUSED'}", flush=True)
    if not args_ok:
        problems += [f"MISMATCH bad argument: {l}" for l in args_lines if not l.endswith("status=8 untouched=1")] or \
            ["MISMATCH the --check-args run failed"]
    values, bad = 0, len(problems)
    for f in frames:
        v, n, mis = compare(net, f, f.files["scratch"].read_bytes(), f.files["output"].read_bytes())
        values, bad = values + v, bad + n
        problems += mis
    return values, bad, problems, frames


def probe_runs(args, net: Network, build_dir: Path, cov) -> tuple[int, list[str]]:
    """Every layer with parameters alone, in its probe network (golden/export/probe.py: its inputs fire
    everywhere), through the frame C-sim at the probe's own size; adds each passing run to `cov`. Returns
    (mismatches, MISMATCH lines naming the probe)."""
    from golden.export.probe import probed_layers, write_probe

    bad, lines = 0, []
    for name in probed_layers(net):
        pdir, pm = write_probe(net, name, build_dir / "probes" / name / "export")
        pnet = load_network(pdir, pm)
        pvec = load_vectors(pdir, pm)
        # the same lanes; the same engines where the probe's width allows them (else 1)
        engines = args.engines if pnet.width % width_step(pnet, args.engines) == 0 else 1
        values, n, mis, _ = simulate(pnet, pvec, pdir, build_dir / "probes" / name, [(pnet.height, pnet.width)],
                                     args.data_bits, default_max_width(pnet, engines=engines), args.cxx,
                                     "-" + args.opt, echo=False, engines=engines, lanes=args.lanes)
        print(f"{RESULT} probe {name}: values={values} mismatches={n}", flush=True)
        if n:
            bad += n
            lines += [f"{m} (probe {name})" for m in mis]
            continue
        sources = next(l["sources"] for l in pm["layers"] if l["name"] == name)
        cov.add_layer_inputs(name, [pvec["input"] if s == "input" else pvec[f"{s}.spikes"] for s in sources])
    return bad, lines


def add_arguments(ap) -> None:
    ap.add_argument("--export", required=True, help="export directory (manifest.yaml, snn_params.h, vectors/)")
    ap.add_argument("--size", action="append", default=[], metavar="HxW",
                    help="a frame to run (repeat for several, run back to back in this order); default the export's "
                         "own size. Other sizes run the export's image tiled, against the integer model")
    ap.add_argument("--engines", type=int, default=ENGINES,
                    help=f"ENGINES of the generated top: column strips, one per engine (default {ENGINES}, a power "
                         "of two); every frame width must be a multiple of ENGINES x 2^levels")
    ap.add_argument("--lanes", type=int, default=LANES,
                    help=f"LANES of the generated top: output channels in parallel per engine (default {LANES}, a "
                         "power of two)")
    ap.add_argument("--data-bits", type=int, default=64, choices=fm.DATA_BITS, help="AXI data width DW (default 64)")
    ap.add_argument("--max-width", type=int, help="MAX_WIDTH of the generated top (default: the widest frame, "
                                                  "rounded up to a multiple of 2^levels)")
    ap.add_argument("--build", help="build directory (default build/csim/<export dir name>)")
    ap.add_argument("--cxx", default=os.environ.get("CXX", "g++"), help="C++ compiler (default $CXX or g++)")
    ap.add_argument("--opt", default=OPT[1:], choices=("O0", "Og", "O1", "O2", "O3"),
                    help=f"g++ optimisation level (default {OPT[1:]}; Og / O1 compile faster)")
    ap.add_argument("--no-verify", action="store_true",
                    help="compare with the export's vectors as they are, without re-computing them by the model "
                         "first (which names an edited vector; a few seconds)")
    ap.add_argument("--coverage", action="store_true",
                    help="also run every layer with parameters alone (its probe network: inputs firing everywhere) "
                         "and print the fraction of nonzero weights and biases that took part in a compared "
                         "accumulate")
    ap.add_argument("--generate-only", action="store_true",
                    help="write snn_frame_top.h/.cpp into the build directory and stop (for hls/run_hls.tcl)")


def _error(msg: str) -> int:
    print(f"error: {msg}", file=sys.stderr)
    return 2


def run(args, params_dir: Path | None = None, hls_dir: Path | None = None) -> int:
    """The command; `params_dir`: build against params_dir/snn_params.h instead of the export's (the tests' way of
    running a top whose weights differ from the export's); `hls_dir`: build from these HLS sources instead of
    hls/ (the tests' way of running a mutant of the kernels)."""
    export = Path(args.export).resolve()
    for need in ("manifest.yaml", "snn_params.h", "vectors"):
        if not (export / need).exists():
            return _error(f"{export / need} is missing (run the export first)")
    try:
        m = load_manifest(export)
        net = load_network(export, m)
        vec = load_vectors(export, m)  # every vector file checked before anything is built
        if not args.no_verify:  # re-computed by the model: an edited vector is named as edited, not simulated
            verify_vectors(export, m, net, vec)
    except ManifestError as exc:
        return _error(str(exc))
    try:
        check_parallelism(args.engines, args.lanes)
        sizes = [parse_size(s) for s in args.size] or [(net.height, net.width)]
        step = width_step(net, args.engines)
        for h, w in sizes:
            fm.check_frame_size(net, h, w)
            if w % step:
                raise ValueError(f"frame {h}x{w}: the width must be a multiple of engines x 2^levels = {step} "
                                 f"({args.engines} engines, {fm.max_level(net)} pooling levels)")
        max_width = (args.max_width if args.max_width else
                     default_max_width(net, [w for _, w in sizes], engines=args.engines))
        wide = [f"{h}x{w}" for h, w in sizes if w > max_width]
        if wide:
            raise ValueError(f"frame {wide[0]}: wider than --max-width {max_width}")
    except ValueError as exc:
        return _error(f"{export}: --size / --max-width / --engines / --lanes: {exc}")
    build_dir = Path(args.build).resolve() if args.build else ROOT / "build" / "csim" / export.name
    try:
        if args.generate_only:
            generated = generate(net, build_dir, args.data_bits, max_width, args.engines, args.lanes)
            print(f"{RESULT} generated {', '.join(p.name for p in generated)} in {build_dir} (DW={args.data_bits}, "
                  f"MAX_WIDTH={max_width}, ENGINES={args.engines}, LANES={args.lanes})")
            return 0
        values, bad, lines, frames = simulate(net, vec, Path(params_dir).resolve() if params_dir else export,
                                              build_dir, sizes, args.data_bits, max_width, args.cxx, "-" + args.opt,
                                              engines=args.engines, lanes=args.lanes,
                                              hls_dir=Path(hls_dir).resolve() if hls_dir else HLS)
        if getattr(args, "coverage", False):
            from golden.ir.coverage import Coverage, line

            cov = Coverage(net)
            cov.add_network_run(vec)
            plain = cov.summary()  # the image run alone, before the probes add to it
            n, probe_lines = probe_runs(args, net, build_dir, cov)
            bad, lines = bad + n, lines + probe_lines
    except (FileNotFoundError, RuntimeError, ValueError, OSError) as exc:
        return _error(str(exc))
    for line_ in lines:
        print(line_)
    if getattr(args, "coverage", False):
        print(line(cov.summary(), f"; the image run alone: weights={plain['weights'] / plain['nonzero_weights']:.3f}"),
              flush=True)
    return result_line(net, frames, values, bad, args.data_bits)


def result_line(net: Network, frames: list[Frame], values: int, bad: int, data_bits: int) -> int:
    verdict = "PASS" if bad == 0 else "FAIL"
    print(f"{RESULT} frames={','.join(f.name for f in frames)} data_bits={data_bits}")
    print(f"{RESULT} {verdict} layers={len(net.layers)} timesteps={net.timesteps} values={values} mismatches={bad}",
          flush=True)
    return 0 if bad == 0 else 1
