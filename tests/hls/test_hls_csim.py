"""HLS C-sim equals the integer golden model bit for bit (contract §3-§5, §8), through `python -m golden csim`:
every layer's spikes and membranes and the output layer's A_t at every step (two frames of the probed top), plus
the deployable top's A_T, compared with == by hls/tb/csim_net_main.cpp.

The walking-skeleton slice is a depth-0 network (input conv mid_a -> spiking conv mid_b -> output head), so the
former slice sweep is a sweep of small random network exports of depth 0 and 1 through the same exporter, HLS
generator and bench as the full model. Each export needs its own build (the generated snn_params.h fixes every
size and width): 8 g++ builds in this file, about 8 s each at -Og for the small ones.
"""
import gzip
import re
import shutil
import subprocess

import pytest

from golden.cli import main
from golden.export.network import random_network_export
from golden.export.vectors import write_export_vectors
from golden.ir.manifest import load_manifest, load_vectors


@pytest.mark.slow
def test_default_full_network_on_real_em_tile(default_export, tmp_path, csim):
    """The committed default Spiking-UNet (27 layers) on the committed 64x64 real EM tile at T = 4."""
    m = load_manifest(default_export)
    assert len(m["layers"]) == 27
    res = csim.run(default_export, tmp_path / "build", "--opt", "O1")
    csim.assert_pass(m, res)


@pytest.mark.slow
def test_default_model_compare_ge_non_square_crop(tmp_path, csim):
    """The committed model exported with `--compare ge` on a non-square 32x48 crop (`--crop Y X H W`): every
    layer has its own non-square size in the generated header and top."""
    out = tmp_path / "em_ge"
    assert main(["export-net", "--out", str(out), "--compare", "ge", "--timesteps", "3",
                 "--crop", "16", "8", "32", "48"]) == 0
    m = load_manifest(out)
    assert m["compare"] == "ge" and (m["input"]["height"], m["input"]["width"]) == (32, 48)
    res = csim.run(out, tmp_path / "build", "--opt", "O1")
    csim.assert_pass(m, res)


# K = 1..4 thresholds, both compare rules, T = 1..10, 1-3 image channels, depth 0 (the slice) and 1 (pool, upconv,
# skip concat), both heads (segmentation 1x1, denoising 3x3), automatic and fixed frac_bits / input_shift.
SWEEP = [
    dict(seed=1, depth=0, base=2, size=8, thresholds_log2=(0,), compare="gt", timesteps=3),
    dict(seed=2, depth=0, base=3, size=12, thresholds_log2=(1, 0), compare="ge", timesteps=5, in_channels=2),
    dict(seed=3, depth=1, base=2, size=10, thresholds_log2=(0, -1, -2), compare="gt", timesteps=10,
         frac_bits=5, input_shift=3),
    dict(seed=4, depth=1, base=2, size=16, thresholds_log2=(1, 0, -1, -2), compare="ge", timesteps=1,
         in_channels=3),
    dict(seed=6, depth=0, base=4, size=6, thresholds_log2=(2, 0, -1, -3), compare="gt", timesteps=4, in_channels=3,
         task="denoising", frac_bits=6, input_shift=2),
]


def _id(c):
    return (f"d{c['depth']}-K{len(c['thresholds_log2'])}-{c['compare']}-T{c['timesteps']}-{c['size']}px"
            f"-c{c.get('in_channels', 1)}-{c.get('task', 'segmentation')[:3]}"
            + (f"-F{c['frac_bits']}G{c['input_shift']}" if "frac_bits" in c else ""))


@pytest.mark.parametrize("case", SWEEP, ids=_id)
def test_small_network_sweep(case, tmp_path, csim):
    export, m = random_network_export(tmp_path / "export", **case)
    assert m["thresholds_log2"] == list(case["thresholds_log2"]) and m["compare"] == case["compare"]
    assert m["input"]["channels"] == case.get("in_channels", 1) and m["timesteps"] == case["timesteps"]
    kinds = [e["kind"] for e in m["layers"]]
    if case["depth"] == 0:
        assert [e["name"] for e in m["layers"]] == ["mid_a", "mid_b", "head"]
    else:
        assert {"pool", "upconv"} <= set(kinds) and any(len(e["sources"]) == 2 for e in m["layers"])
    if "frac_bits" in case:
        assert m["layers"][0]["input_shift"] == case["input_shift"]
        assert all(e["frac_bits"] == case["frac_bits"] for e in m["layers"])
    head = m["layers"][-1]
    assert head["kernel"] == (3 if case.get("task") == "denoising" else 1)
    vec = load_vectors(export)
    assert vec["mid_b.spikes"].any(), "degenerate case: mid_b never fires"
    res = csim.run(export, tmp_path / "build", "--opt", "Og", *(["--coverage"] if case["depth"] == 1 else []))
    csim.assert_pass(m, res)
    if case["depth"] == 1:  # the layer-isolated random runs exercise every nonzero weight and bias
        cov = [l for l in res.lines if l.startswith("COVERAGE ")]
        assert len(cov) == 1 and re.match(r"COVERAGE weights=1\.000 biases=1\.000 \((\d+) of \1 nonzero weights, "
                                          r"(\d+) of \2 nonzero biases; the image run alone: weights=0\.\d{3}\)$",
                                          cov[0]), cov
        assert all(u.group(1) == "PASS" for u in res.units) and len(res.units) == 1


def test_export_without_membranes_passes(tmp_path, csim):
    """`--membranes off` (random_network_export(record_membranes=False)): the bench compares spikes and A_t, says
    that membranes were not compared, and the golden units run compares no membranes either."""
    export, m = random_network_export(tmp_path / "export", seed=7, base=2, depth=1, size=8, timesteps=3,
                                      thresholds_log2=(1, 0, -1), compare="gt", record_membranes=False)
    vec = load_vectors(export)
    assert not any(k.endswith(".membrane") for k in vec) and any(k.endswith(".spikes") for k in vec)
    res = csim.run(export, tmp_path / "build", "--opt", "Og", "--units", "golden")
    csim.assert_pass(m, res, membranes=False)
    assert [u.group(1) for u in res.units] == ["PASS"], res.out
    for u in res.unit:
        assert int(u.group(2)) == csim.unit_values(m, u.group(1), membranes=False) and u.group(3) == "0", u.group(0)


def test_corrupted_vector_fails_and_names_the_value(tmp_path, csim, rehash):
    """The check can fail: one wrong spike word in mid_b.spikes gives CSIM FAIL, exit 1 and a precise report."""
    export, m = random_network_export(tmp_path / "export", seed=5, base=4, depth=0, size=8, timesteps=3,
                                      thresholds_log2=(1, 0), compare="gt")
    build = tmp_path / "build"
    csim.assert_pass(m, csim.run(export, build, "--opt", "Og"))

    bad = tmp_path / "corrupt"
    shutil.copytree(export, bad)
    vec = load_vectors(export)
    t, c, y, x = 1, 2, 3, 5
    good = int(vec["mid_b.spikes"][t, c, y, x])
    vec["mid_b.spikes"][t, c, y, x] = good ^ 1  # still a valid 2-bit spike word
    write_export_vectors(bad / "vectors", m, vec)
    rehash(bad)  # a consistent export with one wrong golden value: the bench must find it

    res = csim.run(bad, build, "--opt", "Og")  # same header and flags: reuses the build
    assert "up to date" in res.out
    assert res.rc == 1 and res.net and res.net.group(1) == "FAIL", res.out
    assert int(res.net.group(5)) >= 1, res.out
    first = next(line for line in res.lines if line.startswith("MISMATCH"))
    assert first.endswith(f": layer=mid_b t={t} channel={c} y={y} x={x} expected={good ^ 1} got={good}"), first

    # the bench's own reader (zlib) refuses a truncated file and one that is not gzip, naming it (the bench run
    # directly: `golden csim` refuses both before it starts the bench)
    f = bad / "vectors" / "head.accum.gz"
    packed = f.read_bytes()
    for content, why in ((packed[:-10], "not a complete gzip stream"),
                         (gzip.decompress(packed), "not a gzip file")):
        f.write_bytes(content)
        proc = subprocess.run([str(build / "csim"), str(bad)], capture_output=True, text=True, timeout=60)
        lines = proc.stdout.strip().splitlines()
        assert proc.returncode == 1 and lines[-1].startswith("CSIM FAIL"), proc.stdout
        assert f"ERROR {f}: {why}" in proc.stdout, proc.stdout
