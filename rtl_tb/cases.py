"""The exports the RTL benches run on: the default model (gt and ge) and seeded synthetic slices.

The synthetic ones sweep what the default does not: K = 1, 2, 3, several input channels (image beats wider
than 8 bits), other channel counts, T, frac_bits / input_shift (so other widths), image sizes 8..16 (square:
golden.synth makes square images), and thresholds low enough that every spike bit fires in both layers.
Every HDL parameter is derived from the manifest each export writes.
"""
from __future__ import annotations

from pathlib import Path

import simlib

SYNTHETIC = {
    # K=1, one threshold: spike words are 1 bit, SPIKE_SHIFT = 0
    "k1_gt": dict(seed=11, size=12, in_channels=1, channels=(3, 2), timesteps=5, thresholds_log2=(0,),
                  compare="gt", frac_bits=(6, 7), input_shift=6),
    # K=2, 2 input channels (16-bit image beats), ge
    "k2_ge": dict(seed=12, size=8, in_channels=2, channels=(3, 5), timesteps=4, thresholds_log2=(0, -1),
                  compare="ge", frac_bits=(5, 6), input_shift=7),
    # K=3 with a gap in the exponents (shifts 3, 2, 0), low thresholds so that every bit fires, 3 input channels
    "k3_gt": dict(seed=13, size=10, in_channels=3, channels=(5, 4), timesteps=3, thresholds_log2=(-1, -2, -4),
                  compare="gt", frac_bits=(8, 9), input_shift=8),
    # K=4, thresholds one octave lower than the default, a longer run (T=12) on 16x16
    "k4_t12_ge": dict(seed=14, size=16, in_channels=1, channels=(4, 3), timesteps=12, thresholds_log2=(0, -1, -2, -3),
                      compare="ge", frac_bits=(8, 8), input_shift=8),
}


def export(name: str) -> Path:
    if name == "default":
        return simlib.default_export()
    if name == "default_ge":
        return simlib.default_export("ge")
    return simlib.synthetic_export(name, **SYNTHETIC[name])
