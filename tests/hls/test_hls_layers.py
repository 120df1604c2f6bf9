"""HLS C++ of the whole Spiking-UNet equals the integer golden model bit for bit (contract §3-§7).

Each C-sim case is one full-network export (seeded random U-Net, depth 1-2, base 2-4, 8-16 px, both compare
rules, K = 1, 3, 4 thresholds, 1x1 and 3x3 output layers, a synthetic or the real EM demo image) and one g++
build of the generated top at -Og (about 8 s of CPU; the default -O2 takes twice as long, and `-Wall -Wextra
-Werror` hold at both); `python -m golden csim` then runs
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

from golden.backends.hls import estimate as he
from golden.backends.hls.header import render_header
from golden.backends.hls.top import render_network, skip_depth
from golden.export.vectors import read_vectors, write_export_vectors
from golden.ir.manifest import load_network, load_vectors
from golden.paths import REPO_ROOT as ROOT

DEMO = ROOT / "configs" / "demo" / "em_slice22_y224_x224_64.png"


def golden_cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "golden", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT)


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


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_network_and_every_layer_bit_exact(case, tmp_path, csim, rehash):
    export, manifest = export_case(tmp_path / f"export-{case['id']}", case)
    net_ir = load_network(export)
    assert [l.name for l in net_ir.layers] == [e["name"] for e in manifest["layers"]]
    assert manifest["compare"] == case["compare"]
    kinds = {e["kind"] for e in manifest["layers"]}
    assert kinds == {"input_conv", "spiking_conv", "pool", "upconv", "output"}
    assert any(len(e["sources"]) == 2 for e in manifest["layers"])  # a skip concat
    head = manifest["layers"][-1]
    assert head["kernel"] == (1 if case["task"] == "segmentation" else 3)

    build = tmp_path / "build"
    res = csim.run(export, build, "--units", "golden,random", "--seed", str(case["seed"]), "--opt", case["opt"])
    out = res.out
    assert res.rc == 0, out
    units = res.units
    assert len(units) == 2, out
    names = [e["name"] for e in manifest["layers"]]
    for u in units:
        assert u.group(1) == "PASS" and int(u.group(2)) == len(names) and int(u.group(5)) == 0, out
    per_layer = res.unit
    assert [m.group(1) for m in per_layer] == names * 2, out
    for m in per_layer:
        assert int(m.group(2)) == csim.unit_values(manifest, m.group(1)) and int(m.group(3)) == 0, m.group(0)
    csim.assert_pass(manifest, res)

    # not a vacuous pass: the golden network fires in most layers and its output depends on the image
    vec = load_vectors(export)
    silent = [n for n in names[:-1] if not vec[f"{n}.spikes"].any()]
    assert not silent, f"degenerate case: {silent} never fire"
    assert np.ptp(vec[f"{head['name']}.accum"][-1]) > 0
    # the random stimulus drives every layer with every threshold firing at t = 0 (§7 worst case)
    stim = read_vectors(build / "units-random")
    for e in manifest["layers"][1:]:
        assert (stim[f"{e['name']}.in0"][0] == (1 << len(case["thresholds_log2"])) - 1).all()

    if case is CASES[0]:
        check_failure_report(export, build, manifest, tmp_path, case["opt"], csim, rehash)


def check_failure_report(export: Path, build: Path, manifest: dict, tmp_path: Path, opt: str, csim, rehash) -> None:
    """The comparison can fail, and names the first wrong value: one membrane of the upconv layer at t = 1."""
    bad = tmp_path / "corrupt"
    shutil.copytree(export, bad)
    up = next(e["name"] for e in manifest["layers"] if e["kind"] == "upconv")
    vec = load_vectors(export)
    t, c, y, x = 1, 0, 3, 2
    good = int(vec[f"{up}.membrane"][t, c, y, x])
    vec[f"{up}.membrane"][t, c, y, x] = good + 1
    write_export_vectors(bad / "vectors", manifest, vec)
    rehash(bad)  # a consistent export with one wrong golden value: the bench must find it
    res = csim.run(bad, build, "--opt", opt)  # same header and flags: reuses the build
    out = res.out
    assert "up to date" in out
    assert res.rc == 1, out
    net = res.net
    assert net and net.group(1) == "FAIL" and int(net.group(5)) >= 1, out
    first = next(line for line in out.splitlines() if line.startswith("MISMATCH"))
    assert first == (f"MISMATCH snn_net_top_probe frame 0 {up}.membrane: layer={up} t={t} channel={c} y={y} x={x} "
                     f"expected={good + 1} got={good}"), out


# ---------------------------------------------------------------------------------------------- no build


@pytest.fixture(scope="module")
def d2_export(tmp_path_factory):
    from golden.export.network import random_network_export

    return random_network_export(tmp_path_factory.mktemp("net") / "unet", seed=5, base=2, depth=2, size=16,
                                 timesteps=3)


def test_generated_top_structure(d2_export):
    export, manifest = d2_export
    net = load_network(export)
    files = render_network(net)
    top, header = files["snn_net_top.cpp"], files["snn_net_top.h"]
    # skip connections: the encoder branch of each concat is a FIFO as deep as the encoder's frame
    for s in (1, 2):
        enc = net.layer(f"enc{s}b")
        depth = enc.height * enc.width
        assert skip_depth(net, f"enc{s}b", f"dec{s}a", 0) == depth and skip_depth(net, f"up{s}", f"dec{s}a", 1) == 2
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
    # every kind's process call comes from its kind (golden/kinds)
    for l in net.layers:
        if not l.spec.reads_image:
            assert f"<{l.name}_config>" in top
    # the generated header gives every layer its own size (pool halves, upconv doubles)
    params = (export / "snn_params.h").read_text()
    assert re.search(r"struct pool1_config \{[^}]*in_height = 16;[^}]*height = 8;", params, re.S)
    assert re.search(r"struct up2_config \{[^}]*in_height = 4;[^}]*height = 8;", params, re.S)
    assert "thresholds[0]" not in params.split("struct head_config")[1]  # the output layer has no neuron
    # the generator is a pure function of the network: a reloaded export renders the same files
    assert render_network(load_network(export)) == files


def test_slice_is_a_network_top(small_export, tmp_path):
    """The former slice (depth 0) gets the same generated top as any network: mid_a, mid_b, head in order, no
    fork, no concat; its header has the per-layer sizes; per-layer units are accepted (they were not for the
    slice's own top)."""
    export, manifest = small_export
    net = load_network(export)
    files = render_network(net)
    top, header = files["snn_net_top.cpp"], files["snn_net_top.h"]
    assert "fork2" not in top and "concat2" not in top
    assert [n for _, n in re.findall(r"nnet::(mtif|accumulate)<(\w+)_config>", top)] == ["mid_a", "mid_b", "head"]
    assert "#define SNN_NET_SPIKING_LAYERS(X) X(mid_a) X(mid_b)" in header
    assert "#define SNN_NET_OUTPUT_LAYER head" in header
    params = (export / "snn_params.h").read_text()
    assert render_header(net) == params  # the exported header is the generator's, from the reloaded network
    for n in ("mid_a", "mid_b", "head"):
        assert re.search(rf"struct {n}_config \{{[^}}]*in_height = 8;[^}}]*height = 8;", params, re.S)
    proc = golden_cli("csim", "--export", str(export), "--build", str(tmp_path / "b"), "--units", "golden,random",
                      "--generate-only")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["snn_net_top.cpp", "snn_net_top.h",
                                                                    "snn_net_units.h"]
    assert "mid_b" in (tmp_path / "b" / "snn_net_units.h").read_text()


def test_estimate_report(d2_export, tmp_path):
    export, manifest = d2_export
    proc = golden_cli("estimate", "--export", str(export), "--clock-mhz", "250", "--out", str(tmp_path), timeout=120)
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
    net = load_network(export)
    procs, streams = he.build_graph(net)
    depths = {s.name: s.depth for s in streams.values()}
    need = next(f["stall_free_depth"] for f in r["fifos"] if f["stream"] == "enc1b_to_dec1a")
    with pytest.raises(he.Deadlock):
        he.schedule(procs, 1, dict(depths, enc1b_to_dec1a=need // 4))
    # II = 2 (a designer's reuse factor) about doubles the step
    r2 = he.estimate(net, 200.0, reuse=2)
    assert 1.8 * r["step_cycles"] <= r2["step_cycles"] <= 2.2 * r["step_cycles"]


def test_estimate_from_a_config_and_its_errors(tmp_path):
    """`estimate --config`: shapes of a training config without an export; bad options exit 2 with one line."""
    proc = golden_cli("estimate", "--config", "configs/unet_em_small.yaml", "--size", "64", "--timesteps", "4",
                      "--out", str(tmp_path), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1].startswith("ESTIMATE unet_em_small: frame ")
    proc = golden_cli("estimate", "--config", "configs/unet_em_small.yaml", "--reuse", "0", "--out", str(tmp_path))
    assert proc.returncode == 2 and proc.stderr.startswith("error:"), proc.stderr
    proc = golden_cli("estimate", "--export", str(tmp_path / "none"), "--out", str(tmp_path))
    assert proc.returncode == 2 and proc.stderr.strip().startswith("error:") and "none" in proc.stderr, proc.stderr


def test_generate_only_writes_the_sources_for_vitis(d2_export, tmp_path):
    export, _ = d2_export
    proc = golden_cli("csim", "--export", str(export), "--build", str(tmp_path), "--generate-only", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snn_net_top.cpp", "snn_net_top.h", "snn_net_units.h"]
    tcl = (ROOT / "hls" / "run_hls.tcl").read_text()
    for word in ("csim_design", "csynth_design", "cosim_design", "export_design", "set_part", "create_clock"):
        assert word in tcl
