"""Property tests of the number formats (contract §2, §7)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from golden.contract.quant import fits, quantize, signed_bits, spike_magnitude, to_hex_words


@settings(max_examples=300)
@given(x=st.floats(-1e4, 1e4, allow_nan=False), f=st.integers(0, 20))
def test_quantize_error_is_at_most_half_an_lsb(x, f):
    q = int(quantize(x, f))
    assert abs(q / 2.0**f - x) <= 2.0 ** -(f + 1)


@given(k=st.integers(-10_000, 10_000), f=st.integers(0, 16))
def test_quantize_rounds_half_up(k, f):
    assert quantize((k + 0.5) / 2.0**f, f) == k + 1  # ties go up, also for negatives (-0.5 -> 0)
    assert quantize(k / 2.0**f, f) == k


def test_quantize_rejects_non_finite():
    with pytest.raises(ValueError):
        quantize([1.0, np.nan], 4)


@given(b=st.integers(0, 2**40))
def test_signed_bits_is_minimal(b):
    bits = signed_bits(b)
    assert fits([-b, b], bits)
    if bits > 2:
        assert not fits([-b, b], bits - 1)


@settings(max_examples=200)
@given(bits=st.integers(2, 40), data=st.data())
def test_hex_words_round_trip(bits, data):
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    vals = data.draw(st.lists(st.integers(lo, hi), min_size=1, max_size=20))
    words = to_hex_words(vals, bits)
    assert all(len(w) == (bits + 3) // 4 for w in words)
    back = [int(w, 16) - (1 << bits) if int(w, 16) >> (bits - 1) else int(w, 16) for w in words]
    assert back == vals


def test_hex_words_refuse_values_that_do_not_fit():
    with pytest.raises(ValueError):
        to_hex_words([8], 4)


@given(exps=st.lists(st.integers(-4, 3), min_size=1, max_size=5, unique=True).map(sorted).map(lambda x: x[::-1]),
       word=st.integers(0, 31))
def test_spike_magnitude_is_sum_of_shifted_bits(exps, word):
    word &= (1 << len(exps)) - 1
    expected = sum(2.0**e for i, e in enumerate(exps) if word >> i & 1)
    assert spike_magnitude(np.array([word]), exps)[0] * 2.0 ** min(exps) == expected
