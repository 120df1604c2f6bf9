"""Cycles per frame of the external-memory frame engine (rtl/snn_frame_*.sv, docs/frame_engine.md): a model of
where its cycles go, from an export's golden vectors (the spikes decide the work of an event-driven engine).

Per layer, per pass (the sequencer's LOAD / PASS / START / RUN / WAIT), per input row iy of the layer:
- scan (snn_frame_scan): each source row's beats in memory order, one cycle per nonzero field (an event) and one
  cycle for a beat without any, plus the START / END markers;
- scatter (snn_frame_scatter): per event, one cycle per op (g, j) of the pass's GP groups whose taps are not all
  outside the map (J = ceil(taps / S) ops, S sub-lanes: golden/backends/rtl/frame_config.py lane_split; pool:
  one op);
- neuron phase (snn_frame_neuron): per output row the row completes, W_out x T x GP cycles (for x, t, g);
scan and scatter are decoupled by the event FIFO (a row costs the larger of the two) and the neuron phase of the
rows completed earlier overlaps them (the band's four slots), so a row costs max(scan + scatter overlap, the
previous rows' neuron phase). The last rows' neuron phase and the write of the last row follow the layer. Fixed
costs: ROW_OVERHEAD cycles a row (markers, the START gate), LAYER_OVERHEAD a pass (the FSM, pipeline fill and
drain, the read latency of the first row, the write acknowledge and the two settle cycles). The two constants are
fitted to the RTL (golden sim --p-pause 0); tests/hls/test_frame_estimate.py compares the model with the
simulated cycles of several networks (the measured error is stated there and in hls/README.md).
"""
from __future__ import annotations

import math

import numpy as np

from golden.backends.rtl.frame_config import lane_split
from golden.ir import frame_memory as fm
from golden.ir.network import Network

ROW_OVERHEAD = 6      # cycles per input row: START / END markers, the START gate, the reader's turn-around
# cycles per layer pass: FSM states (each LOAD step waits two cycles for its factors), first read latency (the
# reader FIFO's four registers), pipeline drain, write ack, settle
LAYER_OVERHEAD = 260


def _scan_cycles(nz: np.ndarray, c_pad: int, fb: int, data_bits: int, image: bool) -> np.ndarray:
    """[H]: scanner cycles of each row of one source: per beat max(1, its nonzero fields). nz: spikes [T][C][H][W]
    != 0, or the image [C][H][W] != 0."""
    if image:
        c, h, w = nz.shape
        per_beat = data_bits // (8 * c_pad)
        beats = -(-w // per_beat)
        counts = np.zeros((h, beats), dtype=np.int64)
        for x in range(w):
            counts[:, x // per_beat] += nz[:, :, x].sum(axis=0)
        return np.maximum(counts, 1).sum(axis=1)
    t, c, h, w = nz.shape
    rb = math.ceil(t * c_pad * fb / data_bits)
    counts = np.zeros((h, w, rb), dtype=np.int64)
    for ti in range(t):
        for ci in range(c):
            counts[:, :, ((ti * c_pad + ci) * fb) // data_bits] += nz[ti, ci]
    return np.maximum(counts, 1).sum(axis=(1, 2))


def _strip(spec, kernel: int, w_in: int, w_out: int, engines: int, e: int, c_pad: int, image: bool,
           data_bits: int) -> tuple[int, int, int, int]:
    """Engine e's strip: (first input column read, end column, first output column, output columns): its output
    columns plus the kind's halo (snn_frame_seq LOAD), the image from the beat holding its first column."""
    wo = w_out // engines
    xo0 = e * wo
    a, b = xo0 * w_in // w_out, (xo0 + wo) * w_in // w_out
    left, right = spec.strip_halo(kernel)
    xi0, xi1 = max(0, a - left), min(w_in, b + right)
    if image:
        per_beat = max(1, data_bits // (8 * c_pad))
        xi0 -= xi0 % per_beat
    return xi0, xi1, xo0, wo


def layer_cycles(net: Network, vec: dict, lanes: int, data_bits: int = 64, passes: dict | None = None,
                 engines: int = 1) -> list[dict]:
    """Per layer: {layer, kind, passes, events, scan, scatter, neuron, cycles} of one frame at the export's size.
    With several engines each computes its column strip (reading the halo columns too) and a layer ends when the
    slowest strip does (the barrier): scan, scatter and neuron are that strip's."""
    T, fb = net.timesteps, fm.pow2(net.K)
    lv = fm.levels(net)
    out = []
    for l in net.layers:
        G, S, _ = lane_split(l.out_channels, lanes)
        n_pass = (passes or {}).get(l.name, 1)
        GP = G // n_pass
        h_out, w_out = l.height, l.width
        if l.spec.reads_image:
            srcs = [(vec["input"] != 0, fm.pow2(net.in_channels), True)]
        else:
            srcs = [(np.asarray(vec[f"{s}.spikes"]) != 0, fm.pow2(net.layer(s).out_channels), False) for s in l.sources]
        h_in, w_in = srcs[0][0].shape[-2:]
        events = sum(int(nz.sum()) for nz, _, _ in srcs)
        done = l.spec.rows_done(l.kernel, h_in)  # done[iy]: output rows completed once row iy is scattered
        worst = None
        for e in range(engines):
            scan = np.zeros(h_in, dtype=np.int64)
            scatter = np.zeros(h_in, dtype=np.int64)
            for nz, c_pad, image in srcs:
                xi0, xi1, xo0, wo = _strip(l.spec, l.kernel, w_in, w_out, engines, e, c_pad, image, data_bits)
                ops = l.spec.scatter_ops(l.kernel, h_in, w_in, S, cols=(xo0, xo0 + wo))[:, xi0:xi1]
                part = nz[..., xi0:xi1]
                scan += _scan_cycles(part, c_pad, fb, data_bits, image)
                per_pixel = part.sum(axis=tuple(range(part.ndim - 2)))  # events per input pixel, steps and channels
                scatter += (per_pixel * ops).sum(axis=1) * (GP if l.spec.has_params else 1)  # pool: its own lane
            row_neuron = wo * T * GP
            producer = np.maximum(scan, scatter) + ROW_OVERHEAD
            cycles = 0
            pending = 0  # neuron cycles of the rows completed so far and not yet overlapped
            for iy in range(h_in):
                cycles += max(int(producer[iy]), pending)
                pending = int(done[iy]) * row_neuron
            cycles += pending + int(done[h_in]) * row_neuron + LAYER_OVERHEAD
            assert int(done.sum()) == h_out, (l.name, done.sum(), h_out)
            r = {"scan": int(scan.sum()) * n_pass, "scatter": int(scatter.sum()) * n_pass,
                 "neuron": h_out * row_neuron * n_pass, "cycles": cycles * n_pass}
            if worst is None or r["cycles"] > worst["cycles"]:
                worst = r
        out.append({"layer": l.name, "kind": l.kind, "level": lv[l.name], "passes": n_pass, "events": events,
                    **worst})
    return out


def frame_cycles(net: Network, vec: dict, lanes: int, data_bits: int = 64, passes: dict | None = None,
                 engines: int = 1) -> int:
    return sum(r["cycles"] for r in layer_cycles(net, vec, lanes, data_bits, passes, engines))
