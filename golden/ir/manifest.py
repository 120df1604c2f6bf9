"""The export's manifest (manifest.yaml): its format, parsed and validated, refusing anything malformed.

Every error names the file and the field. This module only reads and checks the manifest and the files' SHA-256
(the kinds' facts through golden/ir/registry.py); building the IR from an export and re-deriving what the
writers wrote (widths, ROM images, snn_params.h) is golden/export/load.py (load_network, load_layers,
load_vectors), above the kinds and the writers in the layer order (golden/__init__.py).
"""
from __future__ import annotations

import math
from pathlib import Path

from golden.atomic import sha256
from golden.contract.quant import timesteps_problem
from golden.errors import ManifestError, _need, load_yaml
from golden.ir import registry
from golden.ir.network import WIDTH_FIELDS

FORMAT_VERSION = 3  # 2: `files` holds the SHA-256 of every file; 3: golden vectors in vectors/ (index.json, .gz)
VECTORS = "vectors"  # the folder of the golden vectors, relative to the export
VECTORS_INDEX = "index.json"  # the vectors folder's index (golden/export/vectors.py)
TASKS = ("segmentation", "denoising")  # golden/model/unet.py TASKS
TOP_FIELDS = ("format_version", "model", "task", "timesteps", "compare", "thresholds_log2", "input", "source",
              "layers", "files")
INPUT_FIELDS = ("channels", "height", "width", "pixel_bits")
SOURCE_FIELDS = ("image", "crop")
LAYER_INT_FIELDS = ("in_channels", "out_channels", "height", "width", "kernel", "frac_bits", "input_shift",
                    "weight_bits", "bias_bits", "acc_bits", "current_bits", "membrane_bits")


LAYER_FIELDS = ("name", "kind", "sources", *LAYER_INT_FIELDS, *WIDTH_FIELDS, "thresholds_int", "weight_shape",
                "weight_file", "bias_file", "lambda")


def _no_unknown(d: dict, known, path, where) -> None:
    """A field the format does not have is refused (a typo, or a file of another version), naming it."""
    if not isinstance(d, dict):
        return  # _field's kind check names it
    for key in d:
        if key not in known:
            raise ManifestError(f"{path}: field {where}{key}: unknown (the format has {', '.join(known)})")


def _field(d, key, path, where, kind=None):
    return _need(d, key, kind, path, where, ManifestError)


def load_manifest(export_dir: str | Path) -> dict:
    path = Path(export_dir) / "manifest.yaml"
    if not path.is_file():
        raise ManifestError(f"{path}: no manifest (run `make export`)")
    m = load_yaml(path, ManifestError)
    if not isinstance(m, dict):
        raise ManifestError(f"{path}: expected a mapping at the top level")
    if _field(m, "format_version", path, "", int) != FORMAT_VERSION:
        raise ManifestError(f"{path}: field format_version={m['format_version']} is not supported (expected "
                            f"{FORMAT_VERSION}: re-run the export)")
    _no_unknown(m, TOP_FIELDS, path, "")
    _field(m, "model", path, "", str)
    if timesteps_problem(_field(m, "timesteps", path, "", int)):
        raise ManifestError(f"{path}: field timesteps {timesteps_problem(m['timesteps'])}")
    task = _field(m, "task", path, "", str)
    if task not in TASKS:
        raise ManifestError(f"{path}: field task must be one of {TASKS}, got {task!r}")
    if _field(m, "compare", path, "", str) not in ("gt", "ge"):
        raise ManifestError(f"{path}: field compare must be 'gt' or 'ge', got {m['compare']!r}")
    exps = _field(m, "thresholds_log2", path, "", list)
    if not exps or any(not isinstance(e, int) or isinstance(e, bool) for e in exps) or \
            any(a <= b for a, b in zip(exps, exps[1:])):
        raise ManifestError(f"{path}: field thresholds_log2 must be strictly decreasing integers, got {exps}")
    inp = _field(m, "input", path, "", dict)
    _no_unknown(inp, INPUT_FIELDS, path, "input.")
    for k in ("channels", "height", "width", "pixel_bits"):
        if _field(inp, k, path, "input.", int) < 1:
            raise ManifestError(f"{path}: field input.{k} must be >= 1")
    if "source" in m:  # where the exported image came from (optional: older exports and probe networks lack it)
        src = _field(m, "source", path, "", dict)
        _no_unknown(src, SOURCE_FIELDS, path, "source.")
        _field(src, "image", path, "source.", str)
        crop = _field(src, "crop", path, "source.", list)
        if len(crop) != 2 or any(not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in crop):
            raise ManifestError(f"{path}: field source.crop must be [y, x], two integers >= 0, got {crop!r}")
    layers = _field(m, "layers", path, "", list)
    if not layers:
        raise ManifestError(f"{path}: field layers is empty")
    channels = {"input": inp["channels"]}
    for i, layer in enumerate(layers):
        where = f"layers[{i}]."
        name = _field(layer, "name", path, where, str)
        where = f"layers[{i}]({name})."
        _no_unknown(layer, LAYER_FIELDS, path, where)
        if "lambda" in layer:
            lam = layer["lambda"]
            if isinstance(lam, bool) or not isinstance(lam, (int, float)) or not math.isfinite(lam) or lam <= 0:
                raise ManifestError(f"{path}: field {where}lambda must be a finite number > 0, got {lam!r}")
        for k in ("weight_file", "bias_file"):
            if k in layer and not isinstance(layer[k], str):
                raise ManifestError(f"{path}: field {where}{k} must be str, got {layer[k]!r}")
        kind = _field(layer, "kind", path, where, str)
        if kind not in registry.names():
            raise ManifestError(f"{path}: field {where}kind must be one of {registry.names()}, got {kind!r}")
        sources = _field(layer, "sources", path, where, list)
        if not sources or any(s not in channels for s in sources):
            raise ManifestError(f"{path}: field {where}sources={sources} must name earlier layers (or input)")
        spec = registry.get(kind)
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
    # task vs the output layer's channels (segmentation: >= 2 classes; denoising: the image's channels) is not
    # checked: a probe network (golden/export/probe.py) keeps its model's task with a 1-channel probe head
    verify_files(Path(export_dir), m)
    return m


def verify_files(export_dir: Path, m: dict) -> None:
    """Every file the manifest lists exists with its SHA-256, and every file the export needs is listed."""
    path = export_dir / "manifest.yaml"
    files = _field(m, "files", path, "", dict)
    needed = {"weights.npz", "snn_params.h", f"{VECTORS}/{VECTORS_INDEX}"}
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
