"""Integer golden model: exact convolution, export round trip, width proof (contract §3, §7, §8)."""
import dataclasses

import numpy as np
import pytest
import torch

from golden import kinds
from golden.contract import intmodel
from golden.contract.intmodel import ContractViolation, conv_int
from golden.export.network import random_network_export
from golden.export.quantise import FloatLayer, quantise
from golden.export.load import load_layers, load_manifest, load_vectors
from golden.ir.network import Layer


def test_conv_int_3x3_equals_torch_float64():
    rng = np.random.default_rng(0)
    x = rng.integers(-50, 50, (3, 9, 7))
    w = rng.integers(-200, 200, (5, 3, 3, 3))
    ref = torch.nn.functional.conv2d(torch.from_numpy(x[None]).double(),
                                     torch.from_numpy(np.transpose(w, (0, 3, 1, 2))).double(), padding=1)
    assert np.array_equal(conv_int(x, w), ref[0].numpy().astype(np.int64))


def test_export_round_trip_reproduces_vectors(default_export):
    m = load_manifest(default_export)
    layers = load_layers(default_export, m)
    vec = load_vectors(default_export)
    again = intmodel.run(layers, vec["input"], m["timesteps"], m["thresholds_log2"], m["compare"])
    assert set(again) == set(vec)
    for key in vec:
        assert np.array_equal(again[key], vec[key]), key


def test_vectors_have_documented_shapes(default_export):
    """Every spiking layer: spikes and membranes [T][C][H][W] at its own size; the input layer its current; the
    output layer its accumulations; nothing else."""
    m = load_manifest(default_export)
    vec = load_vectors(default_export)
    t, k = m["timesteps"], len(m["thresholds_log2"])
    expected = {"input"}
    for layer in m["layers"]:
        n, shape = layer["name"], (t, layer["out_channels"], layer["height"], layer["width"])
        if layer["kind"] == "output":
            assert vec[f"{n}.accum"].shape == shape
            expected.add(f"{n}.accum")
            continue
        assert vec[f"{n}.spikes"].shape == shape and vec[f"{n}.membrane"].shape == shape
        assert vec[f"{n}.spikes"].max() < (1 << k)
        expected |= {f"{n}.spikes", f"{n}.membrane"}
        if layer["kind"] == "input_conv":
            assert vec[f"{n}.current"].shape == shape[1:]
            expected.add(f"{n}.current")
    assert set(vec) == expected
    assert vec["input"].shape == (m["input"]["channels"], m["input"]["height"], m["input"]["width"])
    # a silent network tests nothing: the first two layers fire, and all but a few layers (at T = 4 the
    # deepest upconv of the committed model may stay silent)
    spiking = [l["name"] for l in m["layers"][:-1]]
    silent = [n for n in spiking if not vec[f"{n}.spikes"].any()]
    assert vec["enc1a.spikes"].any() and vec["enc1b.spikes"].any()
    assert len(silent) <= 2, f"too many silent layers: {silent}"
    assert np.ptp(vec[f"{m['layers'][-1]['name']}.accum"][-1]) > 0


def test_width_check_catches_a_too_narrow_membrane(default_export):
    m = load_manifest(default_export)
    layers = load_layers(default_export, m)
    narrow = [dataclasses.replace(layers[0], widths={**layers[0].widths, "membrane_bits": 4})] + layers[1:]
    vec = load_vectors(default_export)
    with pytest.raises(ContractViolation, match=f"layer {layers[0].name}.*membrane_bits"):
        intmodel.run(narrow, vec["input"], m["timesteps"], m["thresholds_log2"], m["compare"])


def _extreme_layers(exps, sign_w, b1, w2, b2, w3, b3, timesteps=12):
    """input_conv (4 ch) -> spiking_conv (5 ch) -> output (1x1, 2 ch), fixed formats, quantised by the exporter."""
    return quantise([FloatLayer("conv1", "input_conv", ("input",), sign_w, b1, 8, 6),
                     FloatLayer("conv2", "spiking_conv", ("conv1",), w2, b2, 7),
                     FloatLayer("head", "output", ("conv2",), w3, b3, 7)], list(exps), timesteps, 1)


@pytest.mark.parametrize("exps", [(1, 0, -1, -2), (0,), (2, 0, -3)])
def test_widths_hold_at_the_extremes(exps):
    """Worst case of §7: largest weights, white image, every spike of every threshold: nothing overflows."""
    rng = np.random.default_rng(1)
    sign = rng.choice([-1.0, 1.0], size=(4, 1, 3, 3))
    for s in (1.0, -1.0):  # all-positive and all-negative parameters
        w1 = sign * 3.0 if s > 0 else -np.abs(sign) * 3.0
        layers = _extreme_layers(exps, w1, np.full(4, 2.5 * s), np.full((5, 4, 3, 3), 1.7 * s), np.full(5, 1.2 * s),
                                 np.full((2, 5, 1, 1), 0.9 * s), np.full(2, 0.5 * s))
        assert [l.input_shift for l in layers[:1]] == [6] and [l.frac_bits for l in layers] == [8, 7, 7]
        for image in (np.full((1, 10, 10), 255, np.uint8), np.zeros((1, 10, 10), np.uint8)):
            vec = intmodel.run(layers, image, 12, list(exps), "ge")  # raises ContractViolation on any overflow
            if s > 0 and image.max() == 255:
                assert (vec["conv2.spikes"] == (1 << len(exps)) - 1).any()  # the worst case is reached


def test_synthetic_export_sweeps_thresholds(tmp_path):
    out, m = random_network_export(tmp_path / "s", seed=5, base=2, depth=0, size=8, thresholds_log2=(0, -1, -2),
                                   compare="ge", timesteps=4)
    assert m["thresholds_log2"] == [0, -1, -2] and m["compare"] == "ge"
    assert [l["name"] for l in m["layers"]] == ["mid_a", "mid_b", "head"]
    spikes = load_vectors(out)["mid_b.spikes"]
    assert spikes.max() < 8 and spikes.any()


def test_upconv_int_equals_torch_conv_transpose():
    rng = np.random.default_rng(2)
    x = rng.integers(0, 16, (3, 5, 4))
    w = rng.integers(-300, 300, (6, 3, 3, 3))  # [out][ky][kx][in]
    ref = torch.nn.functional.conv_transpose2d(
        torch.from_numpy(x[None]).double(), torch.from_numpy(np.transpose(w, (3, 0, 1, 2))).double(),
        stride=2, padding=1, output_padding=1)
    got = intmodel.upconv_int(x, w)
    assert got.shape == (6, 10, 8)
    assert np.array_equal(got, ref[0].numpy().astype(np.int64))


def test_pool_accumulate_and_1x1_conv():
    """The pool kind's accumulator is the 2x2 sum shifted left by its input_shift (F + e_min - 2, §3)."""
    rng = np.random.default_rng(3)
    x = rng.integers(0, 16, (2, 6, 4))
    ref = torch.nn.functional.avg_pool2d(torch.from_numpy(x[None]).double(), 2)[0].numpy() * 4
    pool = kinds.get("pool")
    for shift in (0, 3):
        layer = Layer("p", "pool", ("a",), np.zeros((2, 0, 0, 0), np.int64), np.zeros(2, np.int64), 4,
                      input_shift=shift)
        assert np.array_equal(pool.accumulate(layer, x), ref.astype(np.int64) << shift)
    w = rng.integers(-9, 9, (3, 1, 1, 2))
    ref = torch.nn.functional.conv2d(torch.from_numpy(x[None]).double(),
                                     torch.from_numpy(np.transpose(w, (0, 3, 1, 2))).double())
    assert np.array_equal(conv_int(x, w), ref[0].numpy().astype(np.int64))


def test_float64_fast_path_equals_int64_reference():
    """The BLAS path is used only where exact; on the same inputs it equals the int64 reference bit for bit."""
    rng = np.random.default_rng(4)
    x = rng.integers(0, 16, (5, 9, 11))
    for k in (1, 3):
        w = rng.integers(-(2**20), 2**20, (4, k, k, 5))
        assert intmodel.exact_in_float64(x, w)
        assert np.array_equal(intmodel.conv_int(x, w), intmodel.conv_int_reference(x, w))
    w = rng.integers(-(2**20), 2**20, (4, 3, 3, 5))
    assert np.array_equal(intmodel.upconv_int(x, w), intmodel.upconv_int_reference(x, w))
    huge = np.full((1, 3, 3, 5), 2**45)
    assert not intmodel.exact_in_float64(x, huge)  # falls back to int64
    assert np.array_equal(intmodel.conv_int(x, huge), intmodel.conv_int_reference(x, huge))
