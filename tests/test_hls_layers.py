"""HLS C++ of the whole Spiking-UNet equals the integer golden model bit for bit (contract §3-§7).

Each C-sim case is one full-network export (seeded random U-Net, depth 1-2, base 2-4, 8-16 px, both compare
rules, K = 1, 3, 4 thresholds, 1x1 and 3x3 output layers, a synthetic or the real EM demo image) and one g++
build of the generated top at -Og (about 8 s of CPU; the default -O2 takes twice as long, and `-Wall -Wextra
-Werror` hold at both); scripts/run_csim.py then runs
- every layer alone on its sources' golden spikes (`--units golden`: real network activity) and on seeded random
  spike words with every threshold firing everywhere at t = 0 (`--units random`: the §7 worst case, any input),
  one `UNIT <layer>` line each: per layer kind input_conv, spiking_conv (incl. the concat of a skip), pool,
  upconv, output;
- the whole network, every layer's spikes and membranes and the output layer's A_t at every step, two frames,
  plus the deployable top's A_T.
The generator, the estimate and the failure report are checked without building.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from golden.export import vectors_text
from golden.hls_header import NetworkError, is_network, layer_geometry, render_header, render_network

ROOT = Path(__file__).resolve().parent.parent
RUN_CSIM = ROOT / "scripts" / "run_csim.py"
ESTIMATE = ROOT / "scripts" / "hls_estimate.py"
DEMO = ROOT / "configs" / "demo" / "em_slice22_y240_x240_32.png"
NET = re.compile(r"^CSIM (PASS|FAIL) layers=(\d+) timesteps=(\d+) values=(\d+) mismatches=(\d+)$")
UNITS = re.compile(r"^CSIM UNITS (PASS|FAIL) layers=(\d+) timesteps=(\d+) values=(\d+) mismatches=(\d+)$")
UNIT = re.compile(r"^UNIT (\w+) values=(\d+) mismatches=(\d+)$")

sys.path.insert(0, str(ROOT / "scripts"))


def export_case(out: Path, case: dict) -> tuple[Path, dict]:
    """A seeded random U-Net exported on a synthetic image, or (`real`) on a crop of the real EM demo image."""
    from golden.netexport import random_network_export

    real = case.get("real", False)
    case = {k: v for k, v in case.items() if k not in ("id", "real", "opt")}
    if not real:
        return random_network_export(out, **case)
    import torch

    from golden.convert import calibrate, normalise
    from golden.data import crop, load_u8
    from golden.netexport import export_network
    from golden.unet import UNet

    torch.manual_seed(case["seed"])
    model = UNet(1, 2 if case["task"] == "segmentation" else 1, base=case["base"], depth=case["depth"],
                 task=case["task"]).double()
    with torch.no_grad():
        for module in model.layers.values():
            module.bias.mul_(0.1)
    image = crop(load_u8(DEMO, channels=1), 8, 4, case["size"], str(DEMO))
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


def run_csim(export: Path, build: Path, *extra: str) -> tuple[int, str]:
    proc = subprocess.run([sys.executable, str(RUN_CSIM), "--export", str(export), "--build", str(build), *extra],
                          capture_output=True, text=True, timeout=900)
    return proc.returncode, proc.stdout + proc.stderr


def expected_network_values(manifest: dict) -> int:
    """Two probed frames (spikes + membranes of every spiking layer, A_t of the output layer, every step; A_T on
    accum_out) and one deployable frame (A_T)."""
    t = manifest["timesteps"]
    per_frame = 0
    for e in manifest["layers"]:
        n = e["out_channels"] * e["height"] * e["width"]
        per_frame += t * n if e["kind"] == "output" else 2 * t * n
    head = manifest["layers"][-1]
    out = head["out_channels"] * head["height"] * head["width"]
    return 2 * (per_frame + out) + out


def expected_unit_values(manifest: dict, name: str) -> int:
    e = next(l for l in manifest["layers"] if l["name"] == name)
    n = manifest["timesteps"] * e["out_channels"] * e["height"] * e["width"]
    return n if e["kind"] == "output" else 3 * n  # spikes out + probe spikes + membranes


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_network_and_every_layer_bit_exact(case, tmp_path):
    export, manifest = export_case(tmp_path / f"export-{case['id']}", case)
    assert is_network(manifest) and manifest["compare"] == case["compare"]
    kinds = {e["kind"] for e in manifest["layers"]}
    assert kinds == {"input_conv", "spiking_conv", "pool", "upconv", "output"}
    assert any(len(e["sources"]) == 2 for e in manifest["layers"])  # a skip concat
    head = manifest["layers"][-1]
    assert head["kernel"] == (1 if case["task"] == "segmentation" else 3)

    build = tmp_path / "build"
    rc, out = run_csim(export, build, "--units", "golden,random", "--seed", str(case["seed"]), "--opt", case["opt"])
    lines = out.strip().splitlines()
    assert rc == 0, out
    units = [UNITS.match(line) for line in lines if UNITS.match(line)]
    assert len(units) == 2, out
    names = [e["name"] for e in manifest["layers"]]
    for u in units:
        assert u.group(1) == "PASS" and int(u.group(2)) == len(names) and int(u.group(5)) == 0, out
    per_layer = [UNIT.match(line) for line in lines if UNIT.match(line)]
    assert [m.group(1) for m in per_layer] == names * 2, out
    for m in per_layer:
        assert int(m.group(2)) == expected_unit_values(manifest, m.group(1)) and int(m.group(3)) == 0, m.group(0)
    net = NET.match(lines[-1])
    assert net, out
    assert net.group(1) == "PASS" and int(net.group(5)) == 0, out
    assert int(net.group(2)) == len(names) and int(net.group(3)) == manifest["timesteps"]
    assert int(net.group(4)) == expected_network_values(manifest), out

    # not a vacuous pass: the golden network fires in most layers and its output depends on the image
    vec = np.load(export / "vectors.npz")
    silent = [n for n in names[:-1] if not vec[f"{n}.spikes"].any()]
    assert not silent, f"degenerate case: {silent} never fire"
    assert np.ptp(vec[f"{head['name']}.accum"][-1]) > 0
    # the random stimulus drives every layer with every threshold firing at t = 0 (§7 worst case)
    stim = build / "units-random"
    for e in manifest["layers"][1:]:
        first = np.array((stim / f"{e['name']}.in0.txt").read_text().split("\n", 1)[1].split(), dtype=np.int64)
        c, h, w = (manifest["layers"][names.index(e["sources"][0])][k] for k in ("out_channels", "height", "width"))
        assert (first[: c * h * w] == (1 << len(case["thresholds_log2"])) - 1).all()

    if case is CASES[0]:
        check_failure_report(export, build, manifest, tmp_path, case["opt"])


def check_failure_report(export: Path, build: Path, manifest: dict, tmp_path: Path, opt: str) -> None:
    """The comparison can fail, and names the first wrong value: one membrane of the upconv layer at t = 1."""
    bad = tmp_path / "corrupt"
    shutil.copytree(export, bad)
    up = next(e["name"] for e in manifest["layers"] if e["kind"] == "upconv")
    membrane = np.load(export / "vectors.npz")[f"{up}.membrane"].astype(np.int64)
    t, c, y, x = 1, 0, 3, 2
    good = int(membrane[t, c, y, x])
    membrane[t, c, y, x] = good + 1
    (bad / "vectors" / f"{up}.membrane.txt").write_text(vectors_text(membrane))
    rc, out = run_csim(bad, build, "--opt", opt)  # same header and flags: reuses the build
    assert "up to date" in out
    assert rc == 1, out
    net = NET.match(out.strip().splitlines()[-1])
    assert net and net.group(1) == "FAIL" and int(net.group(5)) >= 1, out
    first = next(line for line in out.splitlines() if line.startswith("MISMATCH"))
    assert first == (f"MISMATCH snn_net_top_probe frame 0 {up}.membrane: layer={up} t={t} channel={c} y={y} x={x} "
                     f"expected={good + 1} got={good}"), out


# ---------------------------------------------------------------------------------------------- no build


@pytest.fixture(scope="module")
def small_export(tmp_path_factory):
    from golden.netexport import random_network_export

    return random_network_export(tmp_path_factory.mktemp("net") / "unet", seed=5, base=2, depth=2, size=16,
                                 timesteps=3)


def test_generated_top_structure(small_export):
    export, manifest = small_export
    files = render_network(manifest)
    top, header = files["snn_net_top.cpp"], files["snn_net_top.h"]
    geo = layer_geometry(manifest)
    # skip connections: the encoder branch of each concat is a FIFO as deep as the encoder's frame
    for s in (1, 2):
        depth = geo[f"enc{s}b"]["height"] * geo[f"enc{s}b"]["width"]
        assert f"#pragma HLS STREAM variable=enc{s}b_to_dec{s}a depth={depth}" in top
        assert f"nnet::fork2<enc{s}b_spike_beat_t, enc{s}b_config::height * enc{s}b_config::width>" \
               f"(enc{s}b_spikes, enc{s}b_to_pool{s}, enc{s}b_to_dec{s}a);" in top
        # concat order: the encoder feature first (contract §3)
        assert f"nnet::concat2<enc{s}b_spike_beat_t, up{s}_spike_beat_t, dec{s}a_cat1_beat_t" in top
    # every layer has exactly one neuron / accumulator process, in network order
    calls = re.findall(r"nnet::(mtif|accumulate)<(\w+)_config>", top)
    assert [n for _, n in calls] == [e["name"] for e in manifest["layers"]]
    assert calls[-1][0] == "accumulate"
    assert top.count("#pragma HLS DATAFLOW") == 2 and "new " not in top and "malloc" not in top
    assert "#define SNN_NET_SPIKING_LAYERS(X) X(enc1a)" in header
    # the generated header gives every layer its own size (pool halves, upconv doubles)
    params = (export / "snn_params.h").read_text()
    assert re.search(r"struct pool1_config \{[^}]*in_height = 16;[^}]*height = 8;", params, re.S)
    assert re.search(r"struct up2_config \{[^}]*in_height = 4;[^}]*height = 8;", params, re.S)
    assert "thresholds[0]" not in params  # the output layer has no neuron


def test_generator_rejects_bad_networks(small_export):
    _, manifest = small_export
    no_head = dict(manifest, layers=manifest["layers"][:-1])
    with pytest.raises(NetworkError, match="output"):
        render_network(no_head)
    forward = yaml.safe_load(yaml.safe_dump(manifest))
    forward["layers"][1]["sources"] = ["dec1b"]
    with pytest.raises(NetworkError, match="not earlier layers"):
        render_network(forward)
    wrong = yaml.safe_load(yaml.safe_dump(manifest))
    next(e for e in wrong["layers"] if e["name"] == "dec1a")["in_channels"] += 1
    with pytest.raises(NetworkError, match="in_channels"):
        render_network(wrong)


def test_slice_header_and_routing(tmp_path):
    """The slice (no output layer) keeps its own top; its header gets the per-layer sizes, also from a manifest
    in the format before sources/height/width (derived: 3x3 convs keep the size)."""
    from golden.manifest import load_layers
    from golden.synth import random_export

    export, manifest = random_export(tmp_path / "s", seed=1, size=8, channels=(2, 3), timesteps=2)
    assert not is_network(manifest)
    params = (export / "snn_params.h").read_text()
    for n in ("conv1", "conv2"):
        assert re.search(rf"struct {n}_config \{{[^}}]*in_height = 8;[^}}]*height = 8;", params, re.S)
    old = yaml.safe_load(yaml.safe_dump(manifest))
    for e in old["layers"]:
        e["source"] = e.pop("sources")[0]
        del e["height"], e["width"]
    assert render_header(old, load_layers(export)) == params
    rc = subprocess.run([sys.executable, str(RUN_CSIM), "--export", str(export), "--units", "golden"],
                        capture_output=True, text=True).returncode
    assert rc == 2  # per-layer units need a full network


def test_estimate_report(small_export, tmp_path):
    import hls_estimate as he

    export, manifest = small_export
    proc = subprocess.run([sys.executable, str(ESTIMATE), "--export", str(export), "--clock-mhz", "250",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1].startswith(f"ESTIMATE {manifest['model']}: frame ")
    r = json.loads((tmp_path / f"{manifest['model']}.json").read_text())
    assert (tmp_path / f"{manifest['model']}.md").read_text().startswith("# HLS latency")
    t = manifest["timesteps"]
    assert r["frame_cycles"] == r["encode_cycles"] + t * r["step_cycles"] + r["emit_cycles"]
    assert r["frame_latency_us"] == pytest.approx(r["frame_cycles"] / 250.0)
    # a step can be no shorter than one 3x3 conv pass over the full-size frame
    assert r["step_cycles"] >= 17 * 17 and r["step_cycles"] >= r["step_cycles_stall_free"]
    assert [l["layer"] for l in r["layers"]] == [e["name"] for e in manifest["layers"]]
    for f in r["fifos"]:
        assert f["peak_occupancy"] <= f["generated_depth"], f
        if "_to_dec" in f["stream"]:  # the skip buffers suffice without stalls
            assert f["stall_free_depth"] <= f["generated_depth"]
    # a skip buffer that is too small deadlocks the step, and the model says so
    procs, streams = he.build_graph(manifest)
    depths = {s.name: s.depth for s in streams.values()}
    need = next(f["stall_free_depth"] for f in r["fifos"] if f["stream"] == "enc1b_to_dec1a")
    with pytest.raises(he.Deadlock):
        he.schedule(procs, 1, dict(depths, enc1b_to_dec1a=need // 4))
    # II = 2 (a designer's reuse factor) about doubles the step
    r2 = he.estimate(manifest, 200.0, reuse=2)
    assert 1.8 * r["step_cycles"] <= r2["step_cycles"] <= 2.2 * r["step_cycles"]


def test_generate_only_writes_the_sources_for_vitis(small_export, tmp_path):
    export, _ = small_export
    proc = subprocess.run([sys.executable, str(RUN_CSIM), "--export", str(export), "--build", str(tmp_path),
                           "--generate-only"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snn_net_top.cpp", "snn_net_top.h", "snn_net_units.h"]
    tcl = (ROOT / "hls" / "run_hls.tcl").read_text()
    for word in ("csim_design", "csynth_design", "cosim_design", "export_design", "set_part", "create_clock"):
        assert word in tcl
