"""Property tests of the MT-IF neuron (contract §4): integer model vs a scalar reference and the float neuron."""
import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from golden.contract.intmodel import neuron_step
from golden.model.neuron import MTIFNeuron
from golden.contract.quant import spike_value

exponent_sets = st.lists(st.integers(-4, 3), min_size=1, max_size=5, unique=True).map(
    lambda xs: sorted(xs, reverse=True))


def reference_neuron(currents, thresholds, compare):
    """Per-element scalar loop, written straight from the paper's eqs. 4-6 with the authors' facts."""
    v, words, trace = 0, [], []
    for i_t in currents:
        v += i_t
        word = 0
        for i, th in enumerate(thresholds):
            if (v > th) if compare == "gt" else (v >= th):
                v -= th
                word |= 1 << i
        words.append(word)
        trace.append(v)
    return words, trace


@settings(max_examples=150, deadline=None)
@given(exps=exponent_sets, frac=st.integers(4, 10), compare=st.sampled_from(["gt", "ge"]),
       data=st.data())
def test_integer_neuron_matches_scalar_reference(exps, frac, compare, data):
    ths = [1 << (e + frac) for e in exps]
    t = data.draw(st.integers(1, 12))
    n = data.draw(st.integers(1, 6))
    cur = np.array(data.draw(st.lists(st.lists(st.integers(-3 * ths[0], 3 * ths[0]), min_size=n, max_size=n),
                                      min_size=t, max_size=t)), dtype=np.int64)
    v = np.zeros(n, dtype=np.int64)
    for step in range(t):
        v, words = neuron_step(v, cur[step], ths, compare)
        for j in range(n):
            ref_words, ref_trace = reference_neuron(cur[: step + 1, j], ths, compare)
            assert words[j] == ref_words[-1] and v[j] == ref_trace[-1]


def draw_currents(data, max_steps: int, neurons: int, bound: int):
    """T in 1..max_steps and an int64 [T][neurons] current in [-bound, bound]."""
    t = data.draw(st.integers(1, max_steps))
    cur = data.draw(st.lists(st.integers(-bound, bound), min_size=t * neurons, max_size=t * neurons))
    return t, np.array(cur, dtype=np.int64).reshape(t, neurons)


def integer_run(exps, compare, data, frac, max_t, neurons, bound):
    """(step, current, membrane, spike words) of the integer neuron, thresholds 2^(e + frac), on drawn currents."""
    ths = [1 << (e + frac) for e in exps]
    t, cur = draw_currents(data, max_t, neurons, bound)
    v = np.zeros(neurons, dtype=np.int64)
    for step in range(t):
        v, words = neuron_step(v, cur[step], ths, compare)
        yield step, cur[step], v, words


@settings(max_examples=100, deadline=None)
@given(exps=exponent_sets, compare=st.sampled_from(["gt", "ge"]), data=st.data())
def test_float_neuron_equals_integer_neuron_on_dyadic_inputs(exps, compare, data):
    """With currents that are exact multiples of 2^-F the float neuron must equal the integer one exactly."""
    frac = 8
    fneuron = MTIFNeuron([2.0**e for e in exps], compare)
    for step, cur, v, words in integer_run(exps, compare, data, frac, 10, 5, 2000):
        spikes = fneuron(torch.from_numpy(cur / 2.0**frac))
        fwords = sum(spikes[i].numpy().astype(np.uint8) << i for i in range(len(exps)))
        assert np.array_equal(fwords, words)
        assert np.array_equal(fneuron.v.numpy() * 2.0**frac, v.astype(np.float64))


@settings(max_examples=100, deadline=None)
@given(exps=exponent_sets, compare=st.sampled_from(["gt", "ge"]), data=st.data())
def test_conservation_and_membrane_bound(exps, compare, data):
    """sum of emitted value + final V == sum of input (reset by subtraction loses nothing); |V_t| <= t*max|I|."""
    frac, emitted, total, imax = 6, np.zeros(4), np.zeros(4), 0
    for step, cur, v, words in integer_run(exps, compare, data, frac, 16, 4, 500):
        emitted += spike_value(words, exps) * 2.0**frac
        total, imax = total + cur, max(imax, int(np.abs(cur).max()))
        assert np.all(np.abs(v) <= (step + 1) * imax)
    assert np.array_equal(emitted + v, total)


@settings(max_examples=100, deadline=None)
@given(v0=st.integers(-1000, 1000), cur=st.integers(-1000, 1000))
def test_ge_and_gt_differ_only_on_equality(v0, cur):
    ths = [512, 256, 128, 64]
    vg, wg = neuron_step(np.array([v0]), np.array([cur]), ths, "gt")
    ve, we = neuron_step(np.array([v0]), np.array([cur]), ths, "ge")
    if wg[0] != we[0]:
        # somewhere in the cascade the membrane sat exactly on a threshold
        v, hit = v0 + cur, False
        for th in ths:
            hit |= v == th
            v -= th if v >= th else 0
        assert hit
    else:
        assert vg[0] == ve[0]


def test_cascade_fires_coarse_to_fine_at_most_once_each():
    v, words = neuron_step(np.array([0]), np.array([10_000]), [512, 256, 128, 64], "gt")
    assert words[0] == 0b1111 and v[0] == 10_000 - 960
    v, words = neuron_step(np.array([0]), np.array([300]), [512, 256, 128, 64], "gt")
    assert words[0] == 0b0010 and v[0] == 44  # 300 > 256 fires; 44 fires nothing
    v, words = neuron_step(np.array([0]), np.array([256]), [512, 256, 128, 64], "gt")
    assert words[0] == 0b1100 and v[0] == 64  # strict: 256 is not > 256; then 128 and 64... 256>128 -> 128 > 64


@settings(max_examples=150, deadline=None)
@given(top=st.integers(-2, 3), k=st.integers(1, 5), compare=st.sampled_from(["gt", "ge"]),
       dtype=st.sampled_from([torch.float32, torch.float64]), data=st.data())
def test_float_fire_equals_the_cascade(top, k, compare, dtype, data):
    """MTIFNeuron.fire (closed form of halving thresholds) gives the same outputs and membranes, bit for bit, as
    forward + output (the cascade), step after step, on arbitrary float currents and on the thresholds' edges."""
    ths = [2.0 ** (top - i) for i in range(k)]
    edges = [t * s for t in ths for s in (1.0, -1.0)] + [sum(ths), 0.0, ths[-1] / 3]
    steps = data.draw(st.integers(1, 8))
    cur = torch.tensor(data.draw(st.lists(st.lists(st.one_of(st.floats(-40, 40, width=32), st.sampled_from(edges)),
                                                   min_size=6, max_size=6), min_size=steps, max_size=steps)),
                       dtype=dtype)
    fast, ref = MTIFNeuron(ths, compare), MTIFNeuron(ths, compare)
    assert fast.halving
    for t in range(steps):
        o = fast.fire(cur[t])
        o_ref = ref.output(ref(cur[t]))
        assert torch.equal(o, o_ref) and torch.equal(fast.v, ref.v)
