"""Integer golden model: exact convolution, export round trip, width proof (contract §3, §7, §8)."""
import dataclasses

import numpy as np
import pytest
import torch

from golden import intmodel
from golden.export import quantise_slice
from golden.intmodel import ContractViolation, conv3x3_int
from golden.manifest import load_layers, load_manifest, load_vectors
from golden.synth import random_export


def test_conv3x3_int_equals_torch_float64():
    rng = np.random.default_rng(0)
    x = rng.integers(-50, 50, (3, 9, 7))
    w = rng.integers(-200, 200, (5, 3, 3, 3))
    ref = torch.nn.functional.conv2d(torch.from_numpy(x[None]).double(),
                                     torch.from_numpy(np.transpose(w, (0, 3, 1, 2))).double(), padding=1)
    assert np.array_equal(conv3x3_int(x, w), ref[0].numpy().astype(np.int64))


def test_export_round_trip_reproduces_vectors(default_export):
    m = load_manifest(default_export)
    layers = load_layers(default_export, m)
    vec = load_vectors(default_export)
    again = intmodel.run(layers, vec["input"], m["timesteps"], m["thresholds_log2"], m["compare"])
    assert set(again) == set(vec)
    for key in vec:
        assert np.array_equal(again[key], vec[key]), key


def test_vectors_have_documented_shapes(default_export):
    m = load_manifest(default_export)
    vec = load_vectors(default_export)
    t, h, w = m["timesteps"], m["input"]["height"], m["input"]["width"]
    for layer in m["layers"]:
        assert vec[f"{layer['name']}.spikes"].shape == (t, layer["out_channels"], h, w)
        assert vec[f"{layer['name']}.spikes"].max() < (1 << len(m["thresholds_log2"]))
        assert vec[f"{layer['name']}.membrane"].shape == (t, layer["out_channels"], h, w)
    assert vec["conv1.spikes"].any() and vec["conv2.spikes"].any(), "a silent network tests nothing"


def test_width_check_catches_a_too_narrow_membrane(default_export):
    layers = load_layers(default_export)
    narrow = [dataclasses.replace(layers[0], widths={**layers[0].widths, "membrane_bits": 4})] + layers[1:]
    vec = load_vectors(default_export)
    with pytest.raises(ContractViolation, match="membrane_bits"):
        intmodel.run(narrow, vec["input"], 8, [1, 0, -1, -2], "gt")


@pytest.mark.parametrize("exps", [(1, 0, -1, -2), (0,), (2, 0, -3)])
def test_widths_hold_at_the_extremes(exps):
    """Worst case of §7: largest weights, white image, every spike of every threshold: nothing overflows."""
    rng = np.random.default_rng(1)
    sign = rng.choice([-1.0, 1.0], size=(4, 1, 3, 3))
    normalised = {"conv1": (sign * 3.0, np.full(4, 2.5)), "conv2": (np.full((5, 4, 3, 3), 1.7), np.full(5, 1.2))}
    cfg = {"timesteps": 12, "thresholds_log2": list(exps), "compare": "ge",
           "layers": {"conv1": {"frac_bits": 8, "input_shift": 6}, "conv2": {"frac_bits": 7}}}
    layers = quantise_slice(cfg, normalised, 1)
    for image in (np.full((1, 10, 10), 255, np.uint8), np.zeros((1, 10, 10), np.uint8)):
        intmodel.run(layers, image, 12, list(exps), "ge")  # raises ContractViolation on any overflow
    negative = {"conv1": (-np.abs(sign) * 3.0, np.full(4, -2.5)), "conv2": (np.full((5, 4, 3, 3), -1.7), np.full(5, -1.2))}
    intmodel.run(quantise_slice(cfg, negative, 1), np.full((1, 10, 10), 255, np.uint8), 12, list(exps), "ge")


def test_synthetic_export_sweeps_thresholds(tmp_path):
    out, m = random_export(tmp_path / "s", seed=5, thresholds_log2=(0, -1, -2), compare="ge", timesteps=4)
    assert m["thresholds_log2"] == [0, -1, -2] and m["compare"] == "ge"
    assert load_vectors(out)["conv2.spikes"].max() < 8


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


def test_pool_sum_and_1x1_conv():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 16, (2, 6, 4))
    ref = torch.nn.functional.avg_pool2d(torch.from_numpy(x[None]).double(), 2)[0].numpy() * 4
    assert np.array_equal(intmodel.pool_sum(x), ref.astype(np.int64))
    w = rng.integers(-9, 9, (3, 1, 1, 2))
    ref = torch.nn.functional.conv2d(torch.from_numpy(x[None]).double(),
                                     torch.from_numpy(np.transpose(w, (0, 3, 1, 2))).double())
    assert np.array_equal(conv3x3_int(x, w), ref[0].numpy().astype(np.int64))


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
