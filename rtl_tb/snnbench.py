"""cocotb side of the RTL benches: settings from the environment, stream drivers with random stalls, checkers.

A bench is configured by environment variables that rtl_tb/simlib.py sets (nothing is hard-coded):

  SNN_EXPORT   export directory (manifest.yaml, vectors.npz)    SNN_VECTORS  vectors file (default: the export's)
  SNN_MANIFEST_JSON  the manifest as golden.manifest.load_manifest returned it (else it is loaded here)
  SNN_LAYER    manifest layer a unit bench checks               SNN_FRAMES   images sent back to back (default 1)
  SNN_SEED     random seed for stalls / stimuli                 SNN_P_VALID, SNN_P_READY  stall probabilities
  SNN_RESULT   where to write the JSON summary (values compared, mismatches, the first mismatch)

Timing discipline: every DUT output (valid, ready, data) is a register, so the bench samples and drives once per
cycle at the falling edge: the values seen there are the ones the next rising edge acts on, and the bench's
own writes are settled long before that edge. A beat moves when valid && ready at a rising edge (contract §5).
"""
from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge


@dataclass
class Settings:
    export: Path
    manifest: dict
    vectors: dict
    layer: str | None
    frames: int
    seed: int
    p_valid: float
    p_ready: float
    result: Path | None

    @classmethod
    def from_env(cls) -> "Settings":
        export = Path(os.environ["SNN_EXPORT"])
        if os.environ.get("SNN_MANIFEST_JSON"):  # golden.manifest.load_manifest's result, from simlib.simulate
            manifest = json.loads(Path(os.environ["SNN_MANIFEST_JSON"]).read_text())
        else:
            from golden.manifest import load_manifest

            manifest = load_manifest(export)
        # the golden vectors (contract §8), as golden.manifest.load_vectors reads them
        with np.load(os.environ.get("SNN_VECTORS") or export / "vectors.npz", allow_pickle=False) as z:
            vectors = {k: z[k] for k in z.files}
        result = os.environ.get("SNN_RESULT")
        return cls(export=export, manifest=manifest, vectors=vectors, layer=os.environ.get("SNN_LAYER") or None,
                   frames=int(os.environ.get("SNN_FRAMES", "1")), seed=int(os.environ.get("SNN_SEED", "1")),
                   p_valid=float(os.environ.get("SNN_P_VALID", "0.7")),
                   p_ready=float(os.environ.get("SNN_P_READY", "0.7")),
                   result=Path(result) if result else None)

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


# ------------------------------------------------------------------------------------------- stream words
def image_beats(image: np.ndarray) -> list[int]:
    """Image uint8 [C][H][W] -> one beat per pixel, raster order, channel c at bits [8c+7:8c] (§5)."""
    c_n, h, w = image.shape
    beats = []
    for y in range(h):
        for x in range(w):
            beats.append(sum(int(image[c, y, x]) << (8 * c) for c in range(c_n)))
    return beats


def spike_beats(spikes: np.ndarray, k: int) -> list[int]:
    """Spike words uint8 [T][C][H][W] -> frames t = 0..T-1 of one beat per pixel, channel c at [Kc+K-1:Kc] (§5)."""
    t_n, c_n, h, w = spikes.shape
    beats = []
    for t in range(t_n):
        for y in range(h):
            for x in range(w):
                beats.append(sum(int(spikes[t, c, y, x]) << (k * c) for c in range(c_n)))
    return beats


class SpikeChecker:
    """Collects the beats of one layer's output stream and compares every spike word with == (§5 layout), and,
    when the golden membranes are given, every membrane after the step too (the units' m_vmem port, §4).

    `spikes` is the golden `<layer>.spikes` (uint8 [T][C][H][W]), `membranes` `<layer>.membrane` (int64, same
    shape) with `mem_bits` their width; `frames` images are expected back to back. Missing beats count as
    mismatching words; extra beats are reported too. `values` counts spike words, `membranes` membrane values.
    """

    def __init__(self, layer: str, spikes: np.ndarray, k: int, frames: int = 1,
                 membranes: np.ndarray | None = None, mem_bits: int | None = None):
        self.layer, self.spikes, self.k, self.frames = layer, np.asarray(spikes), k, frames
        self.membranes, self.mem_bits = membranes, mem_bits
        self.t_n, self.c_n, self.h, self.w = self.spikes.shape
        self.n_beats = frames * self.t_n * self.h * self.w
        self.beats: list[int] = []
        self.vmems: list[int] = []

    @property
    def done(self) -> bool:
        return len(self.beats) >= self.n_beats

    def _per_beat(self, golden: np.ndarray, n: int) -> np.ndarray:
        return np.tile(golden.transpose(0, 2, 3, 1).reshape(-1, self.c_n), (self.frames, 1))[:n]  # [beat][C]

    def _unpack(self, words: list[int], bits: int, signed: bool) -> np.ndarray:
        mask = (1 << bits) - 1
        out = np.array([[(b >> (bits * c)) & mask for c in range(self.c_n)] for b in words],
                       dtype=np.int64).reshape(len(words), self.c_n)
        if signed:
            out = np.where(out >= 1 << (bits - 1), out - (1 << bits), out)
        return out

    def result(self) -> dict:
        hw = self.h * self.w
        n = min(len(self.beats), self.n_beats)
        exp_s, got_s = self._per_beat(self.spikes, n), self._unpack(self.beats[:n], self.k, signed=False)
        bad = [(int(j), 0, int(c)) for j, c in np.argwhere(got_s != exp_s)]
        n_v = 0
        if self.membranes is not None:
            n_v = min(n, len(self.vmems))
            exp_v = self._per_beat(self.membranes, n_v)
            got_v = self._unpack(self.vmems[:n_v], self.mem_bits, signed=True)
            bad += [(int(j), 1, int(c)) for j, c in np.argwhere(got_v != exp_v)]
        first, first_step = None, None
        if bad:
            j, what, c = min(bad)  # stream order; at one pixel the spike word before the membrane
            t, pix = (j // hw) % self.t_n, j % hw
            first_step = j // hw  # frame * T + t: orders mismatches of different layers in time
            exp, got = (exp_s, got_s) if what == 0 else (exp_v, got_v)
            name = self.layer if what == 0 else f"{self.layer}.membrane"
            first = (f"layer={name} t={t} channel={c} y={pix // self.w} x={pix % self.w} "
                     f"expected={int(exp[j, c])} got={int(got[j, c])}")
            if self.frames > 1:
                first += f" frame={j // (hw * self.t_n)}"
        missing = self.n_beats - n
        extra = len(self.beats) - n
        if first is None and missing:
            first_step = n // hw
            first = (f"layer={self.layer} missing beats: received {n} of {self.n_beats} "
                     f"(next expected t={(n // hw) % self.t_n} y={(n % hw) // self.w} x={n % self.w})")
        if first is None and extra:
            first = f"layer={self.layer} {extra} extra beat(s) after the last expected one"
            first_step = self.n_beats // hw
        return {"layer": self.layer, "beats": n, "expected_beats": self.n_beats, "values": int(n * self.c_n),
                "membranes": int(n_v * self.c_n), "mismatches": len(bad) + (missing + extra) * self.c_n,
                "first_mismatch": first, "first_step": first_step}


# ------------------------------------------------------------------------------------------- stream bench
@dataclass
class Sink:
    """An output stream to collect. `ready` is driven by the bench (random back-pressure) unless `drive` is False
    (an observation tap, where ready belongs to the DUT)."""
    checker: SpikeChecker
    valid: object
    ready: object
    data: object
    vmem: object = None
    drive: bool = True
    _ready_val: int = field(default=-1, repr=False)


async def reset(dut, cycles: int = 4) -> None:
    Clock(dut.clk, 10, unit="ns").start()
    dut.rst.value = 1
    dut.s_valid.value = 0
    dut.s_data.value = 0
    dut.m_ready.value = 0
    for _ in range(cycles):
        await RisingEdge(dut.clk)
    await FallingEdge(dut.clk)
    dut.rst.value = 0


async def run_streams(dut, settings: Settings, in_beats: list[int], sinks: list[Sink], max_cycles: int,
                      tail_cycles: int = 64) -> dict:
    """Drive `in_beats` into s_* with random valid stalls, collect every sink with random ready stalls.

    Returns the JSON summary (also written to SNN_RESULT) and fails the cocotb test on any mismatch.
    """
    rng = random.Random(settings.seed)
    await reset(dut)
    s_valid, s_ready, s_data = dut.s_valid, dut.s_ready, dut.s_data
    idx, holding, valid_val = 0, False, 0
    n_in = len(in_beats)
    cycles, tail, error = 0, None, None
    while True:
        await FallingEdge(dut.clk)
        cycles += 1
        # input: once presented, a beat stays valid until accepted (§5 valid/ready)
        if not holding and idx < n_in and rng.random() < settings.p_valid:
            s_data.value = in_beats[idx]
            holding = True
        if int(holding) != valid_val:
            valid_val = int(holding)
            s_valid.value = valid_val
        if holding and s_ready.value:
            holding = False  # accepted at the coming rising edge
            idx += 1
        # outputs
        for sink in sinks:
            if sink.drive:
                r = 1 if (tail is not None or rng.random() < settings.p_ready) else 0
                if r != sink._ready_val:
                    sink._ready_val = r
                    sink.ready.value = r
                take = r and sink.valid.value
            else:
                take = sink.valid.value and sink.ready.value
            if take:
                sink.checker.beats.append(sink.data.value.to_unsigned())
                if sink.vmem is not None:
                    sink.checker.vmems.append(sink.vmem.value.to_unsigned())
        if tail is None and idx == n_in and all(s.checker.done for s in sinks):
            tail = tail_cycles  # keep watching a while: extra beats are errors too
        if tail is not None:
            tail -= 1
            if tail <= 0:
                break
        if cycles >= max_cycles:
            got = ", ".join(f"{s.checker.layer} {len(s.checker.beats)}/{s.checker.n_beats} beats" for s in sinks)
            error = f"timeout after {cycles} cycles: input {idx}/{n_in} beats accepted, {got}"
            break
    s_valid.value = 0
    layers = {s.checker.layer: s.checker.result() for s in sinks}
    # the first mismatch in time (then in layer order): a wrong conv1 spike at step t usually makes conv2 wrong
    # at the same step, and the earlier layer is the one to look at
    firsts = [r["first_mismatch"] for _, _, r in
              sorted((r["first_step"], i, r) for i, r in enumerate(layers.values()) if r["first_mismatch"])]
    summary = {
        "layers": layers,
        "timesteps": settings.T,
        "frames": settings.frames,
        "values": sum(r["values"] for r in layers.values()),
        "membranes": sum(r["membranes"] for r in layers.values()),
        "mismatches": sum(r["mismatches"] for r in layers.values()),
        "first_mismatch": firsts[0] if firsts else None,
        "error": error,
        "cycles": cycles,
    }
    write_summary(settings, summary)
    for r in layers.values():
        dut._log.info("%s: %d spike words and %d membranes compared, %d mismatches", r["layer"], r["values"],
                      r["membranes"], r["mismatches"])
    assert error is None, error
    assert summary["mismatches"] == 0, f"{summary['mismatches']} mismatches; first: {summary['first_mismatch']}"
    return summary


def cycle_budget(settings: Settings, per_frame: int) -> int:
    """Generous timeout: the frame's nominal cycle count, slowed by the stalls, times 3."""
    slow = 1.0 / max(0.05, min(settings.p_valid, settings.p_ready))
    return int(settings.frames * per_frame * slow * 3) + 10_000
