"""Load an export (manifest.yaml + weights.npz) back, refusing anything malformed.

Every error names the file and the field. Used by the benches and the C-sim driver, so that HLS, RTL and tests
all read their parameters from the exported manifest and nothing else.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from golden import kinds
from golden.errors import ManifestError, _need
from golden.ir.network import WIDTH_FIELDS, Layer, Network, NetworkError
from golden.contract.quant import fits
from golden.export import vectors as vectors_io
from golden.export.writer import FORMAT_VERSION, VECTORS, sha256
from golden.kinds.base import widths_of

LAYER_INT_FIELDS = ("in_channels", "out_channels", "height", "width", "kernel", "frac_bits", "input_shift",
                    "weight_bits", "bias_bits", "acc_bits", "current_bits", "membrane_bits")
KINDS = kinds.NAMES


def _field(d, key, path, where, kind=None):
    return _need(d, key, kind, path, where, ManifestError)


def load_manifest(export_dir: str | Path) -> dict:
    path = Path(export_dir) / "manifest.yaml"
    if not path.is_file():
        raise ManifestError(f"{path}: no manifest (run `make export`)")
    try:
        m = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ManifestError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(m, dict):
        raise ManifestError(f"{path}: expected a mapping at the top level")
    if _field(m, "format_version", path, "", int) != FORMAT_VERSION:
        raise ManifestError(f"{path}: field format_version={m['format_version']} is not supported (expected "
                            f"{FORMAT_VERSION}: re-run the export)")
    _field(m, "model", path, "", str)
    if _field(m, "timesteps", path, "", int) < 1:
        raise ManifestError(f"{path}: field timesteps must be >= 1")
    if _field(m, "compare", path, "", str) not in ("gt", "ge"):
        raise ManifestError(f"{path}: field compare must be 'gt' or 'ge', got {m['compare']!r}")
    exps = _field(m, "thresholds_log2", path, "", list)
    if not exps or any(not isinstance(e, int) or isinstance(e, bool) for e in exps) or \
            any(a <= b for a, b in zip(exps, exps[1:])):
        raise ManifestError(f"{path}: field thresholds_log2 must be strictly decreasing integers, got {exps}")
    inp = _field(m, "input", path, "", dict)
    for k in ("channels", "height", "width", "pixel_bits"):
        if _field(inp, k, path, "input.", int) < 1:
            raise ManifestError(f"{path}: field input.{k} must be >= 1")
    layers = _field(m, "layers", path, "", list)
    if not layers:
        raise ManifestError(f"{path}: field layers is empty")
    channels = {"input": inp["channels"]}
    for i, layer in enumerate(layers):
        where = f"layers[{i}]."
        name = _field(layer, "name", path, where, str)
        where = f"layers[{i}]({name})."
        kind = _field(layer, "kind", path, where, str)
        if kind not in KINDS:
            raise ManifestError(f"{path}: field {where}kind must be one of {KINDS}, got {kind!r}")
        sources = _field(layer, "sources", path, where, list)
        if not sources or any(s not in channels for s in sources):
            raise ManifestError(f"{path}: field {where}sources={sources} must name earlier layers (or input)")
        spec = kinds.get(kind)
        if spec.reads_image != (sources == ["input"]):
            raise ManifestError(f"{path}: field {where}sources: only an input_conv reads the image")
        for k in LAYER_INT_FIELDS:
            _field(layer, k, path, where, int)
        for k in WIDTH_FIELDS:
            if not 2 <= layer[k] <= 62:
                raise ManifestError(f"{path}: field {where}{k}={layer[k]} is outside 2..62")
        if layer["in_channels"] != sum(channels[s] for s in sources):
            raise ManifestError(f"{path}: field {where}in_channels={layer['in_channels']} is not the sum of its "
                                f"sources' channels ({sum(channels[s] for s in sources)})")
        ths = _field(layer, "thresholds_int", path, where, list)
        expected = [1 << (e + layer["frac_bits"]) for e in exps] if spec.has_neuron else []
        if ths != expected:
            raise ManifestError(f"{path}: field {where}thresholds_int={ths} disagrees with thresholds_log2 and "
                                f"frac_bits (expected {expected})")
        shape = _field(layer, "weight_shape", path, where, list)
        k = layer["kernel"]
        want = ([layer["out_channels"], k, k, layer["in_channels"]] if spec.has_params
                else [layer["out_channels"], 0, 0, 0])
        if shape != want or (spec.has_params and k not in spec.kernels):
            raise ManifestError(f"{path}: field {where}weight_shape={shape} disagrees with kind, kernel and "
                                f"in/out_channels (expected {want})")
        channels[name] = layer["out_channels"]
    verify_files(Path(export_dir), m)
    return m


def verify_files(export_dir: Path, m: dict) -> None:
    """Every file the manifest lists exists with its SHA-256, and every file the export needs is listed."""
    path = export_dir / "manifest.yaml"
    files = _field(m, "files", path, "", dict)
    needed = {"weights.npz", "snn_params.h", f"{VECTORS}/{vectors_io.INDEX}"}
    for layer in m["layers"]:
        needed |= {layer[k] for k in ("weight_file", "bias_file") if k in layer}
    for name in sorted(needed - set(files)):
        raise ManifestError(f"{path}: field files has no entry for {name}")
    for name, digest in files.items():
        f = export_dir / name
        if not isinstance(name, str) or ".." in Path(name).parts or Path(name).is_absolute():
            raise ManifestError(f"{path}: field files has a path outside the export: {name!r}")
        if not f.is_file():
            raise ManifestError(f"{f}: missing (listed in manifest.yaml; re-run the export)")
        if sha256(f) != digest:
            raise ManifestError(f"{f}: SHA-256 differs from manifest.yaml (edited after the export; re-run the "
                                "export)")


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
    from golden.backends.hls.header import render_header
    from golden.export.writer import rom_image

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


def vectors_have_membranes(vectors: dict) -> bool:
    """Whether golden vectors (load_vectors) hold the membranes (`export-net --membranes`)."""
    return any(k.endswith(".membrane") for k in vectors)
