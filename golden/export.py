"""Export: float checkpoint -> quantised integer network, manifest, HLS header, .mem files, golden vectors.

Implements docs/contract.md §2 (quantisation), §7 (widths) and §8 (files). Every file is written atomically.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from . import intmodel
from .atomic import write_npz, write_text
from .hls_header import render_header
from .intmodel import IntLayer
from .quant import quantize, signed_bits, to_hex_words

FORMAT_VERSION = 1


def quantise_slice(cfg: dict, normalised: dict, in_channels: int) -> list[IntLayer]:
    """Quantise the normalised float slice to the integer contract (§2) and derive its widths (§7)."""
    exps = list(cfg["thresholds_log2"])
    e_min, timesteps = min(exps), cfg["timesteps"]
    layers = []
    for name, kind, source in (("conv1", "input_conv", "input"), ("conv2", "spiking_conv", "conv1")):
        lcfg = cfg["layers"][name]
        f = lcfg["frac_bits"]
        w_f, b_f = normalised[name]
        w_f = np.transpose(np.asarray(w_f, dtype=np.float64), (0, 2, 3, 1))  # torch [o][c][ky][kx] -> [o][ky][kx][c]
        if kind == "input_conv":
            g = lcfg["input_shift"]
            w = quantize(w_f / 255.0, f + g)
            b = quantize(b_f, f + g) + (1 << (g - 1))  # rounding offset of the >>> G folded into the bias
            acc_bound = int(np.max(np.abs(b) + 255 * np.abs(w).reshape(len(w), -1).sum(1)))
            current_bound = -(-acc_bound >> g)  # ceil
        else:
            g = 0
            w = quantize(w_f, f + e_min)
            b = quantize(b_f, f)
            m = sum(1 << (e - e_min) for e in exps)
            acc_bound = int(np.max(np.abs(b) + m * np.abs(w).reshape(len(w), -1).sum(1)))
            current_bound = acc_bound
        widths = {
            "weight_bits": signed_bits(np.abs(w).max()),
            "bias_bits": signed_bits(np.abs(b).max()),
            "acc_bits": signed_bits(acc_bound),
            "current_bits": signed_bits(current_bound),
            "membrane_bits": signed_bits(timesteps * current_bound),
        }
        layers.append(IntLayer(name=name, kind=kind, sources=(source,), weight=w, bias=b, frac_bits=f,
                               thresholds_int=tuple(1 << (e + f) for e in exps), input_shift=g, widths=widths))
    if layers[0].weight.shape[3] != in_channels:
        raise ValueError(f"conv1 expects {layers[0].weight.shape[3]} input channels, the image has {in_channels}")
    return layers


def manifest_dict(cfg: dict, layers: list[IntLayer], image_shape, lambdas: dict[str, float]) -> dict:
    c, h, w = image_shape
    out = {
        "format_version": FORMAT_VERSION,
        "model": cfg["name"],
        "timesteps": cfg["timesteps"],
        "compare": cfg["compare"],
        "thresholds_log2": list(cfg["thresholds_log2"]),
        "input": {"channels": int(c), "height": int(h), "width": int(w), "pixel_bits": 8},
        "layers": [],
    }
    for layer in layers:
        out["layers"].append({
            "name": layer.name,
            "kind": layer.kind,
            "source": layer.sources[0],
            "in_channels": int(layer.weight.shape[3]),
            "out_channels": int(layer.weight.shape[0]),
            "kernel": 3,
            "padding": 1,
            "frac_bits": layer.frac_bits,
            "input_shift": layer.input_shift,
            "thresholds_int": [int(t) for t in layer.thresholds_int],
            **{k: int(v) for k, v in layer.widths.items()},
            "weight_shape": [int(s) for s in layer.weight.shape],
            "weight_file": f"{layer.name}_weight.mem",
            "bias_file": f"{layer.name}_bias.mem",
            "lambda": float(lambdas[layer.name]),
        })
    return out


def vectors_text(arr: np.ndarray) -> str:
    flat = np.asarray(arr).astype(np.int64).ravel()
    lines = ["# shape " + " ".join(str(d) for d in arr.shape)]
    for start in range(0, flat.size, 32):
        lines.append(" ".join(str(int(v)) for v in flat[start : start + 32]))
    return "\n".join(lines) + "\n"


def write_export(out_dir: str | Path, manifest: dict, layers: list[IntLayer], vectors: dict[str, np.ndarray]) -> Path:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for layer in layers:
        arrays[f"{layer.name}.weight"] = layer.weight
        arrays[f"{layer.name}.bias"] = layer.bias
        write_text(out_dir / f"{layer.name}_weight.mem",
                   "\n".join(to_hex_words(layer.weight, layer.widths["weight_bits"])) + "\n")
        write_text(out_dir / f"{layer.name}_bias.mem",
                   "\n".join(to_hex_words(layer.bias, layer.widths["bias_bits"])) + "\n")
    write_npz(out_dir / "weights.npz", arrays)
    write_text(out_dir / "snn_params.h", render_header(manifest, layers))
    write_npz(out_dir / "vectors.npz", vectors)
    for key, arr in vectors.items():
        write_text(out_dir / "vectors" / f"{key}.txt", vectors_text(arr))
    # the manifest goes last: its presence means the export is complete
    write_text(out_dir / "manifest.yaml", yaml.safe_dump(manifest, sort_keys=False))
    return out_dir


def export_slice(cfg: dict, arrays: dict, lambdas: dict, image: np.ndarray, out_dir: str | Path,
                 compare: str | None = None, timesteps: int | None = None) -> tuple[Path, dict]:
    """Quantise, run the integer golden model on `image`, and write every file of §8."""
    from .slice import normalise

    cfg = dict(cfg)
    if compare is not None:
        cfg["compare"] = compare
    if timesteps is not None:
        cfg["timesteps"] = timesteps
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[None]
    layers = quantise_slice(cfg, normalise(arrays, lambdas), image.shape[0])
    manifest = manifest_dict(cfg, layers, image.shape, lambdas)
    vectors = intmodel.run(layers, image, cfg["timesteps"], cfg["thresholds_log2"], cfg["compare"])
    return write_export(out_dir, manifest, layers, vectors), manifest
