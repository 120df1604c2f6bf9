"""The IR (golden.ir.network): a Network validates its structure once (NetworkError naming the layer) and fills
every layer's geometry; load_network(export) gives back exactly the exporter's network."""
import dataclasses

import numpy as np
import pytest

from golden.export.load import load_manifest, load_network
from golden.ir.network import Layer, Network, NetworkError


def conv(name, sources, cin, cout, kind="spiking_conv", k=3):
    return Layer(name, kind, tuple(sources), np.zeros((cout, k, k, cin), np.int64), np.zeros(cout, np.int64), 6,
                 (128, 64))


def pool(name, source, c):
    return Layer(name, "pool", (source,), np.zeros((c, 0, 0, 0), np.int64), np.zeros(c, np.int64), 6, (128, 64), 4)


def unet(cin=1):
    """A valid depth-1 U-Net: a -> b -> p -> m -> u -> d(b + u) -> head."""
    return [conv("a", ["input"], cin, 2, "input_conv"), conv("b", ["a"], 2, 2), pool("p", "b", 2),
            conv("m", ["p"], 2, 4), conv("u", ["m"], 4, 2, "upconv"), conv("d", ["b", "u"], 4, 2),
            conv("head", ["d"], 2, 1, "output", 1)]


def network(layers, h=8, w=6, cin=1, **kw):
    args = dict(timesteps=3, thresholds_log2=(1, 0), compare="gt")
    args.update(kw)
    return Network("t", tuple(layers), args["timesteps"], args["thresholds_log2"], args["compare"], cin, h, w)


def replace(layers, which, **kw):
    return [dataclasses.replace(l, **kw) if l.name == which else l for l in layers]


def test_a_valid_network_gets_its_geometry():
    net = network(unet())
    geo = {l.name: (l.in_height, l.in_width, l.height, l.width) for l in net.layers}
    assert geo == {"a": (8, 6, 8, 6), "b": (8, 6, 8, 6), "p": (8, 6, 4, 3), "m": (4, 3, 4, 3), "u": (4, 3, 8, 6),
                   "d": (8, 6, 8, 6), "head": (8, 6, 8, 6)}
    assert net.input_layer.name == "a" and net.output_layer.name == "head"
    assert [l.name for l in net.spiking] == ["a", "b", "p", "m", "u", "d"]
    assert net.consumers()["b"] == [("p", 0), ("d", 0)] and net.is_skip("d", 0) and not net.is_skip("d", 1)
    assert net.K == 2 and net.e_min == 0 and net.spike_shift == [1, 0]
    assert net.layer("d").in_channels == 4 and net.layer("p").kernel == 2 and net.layer("head").kernel == 1
    assert net.values_per_step() == sum(l.out_channels * l.height * l.width for l in net.layers)
    with pytest.raises(KeyError, match="zz"):
        net.layer("zz")
    # a depth-0 slice is a network too
    slice_ = network([conv("mid_a", ["input"], 3, 2, "input_conv"), conv("mid_b", ["mid_a"], 2, 2),
                      conv("head", ["mid_b"], 2, 3, "output")], 5, 7, 3)
    assert [(l.height, l.width) for l in slice_.layers] == [(5, 7)] * 3


@pytest.mark.parametrize("layers, h, w, match", [
    # a source that is not earlier (a later layer, or one that does not exist)
    (lambda: replace(unet(), "b", sources=("d",)), 8, 6, r"layer b: sources \['d'\] are not earlier"),
    (lambda: replace(unet(), "m", sources=("nowhere",)), 8, 6, r"layer m: sources \['nowhere'\] are not earlier"),
    (lambda: replace(unet(), "m", sources=()), 8, 6, r"layer m: sources"),
    # channels that do not add up: the concat gives 2 + 2, the weights expect 3
    (lambda: replace(unet(), "d", weight=np.zeros((2, 3, 3, 3), np.int64)), 8, 6,
     r"layer d: weights expect 3 input channels, its sources give 4"),
    (lambda: replace(unet(), "p", weight=np.zeros((3, 0, 0, 0), np.int64), bias=np.zeros(3, np.int64)), 8, 6,
     r"layer p: a pool keeps its 2 channels"),
    # a pool on an odd size (height, then width)
    (lambda: unet(), 7, 6, r"layer p: a 2x2 pool needs an even input size, got 7x6"),
    (lambda: unet(), 8, 5, r"layer p: a 2x2 pool needs an even input size, got 8x5"),
    # two input layers
    (lambda: unet()[:1] + [conv("a2", ["input"], 1, 2, "input_conv")] + unet()[1:], 8, 6,
     r"the first layer, and only it, must be the input_conv"),
    (lambda: replace(unet(), "b", kind="input_conv"), 8, 6, r"layer b: only an input_conv reads the image"),
    (lambda: replace(unet(), "b", sources=("input",), weight=np.zeros((2, 3, 3, 1), np.int64)), 8, 6,
     r"layer b: only an input_conv reads the image"),
    # an output layer that is not last
    (lambda: unet() + [conv("tail", ["d"], 2, 1)], 8, 6, r"the network must end in exactly one layer of kind output"),
    (lambda: unet() + [conv("head2", ["d"], 2, 1, "output", 1)], 8, 6, r"exactly one layer of kind output"),
    (lambda: unet()[:-1], 8, 6, r"exactly one layer of kind output"),
    # a layer reading the output
    (lambda: unet() + [conv("after", ["head"], 1, 1)], 8, 6, r"layer after: reads the output layer"),
    # concatenated sources of different sizes, a wrong kernel, a duplicate or bad name
    (lambda: replace(unet(), "d", sources=("b", "m"), weight=np.zeros((2, 3, 3, 6), np.int64)), 8, 6,
     r"layer d: concatenated sources differ in size"),
    (lambda: replace(unet(), "b", weight=np.zeros((2, 1, 1, 2), np.int64)), 8, 6, r"layer b: kernel 1"),
    (lambda: replace(unet(), "m", sources=("p", "b")), 8, 6, r"layer m: concatenated sources differ"),
    (lambda: replace(unet(), "u", sources=("m", "m")), 8, 6, r"layer u: a upconv reads 1 source"),
    (lambda: replace(unet(), "m", name="b"), 8, 6, r"layer 'b': the name must be a new identifier"),
    (lambda: replace(unet(), "m", name="input"), 8, 6, r"layer 'input': the name must be a new identifier"),
    (lambda: replace(unet(), "m", name="m-1"), 8, 6, r"layer 'm-1': the name must be a new identifier"),
])
def test_network_refuses_a_bad_structure_naming_the_layer(layers, h, w, match):
    with pytest.raises(NetworkError, match=match):
        network(layers(), h, w)


TWO_INPUTS = lambda: unet()[:1] + [conv("a2", ["input"], 1, 2, "input_conv")] + unet()[1:]  # noqa: E731
OUTPUT_NOT_LAST = lambda: unet() + [conv("tail", ["d"], 2, 1)]  # noqa: E731


@pytest.mark.parametrize("layers, name", [(TWO_INPUTS, "a2"), (OUTPUT_NOT_LAST, "head")], ids=["two-inputs",
                                                                                              "output-not-last"])
def test_input_and_output_errors_name_the_layer(layers, name):
    with pytest.raises(NetworkError, match=rf"\b{name}\b"):
        network(layers())


@pytest.mark.parametrize("kw, match", [
    (dict(compare="lt"), "compare"), (dict(timesteps=0), "timesteps"),
    (dict(thresholds_log2=(0, 1)), "thresholds_log2"), (dict(thresholds_log2=()), "thresholds_log2"),
])
def test_network_refuses_bad_parameters(kw, match):
    with pytest.raises(NetworkError, match=match):
        network(unet(), **kw)
    with pytest.raises(NetworkError, match="at least one layer"):
        network([])


def test_unknown_kind_is_a_network_error_naming_the_layer():
    with pytest.raises(NetworkError, match="layer m"):
        network(replace(unet(), "m", kind="dense"))


def _capture_exported_network(monkeypatch):
    """The Network the exporter builds (golden.export.network.export_network hands it to write_export)."""
    import golden.export.network as exporter

    seen = []
    real = exporter.write_export

    def spy(out_dir, net, vectors, *rest):
        seen.append(net)
        return real(out_dir, net, vectors, *rest)
    monkeypatch.setattr(exporter, "write_export", spy)
    return seen


@pytest.mark.parametrize("depth", [0, 2])
def test_load_network_equals_the_exporters_network(tmp_path, monkeypatch, depth):
    from golden.export.network import random_network_export

    seen = _capture_exported_network(monkeypatch)
    out, _ = random_network_export(tmp_path / "e", seed=4, base=2, depth=depth, size=8, timesteps=3,
                                   thresholds_log2=(0, -1), compare="ge", in_channels=2, task="denoising")
    (exported,) = seen
    loaded = load_network(out)
    m = load_manifest(out)
    for f in ("name", "timesteps", "thresholds_log2", "compare", "in_channels", "height", "width", "task",
              "pixel_bits"):
        assert getattr(loaded, f) == getattr(exported, f), f
    # the manifest keeps the lambdas of the network's layers (the float model's concats are folded away)
    names = {l.name for l in exported.layers}
    assert loaded.lambdas == pytest.approx({k: v for k, v in exported.lambdas.items() if k in names})
    assert set(loaded.lambdas) == names - {"head"}
    assert [l.name for l in loaded.layers] == [l.name for l in exported.layers]
    for a, b, entry in zip(loaded.layers, exported.layers, m["layers"]):
        for f in ("kind", "sources", "frac_bits", "thresholds_int", "input_shift", "widths", "in_height", "in_width",
                  "height", "width"):
            assert getattr(a, f) == getattr(b, f), (a.name, f)
        assert np.array_equal(a.weight, b.weight) and np.array_equal(a.bias, b.bias), a.name
        assert (a.height, a.width) == (entry["height"], entry["width"]), a.name
        assert (a.in_channels, a.out_channels, a.kernel) == (entry["in_channels"], entry["out_channels"],
                                                             entry["kernel"]), a.name


def test_load_network_of_the_default_export(default_export):
    net = load_network(default_export)
    m = load_manifest(default_export)
    assert len(net.layers) == 27 and net.name == m["model"]
    assert [(l.height, l.width) for l in net.layers] == [(e["height"], e["width"]) for e in m["layers"]]
    assert set(net.lambdas) == {e["name"] for e in m["layers"] if "lambda" in e}
