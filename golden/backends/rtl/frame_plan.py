"""Sizing of the external-memory frame engine (docs/frame_engine.md, "On-chip memory and external traffic"): the
on-chip memories of a build and the external traffic of a frame, from the build's own parameters
(golden/backends/rtl/frame_config.py) and the frame's memory layout (golden/ir/frame_memory.py).

The memories as an upper-bound model, not a synthesis (`python -m golden synth` gives yosys' mapping): the
accumulator band (4 slots x P / LG words of LG x ACC_W bits, SLOT_DEPTH deep), the weights (all on chip, or one
pass when streamed) and the biases; in BRAM36 fully packed, or the band in URAM288 (72 x 4096 a block, one memory
per word column). FIFOs, descriptors and registers are left out. Nothing depends on the frame height.
"""
from __future__ import annotations

import math
import tempfile
from pathlib import Path

from golden.backends.rtl import frame_traffic
from golden.backends.rtl.frame_config import ACC_SLOTS, build_frame_config

BRAM18_BITS = 18 * 1024
BRAM36_BITS = 36 * 1024
URAM_WIDTH, URAM_DEPTH = 72, 4096
XCZU7EV = {"lut": 230_400, "bram36": 312, "uram": 96, "dsp": 1728}  # ZCU104's part


ASSUMED_WIDTHS = {"weight_bits": 8, "bias_bits": 16, "acc_bits": 24, "current_bits": 24, "membrane_bits": 30}


def with_assumed_widths(net):
    """A shapes-only network (no export: golden estimate --config) with the widths of ASSUMED_WIDTHS."""
    import dataclasses

    layers = tuple(l if l.widths else dataclasses.replace(l, widths=dict(ASSUMED_WIDTHS)) for l in net.layers)
    return dataclasses.replace(net, layers=layers)


def frame_plan(net, max_width: int, weights: str = "rom", lanes: int = 8, data_bits: int = 64,
               group_pass: int | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        cfg = build_frame_config(net, lanes, Path(tmp), max_width=max_width, data_bits=data_bits, weights=weights,
                                 group_pass=group_pass)
    p = cfg.params
    band_word = p["LG"] * p["ACC_W"]
    band_mems = ACC_SLOTS * (lanes // p["LG"])
    band_bits = band_mems * band_word * p["SLOT_DEPTH"]
    weight_bits = p["WROM_DEPTH"] * lanes * p["W_BITS"]
    bias_bits = p["BROM_DEPTH"] * lanes * p["B_BITS"]
    uram = band_mems * math.ceil(band_word / URAM_WIDTH) * math.ceil(p["SLOT_DEPTH"] / URAM_DEPTH)
    t = frame_traffic.traffic(net, data_bits=data_bits, passes=cfg.passes)
    if weights == "stream":
        t["read_bytes"] += cfg.weight_bytes
    return {
        "model": net.name, "frame": f"{net.height}x{net.width}", "max_width": max_width, "T": net.timesteps,
        "weights": weights, "lanes": lanes, "data_bits": data_bits, "passes": max(cfg.passes.values()),
        "band_bits": band_bits, "weight_bits": weight_bits, "bias_bits": bias_bits,
        "bram36_all": math.ceil((band_bits + weight_bits + bias_bits) / BRAM36_BITS),
        "uram_band": uram, "bram36_rest": math.ceil((weight_bits + bias_bits) / BRAM36_BITS),
        "external_read_mb": t["read_bytes"] / 1e6, "external_write_mb": t["write_bytes"] / 1e6,
        "traffic": t, "params": p,
    }


def fits_xczu7ev(plan: dict) -> bool:
    """The memories alone within the part: all in BRAM, or the band in URAM and the rest in BRAM."""
    return (plan["bram36_all"] <= XCZU7EV["bram36"]
            or (plan["bram36_rest"] <= XCZU7EV["bram36"] and plan["uram_band"] <= XCZU7EV["uram"]))


def line(plan: dict) -> str:
    return (f"FRAME {plan['model']} frame={plan['frame']} max_width={plan['max_width']} T={plan['T']} "
            f"lanes={plan['lanes']} weights={plan['weights']} passes<={plan['passes']} "
            f"band_kbit={plan['band_bits'] / 1024:.0f} weight_kbit={plan['weight_bits'] / 1024:.0f} "
            f"bias_kbit={plan['bias_bits'] / 1024:.0f} bram36={plan['bram36_all']} "
            f"(or band in uram={plan['uram_band']} + bram36={plan['bram36_rest']}) "
            f"ext_read_mb={plan['external_read_mb']:.1f} ext_write_mb={plan['external_write_mb']:.1f} "
            f"fits_xczu7ev={'yes' if fits_xczu7ev(plan) else 'no'}")
