"""The frame engine's membrane trace, for debugging a mismatch (docs/frame_engine.md, "Debugging a mismatch").

The spike words and A_T the benches compare say *where* a frame went wrong; the membranes say *why*. The engine
keeps a membrane only while its pixel is in flight, so it cannot be read back from memory. In simulation,
snn_frame_neuron writes every neuron update to a text file when the plusarg `+snn_trace=FILE` is given (a
simulation-only block, not under SYNTHESIS; off by default):

    R                       a reset
    S                       a layer pass starts (the layers in network order, each layer's passes in order)
    M y x t g v_0 .. v_n    an update: output row y, column x, step t, group g within the pass, and the CO lanes'
                            membranes after it (the output layer: A_t), signed decimal

`compare_trace` maps the passes onto the layers (frame_config's passes, GP and CO of each layer: channel
(pass * GP + g) * CO + o), takes the last complete frame after the last reset and compares every membrane with
the golden model's with == (the export's membrane vectors, or the fast integer model's when the export has none;
the output layer with A_t). `python -m golden sim --trace` runs it.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np


def read_runs(path: Path | str) -> list[list[tuple]]:
    """The layer passes of the trace after its last reset, each a list of (y, x, t, g, values)."""
    runs: list[list[tuple]] = []
    for line in Path(path).read_text().splitlines():
        if line == "R":
            runs = []
        elif line == "S":
            runs.append([])
        elif line.startswith("M ") and runs:
            f = line.split()
            runs[-1].append((int(f[1]), int(f[2]), int(f[3]), int(f[4]), [int(v) for v in f[5:]]))
    return runs


def golden_membranes(net, vec: dict) -> dict:
    """Per layer [T][C][H][W]: the membranes after each step (the output layer: A_t), from the vectors, or from
    the fast integer model when they have none."""
    if any(f"{l.name}.membrane" not in vec for l in net.spiking):
        from golden.export.network import run_int

        vec = run_int(net.layers, vec["input"], net.timesteps, net.thresholds_log2, net.compare,
                      record_membranes=True)
    out = {l.name: np.asarray(vec[f"{l.name}.membrane"]) for l in net.spiking}
    out[net.output_layer.name] = np.asarray(vec[f"{net.output_layer.name}.accum"])
    return out


def compare_trace(net, cfg, trace: Path | str, vec: dict) -> dict:
    """Compare the last complete frame of the trace with the golden membranes; a summary: values compared,
    mismatches and the first, in trace order (the order the engine computed them)."""
    order = [(l, p) for l in net.layers for p in range(cfg.passes.get(l.name, 1))]
    runs = read_runs(trace)
    summary = {"values": 0, "mismatches": 0, "first_mismatch": None, "trace": str(trace)}
    if len(runs) < len(order):
        summary["error"] = f"{trace}: {len(runs)} layer passes after the last reset, the network has {len(order)}"
        return summary
    full = len(runs) // len(order)          # complete frames after the last reset: the last of them
    runs = runs[(full - 1) * len(order):full * len(order)]
    gold = golden_membranes(net, vec)
    desc = dict(zip((l.name for l in net.layers), cfg.layers))
    for (layer, p), run in zip(order, runs):
        d = desc[layer.name]
        gp, co = int(d["F_GP"]), 1 << int(d["F_COL"])
        want = gold[layer.name]
        for y, x, t, g, values in run:
            for o, v in enumerate(values[:co]):
                c = (p * gp + g) * co + o
                if c >= layer.out_channels:
                    continue
                summary["values"] += 1
                w = int(want[t, c, y, x])
                if v != w:
                    summary["mismatches"] += 1
                    if summary["first_mismatch"] is None:
                        summary["first_mismatch"] = (f"membrane {layer.name} t={t} c={c} y={y} x={x}: rtl {v} "
                                                     f"golden {w}")
    return summary
