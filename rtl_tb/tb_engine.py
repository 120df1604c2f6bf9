"""cocotb bench of snn_engine: the whole exported network against its golden vectors (contract §3-§6).

Per clean frame it checks, with ==, every layer's spike words AND membranes at every time step (the trace port:
one beat per neuron-phase cycle, P lanes) and the output layer's running sum A_t at every step, plus the
streamed A_T beats on m_axis (with tlast). Random valid stalls on s_axis, random back-pressure on m_axis, random
idle cycles before each ap_start. SNN_RESET_AT = "mid" (at step T/2, in the middle layer) or "input" (halfway
through the image) first runs a frame that is cut by a synchronous reset, then the clean frames.
Environment: the snnbench variables (SNN_EXPORT, SNN_SEED, SNN_P_VALID, SNN_P_READY, SNN_FRAMES, SNN_RESULT,
SNN_MANIFEST_JSON, SNN_VECTORS) and SNN_LANES (P), SNN_RESET_AT.
"""
from __future__ import annotations

import os
import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge

import engine_desc
import snnbench as bench


def _signed(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


class Frame:
    """Everything one frame produced: trace records and output beats, and the cycles from start to done."""

    def __init__(self):
        self.trace: list[tuple] = []
        self.out: list[tuple[int, int]] = []
        self.cycles = 0
        self.error: str | None = None


async def run_frame(dut, s: bench.Settings, rng: random.Random, beats: list[int], max_cycles: int,
                    abort: str | None = None) -> Frame:
    """Start one frame (ap_start), stream the image, collect trace/output until ap_done (or the abort point)."""
    f = Frame()
    await FallingEdge(dut.clk)
    while not int(dut.ap_idle.value):      # after a reset the engine first clears its accumulators
        await FallingEdge(dut.clk)
    for _ in range(rng.randrange(0, 8)):   # idle cycles before the start
        await FallingEdge(dut.clk)
    dut.ap_start.value = 1
    started = False
    idx, holding, n = 0, False, len(beats)
    ready_val = -1
    n_layers, t_n = len(s.manifest["layers"]), s.T
    while True:
        await FallingEdge(dut.clk)
        f.cycles += 1
        if not started and int(dut.ap_idle.value) == 0:   # ap_ctrl_hs: start is held until the block starts
            dut.ap_start.value = 0
            started = True
        if not holding and idx < n and rng.random() < s.p_valid:
            dut.s_axis_tdata.value = beats[idx]
            dut.s_axis_tlast.value = int(idx == n - 1)
            holding = True
        dut.s_axis_tvalid.value = int(holding)
        if holding and int(dut.s_axis_tready.value):
            holding = False
            idx += 1
        r = 1 if rng.random() < s.p_ready else 0
        if r != ready_val:
            dut.m_axis_tready.value = r
            ready_val = r
        if r and int(dut.m_axis_tvalid.value):
            f.out.append((int(dut.m_axis_tdata.value), int(dut.m_axis_tlast.value)))
        if int(dut.trace_valid.value):
            rec = (int(dut.trace_layer.value), int(dut.trace_t.value), int(dut.trace_g.value),
                   int(dut.trace_y.value), int(dut.trace_x.value), int(dut.trace_spikes.value),
                   int(dut.trace_vmem.value))
            f.trace.append(rec)
            if abort == "mid" and rec[1] == t_n // 2 and rec[0] == n_layers // 2:
                break
        if abort == "input" and idx >= n // 2:
            break
        if int(dut.ap_done.value):
            break
        if f.cycles >= max_cycles:
            f.error = f"timeout after {f.cycles} cycles ({idx}/{n} image beats accepted)"
            break
    dut.s_axis_tvalid.value = 0
    dut.ap_start.value = 0
    return f


def check_frame(s: bench.Settings, f: Frame, lanes: int, mem_w: int, out_w: int, frame_no: int) -> dict:
    """Compare a frame's trace and output beats with the golden vectors; mismatches ordered by (t, layer)."""
    layers = s.manifest["layers"]
    K, t_n = s.K, s.T
    bad = []           # (t, layer index, channel, y, x, what, expected, got)
    per_layer = {l["name"]: {"values": 0, "membranes": 0, "mismatches": 0, "beats": 0} for l in layers}
    seen = set()
    for (li, t, g, y, x, spk, vm) in f.trace:
        if li >= len(layers) or t >= t_n:
            bad.append((t, li, 0, y, x, "bad trace beat", 0, 0))
            continue
        l = layers[li]
        name = l["name"]
        r = per_layer[name]
        r["beats"] += 1
        key = (li, t, g, y, x)
        if key in seen:
            bad.append((t, li, g * lanes, y, x, f"{name} duplicate trace beat", 0, 0))
        seen.add(key)
        is_out = l["kind"] == "output"
        for j in range(lanes):
            c = g * lanes + j
            if c >= l["out_channels"] or y >= l["height"] or x >= l["width"]:
                continue
            word = (spk >> (K * j)) & ((1 << K) - 1)
            v = _signed(vm >> (mem_w * j), mem_w)
            if is_out:
                exp_v = int(s.vectors[f"{name}.accum"][t, c, y, x])
                r["values"] += 1
                if v != exp_v:
                    bad.append((t, li, c, y, x, f"{name}.accum", exp_v, v))
                if word:
                    bad.append((t, li, c, y, x, f"{name} (spikes of the output layer)", 0, word))
            else:
                exp_s = int(s.vectors[f"{name}.spikes"][t, c, y, x])
                exp_v = int(s.vectors[f"{name}.membrane"][t, c, y, x])
                r["values"] += 1
                r["membranes"] += 1
                if word != exp_s:
                    bad.append((t, li, c, y, x, name, exp_s, word))
                if v != exp_v:
                    bad.append((t, li, c, y, x, f"{name}.membrane", exp_v, v))
    # every neuron of every layer at every step exactly once
    missing = 0
    for li, l in enumerate(layers):
        G = -(-l["out_channels"] // lanes)
        for t in range(t_n):
            n_missing = sum((li, t, g, y, x) not in seen for g in range(G) for y in range(l["height"])
                            for x in range(l["width"]))
            if n_missing:
                missing += n_missing
                bad.append((t, li, 0, 0, 0, f"{l['name']} missing {n_missing} trace beats", 0, 0))
    # the A_T stream: one beat per (y, x, group), raster order, tlast on the last
    head = layers[-1]
    G = -(-head["out_channels"] // lanes)
    lw = 8 * ((out_w + 7) // 8)
    order = [(y, x, g) for y in range(head["height"]) for x in range(head["width"]) for g in range(G)]
    final = s.vectors[f"{head['name']}.accum"][t_n - 1]
    out_values = 0
    for i, (y, x, g) in enumerate(order):
        if i >= len(f.out):
            bad.append((t_n, len(layers), 0, y, x, f"m_axis missing beats: {len(f.out)} of {len(order)}", 0, 0))
            break
        data, last = f.out[i]
        for j in range(lanes):
            c = g * lanes + j
            got = _signed(data >> (lw * j), lw)
            exp = int(final[c, y, x]) if c < head["out_channels"] else 0
            out_values += c < head["out_channels"]
            if got != exp:
                bad.append((t_n, len(layers), c, y, x, "m_axis A_T", exp, got))
        if last != int(i == len(order) - 1):
            bad.append((t_n, len(layers), 0, y, x, "m_axis tlast", int(i == len(order) - 1), last))
    if len(f.out) > len(order):
        bad.append((t_n, len(layers), 0, 0, 0, f"m_axis {len(f.out) - len(order)} extra beats", 0, 0))
    for b in bad:
        if b[1] < len(layers):
            per_layer[layers[b[1]]["name"]]["mismatches"] += 1
    first = None
    if bad:
        t, li, c, y, x, what, exp, got = min(bad, key=lambda b: b[:5])
        first = f"layer={what} t={t} channel={c} y={y} x={x} expected={exp} got={got}"
        if frame_no:
            first += f" frame={frame_no}"
    return {"layers": per_layer, "mismatches": len(bad), "first_mismatch": first, "out_values": out_values,
            "missing": missing}


@cocotb.test()
async def engine_matches_golden(dut):
    s = bench.Settings.from_env()
    lanes = int(os.environ.get("SNN_LANES", "1"))
    reset_at = os.environ.get("SNN_RESET_AT", "") or None
    rng = random.Random(s.seed)
    mem_w = len(dut.trace_vmem.value) // lanes
    out_w = int(os.environ.get("SNN_OUT_W", "0")) or s.manifest["layers"][-1]["membrane_bits"]
    Clock(dut.clk, 10, unit="ns").start()
    for sig in ("ap_start", "s_axis_tvalid", "s_axis_tdata", "s_axis_tlast", "m_axis_tready"):
        getattr(dut, sig).value = 0

    async def reset():
        dut.rst.value = 1
        for _ in range(3):
            await RisingEdge(dut.clk)
        await FallingEdge(dut.clk)
        dut.rst.value = 0

    await reset()
    beats = bench.image_beats(s.vectors["input"])
    events = engine_desc.synaptic_events(s.manifest, s.vectors)
    budget = int(30 * events / lanes + 200 * sum(l["height"] * l["width"] for l in s.manifest["layers"]) * s.T
                 / max(0.05, min(s.p_valid, s.p_ready))) + 20_000
    aborted = None
    if reset_at:
        f = await run_frame(dut, s, rng, beats, budget, abort=reset_at)
        aborted = {"at": reset_at, "cycles": f.cycles, "trace_beats": len(f.trace)}
        dut._log.info("reset after %d cycles of a frame (%s)", f.cycles, reset_at)
        await reset()
    results, cycles = [], []
    for frame_no in range(s.frames):
        f = await run_frame(dut, s, rng, beats, budget)
        r = check_frame(s, f, lanes, mem_w, out_w, frame_no)
        if f.error:
            r["mismatches"] += 1
            r["first_mismatch"] = r["first_mismatch"] or f.error
        results.append(r)
        cycles.append(f.cycles)
    layers = {}
    for r in results:
        for name, v in r["layers"].items():
            acc = layers.setdefault(name, {"values": 0, "membranes": 0, "mismatches": 0, "beats": 0})
            for k in acc:
                acc[k] += v[k]
    firsts = [r["first_mismatch"] for r in results if r["first_mismatch"]]
    summary = {
        "layers": layers, "timesteps": s.T, "frames": s.frames, "lanes": lanes,
        "values": sum(v["values"] for v in layers.values()),
        "membranes": sum(v["membranes"] for v in layers.values()),
        "out_values": sum(r["out_values"] for r in results),
        "mismatches": sum(r["mismatches"] for r in results),
        "first_mismatch": firsts[0] if firsts else None, "error": None,
        "cycles": cycles[0], "cycles_per_frame": cycles, "events": events, "bound": -(-events // lanes),
        "aborted_frame": aborted,
    }
    bench.write_summary(s, summary)
    dut._log.info("%d values, %d membranes, %d A_T values compared, %d mismatches; %d cycles (bound %d)",
                  summary["values"], summary["membranes"], summary["out_values"], summary["mismatches"],
                  summary["cycles"], summary["bound"])
    assert summary["mismatches"] == 0, f"{summary['mismatches']} mismatches; first: {summary['first_mismatch']}"
