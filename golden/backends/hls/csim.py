"""HLS C-simulation of an export: build hls/ against its snn_params.h and the generated network top, run it on
the golden vectors, forward the bench's output. Exit code: 0 pass, 1 mismatch, 2 bad input or build error.

    python -m golden csim --export DIR [--build DIR] [--units golden,random] [--seed N] [--opt O2|Og|..]
                          [--generate-only]

The top is generated from the manifest (golden/backends/hls/top.py: snn_net_top.h/.cpp, snn_net_units.h,
written to the build directory), the bench is hls/tb/csim_net_main.cpp, the last line
`CSIM PASS|FAIL layers=L timesteps=T values=N mismatches=M`. `--units` first runs every layer alone (its kind's
HLS processes, its own state) on a stimulus written to <build>/units-<mode>/ (a golden-vectors folder in the
exporter's format, golden/export/vectors.py): `golden` feeds each layer its sources' golden spikes; `random`
feeds seeded random spike words (all thresholds firing everywhere at t = 0, the §7 worst case; then random
densities) and a random image, with the expected values computed here by the integer model. Each prints
`CSIM UNITS PASS|FAIL layers=L timesteps=T values=N mismatches=M` before the network's line. Membranes are
compared when the export recorded them (`export-net --membranes`); the bench says so in a line
`CSIM membranes: compared|not compared (...)` before its last line.

The binary only fits the export whose header it was built with, so each export directory gets its own build
directory (default build/csim/<export dir name>). The sources are compiled as one translation unit
(<build>/csim_all.cpp), so the ap_types headers, most of the compile time, are parsed once. A build is skipped
when the compiler command, the HLS sources, the generated files and the header are unchanged (<build>/csim.stamp).
`--generate-only` writes the generated sources and exits: hls/run_hls.tcl takes that directory.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from golden.paths import REPO_ROOT as ROOT

from golden.contract import intmodel
from golden.export import vectors as vectors_io
from golden.export.writer import manifest_for
from golden.backends.hls.top import render_network
from golden.ir.network import Network
from golden.ir.manifest import ManifestError, load_manifest, load_network, load_vectors
from golden.contract.quant import spike_magnitude

HLS = ROOT / "hls"
NET_SOURCES = ["snn_net_top.cpp", "tb/csim_net_main.cpp"]  # snn_net_top.cpp is generated into the build dir
# -Wno-unknown-pragmas: g++ does not know `#pragma HLS` (the Vitis directives) and -Wall would reject every one.
# Everything else is -Wall -Wextra -Werror on our code; the vendor ap_types headers are -isystem.
FLAGS = ["-std=c++17", "-Wall", "-Wextra", "-Werror", "-Wno-unknown-pragmas"]
LIBS = ["-lz"]  # zlib: the bench reads the gzip golden vectors (hls/tb/golden_vectors.h)
OPT = "-O2"  # default; --opt Og builds in about half the time (the tests use it), the warnings stay on
UNIT_MODES = ("golden", "random")


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


def generate(net: Network, build_dir: Path) -> list[Path]:
    """Write the generated network sources into build_dir; returns their paths."""
    build_dir.mkdir(parents=True, exist_ok=True)
    out = []
    for name, text in render_network(net).items():
        write_if_changed(build_dir / name, text)
        out.append(build_dir / name)
    return out


def build(export: Path, build_dir: Path, cxx: str, generated: list[Path], opt: str = OPT) -> Path:
    ap = ap_types_dir()
    exe = build_dir / "csim"
    unity = build_dir / "csim_all.cpp"
    sources = NET_SOURCES
    cmd = [cxx, *FLAGS[:1], opt, *FLAGS[1:], "-isystem", str(ap), "-I", str(export), "-I", str(build_dir), "-I", str(HLS), str(unity), *LIBS, "-o"]
    digest = hashlib.sha256()
    # the export path itself is not hashed: a copy of the same export reuses the build
    digest.update(" ".join([cxx, opt, *FLAGS, *LIBS, str(ap), *sources]).encode() + b"\0" + Path(__file__).read_bytes())
    for f in sorted(HLS.rglob("*")):
        if f.suffix in (".h", ".hpp", ".cpp") and f.is_file():
            digest.update(str(f.relative_to(HLS)).encode() + b"\0" + f.read_bytes())
    for f in generated:
        digest.update(f.name.encode() + b"\0" + f.read_bytes())
    digest.update(b"snn_params.h\0" + (export / "snn_params.h").read_bytes())
    stamp = build_dir / "csim.stamp"
    if exe.is_file() and stamp.is_file() and stamp.read_text().strip() == digest.hexdigest():
        print(f"CSIM build {exe}: up to date", flush=True)
        return exe
    build_dir.mkdir(parents=True, exist_ok=True)
    unity.write_text("// Generated by golden/backends/hls/csim.py: the C-sim sources as one translation unit.\n"
                     + "".join(f'#include "{src}"\n' for src in sources))
    tmp = build_dir / f"csim.tmp{os.getpid()}"
    print("CSIM build: " + " ".join([*cmd, str(exe)]), flush=True)
    proc = subprocess.run([*cmd, str(tmp)], cwd=ROOT)
    if proc.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"compilation failed (exit {proc.returncode})")
    os.replace(tmp, exe)
    stamp.write_text(digest.hexdigest() + "\n")
    return exe


# ------------------------------------------------------------------------------------------- unit stimuli


def random_words(rng: np.random.Generator, shape, k: int) -> np.ndarray:
    """[T][C][H][W] spike words: t = 0 every threshold fires everywhere (the §7 worst case), t = 1 none, then
    random words at a density drawn per step."""
    t_steps = shape[0]
    out = np.zeros(shape, dtype=np.int64)
    for t in range(t_steps):
        if t == 0:
            out[t] = (1 << k) - 1
        elif t > 1:
            density = rng.choice([0.05, 0.3, 0.7, 1.0])
            out[t] = rng.integers(0, 1 << k, size=shape[1:]) * (rng.random(shape[1:]) < density)
    return out


def write_unit_stimulus(vec: dict[str, np.ndarray], net: Network, mode: str, out_dir: Path,
                        seed: int) -> dict[str, np.ndarray]:
    """A vectors folder (golden/export/vectors.py: index.json and one gzip file per key) with, per layer,
    <layer>.in<k> (its sources' spike words, or the image) and the expected outputs (<layer>.spikes and
    .membrane, or .accum); returns the arrays by key. `vec`: the export's golden vectors (mode golden; without
    membranes when the export has none, and then the units compare none)."""
    t_steps, exps, compare, k = net.timesteps, list(net.thresholds_log2), net.compare, net.K
    m = manifest_for(net)
    files: dict[str, np.ndarray] = {}
    specs: dict[str, dict] = {}
    for e in net.layers:
        for i, s in enumerate(e.sources):
            specs[f"{e.name}.in{i}"] = vectors_io.spec_of(m, "input" if s == "input" else f"{s}.spikes")
        for key in (("spikes", "membrane") if e.spec.has_neuron else ("accum",)):
            specs[f"{e.name}.{key}"] = vectors_io.spec_of(m, f"{e.name}.{key}")
    if mode == "golden":
        for e in net.layers:
            n = e.name
            for i, s in enumerate(e.sources):
                files[f"{n}.in{i}"] = vec["input"] if s == "input" else vec[f"{s}.spikes"]
            keys = ("spikes", "membrane") if e.spec.has_neuron else ("accum",)
            for key in keys:
                if f"{n}.{key}" in vec:
                    files[f"{n}.{key}"] = vec[f"{n}.{key}"]
    else:
        rng = np.random.default_rng(seed)
        shapes = {e.name: (e.out_channels, e.height, e.width) for e in net.layers}
        h, w = net.height, net.width
        for layer in net.layers:
            n = layer.name
            if layer.spec.reads_image:
                image = rng.integers(0, 256, size=(net.in_channels, h, w))
                image[:, : h // 2, : w // 2] = 255  # a saturated corner
                image[:, h // 2 :, w // 2 :] = 0
                files[f"{n}.in0"] = image.astype(np.uint8)
                current = intmodel.static_current(layer, image)
                currents = [current] * t_steps
            else:
                srcs = [random_words(rng, (t_steps,) + shapes[s], k) for s in layer.sources]
                for i, words in enumerate(srcs):
                    files[f"{n}.in{i}"] = words
                currents = [intmodel.layer_current(layer, np.concatenate([spike_magnitude(w[t], exps) for w in srcs]))
                            for t in range(t_steps)]
            if not layer.spec.has_neuron:
                files[f"{n}.accum"] = np.cumsum(np.stack(currents), axis=0)
                intmodel._check(files[f"{n}.accum"], layer, "membrane_bits")
                continue
            v = np.zeros_like(currents[0])
            spikes, membranes = [], []
            for t in range(t_steps):
                intmodel._check(v + currents[t], layer, "membrane_bits")
                v, words = intmodel.neuron_step(v, currents[t], layer.thresholds_int, compare)
                spikes.append(words)
                membranes.append(v)
            files[f"{n}.spikes"] = np.stack(spikes)
            files[f"{n}.membrane"] = np.stack(membranes)
    if out_dir.exists():
        shutil.rmtree(out_dir)  # no file of an earlier stimulus stays behind
    vectors_io.write_vectors(out_dir, files, {key: spec for key, spec in specs.items() if key in files})
    return files


def add_arguments(ap) -> None:
    ap.add_argument("--export", required=True, help="export directory (manifest.yaml, snn_params.h, vectors/)")
    ap.add_argument("--build", help="build directory (default build/csim/<export dir name>)")
    ap.add_argument("--cxx", default=os.environ.get("CXX", "g++"), help="C++ compiler (default $CXX or g++)")
    ap.add_argument("--opt", default=OPT[1:], choices=("O0", "Og", "O1", "O2", "O3"),
                    help=f"g++ optimisation level (default {OPT[1:]}; Og compiles about twice as fast)")
    ap.add_argument("--units", default="", help="also run every layer alone, comma-separated stimulus modes "
                    f"from {UNIT_MODES}")
    ap.add_argument("--seed", type=int, default=0, help="seed of the random unit stimulus")
    ap.add_argument("--generate-only", action="store_true",
                    help="write the generated sources into the build directory and stop")
    ap.add_argument("--coverage", action="store_true",
                    help="also run every layer alone on random spikes (--units random) and print the fraction of "
                         "nonzero weights and biases that took part in a compared accumulate")


def run(args) -> int:
    export = Path(args.export).resolve()
    for need in ("manifest.yaml", "snn_params.h", "vectors"):
        if not (export / need).exists():
            print(f"error: {export / need} is missing (run the export first)", file=sys.stderr)
            return 2
    try:
        m = load_manifest(export)
        net = load_network(export, m)
        vec = load_vectors(export, m)  # every vector file checked before anything is built
    except ManifestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    units = [u for u in args.units.split(",") if u]
    if args.coverage and "random" not in units:
        units.append("random")
    bad = [u for u in units if u not in UNIT_MODES]
    if bad:
        print(f"error: --units {args.units!r}: modes are {UNIT_MODES}", file=sys.stderr)
        return 2
    build_dir = Path(args.build).resolve() if args.build else ROOT / "build" / "csim" / export.name
    try:
        generated = generate(net, build_dir)
        if args.generate_only:
            print(f"CSIM generated {', '.join(p.name for p in generated)} in {build_dir}")
            return 0
        exe = build(export, build_dir, args.cxx, generated, "-" + args.opt)
    except (FileNotFoundError, RuntimeError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from golden.analysis.coverage import Coverage, line

    rc = 0
    cov = Coverage(net)
    cov.add_network_run(vec)
    plain = cov.summary()  # the image run alone, before the layer-isolated runs add to it
    for mode in units:
        stim = build_dir / f"units-{mode}"
        files = write_unit_stimulus(vec, net, mode, stim, args.seed)
        print(f"CSIM units ({mode} stimulus, {stim})", flush=True)
        rc = max(rc, subprocess.run([str(exe), "--units", str(stim)]).returncode)
        for l in net.layers:
            cov.add_layer_inputs(l.name, [files[f"{l.name}.in{i}"] for i in range(len(l.sources))])
    if args.coverage:
        print(line(cov.summary(), f"; the image run alone: weights={plain['weights'] / plain['nonzero_weights']:.3f}"),
              flush=True)
    return max(rc, subprocess.run([str(exe), str(export)]).returncode)
