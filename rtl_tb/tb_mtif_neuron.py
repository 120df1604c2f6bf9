"""cocotb bench: mtif_neuron (combinational) against golden.contract.intmodel.neuron_step (contract §4).

Parameters (K, widths, thresholds, compare rule) are those of one layer (SNN_LAYER) of a network export
(SNN_EXPORT; rtl_tb/cases.py NeuronCase: K = 1..4, gt and ge).
Stimuli: random (membrane, current) pairs whose sum fits the membrane width (§7 guarantees that in the
layers), plus every sum of a subset of thresholds and its neighbours +-1 (the cases that separate gt from ge
and exercise the whole cascade), and the width extremes.
"""
from __future__ import annotations

import itertools

import numpy as np

from rtl_tb import snnbench as bench
import cocotb
from cocotb.triggers import Timer
from golden.contract.intmodel import neuron_step


def _cases(rng: np.random.Generator, th: list[int], cur_bits: int, mem_bits: int, n_random: int):
    v_lo, v_hi = -(1 << (mem_bits - 1)), (1 << (mem_bits - 1)) - 1
    i_lo, i_hi = -(1 << (cur_bits - 1)), (1 << (cur_bits - 1)) - 1
    targets = [v_lo, v_hi, 0, 1, -1]
    for r in range(1, len(th) + 1):
        for subset in itertools.combinations(th, r):
            targets += [sum(subset) + d for d in (-1, 0, 1)]
    sums = np.concatenate([np.array([s for s in targets if v_lo <= s <= v_hi], dtype=np.int64),
                           rng.integers(v_lo, v_hi + 1, n_random)])
    cur = rng.integers(i_lo, i_hi + 1, len(sums))
    cur[: len(sums) - n_random : 2] = 0  # half of the targeted sums come entirely from the membrane
    v = sums - cur
    keep = (v >= v_lo) & (v <= v_hi)
    return v[keep], cur[keep]


@cocotb.test()
async def mtif_neuron_matches_golden(dut):
    s = bench.Settings.from_env()
    layer = s.layer or s.manifest["layers"][0]["name"]
    entry = s.layer_entry(layer)
    th = [int(t) for t in entry["thresholds_int"]]
    cur_bits, mem_bits, compare = entry["current_bits"], entry["membrane_bits"], s.manifest["compare"]
    rng = np.random.default_rng(s.seed)
    v, cur = _cases(rng, th, cur_bits, mem_bits, n_random=3000)
    exp_v, exp_s = neuron_step(v, cur, th, compare)
    dut._log.info("layer %s: K=%d thresholds=%s compare=%s current_bits=%d membrane_bits=%d, %d cases",
                  layer, len(th), th, compare, cur_bits, mem_bits, len(v))
    mmask, cmask = (1 << mem_bits) - 1, (1 << cur_bits) - 1
    first, mismatches = None, 0
    for n in range(len(v)):
        dut.v_in.value = int(v[n]) & mmask
        dut.i_in.value = int(cur[n]) & cmask
        await Timer(1, unit="ns")
        got_v = dut.v_out.value.to_signed()
        got_s = dut.spikes.value.to_unsigned()
        if got_v != exp_v[n] or got_s != exp_s[n]:
            mismatches += 1
            if first is None:
                first = (f"layer={layer} case={n} v_in={int(v[n])} i_in={int(cur[n])} "
                         f"expected=(spikes={int(exp_s[n])}, v={int(exp_v[n])}) got=(spikes={got_s}, v={got_v})")
    summary = {"layers": {layer: {"values": len(v), "mismatches": mismatches, "first_mismatch": first}},
               "timesteps": s.T, "values": len(v), "mismatches": mismatches, "first_mismatch": first, "error": None}
    bench.write_summary(s, summary)
    assert mismatches == 0, f"{mismatches} mismatching neuron updates; first: {first}"
