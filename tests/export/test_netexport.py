"""Full Spiking-UNet in the integer contract: every layer kind, concat folding, agreement with the float SNN."""
import dataclasses

import numpy as np
import pytest
import torch

from golden.model.convert import calibrate, normalise, simulate
from golden.export.network import int_network, network_output, run_int
from golden.export.synthetic import synthetic_image
from golden.export.writer import manifest_for
from golden.ir.network import Network
from golden.model.unet import UNet

T = 12


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = UNet(1, 2, base=4, depth=2).double()
    with torch.no_grad():  # a random net's output is mostly bias; shrink it so the image drives the output
        for module in model.layers.values():
            module.bias.mul_(0.1)
    image = synthetic_image(1, 16)
    x = torch.from_numpy(image[None].astype(np.float64) / 255)
    snn = normalise(model, calibrate(model, x), "connection_wise")
    return model, snn, image, x


def test_layer_kinds_and_concat_sources(tiny):
    _, snn, _, _ = tiny
    layers = int_network(snn, timesteps=T)
    kinds = {l.name: l.kind for l in layers}
    assert kinds["enc1a"] == "input_conv" and kinds["pool1"] == "pool" and kinds["up1"] == "upconv"
    assert kinds["head"] == "output" and "concat" not in " ".join(kinds.values())
    dec1a = next(l for l in layers if l.name == "dec1a")
    assert dec1a.sources == ("enc1b", "up1")  # the encoder feature first
    assert dec1a.weight.shape[3] == 8


def test_integer_network_tracks_float_snn(tiny):
    model, snn, image, x = tiny
    layers = int_network(snn, timesteps=T)
    vec = run_int(layers, image, T, (1, 0, -1, -2), record_membranes=True)
    out_int = network_output(layers, vec, T)
    out_flt = simulate(snn, x, T).output[0].numpy()
    scale = out_flt.std()
    err = np.abs(out_int - out_flt).mean()
    assert err < 0.01 * scale
    # the comparison can fail: feeding the concat parts in the wrong order (decoder first) breaks it
    swapped = [dataclasses.replace(l, sources=l.sources[::-1]) if len(l.sources) == 2 else l for l in layers]
    out_bad = network_output(swapped, run_int(swapped, image, T, (1, 0, -1, -2)), T)
    assert np.abs(out_bad - out_flt).mean() > 5 * err


def test_vectors_match_manifest_shapes(tiny):
    _, snn, image, _ = tiny
    layers = int_network(snn, timesteps=T)
    vec = run_int(layers, image, T, (1, 0, -1, -2), record_membranes=True)
    m = manifest_for(Network("tiny", tuple(layers), T, (1, 0, -1, -2), "gt", 1, 16, 16, "segmentation"))
    for entry in m["layers"]:
        key = f"{entry['name']}.accum" if entry["kind"] == "output" else f"{entry['name']}.spikes"
        assert vec[key].shape == (T, entry["out_channels"], entry["height"], entry["width"]), key
    assert m["layers"][-1]["kind"] == "output" and m["layers"][-1]["thresholds_int"] == []


def test_full_network_export_round_trip(tmp_path):
    """Manifest + weights of a full U-Net load back (every kind validated) and reproduce the golden vectors."""
    from golden.contract import intmodel
    from golden.export.load import load_layers, load_manifest, load_vectors
    from golden.export.network import random_network_export

    out, m = random_network_export(tmp_path / "net", seed=3, timesteps=4, compare="ge", thresholds_log2=(0, -1))
    manifest = load_manifest(out)
    layers = load_layers(out, manifest)
    vec = load_vectors(out)
    again = intmodel.run(layers, vec["input"], 4, [0, -1], "ge")
    assert set(again) == set(vec)
    for key in vec:
        assert np.array_equal(again[key], vec[key]), key
    assert {l["kind"] for l in manifest["layers"]} == {"input_conv", "spiking_conv", "pool", "upconv", "output"}


def test_depth0_is_the_slice(tmp_path):
    """depth 0: input conv (mid_a) -> spiking conv (mid_b) -> output head, 1-3 image channels, every kind's
    vectors recorded, through the same exporter as the full network."""
    from golden.contract import intmodel
    from golden.export.network import random_network_export
    from golden.export.load import load_network, load_vectors

    for c in (1, 3):
        out, m = random_network_export(tmp_path / f"s{c}", seed=2, base=3, depth=0, size=6, timesteps=3,
                                       in_channels=c, thresholds_log2=(0, -1), compare="ge", frac_bits=5,
                                       input_shift=3)
        assert [(e["name"], e["kind"], e["sources"]) for e in m["layers"]] == [
            ("mid_a", "input_conv", ["input"]), ("mid_b", "spiking_conv", ["mid_a"]), ("head", "output", ["mid_b"])]
        assert m["input"] == {"channels": c, "height": 6, "width": 6, "pixel_bits": 8}
        assert m["layers"][0]["in_channels"] == c and m["layers"][0]["input_shift"] == 3
        assert [e["frac_bits"] for e in m["layers"]] == [5, 5, 5]
        net = load_network(out)
        vec = load_vectors(out)
        assert vec["input"].shape == (c, 6, 6)
        again = intmodel.run(net, vec["input"], 3, [0, -1], "ge")
        assert set(again) == set(vec) and all(np.array_equal(again[k], vec[k]) for k in vec)


def test_cli_export_non_square_crop(tmp_path):
    """`export-net --crop Y X H W` exports a non-square region of the committed tile; every layer's size follows
    (pools halve, upconvs double) and the vectors are the integer model's on exactly that region."""
    from golden.cli import main
    from golden.data import load_u8
    from golden.export.command import DEFAULT_IMAGE
    from golden.export.load import load_manifest, load_vectors
    from golden.paths import REPO_ROOT

    out = tmp_path / "crop"
    assert main(["export-net", "--out", str(out), "--timesteps", "2", "--crop", "16", "0", "32", "48",
                 "--compare", "ge", "--name", "cropped"]) == 0
    m = load_manifest(out)
    assert m["model"] == "cropped" and m["compare"] == "ge" and m["timesteps"] == 2
    assert (m["input"]["height"], m["input"]["width"]) == (32, 48)
    vec = load_vectors(out)
    assert np.array_equal(vec["input"], load_u8(REPO_ROOT / DEFAULT_IMAGE, 1)[:, 16:48, 0:48])
    sizes = {e["name"]: (e["height"], e["width"]) for e in m["layers"]}
    assert sizes["enc1a"] == (32, 48) and sizes["pool1"] == (16, 24) and sizes["mid_a"] == (2, 3)
    assert sizes["up1"] == sizes["enc1b"] and sizes["head"] == (32, 48)
    for e in m["layers"]:
        key = f"{e['name']}.accum" if e["kind"] == "output" else f"{e['name']}.spikes"
        assert vec[key].shape == (2, e["out_channels"], e["height"], e["width"]), key
