"""cocotb side of the RTL benches, shared by every bench module (tb_engine.py, tb_mtif_neuron.py): settings from
the environment, the AXI-Stream drivers and monitors (cocotbext-axi) with random idle / back-pressure, the trace
monitor, and the checkers (the bulk trace comparison against the golden vectors).

A bench is configured by environment variables that golden/backends/rtl/simulate.py sets (from rtl_tb/cases.py; nothing is
hard-coded):

  SNN_EXPORT   export directory (manifest.yaml, vectors/)       SNN_VECTORS  vectors folder (default: the export's)
  SNN_MANIFEST_JSON  the manifest as golden.manifest.load_manifest returned it (else it is loaded here)
  SNN_LAYER    manifest layer a unit bench checks               SNN_FRAMES   images sent back to back (default 1)
  SNN_SEED     random seed for stalls / stimuli                 SNN_LANES    engine lanes P (default 1)
  SNN_P_IDLE   probability that the image source idles a cycle  SNN_P_BACKPRESSURE  ... that m_axis_tready is low
  SNN_RESET_AT "", "mid" or "input": a first frame cut by a reset (tb_engine.py)
  SNN_RESULT   where to write the JSON summary (values compared, mismatches, the first mismatch)

Streams: cocotbext-axi's AxiStreamSource / AxiStreamSink (frames of bytes: tdata widths are multiples of 8 and
there is no tkeep, so byte lane i of a beat is tdata[8i+7:8i]). Their pause generators run a coroutine every
clock cycle, so they are only installed while their stream has traffic (the image while it goes in; m_axis from
its first tvalid to the end of the frame): a whole-network frame is millions of cycles with no port activity.
"""
from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from pathlib import Path

import cocotb
import numpy as np
from cocotb.triggers import Event, FallingEdge, RisingEdge
from cocotbext.axi import AxiStreamBus, AxiStreamFrame, AxiStreamSink, AxiStreamSource

from golden import kinds


@dataclass
class Settings:
    export: Path
    manifest: dict
    vectors: dict
    layer: str | None
    frames: int
    seed: int
    lanes: int
    p_idle: float
    p_backpressure: float
    reset_at: str | None
    result: Path | None

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ
        export = Path(env["SNN_EXPORT"])
        if env.get("SNN_MANIFEST_JSON"):  # golden.manifest.load_manifest's result, from simlib.simulate
            manifest = json.loads(Path(env["SNN_MANIFEST_JSON"]).read_text())
        else:
            from golden.ir.manifest import load_manifest

            manifest = load_manifest(export)
        # the golden vectors (contract §8) through the one loader; SNN_VECTORS: another folder of that format
        from golden.ir.manifest import load_vectors

        vectors = load_vectors(export, manifest, env.get("SNN_VECTORS") or None)
        result = env.get("SNN_RESULT")
        return cls(export=export, manifest=manifest, vectors=vectors, layer=env.get("SNN_LAYER") or None,
                   frames=int(env.get("SNN_FRAMES", "1")), seed=int(env.get("SNN_SEED", "1")),
                   lanes=int(env.get("SNN_LANES", "1")),
                   p_idle=float(env.get("SNN_P_IDLE", "0")), p_backpressure=float(env.get("SNN_P_BACKPRESSURE", "0")),
                   reset_at=env.get("SNN_RESET_AT") or None, result=Path(result) if result else None)

    @property
    def K(self) -> int:
        return len(self.manifest["thresholds_log2"])

    @property
    def T(self) -> int:
        return self.manifest["timesteps"]

    def layer_entry(self, name: str) -> dict:
        for entry in self.manifest["layers"]:
            if entry["name"] == name:
                return entry
        raise KeyError(f"manifest has no layer {name!r}")


def write_summary(settings: Settings, summary: dict) -> None:
    if settings.result is not None:
        settings.result.write_text(json.dumps(summary, indent=1))


# ------------------------------------------------------------------------------------------- drivers / monitors
def pauses(rng: random.Random, p: float):
    """A cocotbext-axi pause generator: True (idle / not ready) with probability p in each cycle."""
    while True:
        yield rng.random() < p


def image_frame(image: np.ndarray) -> AxiStreamFrame:
    """Image uint8 [C][H][W] -> one frame of H*W beats, raster order, channel c in byte lane c (§5)."""
    return AxiStreamFrame(np.ascontiguousarray(np.asarray(image, dtype=np.uint8).transpose(1, 2, 0)).tobytes())


def frame_beats(frame: AxiStreamFrame, byte_lanes: int) -> list[int]:
    """The beats of a received frame of bytes: byte lane i of a beat at bits [8i+7:8i]."""
    data = bytes(frame.tdata)
    if len(data) % byte_lanes:
        raise ValueError(f"frame of {len(data)} bytes is not a whole number of {byte_lanes}-byte beats")
    return [int.from_bytes(data[i:i + byte_lanes], "little") for i in range(0, len(data), byte_lanes)]


class StreamPort:
    """An AXI-Stream port of the DUT through cocotbext-axi: AxiStreamSource (driven by the bench) or AxiStreamSink,
    with a random pause pattern that can be switched on only while the stream carries traffic."""

    def __init__(self, dut, prefix: str, source: bool, clock=None, reset=None):
        cls = AxiStreamSource if source else AxiStreamSink
        self.axis = cls(AxiStreamBus.from_prefix(dut, prefix), clock if clock is not None else dut.clk,
                        reset if reset is not None else dut.rst)
        self.valid = getattr(dut, f"{prefix}_tvalid")

    def pause_while_active(self, rng: random.Random, p: float) -> None:
        if p > 0:
            self.axis.set_pause_generator(pauses(rng, p))

    def stop_pausing(self) -> None:
        self.axis.clear_pause_generator()
        self.axis.pause = False

    def received(self) -> list[tuple[int, int]]:
        """Sink: (tdata, tlast) of every beat received since the last call (complete frames: tlast seen)."""
        beats = []
        while not self.axis.empty():
            words = frame_beats(self.axis.recv_nowait(), self.axis.byte_lanes)
            beats += [(w, int(i == len(words) - 1)) for i, w in enumerate(words)]
        return beats


class TraceMonitor:
    """A valid-only port (no back-pressure, e.g. the engine's trace_*): one record (the field values, ints) per cycle
    with <prefix>_valid high. It sleeps until valid rises and samples at every falling edge while valid stays high,
    i.e. the values the DUT registered at the preceding rising edge. `until(record)` True sets `event` and stops."""

    def __init__(self, dut, prefix: str, fields: tuple[str, ...], clock=None):
        self.clock = clock if clock is not None else dut.clk
        self.valid = getattr(dut, f"{prefix}_valid")
        self.sigs = tuple(getattr(dut, f"{prefix}_{f}") for f in fields)
        self.records: list[tuple] = []
        self.event = Event()
        self._task = None

    def start(self, until=None) -> None:
        self.records, self.event = [], Event()
        self._task = cocotb.start_soon(self._run(until))

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self, until) -> None:
        fe, rise, valid, sigs, append = FallingEdge(self.clock), RisingEdge(self.valid), self.valid, self.sigs, \
            self.records.append
        while True:
            if not int(valid.value):
                await rise
                await fe
                continue
            rec = tuple(int(h.value) for h in sigs)
            append(rec)
            if until is not None and until(rec):
                self.event.set()
                return
            await fe


# ------------------------------------------------------------------------------------------- checkers
def _signed(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def lanes_of(words: list[int], lanes: int, width: int, signed: bool) -> np.ndarray:
    """[N][lanes] int64 from N packed words, lane j at [width*j +: width]."""
    mask = (1 << width) - 1
    out = np.empty((len(words), lanes), dtype=np.int64)
    for j in range(lanes):
        sh = width * j
        out[:, j] = [(w >> sh) & mask for w in words]
    if signed:
        out = np.where(out >= 1 << (width - 1), out - (1 << width), out)
    return out


MAX_LISTED = 50  # mismatches listed in the summary (all are counted)


def check_network_frame(s: Settings, trace: list[tuple], out: list[tuple[int, int]], lanes: int, mem_w: int,
                        out_lw: int, frame_no: int) -> dict:
    """Compare one frame of the engine's trace records (layer, t, g, y, x, spikes, vmem) and its m_axis beats
    (tdata, tlast) with the golden vectors, with ==; mismatches ordered by (t, layer, channel, y, x).

    The trace is compared in bulk (numpy, per layer): every lane of every beat inside the layer's channels and map;
    every neuron at every step exactly once (missing / duplicate beats are mismatches). m_axis: A_T of the output
    layer, one beat per (y, x, group) in raster order, lane j at [out_lw*j +: out_lw] sign-extended, tlast on the
    last beat only.
    """
    layers = s.manifest["layers"]
    K, t_n = s.K, s.T
    bad = []           # (t, layer index, channel, y, x, what, expected, got)
    per_layer = {l["name"]: {"values": 0, "membranes": 0, "mismatches": 0, "beats": 0} for l in layers}
    missing = 0
    if trace:
        hdr = np.array([r[:5] for r in trace], dtype=np.int64)          # layer, t, g, y, x
        spk = lanes_of([r[5] for r in trace], lanes, K, False)
        vm = lanes_of([r[6] for r in trace], lanes, mem_w, True)
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
        if not kinds.get(l["kind"]).has_neuron:  # the output layer: A_t, no spikes
            exp_v = s.vectors[f"{name}.accum"][tt, cc, yy, xx].astype(np.int64)
            checks = ((f"{name}.accum", exp_v, got_v), (f"{name} (spikes of the output layer)",
                                                          np.zeros_like(got_s), got_s))
        else:
            exp_s = s.vectors[f"{name}.spikes"][tt, cc, yy, xx].astype(np.int64)
            checks = ((name, exp_s, got_s),)
            if f"{name}.membrane" in s.vectors:  # an export without membranes (export-net --membranes off)
                r["membranes"] += len(bi)
                exp_v = s.vectors[f"{name}.membrane"][tt, cc, yy, xx].astype(np.int64)
                checks += ((f"{name}.membrane", exp_v, got_v),)
        for what, exp, got in checks:
            for i in np.flatnonzero(exp != got):
                bad.append((int(tt[i]), li, int(cc[i]), int(yy[i]), int(xx[i]), what, int(exp[i]), int(got[i])))
    # the A_T stream: one beat per (y, x, group), raster order, tlast on the last
    head = layers[-1]
    G = -(-head["out_channels"] // lanes)
    order = [(y, x, g) for y in range(head["height"]) for x in range(head["width"]) for g in range(G)]
    final = s.vectors[f"{head['name']}.accum"][t_n - 1]
    out_values = 0
    for i, (y, x, g) in enumerate(order):
        if i >= len(out):
            bad.append((t_n, len(layers), 0, y, x, f"m_axis missing beats: {len(out)} of {len(order)}", 0, 0))
            break
        data, last = out[i]
        for j in range(lanes):
            c = g * lanes + j
            got = _signed(data >> (out_lw * j), out_lw)
            exp = int(final[c, y, x]) if c < head["out_channels"] else 0
            out_values += c < head["out_channels"]
            if got != exp:
                bad.append((t_n, len(layers), c, y, x, "m_axis A_T", exp, got))
        if last != int(i == len(order) - 1):
            bad.append((t_n, len(layers), 0, y, x, "m_axis tlast", int(i == len(order) - 1), last))
    if len(out) > len(order):
        bad.append((t_n, len(layers), 0, 0, 0, f"m_axis {len(out) - len(order)} extra beats", 0, 0))
    for b in bad:
        if b[1] < len(layers):
            per_layer[layers[b[1]]["name"]]["mismatches"] += 1
    bad.sort(key=lambda b: b[:5])
    suffix = f" frame={frame_no}" if frame_no else ""
    listed = [f"layer={what} t={t} channel={c} y={y} x={x} expected={exp} got={got}{suffix}"
              for t, li, c, y, x, what, exp, got in bad[:MAX_LISTED]]
    return {"layers": per_layer, "mismatches": len(bad), "first_mismatch": listed[0] if listed else None,
            "mismatch_list": listed, "out_values": out_values, "missing": missing}
