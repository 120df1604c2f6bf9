"""The one registry of layer kinds (golden/kinds): every kind is exercised by an export, and each provides what
the integer model, the exporter and the backends ask of it."""
import numpy as np
import pytest

from golden import kinds
from golden.contract import intmodel
from golden.export.load import load_network, load_vectors
from golden.kinds.base import LayerKind
from golden.paths import REPO_ROOT


@pytest.fixture(scope="module")
def every_kind_export(tmp_path_factory):
    """A depth-1 denoising network (3x3 head) and a depth-1 segmentation network (1x1 head)."""
    from golden.export.network import random_network_export

    base = tmp_path_factory.mktemp("kinds")
    return [random_network_export(base / task, seed=7, base=2, depth=1, size=8, timesteps=3, task=task)
            for task in ("segmentation", "denoising")]


def test_registry_names_and_lookup():
    assert kinds.NAMES == ("input_conv", "spiking_conv", "pool", "upconv", "output")
    assert set(kinds.SPIKING) == {n for n in kinds.NAMES if kinds.get(n).has_neuron}
    assert "output" not in kinds.SPIKING and len(kinds.SPIKING) == 4
    for name in kinds.NAMES:
        spec = kinds.get(name)
        assert isinstance(spec, LayerKind) and spec.name == name and spec.role
    # every kind has its own code in the frame engine's encoding table (golden/backends/rtl/frame_config.py)
    from golden.backends.rtl import frame_config as rc

    assert set(rc.KIND_CODE) == set(kinds.NAMES) and len(set(rc.KIND_CODE.values())) == len(kinds.NAMES)
    assert [n for n in kinds.NAMES if kinds.get(n).reads_image] == ["input_conv"]
    assert [n for n in kinds.NAMES if not kinds.get(n).has_params] == ["pool"]
    with pytest.raises(ValueError, match=r"unknown layer kind 'dense'.*input_conv"):
        kinds.get("dense")


def test_every_kind_has_its_hls_header():
    for name in kinds.NAMES:
        header = kinds.get(name).hls_header
        assert header == f"nnet_{name}.h" and header in kinds.HLS_HEADERS, name
        assert (REPO_ROOT / "hls" / header).is_file(), header
    assert all((REPO_ROOT / "hls" / h).is_file() for h in kinds.HLS_HEADERS)


def test_frame_engine_fields_per_kind():
    """What the frame engine's descriptor asks of a kind (golden/backends/rtl/frame_config.py)."""
    assert [kinds.get(n).code for n in kinds.NAMES] == list(range(len(kinds.NAMES)))
    assert len({kinds.get(n).rtl_name for n in kinds.NAMES}) == len(kinds.NAMES)
    assert {n: kinds.get(n).in_level(3) for n in kinds.NAMES} == {
        "input_conv": 3, "spiking_conv": 3, "pool": 2, "upconv": 4, "output": 3}
    assert [n for n in kinds.NAMES if kinds.get(n).frame_one_pass] == ["output"]
    assert [n for n in kinds.NAMES if not kinds.get(n).reads_spikes] == ["input_conv"]

    class L:  # a layer as far as taps() reads it
        def __init__(self, kernel):
            self.kernel = kernel

    taps = {(n, k): kinds.get(n).taps(L(k)) for n in kinds.NAMES for k in (1, 2, 3)}
    assert taps[("spiking_conv", 3)] == taps[("input_conv", 3)] == taps[("output", 3)] == 9
    assert taps[("upconv", 3)] == 9 and taps[("output", 1)] == 1 and taps[("pool", 2)] == 1
    # every output row is completed exactly once by the row-by-row scatter (the frame engine's cycle estimate)
    for n, k, h in (("spiking_conv", 3, 5), ("output", 1, 5), ("pool", 2, 6), ("upconv", 3, 4)):
        done = kinds.get(n).rows_done(k, h)
        assert len(done) == h + 1 and done.sum() == kinds.get(n).out_size(h, h)[0], (n, done)


def test_geometry_rules():
    assert kinds.get("pool").out_size(8, 6) == (4, 3)
    assert kinds.get("upconv").out_size(3, 5) == (6, 10)
    for n in ("input_conv", "spiking_conv", "output"):
        assert kinds.get(n).out_size(7, 5) == (7, 5) and kinds.get(n).check_input_size(7, 5) is None
    assert "even" in kinds.get("pool").check_input_size(8, 5)
    assert kinds.get("pool").check_input_size(8, 6) is None
    assert kinds.get("output").kernels == (1, 3) and kinds.get("spiking_conv").kernels == (3,)


def test_every_kind_is_exercised_by_an_export(every_kind_export):
    seen = set()
    for out, m in every_kind_export:
        net = load_network(out)
        seen |= {l.kind for l in net.layers}
        vec = load_vectors(out)
        again = intmodel.run(net, vec["input"], net.timesteps, list(net.thresholds_log2), net.compare)
        assert set(again) == set(vec) and all(np.array_equal(again[k], vec[k]) for k in vec)
        for l in net.layers:  # its vectors were recorded
            key = f"{l.name}.spikes" if l.spec.has_neuron else f"{l.name}.accum"
            assert vec[key].shape == (net.timesteps, l.out_channels, l.height, l.width), key
            assert vec[key].any() or l.kind == "upconv", f"{l.name} ({l.kind}) is silent"
    assert seen == set(kinds.NAMES)
    heads = [load_network(out).output_layer.kernel for out, _ in every_kind_export]
    assert heads == [1, 3]  # both output kernels


def test_quantise_rules_per_kind():
    """Each kind's quantisation rule (contract §2): shifts and worst-case bounds."""
    exps = (1, 0, -1, -2)
    w = np.full((2, 3, 3, 1), 0.5)
    q = kinds.get("input_conv").quantise(w, np.zeros(2), 8, exps, 1, 4, 8)
    assert q.input_shift == 4 and q.current_bound == -(-q.acc_bound >> 4)
    with pytest.raises(ValueError, match="input_shift"):
        kinds.get("input_conv").quantise(w, np.zeros(2), 8, exps, 1, 0, 8)
    q = kinds.get("pool").quantise(None, None, 4, exps, 3, 0, 8)
    assert q.input_shift == 4 - 2 - 2 and q.weight.shape == (3, 0, 0, 0)
    assert q.acc_bound == 4 * (2 + 4 + 8 + 1) << q.input_shift
    with pytest.raises(ValueError, match="pool needs frac_bits >= 4"):
        kinds.get("pool").quantise(None, None, 3, exps, 3, 0, 8)
    q = kinds.get("spiking_conv").quantise(np.full((1, 3, 3, 2), 0.25), np.ones(1), 3, exps, 2, 0, 8)
    assert q.input_shift == 0 and (q.weight == 1).all() and (q.bias == 8).all()  # w: F + e_min bits
    assert q.acc_bound == 8 + 15 * 18  # |b| + (largest magnitude: all four fire) * sum |w|
