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
import numpy as np
from cocotb.clock import Clock
from cocotb.simtime import get_sim_time
from cocotb.triggers import Event, FallingEdge, First, RisingEdge, Timer

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


CLK_NS = 10


async def run_frame(dut, s: bench.Settings, rng: random.Random, beats: list[int], max_cycles: int,
                    abort: str | None = None) -> Frame:
    """Start one frame (ap_start), stream the image, collect trace/output until ap_done (or the abort point).

    Python runs only where the frame has traffic (a whole-network frame is millions of cycles, nearly all of them
    scatter cycles with no port activity): the image driver runs every cycle until the image is in; the m_axis
    sink and the trace monitor sleep until their valid rises and then run every cycle while it stays high.
    All of them act at the falling clock edge, so each sees what the DUT registered at the preceding rising edge.
    """
    f = Frame()
    fe = FallingEdge(dut.clk)
    await fe
    while not int(dut.ap_idle.value):      # after a reset the engine first clears its accumulators
        await fe
    for _ in range(rng.randrange(0, 8)):   # idle cycles before the start
        await fe
    r_in, r_out = random.Random(rng.random()), random.Random(rng.random())
    n_layers, t_n, n = len(s.manifest["layers"]), s.T, len(beats)
    stop = Event()
    accepted = [0]

    async def drive_image():
        idx, holding = 0, False
        while idx < n:
            await fe
            if not holding and r_in.random() < s.p_valid:
                dut.s_axis_tdata.value = beats[idx]
                dut.s_axis_tlast.value = int(idx == n - 1)
                holding = True
            dut.s_axis_tvalid.value = int(holding)
            if holding and int(dut.s_axis_tready.value):
                holding = False
                idx += 1
                accepted[0] = idx
                if abort == "input" and idx >= n // 2:
                    stop.set()
                    return
        await fe
        dut.s_axis_tvalid.value = 0

    async def sink_output():
        valid, ready, data, last = dut.m_axis_tvalid, dut.m_axis_tready, dut.m_axis_tdata, dut.m_axis_tlast
        rise = RisingEdge(valid)
        ready_val = -1
        while True:
            if not int(valid.value):
                await rise
                await fe
                continue
            r = 1 if r_out.random() < s.p_ready else 0
            if r != ready_val:
                ready.value = r
                ready_val = r
            if r:
                f.out.append((int(data.value), int(last.value)))
            await fe

    async def monitor_trace():
        valid = dut.trace_valid
        sigs = (dut.trace_layer, dut.trace_t, dut.trace_g, dut.trace_y, dut.trace_x, dut.trace_spikes,
                dut.trace_vmem)
        rise = RisingEdge(valid)
        append = f.trace.append
        while True:
            if not int(valid.value):
                await rise
                await fe
                continue
            rec = tuple(int(h.value) for h in sigs)
            append(rec)
            if abort == "mid" and rec[1] == t_n // 2 and rec[0] == n_layers // 2:
                stop.set()
                return
            await fe

    dut.ap_start.value = 1
    t0 = get_sim_time("ns")
    tasks = [cocotb.start_soon(c()) for c in (drive_image, sink_output, monitor_trace)]
    while True:                             # ap_ctrl_hs: start is held until the block starts
        await fe
        if int(dut.ap_idle.value) == 0 or int(dut.ap_done.value):
            break
    dut.ap_start.value = 0
    left = max(1, max_cycles - round((get_sim_time("ns") - t0) / CLK_NS))
    if not int(dut.ap_done.value):
        timeout = Timer(left * CLK_NS, "ns")
        fired = await First(RisingEdge(dut.ap_done), stop.wait(), timeout)
        if fired is timeout:
            f.error = f"timeout after {max_cycles} cycles ({accepted[0]}/{n} image beats accepted)"
        await fe          # the falling edge that sees ap_done (the monitors sample it first: started earlier)
    f.cycles = round((get_sim_time("ns") - t0) / CLK_NS)
    for task in tasks:
        task.cancel()
    dut.s_axis_tvalid.value = 0
    dut.ap_start.value = 0
    return f


def _lanes(words: list[int], lanes: int, width: int, signed: bool) -> np.ndarray:
    """[N][lanes] int64 from N packed words, lane j at [width*j +: width]."""
    mask = (1 << width) - 1
    out = np.empty((len(words), lanes), dtype=np.int64)
    for j in range(lanes):
        sh = width * j
        out[:, j] = [(w >> sh) & mask for w in words]
    if signed:
        out = np.where(out >= 1 << (width - 1), out - (1 << width), out)
    return out


def check_frame(s: bench.Settings, f: Frame, lanes: int, mem_w: int, out_w: int, frame_no: int) -> dict:
    """Compare a frame's trace and output beats with the golden vectors; mismatches ordered by (t, layer).

    The trace is compared in bulk (numpy, per layer): every lane of every beat inside the layer's channels and map.
    """
    layers = s.manifest["layers"]
    K, t_n = s.K, s.T
    bad = []           # (t, layer index, channel, y, x, what, expected, got)
    per_layer = {l["name"]: {"values": 0, "membranes": 0, "mismatches": 0, "beats": 0} for l in layers}
    missing = 0
    if f.trace:
        hdr = np.array([r[:5] for r in f.trace], dtype=np.int64)          # layer, t, g, y, x
        spk = _lanes([r[5] for r in f.trace], lanes, K, False)
        vm = _lanes([r[6] for r in f.trace], lanes, mem_w, True)
    else:
        hdr = np.zeros((0, 5), dtype=np.int64)
        spk = vm = np.zeros((0, lanes), dtype=np.int64)
    li_a, t_a, g_a, y_a, x_a = hdr.T
    ok_beat = (li_a < len(layers)) & (t_a < t_n)
    for i in np.flatnonzero(~ok_beat):
        bad.append((int(t_a[i]), int(li_a[i]), 0, int(y_a[i]), int(x_a[i]), "bad trace beat", 0, 0))
    lane = np.arange(lanes, dtype=np.int64)
    for li, l in enumerate(layers):
        name, h, w, cout = l["name"], l["height"], l["width"], l["out_channels"]
        G = -(-cout // lanes)
        r = per_layer[name]
        sel = np.flatnonzero(ok_beat & (li_a == li))
        r["beats"] += len(sel)
        t, g, y, x = t_a[sel], g_a[sel], y_a[sel], x_a[sel]
        # duplicates and missing beats: every neuron of the layer at every step exactly once
        key = ((t * (G + 1) + np.minimum(g, G)) * (h + 1) + np.minimum(y, h)) * (w + 1) + np.minimum(x, w)
        uniq, first_idx, counts = np.unique(key, return_index=True, return_counts=True)
        for k in np.flatnonzero(counts > 1):
            i = sel[first_idx[k]]
            for _ in range(counts[k] - 1):
                bad.append((int(t_a[i]), li, int(g_a[i]) * lanes, int(y_a[i]), int(x_a[i]),
                            f"{name} duplicate trace beat", 0, 0))
        inside = (g < G) & (y < h) & (x < w)
        present = np.bincount(t[inside][np.unique(key[inside], return_index=True)[1]], minlength=t_n)[:t_n]
        for tt in range(t_n):
            n_missing = G * h * w - int(present[tt])
            if n_missing:
                missing += n_missing
                bad.append((tt, li, 0, 0, 0, f"{name} missing {n_missing} trace beats", 0, 0))
        # values: lanes inside the channels and the map
        c = g[:, None] * lanes + lane[None, :]                          # [n][lanes]
        valid = (c < cout) & (y < h)[:, None] & (x < w)[:, None]
        bi, bj = np.nonzero(valid)
        tt, cc, yy, xx = t[bi], c[bi, bj], y[bi], x[bi]
        got_s, got_v = spk[sel][bi, bj], vm[sel][bi, bj]
        r["values"] += len(bi)
        if l["kind"] == "output":
            exp_v = s.vectors[f"{name}.accum"][tt, cc, yy, xx].astype(np.int64)
            checks = ((f"{name}.accum", exp_v, got_v), (f"{name} (spikes of the output layer)",
                                                          np.zeros_like(got_s), got_s))
        else:
            r["membranes"] += len(bi)
            exp_s = s.vectors[f"{name}.spikes"][tt, cc, yy, xx].astype(np.int64)
            exp_v = s.vectors[f"{name}.membrane"][tt, cc, yy, xx].astype(np.int64)
            checks = ((name, exp_s, got_s), (f"{name}.membrane", exp_v, got_v))
        for what, exp, got in checks:
            for i in np.flatnonzero(exp != got):
                bad.append((int(tt[i]), li, int(cc[i]), int(yy[i]), int(xx[i]), what, int(exp[i]), int(got[i])))
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
