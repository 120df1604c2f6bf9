"""Writers of an export (docs/contract.md §8): manifest.yaml, weights.npz, `$readmemh` ROM images, the HLS
header, golden vectors (vectors/: gzip files of §5 beats and narrow integers and their index.json,
golden/export/vectors.py). The export is written into a temporary sibling folder and swapped in at
the end (golden/atomic.py), so a killed export leaves the old complete export or none. The manifest records the
SHA-256 of every other file; every consumer verifies them (golden/ir/manifest.py, golden/export/load.py).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import yaml

from golden.atomic import replace_dir, sha256, temporary_sibling, write_npz, write_text
from golden.contract.quant import hex_lines
from golden.export.params_header import render_header
from golden.export.vectors import write_export_vectors
from golden.ir.manifest import FORMAT_VERSION, VECTORS
from golden.ir.network import Network



def manifest_for(net: Network, source: dict | None = None) -> dict:
    """The manifest (contract §8) of a network: every layer's kind, sources, sizes, formats and widths; `source`
    (optional): where the exported image came from, {"image": path, "crop": [y, x]} (the origin of the exported
    region inside it), so a label of the whole image can be aligned without repeating the crop."""
    entries = []
    for l in net.layers:
        entries.append({
            "name": l.name, "kind": l.kind, "sources": list(l.sources),
            "in_channels": l.in_channels, "out_channels": l.out_channels, "height": l.height, "width": l.width,
            "kernel": l.kernel, "frac_bits": l.frac_bits, "input_shift": l.input_shift,
            "thresholds_int": [int(t) for t in l.thresholds_int],
            **{k: int(v) for k, v in l.widths.items()},
            "weight_shape": [int(s) for s in l.weight.shape],
            **({"weight_file": f"{l.name}_weight.mem", "bias_file": f"{l.name}_bias.mem"} if l.spec.has_params else {}),
            **({"lambda": float(net.lambdas[l.name])} if l.name in net.lambdas else {}),
        })
    return {"format_version": FORMAT_VERSION, "model": net.name, "task": net.task, "timesteps": net.timesteps,
            "compare": net.compare, "thresholds_log2": list(net.thresholds_log2),
            "input": {"channels": net.in_channels, "height": net.height, "width": net.width,
                      "pixel_bits": net.pixel_bits},
            **({"source": {"image": str(source["image"]), "crop": [int(v) for v in source["crop"]]}}
               if source else {}),
            "layers": entries}


def rom_image(values: np.ndarray, bits: int) -> str:
    """A `$readmemh` ROM image: one two's complement value of `bits` bits per line (§8)."""
    return hex_lines(values, bits)


def write_export(out_dir: str | Path, net: Network, vectors: dict[str, np.ndarray],
                 source: dict | None = None) -> tuple[Path, dict]:
    out_dir = Path(out_dir)
    tmp = temporary_sibling(out_dir)
    try:
        manifest = _write_files(tmp, net, vectors, source)
        replace_dir(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir, manifest


def _write_files(out_dir: Path, net: Network, vectors: dict[str, np.ndarray], source: dict | None = None) -> dict:
    manifest = manifest_for(net, source)
    arrays = {}
    for l in net.layers:
        if not l.spec.has_params:
            continue
        arrays[f"{l.name}.weight"] = l.weight
        arrays[f"{l.name}.bias"] = l.bias
        write_text(out_dir / f"{l.name}_weight.mem", rom_image(l.weight, l.weight_bits))
        write_text(out_dir / f"{l.name}_bias.mem", rom_image(l.bias, l.bias_bits))
    write_npz(out_dir / "weights.npz", arrays)
    write_text(out_dir / "snn_params.h", render_header(net))
    write_export_vectors(out_dir / VECTORS, manifest, vectors)
    files = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file())
    manifest["files"] = {f: sha256(out_dir / f) for f in files}
    write_text(out_dir / "manifest.yaml", yaml.safe_dump(manifest, sort_keys=False))  # last
    return manifest
