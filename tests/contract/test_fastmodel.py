"""The fast integer model (golden.contract.fastmodel) equals the int64 reference (golden.contract.intmodel.run)
bit for bit: on the committed model, on random U-Nets over threshold sets and compare rules, at the float32 /
float64 / int64 boundaries of contract §9 with worst-case inputs, batched, and in the neuron alone."""
import dataclasses

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from golden.contract import fastmodel, intmodel
from golden.contract.fastmodel import FLOAT32_EXACT, FLOAT64_EXACT, FastModel, exact_dtype
from golden.contract.intmodel import ContractViolation, neuron_step
from golden.export.network import int_network
from golden.export.synthetic import synthetic_image
from golden.export.load import load_layers, load_manifest, load_vectors
from golden.ir.network import Layer
from golden.contract.quant import widths_of
from golden.model.convert import calibrate, normalise
from golden.model.unet import UNet


def assert_same(got: dict, ref: dict) -> None:
    assert set(got) == set(ref)
    for key in ref:
        assert got[key].dtype == ref[key].dtype and got[key].shape == ref[key].shape, key
        assert np.array_equal(got[key], ref[key]), key


def test_exact_dtype_boundaries():
    assert exact_dtype(FLOAT32_EXACT - 1) == torch.float32
    assert exact_dtype(FLOAT32_EXACT) == torch.float64
    assert exact_dtype(FLOAT64_EXACT - 1) == torch.float64
    assert exact_dtype(FLOAT64_EXACT) == torch.int64


@pytest.mark.parametrize("schedule", ["step", "layer"])
def test_default_model_vectors_equal_the_reference(default_export, schedule):
    m = load_manifest(default_export)
    layers = load_layers(default_export, m)
    image = load_vectors(default_export)["input"]
    args = (m["thresholds_log2"], m["compare"])
    ref = intmodel.run(layers, image, m["timesteps"], *args)
    fast = FastModel(layers, *args, m["timesteps"], schedule=schedule)
    assert {p.acc_dtype for p in fast.plans} == {torch.float32}  # the committed model runs entirely in float32
    assert_same(fast.vectors(image), ref)
    assert np.array_equal(fast.outputs(image)[m["timesteps"]][0], ref[f"{layers[-1].name}.accum"][-1])


def random_layers(seed, base, depth, in_channels, exps, timesteps, size):
    torch.manual_seed(seed)
    model = UNet(in_channels, 2, base=base, depth=depth).double()
    image = synthetic_image(seed, size, in_channels)
    x = torch.from_numpy(image[None].astype(np.float64) / 255.0)
    snn = normalise(model, calibrate(model, x), "connection_wise")
    return int_network(snn, exps, timesteps), image


@pytest.mark.parametrize("exps", [(1, 0, -1, -2), (0,), (2, 0, -3), (0, -1, -2), (3, 1)])
@pytest.mark.parametrize("compare", ["gt", "ge"])
@pytest.mark.parametrize("depth,in_channels", [(0, 1), (2, 3)])
@pytest.mark.parametrize("schedule", ["step", "layer"])
def test_random_unets_equal_the_reference(exps, compare, depth, in_channels, schedule):
    T = 5
    layers, image = random_layers(depth * 10 + len(exps), 3, depth, in_channels, exps, T, 16)
    ref = intmodel.run(layers, image, T, list(exps), compare)
    fast = FastModel(layers, list(exps), compare, T, schedule=schedule)
    assert all(p.closed_form == (exps != (2, 0, -3) and exps != (3, 1)) for p in fast.plans if p.thresholds)
    assert_same(fast.vectors(image), ref)
    assert any(ref[k].any() for k in ref if k.endswith(".spikes"))  # something fired


@pytest.mark.parametrize("schedule", ["step", "layer"])
def test_batch_equals_one_image_at_a_time(schedule):
    T = 6
    layers, image = random_layers(3, 3, 1, 1, (1, 0, -1, -2), T, 16)
    images = np.stack([image, synthetic_image(9, 16, 1), np.full_like(image, 255), np.zeros_like(image)])
    fast = FastModel(layers, [1, 0, -1, -2], "gt", T, schedule=schedule)
    got = fast.outputs(images, at=range(1, T + 1))
    for n, img in enumerate(images):
        accum = intmodel.run(layers, img, T, [1, 0, -1, -2], "gt")[f"{layers[-1].name}.accum"]
        for t in range(1, T + 1):
            assert np.array_equal(got[t][n], accum[t - 1]), (n, t)


def extreme_network(scale: int, sign: int, exps=(1, 0, -1, -2), timesteps=4):
    """input_conv (3 ch) -> spiking_conv (4 ch, 3x3) -> output (1x1): the spiking conv's weights are all `scale`
    times `sign`, so with every input spike of every threshold firing its sums reach the §7 bound exactly."""
    F = 8
    rng = np.random.default_rng(scale % 1000)
    ths = tuple(1 << (e + F) for e in exps)
    w1 = np.full((3, 3, 3, 1), 100)  # a white image makes every input-layer neuron fire every threshold
    b1 = np.array([60, 70, 80]) << 6
    w2 = np.full((4, 3, 3, 3), sign * scale, dtype=np.int64)
    b2 = np.full(4, sign * 5, dtype=np.int64)
    w3 = rng.integers(-40, 40, (2, 1, 1, 4))
    b3 = np.array([3, -3])
    specs = [("conv1", "input_conv", ("input",), w1, b1, 6), ("conv2", "spiking_conv", ("conv1",), w2, b2, 0),
             ("head", "output", ("conv2",), w3, b3, 0)]
    layers = []
    from golden import kinds

    for name, kind, sources, w, b, shift in specs:
        spec = kinds.get(kind)
        acc, cur = spec.bounds(w, b, shift, list(exps))
        layers.append(Layer(name, kind, sources, w.astype(np.int64), b.astype(np.int64), F,
                            ths if spec.has_neuron else (), shift, widths_of(w, b, acc, cur, timesteps)))
    return layers


@pytest.mark.parametrize("scale,expected", [
    (1, torch.float32),
    ((FLOAT32_EXACT - 1 - 5) // (27 * 15), torch.float32),  # sum |w| * M + |b| = 2^24 - 1 - ...: last float32
    ((FLOAT32_EXACT - 5) // (27 * 15) + 1, torch.float64),   # first scale past 2^24
    (2**40, torch.float64),
    ((FLOAT64_EXACT - 5) // (27 * 15) + 1, torch.int64),      # past 2^53: int64 reference
])
@pytest.mark.parametrize("sign", [1, -1])
@pytest.mark.parametrize("schedule", ["step", "layer"])
def test_worst_case_sums_at_the_float_boundaries(scale, expected, sign, schedule):
    """White and black images, all weights at one extreme: every accumulate at its §7 bound, in the chosen type,
    equals int64."""
    layers = extreme_network(scale, sign)
    fast = FastModel(layers, [1, 0, -1, -2], "gt", 4, schedule=schedule)
    assert fast.plans[1].acc_dtype == expected
    for image in (np.full((1, 6, 6), 255, np.uint8), np.zeros((1, 6, 6), np.uint8),
                  np.random.default_rng(2).integers(0, 256, (1, 6, 6)).astype(np.uint8)):
        ref = intmodel.run(layers, image, 4, [1, 0, -1, -2], "gt")
        assert_same(fast.vectors(image), ref)
    white = intmodel.run(layers, np.full((1, 6, 6), 255, np.uint8), 4, [1, 0, -1, -2], "gt")
    assert (white["conv1.spikes"] == 15).all()  # every threshold of every input fired
    if sign < 0:  # nothing fires on a negative membrane: step 0 shows the accumulator, at the bound inside
        bound = layers[1].spec.bounds(layers[1].weight, layers[1].bias, 0, [1, 0, -1, -2])[0]
        assert (white["conv2.membrane"][0][:, 1:-1, 1:-1] == -bound).all()


def test_a_rounding_backend_is_caught_before_any_run(monkeypatch):
    """If torch ever picked a non-exact algorithm (Winograd, bf16 math), the per-layer check refuses to run."""
    layers, image = random_layers(1, 3, 0, 1, (1, 0, -1, -2), 3, 8)
    spec = layers[1].spec
    real = type(spec).torch_accumulate

    def rounding(self, layer, x, weight, bias):
        out = real(self, layer, x, weight, bias)
        return out + (out.abs() > 100).to(out.dtype)  # off by one on large sums, like a rounded transform

    monkeypatch.setattr(type(spec), "torch_accumulate", rounding)
    with pytest.raises(ContractViolation, match=f"layer {layers[1].name}.*int64 reference"):
        FastModel(layers, [1, 0, -1, -2], "gt", 3)


@pytest.mark.parametrize("schedule", ["step", "layer"])
def test_width_check_names_the_layer(schedule):
    layers, image = random_layers(1, 3, 0, 1, (1, 0, -1, -2), 3, 8)
    narrow = [dataclasses.replace(layers[0], widths={**layers[0].widths, "membrane_bits": 3})] + layers[1:]
    with pytest.raises(ContractViolation, match=f"layer {layers[0].name}.*membrane_bits"):
        FastModel(narrow, [1, 0, -1, -2], "gt", 3, schedule=schedule).vectors(image)


def test_auto_schedule_is_layer_major_while_the_maps_fit(monkeypatch):
    layers, image = random_layers(1, 3, 1, 1, (1, 0, -1, -2), 3, 16)
    fast = FastModel(layers, [1, 0, -1, -2], "gt", 3)
    assert fast._runner(image[None]) == fast._run_layers
    monkeypatch.setattr(fastmodel, "LAYER_MAJOR_BYTES", 1000)
    assert fast._runner(image[None]) == fast._run
    with pytest.raises(ValueError, match="schedule"):
        FastModel(layers, [1, 0, -1, -2], "gt", 3, schedule="random")


halving_sets = st.tuples(st.integers(-3, 3), st.integers(1, 5)).map(lambda a: list(range(a[0], a[0] - a[1], -1)))
any_sets = st.lists(st.integers(-4, 4), min_size=1, max_size=5, unique=True).map(lambda xs: sorted(xs, reverse=True))


@settings(max_examples=200, deadline=None)
@given(exps=st.one_of(halving_sets, any_sets), extra=st.integers(0, 8), compare=st.sampled_from(["gt", "ge"]),
       dtype=st.sampled_from([torch.float32, torch.float64, torch.int64]), data=st.data())
def test_fire_equals_the_cascade(exps, extra, compare, dtype, data):
    """fastmodel.fire (closed form where the thresholds halve, else the cascade) vs intmodel.neuron_step, on
    membranes anywhere in the exact range of the type (far beyond the thresholds, negative, on the edges)."""
    frac = extra - min(exps)  # F >= -e_min: the finest threshold is at least 1 (§2)
    ths = [1 << (e + frac) for e in exps]
    span = {torch.float32: FLOAT32_EXACT // 2, torch.float64: FLOAT64_EXACT // 2, torch.int64: 2**62}[dtype]
    edges = [t + d for t in ths for d in (-1, 0, 1)] + [sum(ths), sum(ths) + 1, 0, -1, span - 1, -span]
    v = np.array(data.draw(st.lists(st.one_of(st.integers(-span, span - 1), st.sampled_from(edges)),
                                    min_size=1, max_size=40)), dtype=np.int64)
    ref_v, ref_words = neuron_step(np.zeros_like(v), v, ths, compare)
    d = 1 if compare == "gt" else 0
    shifts = tuple(e - min(exps) for e in exps)
    closed = all(a == b + 1 for a, b in zip(exps, exps[1:]))
    u = torch.from_numpy(v - d).to(dtype)
    m = fastmodel.fire(u, ths, shifts, closed)
    assert np.array_equal(u.numpy().astype(np.int64) + d, ref_v)
    table = fastmodel._word_table(shifts)
    assert np.array_equal(table[m.numpy().astype(np.int64)], ref_words)
