"""Load an export back into the IR (manifest.yaml + weights.npz + vectors/), refusing anything malformed.

golden/ir/manifest.py parses and validates the manifest; this module builds the `Network` from it and the
weights, and re-derives what the exporter wrote (every width by the kind's bound, the ROM images, snn_params.h)
to compare with the files, so a hand edit of any one of them is refused. Used by the benches, the C-sim driver
and the tests, so that HLS, RTL and tests all read their parameters from the export and nothing else.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from golden import kinds
from golden.contract.quant import fits, widths_of
from golden.errors import ManifestError
from golden.export import vectors as vectors_io
from golden.export.params_header import render_header
from golden.export.writer import rom_image
from golden.ir.manifest import VECTORS, load_manifest
from golden.ir.network import WIDTH_FIELDS, Layer, Network, NetworkError

__all__ = ["ManifestError", "load_manifest", "load_network", "check_derived", "load_layers", "load_vectors",
           "verify_vectors", "verify_export"]


def load_network(export_dir: str | Path, manifest: dict | None = None) -> Network:
    """The IR of an export: manifest.yaml and weights.npz, each checked, then the network's structure and its
    geometry (which must equal the manifest's sizes)."""
    export_dir = Path(export_dir)
    m = manifest if manifest is not None else load_manifest(export_dir)
    layers = load_layers(export_dir, m)
    path = export_dir / "manifest.yaml"
    inp = m["input"]
    try:
        net = Network(m["model"], tuple(layers), m["timesteps"], tuple(m["thresholds_log2"]), m["compare"],
                      inp["channels"], inp["height"], inp["width"], m.get("task", "segmentation"), inp["pixel_bits"],
                      {l["name"]: l["lambda"] for l in m["layers"] if "lambda" in l})
    except NetworkError as exc:
        raise ManifestError(f"{path}: {exc}") from None
    for l, entry in zip(net.layers, m["layers"]):
        if (l.height, l.width) != (entry["height"], entry["width"]):
            raise ManifestError(f"{path}: field layers({l.name}).height/width={entry['height']}x{entry['width']} "
                                f"does not follow from its sources ({l.height}x{l.width})")
    check_derived(export_dir, net, m)
    return net


def check_derived(export_dir: Path, net: Network, m: dict) -> None:
    """What the contract derives from the weights must equal what the files say: every width (§7, by the
    kind's bound), the ROM images (regenerated from weights.npz) and the HLS header (regenerated from the
    manifest and the weights). A hand edit of any one of them is refused, not simulated."""
    path = export_dir / "manifest.yaml"
    for l, entry in zip(net.layers, m["layers"]):
        acc, cur = l.spec.bounds(l.weight, l.bias, l.input_shift, net.thresholds_log2)
        want = widths_of(l.weight, l.bias, acc, cur, net.timesteps)
        for key, bits in want.items():
            if entry[key] != bits:
                raise ManifestError(f"{path}: field layers({l.name}).{key}={entry[key]}, but the weights, T and "
                                    f"the contract's bound give {bits}")
        for key, arr, bits in (("weight_file", l.weight, l.weight_bits), ("bias_file", l.bias, l.bias_bits)):
            if key in entry and (export_dir / entry[key]).read_text() != rom_image(arr, bits):
                raise ManifestError(f"{export_dir / entry[key]}: differs from weights.npz ({l.name})")
    if (export_dir / "snn_params.h").read_text() != render_header(net):
        raise ManifestError(f"{export_dir / 'snn_params.h'}: differs from the header the manifest and weights.npz "
                            "give (edited by hand?)")


def load_layers(export_dir: str | Path, manifest: dict | None = None) -> list[Layer]:
    """Layers from weights.npz, checked against the manifest's shapes and widths."""
    export_dir = Path(export_dir)
    m = manifest if manifest is not None else load_manifest(export_dir)
    path = export_dir / "weights.npz"
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except FileNotFoundError:
        raise ManifestError(f"{path}: missing (run `make export`)") from None
    except Exception as exc:
        raise ManifestError(f"{path}: not a readable .npz ({exc})") from exc
    layers = []
    for entry in m["layers"]:
        name = entry["name"]
        if not kinds.get(entry["kind"]).has_params:  # pool (contract §3)
            w = np.zeros(tuple(entry["weight_shape"]), dtype=np.int64)
            b = np.zeros(entry["out_channels"], dtype=np.int64)
        else:
            w = _array(arrays, f"{name}.weight", path, tuple(entry["weight_shape"]))
            b = _array(arrays, f"{name}.bias", path, (entry["out_channels"],))
        for key, arr, bits in ((f"{name}.weight", w, entry["weight_bits"]), (f"{name}.bias", b, entry["bias_bits"])):
            if not fits(arr, bits):
                raise ManifestError(f"{path}: field {key} has values outside {bits} signed bits")
        widths = {k: entry[k] for k in WIDTH_FIELDS}
        layers.append(Layer(name=name, kind=entry["kind"], sources=tuple(entry["sources"]), weight=w, bias=b,
                               frac_bits=entry["frac_bits"], thresholds_int=tuple(entry["thresholds_int"]),
                               input_shift=entry["input_shift"], widths=widths))
    return layers


def _array(arrays, key, path, shape):
    if key not in arrays:
        raise ManifestError(f"{path}: missing field {key}")
    a = arrays[key]
    if a.dtype.kind not in "iu":
        raise ManifestError(f"{path}: field {key} must be integer, got {a.dtype}")
    if a.shape != shape:
        raise ManifestError(f"{path}: field {key} has shape {a.shape}, the manifest says {shape}")
    return a.astype(np.int64)


def load_vectors(export_dir: str | Path, manifest: dict | None = None,
                 folder: str | Path | None = None) -> dict[str, np.ndarray]:
    """The golden vectors of an export (contract §8), unpacked: `input` uint8 [C][H][W], `<layer>.current` int64
    [C][H][W], `<layer>.spikes` uint8 [T][C][H][W] spike words, `<layer>.membrane` (when the export recorded
    them) and `<output>.accum` int64 [T][C][H][W].

    `manifest`: as load_manifest returned it (loaded here otherwise, which verifies every file's SHA-256; the
    index and every file it names must be among the manifest's files). Every index entry must be the one the
    manifest's layers give (encoding, dtype, shape, bits), the keys those of an export with or without membranes,
    and every file a complete gzip stream of exactly its size. `folder`: read another vectors folder (a bench's
    `--vectors`: golden vectors edited on purpose), checked the same way except for the hashes. Errors are
    ManifestError naming the file."""
    export_dir = Path(export_dir)
    m = manifest if manifest is not None else load_manifest(export_dir)
    if folder is None:
        folder = export_dir / VECTORS
        index = vectors_io.read_index(folder)
        for e in index.values():
            if f"{VECTORS}/{e['file']}" not in m["files"]:
                raise ManifestError(f"{folder / e['file']}: not listed in {export_dir / 'manifest.yaml'} (field "
                                    "files; re-run the export)")
    folder = Path(folder)
    vec = vectors_io.read_vectors(folder, lambda key: vectors_io.spec_of(m, key))
    try:
        vectors_io.has_membranes(m, vec)
    except ValueError as exc:
        raise ManifestError(f"{folder / vectors_io.INDEX}: {exc}") from None
    return vec


def verify_vectors(export_dir: str | Path, m: dict, net: Network, vec: dict[str, np.ndarray] | None = None) -> None:
    """The export's golden vectors must be the model's: every vector is re-computed by the fast exact integer model
    (golden.contract.fastmodel) from `net` (load_network's, re-derived from weights.npz) and the image stored in
    the vectors, and compared with == in file order. An edited vector whose SHA-256 was updated in the manifest
    (which the hash check cannot see) is refused here as an edited vector, not simulated and reported as an RTL
    or C-sim mismatch. ManifestError `<export>/vectors/<file>: field <key> differs from the model's (edited
    vector)` names the first differing one. `vec`: as load_vectors returned it (read here otherwise)."""
    from golden.contract.fastmodel import FastModel  # torch: only when verifying

    export_dir = Path(export_dir)
    folder = export_dir / VECTORS
    vec = vec if vec is not None else load_vectors(export_dir, m)
    index = vectors_io.read_index(folder)
    membranes = vectors_io.has_membranes(m, vec)
    try:
        want = FastModel(list(net.layers), list(net.thresholds_log2), net.compare, net.timesteps).vectors(
            vec["input"], record_membranes=membranes)
    except ValueError as exc:  # a value outside its manifest width: the weights or widths were edited
        raise ManifestError(f"{export_dir / 'manifest.yaml'}: the integer model refuses the export ({exc})") from None
    for key in vectors_io.export_keys(m, membranes):
        if key not in want or not np.array_equal(np.asarray(vec[key]), np.asarray(want[key])):
            raise ManifestError(f"{folder / index[key]['file']}: field {key} differs from the model's (edited "
                                "vector)")


def verify_export(export_dir: str | Path) -> tuple[Network, dict]:
    """Everything of an export checked: the manifest and every file's SHA-256 (load_manifest), the weights and
    what is re-derived from them (load_network: widths, ROM images, snn_params.h) and the golden vectors
    re-computed by the model (verify_vectors). Returns (network, manifest); ManifestError names the first problem.
    `python -m golden export-net --verify DIR` runs it."""
    m = load_manifest(export_dir)
    net = load_network(export_dir, m)
    verify_vectors(export_dir, m, net)
    return net, m
