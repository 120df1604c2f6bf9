"""A single flipped weight in any file of an export, in any layer (also in channels the image never fires, which
the image run cannot see), is refused before anything is simulated: with the file's old SHA-256 by the hash
check, with the hash updated by the comparison with what the other files give."""
import dataclasses
import random
import shutil

import numpy as np
import pytest

from golden.ir.coverage import Coverage
from golden.export.params_header import render_header
from golden.export.writer import rom_image
from golden.export.load import ManifestError, load_manifest, load_network, load_vectors


@pytest.fixture(scope="module")
def export_and_picks(default_export, tmp_path_factory):
    """A writable copy of the default export, and per layer one weight to flip (preferring one that the image
    run never exercises)."""
    d = tmp_path_factory.mktemp("integrity") / "e"
    shutil.copytree(default_export, d)
    net = load_network(d)
    cov = Coverage(net)
    cov.add_network_run(load_vectors(d))
    rng = random.Random(1)
    picks = {}
    for l in net.layers:
        if not l.spec.has_params:
            continue
        unseen = np.argwhere((l.weight != 0) & ~cov.hit[l.name])
        cand = unseen if len(unseen) else np.argwhere(l.weight != 0)
        picks[l.name] = tuple(int(i) for i in cand[rng.randrange(len(cand))])
    assert sum(bool(len(np.argwhere((l.weight != 0) & ~cov.hit[l.name]))) for l in net.layers
               if l.spec.has_params) >= 10, "the default model has layers with weights the image never exercises"
    return d, net, picks


def _flipped(net, name, idx):
    layers = []
    for l in net.layers:
        if l.name == name:
            w = l.weight.copy()
            w[idx] = w[idx] + 1 if w[idx] < 2 ** (l.weight_bits - 1) - 1 else w[idx] - 1
            l = dataclasses.replace(l, weight=w)
        layers.append(l)
    return dataclasses.replace(net, layers=tuple(layers))


def _refused(d, relname, rehash):
    with pytest.raises(ManifestError, match=rf"{relname}: SHA-256 differs"):
        load_network(d)
    rehash(d)
    with pytest.raises(ManifestError, match=rf"{relname}: differs from"):
        load_network(d)


@pytest.mark.parametrize("kind", ["weight_mem", "weights_npz", "snn_params_h"])
def test_every_layer_single_weight_flip_is_caught(export_and_picks, kind, rehash):
    d, net, picks = export_and_picks
    manifest = (d / "manifest.yaml").read_bytes()
    entries = {e["name"]: e for e in load_manifest(d)["layers"]}
    for name, idx in picks.items():
        bad = _flipped(net, name, idx)
        layer = bad.layer(name)
        if kind == "weight_mem":
            f = d / entries[name]["weight_file"]
            new = rom_image(layer.weight, layer.weight_bits).encode()
            expected = f.name
        elif kind == "weights_npz":
            f = d / "weights.npz"
            with np.load(f) as z:
                arrays = {k: z[k] for k in z.files}
            arrays[f"{name}.weight"] = layer.weight
            import io

            buf = io.BytesIO()
            np.savez(buf, **arrays)
            new = buf.getvalue()
            expected = "weights.npz"
        else:
            f = d / "snn_params.h"
            new = render_header(bad).encode()
            expected = "snn_params.h"
        old = f.read_bytes()
        assert new != old
        f.write_bytes(new)
        try:
            if kind == "weights_npz":  # the ROM images and the header now disagree with weights.npz
                with pytest.raises(ManifestError, match=r"weights.npz: SHA-256 differs"):
                    load_network(d)
                rehash(d)
                with pytest.raises(ManifestError, match=r"(_weight\.mem|snn_params\.h): differs from"):
                    load_network(d)
            else:
                _refused(d, expected, rehash)
        finally:
            f.write_bytes(old)
            (d / "manifest.yaml").write_bytes(manifest)
    load_network(d)  # restored: accepted again
