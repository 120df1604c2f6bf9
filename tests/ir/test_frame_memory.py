"""The external-memory layout of a frame (golden/ir/frame_memory.py, docs/frame_engine.md "Memory layout"): pack and
unpack are inverse for every data width, threshold count and pass split (hypothesis), records start on beats,
the field of (t, c) sits where the layout says, and padding never leaks into the values."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from golden.ir import frame_memory as fm
from golden.export.load import load_network


@pytest.fixture(scope="module")
def net(small_export):
    return load_network(small_export[0])


@settings(max_examples=30, deadline=None)
@given(data_bits=st.sampled_from(fm.DATA_BITS), split=st.sampled_from([1, 2]), seed=st.integers(0, 2**31 - 1),
       h=st.integers(1, 4), w=st.integers(1, 6))
def test_spike_regions_round_trip(net, data_bits, split, seed, h, w):
    passes = {l.name: min(split, fm.pow2(l.out_channels)) for l in net.spiking}
    lay = fm.frame_layout(net, h, w, data_bits, passes)
    rng = np.random.default_rng(seed)
    for name, r in lay.layers.items():
        s = rng.integers(0, 1 << lay.K, (lay.timesteps, r.channels, r.rows, r.cols), dtype=np.uint8)
        raw = fm.pack_spikes(s, r, lay)
        assert len(raw) == lay.size(r) and len(raw) % (data_bits // 8) == 0
        assert np.array_equal(fm.unpack_spikes(raw, r, lay), s)


def test_field_position(net):
    """Spike word of (t, c) at pixel (0, 0): bits [(t * c_pad + c) * FB +: K] of the first record."""
    lay = fm.frame_layout(net, 2, 2, 64)
    name, r = next(iter(lay.layers.items()))
    s = np.zeros((lay.timesteps, r.channels, 2, 2), np.uint8)
    t, c = lay.timesteps - 1, r.channels - 1
    s[t, c, 0, 0] = 1
    raw = int.from_bytes(fm.pack_spikes(s, r, lay)[:r.record_beats * 8], "little")
    assert raw == 1 << ((t * r.c_pad + c) * lay.field_bits)


def test_image_and_output_round_trip(net):
    lay = fm.frame_layout(net, 2, 6, 64)
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (net.in_channels, 2, 6), dtype=np.uint8)
    raw = fm.pack_image(img, lay)
    assert len(raw) == lay.image_bytes == 2 * lay.image.record_beats * 8   # rows padded to whole beats
    a = rng.integers(-2**31, 2**31, (lay.output.channels, 2, 6))
    assert np.array_equal(fm.unpack_output(fm.pack_output(a, lay), lay), a)


def test_bad_sizes_are_refused(net):
    with pytest.raises(ValueError, match="data_bits"):
        fm.frame_layout(net, 4, 4, 32)
    with pytest.raises(ValueError, match="passes"):
        fm.frame_layout(net, 4, 4, 64, {net.spiking[0].name: 3})
