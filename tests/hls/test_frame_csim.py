"""The external-memory HLS frame top (snn_frame_top, golden/backends/hls/frame_top.py + hls/nnet_frame.h) equals the
integer golden model bit for bit, through `python -m golden csim`: the bench runs the top on an image buffer
(golden/ir/frame_memory.py pack_image), every spiking layer's spike trains are unpacked from the scratch buffer and
A_T from the output buffer, and compared with ==. Each case is one g++ build at -Og (2-3 s for the small ones, about
8 s for the default model)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from golden.backends.hls import csim as frame_csim
from golden.backends.hls.frame_top import FRAME_ARGS, render_frame
from golden.backends.rtl.ctrl_map import arg_offsets
from golden.cli import build_parser
from golden.export.network import export_network, random_network_export
from golden.export.synthetic import synthetic_image
from golden.export.vectors import write_export_vectors
from golden.ir import frame_memory as fm
from golden.export.load import load_network, load_vectors
from golden.model.unet import UNet
from golden.paths import REPO_ROOT

RESULT = re.compile(r"^CSIM (PASS|FAIL) layers=(\d+) timesteps=(\d+) values=(\d+) mismatches=(\d+)$")
FRAMES = re.compile(r"^CSIM frames=(\S+) data_bits=(\d+)$")


class Result:
    """The last two lines of `golden csim`: `CSIM frames=.. data_bits=..`, `CSIM PASS|FAIL layers=.. ...`; group()
    numbers as in the old one-line format (6: data_bits, 7: frames)."""

    def __init__(self, frames: re.Match, last: re.Match):
        self.frames, self.last = frames, last

    def group(self, i: int) -> str:
        if i <= 5:
            return self.last.group(i)
        return self.frames.group(2) if i == 6 else self.frames.group(1)


def csim_frame(export, build, *extra, timeout=600, command="csim"):
    proc = subprocess.run([sys.executable, "-m", "golden", command, "--export", str(export), "--build", str(build),
                           *extra], capture_output=True, text=True, timeout=timeout, cwd=REPO_ROOT)
    lines = proc.stdout.strip().splitlines()
    res = None
    if len(lines) >= 2 and RESULT.match(lines[-1]) and FRAMES.match(lines[-2]):
        res = Result(FRAMES.match(lines[-2]), RESULT.match(lines[-1]))
    return proc, lines, res


def expected_values(net, sizes) -> int:
    """What the comparison counts per frame: every spike word of every spiking layer, and A_T."""
    total = 0
    for h, w in sizes:
        lay = fm.frame_layout(net, h, w)
        total += sum(net.timesteps * r.channels * r.rows * r.cols for r in lay.layers.values())
        total += lay.output.channels * lay.output.rows * lay.output.cols
    return total


def assert_pass(proc, lines, res, net, sizes, data_bits=64):
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0 and res and res.group(1) == "PASS", out[-4000:]
    assert sum(bool(RESULT.match(line)) for line in lines) == 1, out
    assert (int(res.group(2)), int(res.group(3))) == (len(net.layers), net.timesteps), out
    assert int(res.group(4)) == expected_values(net, sizes) and res.group(5) == "0", out
    assert int(res.group(6)) == data_bits and res.group(7) == ",".join(f"{h}x{w}" for h, w in sizes), out
    assert not any(line.startswith("MISMATCH") for line in lines), out


def non_square_export(out_dir, seed=3, height=16, width=32, depth=2, base=2, timesteps=4,
                      thresholds_log2=(1, 0, -1), compare="gt"):
    """A seeded random U-Net (as random_network_export) exported on a non-square synthetic image: its golden
    vectors are the exporter's, at height x width."""
    from golden.model.convert import calibrate, normalise

    torch.manual_seed(seed)
    model = UNet(1, 2, base=base, depth=depth, task="segmentation").double()
    with torch.no_grad():
        for module in model.layers.values():
            module.bias.mul_(0.1)
    image = synthetic_image(seed, max(height, width), 1)[:, :height, :width]
    x = torch.from_numpy(image[None].astype(np.float64) / 255.0)
    lambdas = calibrate(model, x)
    snn = normalise(model, lambdas, "connection_wise")
    return export_network(snn, np.ascontiguousarray(image), out_dir, f"unet_rand_ns{seed}", timesteps,
                          thresholds_log2, compare, lambdas)


DEMO = REPO_ROOT / "configs" / "demo" / "em_slice22_y224_x224_64.png"


def export_case(out: Path, case: dict) -> tuple[Path, dict]:
    """A seeded random U-Net exported on a synthetic image, or (`real`) on a crop of the real EM demo image."""
    from golden.export.network import random_network_export

    real = case.get("real", False)
    case = {k: v for k, v in case.items() if k not in ("id", "real", "opt")}
    if not real:
        return random_network_export(out, **case)
    import torch

    from golden.data import crop, load_u8
    from golden.export.network import export_network
    from golden.model.convert import calibrate, normalise
    from golden.model.unet import UNet

    torch.manual_seed(case["seed"])
    model = UNet(1, 2 if case["task"] == "segmentation" else 1, base=case["base"], depth=case["depth"],
                 task=case["task"]).double()
    with torch.no_grad():
        for module in model.layers.values():
            module.bias.mul_(0.1)
    image = crop(load_u8(DEMO, channels=1), 8, 4, case["size"], path=str(DEMO))
    x = torch.from_numpy(image[None].astype(np.float64) / 255.0)
    lambdas = calibrate(model, x)
    snn = normalise(model, lambdas, "connection_wise")
    return export_network(snn, image, out, f"unet_em_s{case['seed']}", case["timesteps"], case["thresholds_log2"],
                          case["compare"], lambdas)


CASES = [
    dict(id="d1-b2-8px-K1-ge-seg1x1", seed=11, base=2, depth=1, size=8, timesteps=5, thresholds_log2=(0,),
         compare="ge", task="segmentation", opt="Og"),
    dict(id="d2-b3-16px-K4-gt-den3x3", seed=13, base=3, depth=2, size=16, timesteps=4, thresholds_log2=(1, 0, -1, -2),
         compare="gt", task="denoising", opt="Og"),
    dict(id="d1-b4-12px-K3-ge-seg1x1-realEM", seed=13, base=4, depth=1, size=12, timesteps=5,
         thresholds_log2=(2, 0, -1), compare="ge", task="segmentation", real=True, opt="Og"),
]


@pytest.fixture(scope="module")
def ns_export(tmp_path_factory):
    export, _ = non_square_export(tmp_path_factory.mktemp("frame") / "ns")
    return export


def test_random_network_non_square_passes(ns_export, tmp_path):
    """A depth-2 random U-Net (input conv, convs, pools, upconvs, 2-source concats, 1x1 head) exported on a 16x32
    image, K = 3 (spike fields padded to 4 bits), then a second frame of another size (32x16, against the integer
    model) through the same top: both pass; the top's region offsets are frame_layout's (checked by csim)."""
    net = load_network(ns_export)
    assert (net.height, net.width) == (16, 32) and fm.max_level(net) == 2
    assert {"pool", "upconv"} <= {l.kind for l in net.layers} and any(len(l.sources) == 2 for l in net.layers)
    assert load_vectors(ns_export)["enc1a.spikes"].any()
    sizes = [(16, 32), (32, 16)]
    proc, lines, res = csim_frame(ns_export, tmp_path / "build", "--opt", "Og", "--size", "16x32", "--size", "32x16")
    assert_pass(proc, lines, res, net, sizes)
    assert "CSIM frame 16x32: compared with the export's golden vectors" in lines
    assert "CSIM frame 32x16: compared with the integer model on the export's image tiled" in lines
    assert "MAX_WIDTH=32" in proc.stdout


def test_wide_bus_and_small_frame(tmp_path):
    """DW = 256 (several records a beat for the narrow layers, the image in one beat a row) and a frame at the
    smallest size the levels allow, after the export's own: pass."""
    export, _ = random_network_export(tmp_path / "export", seed=4, base=2, depth=1, size=8, timesteps=3,
                                      thresholds_log2=(1, 0), compare="ge", in_channels=3)
    net = load_network(export)
    sizes = [(8, 8), (2, 6)]
    proc, lines, res = csim_frame(export, tmp_path / "build", "--opt", "Og", "--data-bits", "256",
                                  "--size", "8x8", "--size", "2x6")
    assert_pass(proc, lines, res, net, sizes, data_bits=256)


@pytest.mark.parametrize("engines", [1, 4], ids=lambda e: f"E{e}")
def test_default_model_demo_tile(default_export, tmp_path, engines):
    """The committed default Spiking-UNet (27 layers, 4 pooling levels, up to 128 channels: 2048-bit records at
    T = 4) on its 64x64 demo tile, with one engine and with 4 (64 = 4 x 2^4: 16-column strips at level 0, one
    column at level 4)."""
    net = load_network(default_export)
    assert len(net.layers) == 27 and (net.height, net.width) == (64, 64)
    proc, lines, res = csim_frame(default_export, tmp_path / "build", "--opt", "O1", "--engines", str(engines))
    assert_pass(proc, lines, res, net, [(64, 64)])
    assert f"ENGINES={engines} LANES=8 " in proc.stdout


@pytest.mark.parametrize("engines,lanes", [(1, 1), (2, 2), (4, 4)], ids=lambda v: str(v))
def test_engines_and_lanes_bit_exact(ns_export, tmp_path, engines, lanes):
    """The top with ENGINES column strips of LANES lanes (hls/nnet_frame.h: the strips unrolled, each reading its
    columns plus the kernel's halo and writing its own; the output channels in groups of LANES) equals the golden
    model bit for bit: the depth-2 U-Net on 16x32 (its golden vectors) and 32x16 (the integer model), 1, 2 and 4
    engines (strips of 32 / E columns at level 0, 8 / E at level 2), lanes 1 (a group per channel) to 4."""
    net = load_network(ns_export)
    sizes = [(16, 32), (32, 16)]
    proc, lines, res = csim_frame(ns_export, tmp_path / "build", "--opt", "Og", "--engines", str(engines),
                                  "--lanes", str(lanes), "--size", "16x32", "--size", "32x16")
    assert_pass(proc, lines, res, net, sizes)
    assert f"ENGINES={engines} LANES={lanes} " in proc.stdout
    n_args = 9 + (engines > 1)  # + a width of whole 2^levels but not whole strips
    assert f"CSIM arguments: {n_args} bad-argument calls (--check-args): every one refused with STATUS 8" in \
        proc.stdout


@pytest.mark.parametrize("case,engines,lanes", [(CASES[0], 4, 1), (CASES[1], 4, 2), (CASES[2], 2, 4)],
                         ids=lambda v: v["id"] if isinstance(v, dict) else str(v))
def test_sweep_engines_bit_exact(case, engines, lanes, tmp_path):
    """The sweep's random U-Nets with several engines: depth 1 on 8 px with 4 engines (2-column strips, 1 at
    level 1) and one lane, depth 2 on 16 px (K = 4, 3x3 head) with 4 engines, the real EM crop (12 px, K = 3)
    with 2 engines: bit-exact."""
    export, _ = export_case(tmp_path / f"export-{case['id']}", case)
    net = load_network(export)
    assert net.width % (engines << fm.max_level(net)) == 0
    proc, lines, res = csim_frame(export, tmp_path / "build", "--opt", case["opt"], "--engines", str(engines),
                                  "--lanes", str(lanes))
    assert_pass(proc, lines, res, net, [(net.height, net.width)])
    assert f"ENGINES={engines} LANES={lanes} " in proc.stdout


HALO_MUTANT = (("lo = x0 >= LEFT ? x0 - LEFT : 0;", "lo = x0;"),
               ("hi = x0 + cols + RIGHT < width ? x0 + cols + RIGHT : width;", "hi = x0 + cols < width ? x0 + cols : width;"))


def test_strip_halo_mutant_fails(ns_export, tmp_path, capsys):
    """The strip boundaries are checked: a copy of hls/ whose strip_span reads no halo column (each strip only its
    own source columns, so the column across a boundary is never loaded) passes with one engine (no boundary
    inside the frame) and fails with 2: the input layer's first wrong values are at the two columns beside the
    boundary (x = 15, 16 of 32) and nowhere else."""
    net = load_network(ns_export)
    vec = load_vectors(ns_export)
    mutant = tmp_path / "hls"
    shutil.copytree(REPO_ROOT / "hls", mutant)
    text = (mutant / "nnet_frame.h").read_text()
    for old, new in HALO_MUTANT:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    (mutant / "nnet_frame.h").write_text(text)
    for engines in (1, 2):
        build = tmp_path / f"build{engines}"
        args = build_parser("csim").parse_args(["csim", "--export", str(ns_export), "--build", str(build), "--opt",
                                                "Og", "--engines", str(engines)])
        rc = frame_csim.run(args, hls_dir=mutant)
        lines = capsys.readouterr().out.strip().splitlines()
        res = RESULT.match(lines[-1])
        assert str(mutant) in next(line for line in lines if line.startswith("CSIM build: g++"))
        if engines == 1:
            assert rc == 0 and res and res.group(1) == "PASS", lines[-5:]
            continue
        assert rc == 1 and res and res.group(1) == "FAIL" and int(res.group(5)) > 0, lines[-5:]
        first = next(line for line in lines if line.startswith("MISMATCH"))
        assert first.startswith(f"MISMATCH frame=16x32 layer={net.input_layer.name} "), first
        frame = frame_csim.make_frames(net, vec, [(16, 32)], 64)[0]
        r = frame.layout.layers[net.input_layer.name]
        raw = (build / "frame0_16x32.scratch.bin").read_bytes()[r.offset:r.offset + frame.layout.size(r)]
        got = fm.unpack_spikes(raw, r, frame.layout)
        cols = set(np.argwhere(got != frame.expect[f"{net.input_layer.name}.spikes"])[:, 3].tolist())
        assert cols and cols <= {15, 16}, cols


def _negate_largest_weight(header: str, net) -> tuple[str, str]:
    """The header with the input layer's largest positive weight negated in its ROM (still in range)."""
    layer = net.input_layer
    flat = layer.weight.reshape(-1)
    k = int(np.argmax(flat))
    assert flat[k] > 0
    lines = header.splitlines(keepends=True)
    i = next(i for i, line in enumerate(lines) if f" {layer.name}_weight[" in line)
    head, rom = lines[i].split("=", 1)
    nums = list(re.finditer(r"-?\d+", rom))
    assert len(nums) == flat.size and int(nums[k].group()) == flat[k]
    rom = rom[:nums[k].start()] + str(-int(flat[k])) + rom[nums[k].end():]
    lines[i] = head + "=" + rom
    return "".join(lines), layer.name


def test_corrupted_weight_fails(ns_export, tmp_path, capsys):
    """The check can fail: the top built against a copy of snn_params.h with one ROM weight of the input layer
    negated gives CSIM FAIL (exit 1), the first mismatch in that layer."""
    net = load_network(ns_export)
    bad = tmp_path / "params"
    bad.mkdir()
    text, name = _negate_largest_weight((ns_export / "snn_params.h").read_text(), net)
    (bad / "snn_params.h").write_text(text)
    args = build_parser("csim").parse_args(["csim", "--export", str(ns_export), "--build",
                                                  str(tmp_path / "build"), "--opt", "Og"])
    rc = frame_csim.run(args, params_dir=bad)
    lines = capsys.readouterr().out.strip().splitlines()
    res = RESULT.match(lines[-1])
    assert lines[-2] == "CSIM frames=16x32 data_bits=64", lines[-5:]
    assert rc == 1 and res and res.group(1) == "FAIL" and int(res.group(5)) > 0, lines[-5:]
    first = next(line for line in lines if line.startswith("MISMATCH"))
    assert first.startswith(f"MISMATCH frame=16x32 layer={name} t="), first


def test_corrupted_scratch_byte_fails(ns_export, tmp_path):
    """After a passing run, one flipped spike bit in the scratch buffer is a mismatch naming the layer, step,
    channel and pixel; a set padding bit (bit 3 of a 4-bit field at K = 3) is one too."""
    net = load_network(ns_export)
    vec = load_vectors(ns_export)
    build = tmp_path / "build"
    proc, lines, res = csim_frame(ns_export, build, "--opt", "Og")
    assert_pass(proc, lines, res, net, [(16, 32)])
    frame = frame_csim.make_frames(net, vec, [(16, 32)], 64)[0]
    scratch = bytearray((build / "frame0_16x32.scratch.bin").read_bytes())
    output = (build / "frame0_16x32.output.bin").read_bytes()
    assert frame_csim.compare(net, frame, bytes(scratch), output)[1] == 0

    layer = "dec1a"
    r = frame.layout.layers[layer]
    fb = frame.layout.field_bits
    assert (net.K, fb) == (3, 4)
    t, c, y, x = 1, 1, 3, 5
    bit = (y * r.cols + x) * r.record_beats * 64 + (t * r.c_pad + c) * fb  # bit 0 of that spike word
    good = int(vec[f"{layer}.spikes"][t, c, y, x])
    flipped = bytearray(scratch)
    flipped[r.offset + bit // 8] ^= 1 << (bit % 8)
    values, bad, mis = frame_csim.compare(net, frame, bytes(flipped), output)
    assert values == expected_values(net, [(16, 32)]) and bad == 1, mis
    assert mis == [f"MISMATCH frame=16x32 layer={layer} t={t} channel={c} y={y} x={x} expected={good} "
                   f"got={good ^ 1} (1 values of this layer differ)"]

    high = bytearray(scratch)  # the field's unused high bit: a word outside K bits
    high[r.offset + (bit + 3) // 8] ^= 1 << ((bit + 3) % 8)
    values, bad, mis = frame_csim.compare(net, frame, bytes(high), output)
    assert bad == 1 and mis == [f"MISMATCH frame=16x32 layer={layer} t={t} channel={c} y={y} x={x} expected={good} "
                                f"got={good | 8} (1 values of this layer differ)"], mis

    used = net.timesteps * r.c_pad * fb
    assert used < r.record_beats * 64  # the record's last beat has padding
    rec0 = (y * r.cols + x) * r.record_beats * 64
    padded = bytearray(scratch)
    padded[r.offset + (rec0 + used) // 8] ^= 1 << ((rec0 + used) % 8)
    values, bad, mis = frame_csim.compare(net, frame, bytes(padded), output)
    assert bad == 1 and len(mis) == 1 and mis[0].startswith(
        f"MISMATCH frame=16x32 layer={layer} padding: 1 bytes with unused bits set"), mis


def test_frame_size_not_a_multiple_is_refused(ns_export, tmp_path):
    """A frame that is not a positive multiple of 2^levels (4 here), or wider than --max-width, a width that is not
    a multiple of engines x 2^levels, engines or lanes that are not powers of two: one error line, exit 2, nothing
    built; the bench itself refuses a size the top would not run."""
    for size, extra, why in (("16x30", [], "error: frame 16x30: height and width must be positive multiples of 4 "
                                            "(the network has 2 pooling levels)"),
                             ("0x32", [], "error: frame 0x32: height and width must be positive multiples of 4"),
                             ("16x32", ["--max-width", "16"], "error: frame 16x32: wider than --max-width 16"),
                             ("16x32", ["--engines", "16"], "error: frame 16x32: the width must be a multiple of "
                                                            "engines x 2^levels = 64 (16 engines, 2 pooling levels)"),
                             ("16x32", ["--engines", "3"], "error: engines must be a power of two from 1 to 64"),
                             ("16x32", ["--lanes", "6"], "error: lanes must be a power of two")):
        proc, lines, res = csim_frame(ns_export, tmp_path / "b", "--size", size, *extra)
        err = proc.stderr.strip().splitlines()
        # (the one line may name the export and the option first: "error: <export>: --size / --max-width: frame ..")
        assert proc.returncode == 2 and len(err) == 1 and err[0].startswith("error: ") and \
            why[len("error: "):] in err[0], proc.stderr
        assert res is None and not (tmp_path / "b" / "csim").exists()

    build = tmp_path / "build"
    proc, lines, res = csim_frame(ns_export, build, "--opt", "Og")
    assert proc.returncode == 0, proc.stdout
    image = build / "frame0_16x32.image.bin"
    for h, w in (("18", "32"), ("16", "36"), ("16", "0")):  # 36 > MAX_WIDTH 32
        p = subprocess.run([str(build / "csim"), str(image), h, w, str(tmp_path / "s"), str(tmp_path / "o")],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 2 and p.stdout.strip().splitlines()[-1].startswith(f"error: frame {h}x{w}"), p.stdout
    p = subprocess.run([str(build / "csim"), str(image), "8", "32", str(tmp_path / "s"), str(tmp_path / "o")],
                       capture_output=True, text=True, timeout=60)  # a valid size, but the image is 16 rows
    assert p.returncode == 2 and "bytes, the image buffer of this frame has" in p.stdout, p.stdout


def test_generated_interface(ns_export):
    """The generated top has the RTL engine's interface: the prototype's arguments in register-map order (image
    0x10, output 0x1c, scratch 0x28, weights 0x34, height 0x40, width 0x48, as Vitis lays out s_axilite), every
    pointer m_axi on bundle gmem with offset=slave and burst/outstanding settings, ap_ctrl_hs; the region offsets
    computed from height and width; no array sized by the height."""
    net = load_network(ns_export)
    files = render_frame(net, 64, 32)
    h, cpp = files["snn_frame_top.h"], files["snn_frame_top.cpp"]
    assert [a for a, _ in FRAME_ARGS] == ["image", "output", "scratch", "weights", "height", "width", "timeout",
                                          "status"]
    assert arg_offsets(FRAME_ARGS) == [0x10, 0x1c, 0x28, 0x34, 0x40, 0x48, 0x50, 0x58]
    proto = re.search(r"void snn_frame_top\(([^)]*)\);", h).group(1)
    assert [re.split(r"[\s*&]+", p.strip())[-1] for p in proto.split(",")] == [a for a, _ in FRAME_ARGS]
    for port in ("image", "output", "scratch", "weights"):
        assert re.search(rf"#pragma HLS INTERFACE mode=m_axi port={port} offset=slave bundle=gmem depth=\d+ "
                         r"max_read_burst_length=\d+ max_write_burst_length=\d+ num_read_outstanding=\d+ "
                         r"num_write_outstanding=\d+", cpp), port
    for port in ("height", "width", "timeout", "status", "return"):
        assert f"#pragma HLS INTERFACE mode=s_axilite port={port} bundle=control" in cpp
    assert "#pragma HLS INTERFACE mode=ap_ctrl_hs port=return" in cpp
    assert "static const unsigned DW = 64;" in h and "static const unsigned MAX_WIDTH = 32;" in h
    assert len(re.findall(r"offset\[\d+\] = offset\[\d+\] \+ addr_t\(height >> \d\) \* \(width >> \d\)", h)) == \
        len(net.spiking)
    assert len(re.findall(r"nnet::frame::\w+_layer<", cpp)) == len(net.layers)  # one kernel call a layer
    header = (REPO_ROOT / "hls" / "nnet_frame.h").read_text()
    assert not re.search(r"\[[^\]]*height[^\]]*\]", header + cpp), "an array sized by the height"
    for bad in ("new ", "malloc", "std::vector"):
        assert bad not in header and bad not in cpp
    with pytest.raises(ValueError, match="multiple of 4"):
        render_frame(net, 64, 30)
    with pytest.raises(ValueError, match="data_bits"):
        render_frame(net, 32)
    # the parallelism: ENGINES / LANES in the generated config, every kernel's strips unrolled, its lanes
    # partitioned cyclically, the width check of whole strips (the RTL's CHECK)
    assert "static const unsigned ENGINES = 1;" in h and "static const unsigned LANES = 8;" in h
    assert "struct model_config : snn_params::model_config {" in h and "static const unsigned engines = ENGINES;" in h
    assert "width % wstep == 0" in h and "wstep = ENGINES << LEVELS" in h
    h4 = render_frame(net, 64, 32, engines=4, lanes=2)["snn_frame_top.h"]
    assert "static const unsigned ENGINES = 4;" in h4 and "static const unsigned LANES = 2;" in h4
    with pytest.raises(ValueError, match="multiple of 8"):
        render_frame(net, 64, 36, engines=2)
    with pytest.raises(ValueError, match="power of two"):
        render_frame(net, 64, 32, engines=3)
    kernels = re.findall(r"\nvoid (\w+_layer)\(", header)
    assert sorted(kernels) == ["conv_layer", "input_conv_layer", "pool_layer", "upconv_layer"]
    assert len(re.findall(r"for \(unsigned e = 0; e < E; e\+\+\) \{\n\s*#pragma HLS UNROLL\n", header)) == 4
    assert header.count("#pragma HLS ARRAY_PARTITION variable=weights cyclic factor=PF dim=1") == 3
    assert header.count("#pragma HLS ARRAY_PARTITION variable=biases cyclic factor=PF dim=1") == 3
    assert header.count("#pragma HLS ARRAY_PARTITION variable=state cyclic factor=PF dim=3") == 4
    assert header.count("#pragma HLS PIPELINE II=1") >= 8


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_sweep_bit_exact(case, tmp_path, rehash):
    """Random U-Nets through the frame top: depth 1-2, base 2-4, 8-16 px, both compare rules, K = 1, 3, 4, 1x1 and
    3x3 output layers, a synthetic or the real EM demo image; every spike word of every layer at every step and
    A_T compared. The first case also checks that a wrong golden spike fails, naming the layer, step, channel
    and pixel."""
    export, manifest = export_case(tmp_path / f"export-{case['id']}", case)
    net = load_network(export)
    assert {l.kind for l in net.layers} == {"input_conv", "spiking_conv", "pool", "upconv", "output"}
    assert any(len(l.sources) == 2 for l in net.layers)  # a skip concat
    assert net.output_layer.kernel == (1 if case["task"] == "segmentation" else 3)
    vec = load_vectors(export)
    silent = [l.name for l in net.spiking if not vec[f"{l.name}.spikes"].any()]
    assert not silent, f"degenerate case: {silent} never fire"
    build = tmp_path / "build"
    proc, lines, res = csim_frame(export, build, "--opt", case["opt"])
    assert_pass(proc, lines, res, net, [(net.height, net.width)])
    if case is not CASES[0]:
        return
    bad = tmp_path / "corrupt"
    shutil.copytree(export, bad)
    up = next(l.name for l in net.layers if l.kind == "upconv")
    t, c, y, x = 1, 0, 3, 2
    good = int(vec[f"{up}.spikes"][t, c, y, x])
    vec[f"{up}.spikes"][t, c, y, x] = good ^ 1
    write_export_vectors(bad / "vectors", manifest, vec)
    rehash(bad)  # a consistent export with one wrong golden value: the comparison must find it
    # --no-verify: compare with these vectors as they are (by default the edited one is refused before any build)
    proc, lines, res = csim_frame(bad, build, "--opt", case["opt"], "--no-verify")  # same header: reuses the build
    assert "up to date" in proc.stdout
    assert proc.returncode == 1 and res and res.group(1) == "FAIL" and res.group(5) == "1", proc.stdout
    first = next(line for line in lines if line.startswith("MISMATCH"))
    assert first == (f"MISMATCH frame={net.height}x{net.width} layer={up} t={t} channel={c} y={y} x={x} "
                     f"expected={good ^ 1} got={good} (1 values of this layer differ)"), first


def test_generate_only(ns_export, tmp_path):
    """`--generate-only` writes the sources hls/run_hls.tcl synthesises (the frame top, the one HLS top)."""
    out = tmp_path / "gen"
    proc, lines, res = csim_frame(ns_export, out, "--generate-only")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["snn_frame_top.cpp", "snn_frame_top.h"]
    tcl = (REPO_ROOT / "hls" / "run_hls.tcl").read_text()
    assert "set_top snn_frame_top" in tcl and "csim_frame_main.cpp" in tcl and "snn_net_top" not in tcl
    for word in ("csim_design", "csynth_design", "cosim_design", "export_design", "set_part", "create_clock"):
        assert word in tcl


def test_coverage_probes_every_layer(tmp_path):
    """`csim --coverage`: every layer with parameters runs alone in its probe network (golden/export/probe.py)
    through the frame C-sim, each passes, and every nonzero weight and bias took part in a compared accumulate."""
    export, _ = random_network_export(tmp_path / "export", seed=6, base=2, depth=1, size=8, timesteps=2)
    net = load_network(export)
    proc, lines, res = csim_frame(export, tmp_path / "build", "--opt", "Og", "--coverage")
    assert_pass(proc, lines, res, net, [(8, 8)])
    probes = [line for line in lines if line.startswith("CSIM probe ")]
    assert [p.split()[2].rstrip(":") for p in probes] == [l.name for l in net.layers if l.spec.has_params]
    assert all(p.endswith("mismatches=0") for p in probes), probes
    cov = next(line for line in lines if line.startswith("COVERAGE "))
    assert cov.startswith("COVERAGE weights=1.000 biases=1.000 ("), cov
