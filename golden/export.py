"""Export: float checkpoint -> quantised integer network, manifest, HLS header, .mem files, golden vectors.

Implements docs/contract.md §2 (quantisation), §7 (widths) and §8 (files). Every file is written atomically.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from . import intmodel
from .atomic import write_npz, write_text
from .hls_header import render_header
from .intmodel import IntLayer
from .quant import quantize, signed_bits, to_hex_words

FORMAT_VERSION = 1


@dataclass(frozen=True)
class FloatLayer:
    """A normalised float layer, ready to quantise. `weight` in torch layout: Conv2d [out][in][ky][kx],
    ConvTranspose2d [in][out][ky][kx]; None for `pool`. `kind` is one of intmodel.KINDS."""

    name: str
    kind: str
    sources: tuple[str, ...]
    weight: np.ndarray | None
    bias: np.ndarray | None
    frac_bits: int | None  # None: chosen per layer so the weights fill `weight_bits_target` bits (§2)
    input_shift: int | None = 0  # input_conv: None chooses G the same way
    weight_bits_target: int = 8


MAX_FRAC_BITS = 24


def auto_frac_bits(max_abs: float, bits: int, offset: int, lowest: int) -> int:
    """Largest f in [lowest, MAX_FRAC_BITS] with max_abs * 2^(f + offset) <= 2^(bits-1) - 1, so the largest
    weight uses the whole signed width (contract §2: per-layer formats)."""
    if max_abs <= 0:
        return lowest
    f = int(np.floor(np.log2((2 ** (bits - 1) - 1) / max_abs))) - offset
    return int(min(max(f, lowest), MAX_FRAC_BITS))


def quantise_layer(layer: FloatLayer, exps, timesteps: int, in_channels: int) -> IntLayer:
    """One layer to the integer contract (§2), with widths from the worst-case bounds (§7)."""
    e_min, f = min(exps), layer.frac_bits
    m = sum(1 << (e - e_min) for e in exps)  # largest spike magnitude: every threshold fires
    lowest = max(-e_min, 2 - e_min) if layer.kind == "pool" else -e_min
    if f is None:
        if layer.kind in ("pool", "input_conv"):
            f = lowest if layer.kind == "pool" else 8
        else:
            f = auto_frac_bits(float(np.abs(layer.weight).max()), layer.weight_bits_target, e_min, lowest)
    if f + e_min < 0:
        raise ValueError(f"layer {layer.name}: frac_bits={f} is too small for threshold 2^{e_min}")
    if layer.kind == "pool":
        shift = f + e_min - 2  # average of 4 spike values, each magnitude * 2^e_min, in units of 2^-F
        if shift < 0:
            raise ValueError(f"layer {layer.name}: pool needs frac_bits >= {2 - e_min}, got {f}")
        w = np.zeros((in_channels, 0, 0, 0), dtype=np.int64)
        b = np.zeros(in_channels, dtype=np.int64)
        acc_bound = current_bound = (4 * m) << shift
        g = shift
    else:
        w_f = np.asarray(layer.weight, dtype=np.float64)
        order = (1, 2, 3, 0) if layer.kind == "upconv" else (0, 2, 3, 1)
        w_f = np.transpose(w_f, order)  # -> [out][ky][kx][in]
        b_f = np.asarray(layer.bias, dtype=np.float64)
        if w_f.shape[3] != in_channels:
            raise ValueError(f"layer {layer.name}: weights expect {w_f.shape[3]} input channels, "
                             f"its sources give {in_channels}")
        if layer.kind == "input_conv":
            g = layer.input_shift
            if g is None:
                g = auto_frac_bits(float(np.abs(w_f).max()) / 255.0, layer.weight_bits_target, f, 1)
            if g < 1:
                raise ValueError(f"layer {layer.name}: input_shift must be >= 1")
            w = quantize(w_f / 255.0, f + g)
            b = quantize(b_f, f + g) + (1 << (g - 1))  # rounding offset of the >>> G folded into the bias
            acc_bound = int(np.max(np.abs(b) + 255 * np.abs(w).reshape(len(w), -1).sum(1)))
            current_bound = -(-acc_bound >> g)  # ceil
        else:
            g = 0
            w = quantize(w_f, f + e_min)
            b = quantize(b_f, f)
            acc_bound = current_bound = int(np.max(np.abs(b) + m * np.abs(w).reshape(len(w), -1).sum(1)))
    widths = {
        "weight_bits": signed_bits(np.abs(w).max() if w.size else 0),
        "bias_bits": signed_bits(np.abs(b).max()),
        "acc_bits": signed_bits(acc_bound),
        "current_bits": signed_bits(current_bound),
        "membrane_bits": signed_bits(timesteps * current_bound),  # the output layer's accumulator too
    }
    ths = () if layer.kind == "output" else tuple(1 << (e + f) for e in exps)
    return IntLayer(name=layer.name, kind=layer.kind, sources=tuple(layer.sources), weight=w, bias=b,
                    frac_bits=f, thresholds_int=ths, input_shift=g, widths=widths)


def quantise(float_layers: list[FloatLayer], exps, timesteps: int, in_channels: int) -> list[IntLayer]:
    channels = {"input": in_channels}
    out = []
    for layer in float_layers:
        missing = [s for s in layer.sources if s not in channels]
        if missing:
            raise ValueError(f"layer {layer.name}: sources {missing} are not earlier layers")
        q = quantise_layer(layer, exps, timesteps, sum(channels[s] for s in layer.sources))
        channels[layer.name] = q.out_channels
        out.append(q)
    return out


def quantise_slice(cfg: dict, normalised: dict, in_channels: int) -> list[IntLayer]:
    """Quantise the normalised float slice (input conv, spiking conv) to the integer contract."""
    lc = cfg["layers"]
    layers = [
        FloatLayer("conv1", "input_conv", ("input",), *normalised["conv1"], lc["conv1"]["frac_bits"],
                   lc["conv1"]["input_shift"]),
        FloatLayer("conv2", "spiking_conv", ("conv1",), *normalised["conv2"], lc["conv2"]["frac_bits"]),
    ]
    return quantise(layers, cfg["thresholds_log2"], cfg["timesteps"], in_channels)


def manifest_for(name: str, layers: list[IntLayer], image_shape, timesteps: int, thresholds_log2, compare: str,
                 task: str, lambdas: dict[str, float] | None = None) -> dict:
    """The manifest (contract §8) of any network: every layer's kind, sources, sizes, formats and widths."""
    c, h, w = image_shape
    entries, size = [], {"input": (h, w)}
    for layer in layers:
        hs, ws = size[layer.sources[0]]
        if layer.kind == "pool":
            hs, ws = hs // 2, ws // 2
        elif layer.kind == "upconv":
            hs, ws = hs * 2, ws * 2
        size[layer.name] = (hs, ws)
        entries.append({
            "name": layer.name, "kind": layer.kind, "sources": list(layer.sources),
            "in_channels": int(layer.weight.shape[3]) if layer.weight.size else layer.out_channels,
            "out_channels": layer.out_channels, "height": hs, "width": ws,
            "kernel": int(layer.weight.shape[1]) if layer.weight.size else 2,
            "frac_bits": layer.frac_bits, "input_shift": layer.input_shift,
            "thresholds_int": [int(t) for t in layer.thresholds_int],
            **{k: int(v) for k, v in layer.widths.items()},
            "weight_shape": [int(s) for s in layer.weight.shape],
            **({"weight_file": f"{layer.name}_weight.mem", "bias_file": f"{layer.name}_bias.mem"}
               if layer.weight.size else {}),
            **({"lambda": float(lambdas[layer.name])} if lambdas and layer.name in lambdas else {}),
        })
    return {"format_version": FORMAT_VERSION, "model": name, "task": task, "timesteps": timesteps,
            "compare": compare, "thresholds_log2": list(thresholds_log2),
            "input": {"channels": int(c), "height": int(h), "width": int(w), "pixel_bits": 8}, "layers": entries}


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
        if not layer.weight.size:  # pool: no parameters
            continue
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
    manifest = manifest_for(cfg["name"], layers, image.shape, cfg["timesteps"], cfg["thresholds_log2"],
                            cfg["compare"], "slice", lambdas)
    vectors = intmodel.run(layers, image, cfg["timesteps"], cfg["thresholds_log2"], cfg["compare"])
    return write_export(out_dir, manifest, layers, vectors), manifest
