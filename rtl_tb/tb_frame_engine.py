"""cocotb bench of snn_frame_kernel, the external-memory frame engine behind its AXI4-Lite control block
(docs/frame_engine.md).

The external memory is cocotbext-axi's AxiRam with random pauses on all five channels (AW, W, B, AR, R); the
host is an AxiLiteMaster. Per frame the bench writes the image (golden/ir/frame_memory.py layout, row padding
filled with garbage the engine must skip), fills the scratch and output buffers with garbage, writes the six
argument registers, enables the ap_done interrupt, sets ap_start, waits for the interrupt and reads STATUS (0x58:
not 0 counts as a mismatch, issue 23). Then it reads the
scratch buffer back and compares every spiking layer's spike words at every step, and the output buffer's A_T,
with the golden model's (`==`, numpy, in bulk). Frames of different sizes run back to back on one build. With
SNN_RESET_MID=1 the first frame is cut by a reset half-way (AXI traffic in flight) and must leave nothing behind:
every frame after it still has to match.

Environment (golden/backends/rtl/frame_sim.py): SNN_FRAMES (frames.json), SNN_SEED, SNN_P_PAUSE, SNN_PAUSE_CYCLES
(pauses only in the first that many cycles of each frame; 0: the whole frame), SNN_RESET_MID,
SNN_RESULT (the JSON summary: values, mismatches, first mismatch, cycles and bound per frame), SNN_OUT_DIR
(optional: the RTL's A_T of each frame is saved there as <name>.accum.npy).
"""
from __future__ import annotations

import json
import os
import random

import numpy as np

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge, with_timeout
from rtl_tb.snnbench import pauses, summarised
from cocotbext.axi import AxiBus, AxiLiteBus, AxiLiteMaster, AxiRam

from golden.backends.rtl import ctrl_map as cm
from golden.ir import frame_memory as fm

CLK_NS = 10
SPEC = json.loads(open(os.environ["SNN_FRAMES"]).read())
SEED = int(os.environ.get("SNN_SEED", "1"))
P_PAUSE = float(os.environ.get("SNN_P_PAUSE", "0.3"))
RESET_MID = os.environ.get("SNN_RESET_MID", "0") == "1"
# cocotbext-axi runs a pause generator every cycle in Python: on long frames the pauses stop after this many
# cycles of each frame (0: never), so a whole-slice simulation is not ten times slower for them
PAUSE_CYCLES = int(os.environ.get("SNN_PAUSE_CYCLES", "0"))
RESULT = os.environ.get("SNN_RESULT")
OUT_DIR = os.environ.get("SNN_OUT_DIR")      # where the RTL's A_T of each frame is saved (<name>.accum.npy)
OFFSETS = dict(zip((n for n, _ in cm.ENGINE_ARGS), cm.arg_offsets(cm.ENGINE_ARGS)))
PAGE = 4096


def _align(n: int) -> int:
    return -(-n // PAGE) * PAGE


def layout_of(frame: dict) -> fm.FrameLayout:
    reg = lambda d: fm.Region(**d)  # noqa: E731  (passes included: the build's layout)
    return fm.FrameLayout(SPEC["data_bits"], frame["height"], frame["width"], SPEC["timesteps"], SPEC["K"],
                          reg(frame["image"]), {k: reg(v) for k, v in frame["layers"].items()}, reg(frame["output"]))


class Frame:
    """One frame's buffers in the RAM and its golden values."""

    def __init__(self, entry: dict, rng: random.Random, base: int):
        self.entry, self.layout = entry, layout_of(entry)
        self.gold = np.load(entry["npz"])
        lay = self.layout
        self.image_at = base + PAGE * rng.randrange(0, 4)          # not always page 0 of its area
        self.output_at = _align(self.image_at + lay.image_bytes) + PAGE * rng.randrange(0, 2)
        self.scratch_at = _align(self.output_at + lay.output_bytes) + PAGE * rng.randrange(0, 2)
        self.end = self.scratch_at + lay.scratch_bytes

    def image_bytes(self, rng: random.Random) -> bytes:
        """The image with garbage in every padding byte (pixel padding and row padding)."""
        lay, r = self.layout, self.layout.image
        clean = np.frombuffer(fm.pack_image(self.gold["image"], lay), np.uint8).reshape(r.rows, -1).copy()
        used = np.zeros_like(clean, dtype=bool)
        pix = np.zeros((r.rows, r.cols, r.c_pad), bool)
        pix[:, :, :r.channels] = True
        used[:, :r.cols * r.c_pad] = pix.reshape(r.rows, -1)
        noise = np.frombuffer(rng.randbytes(clean.size), np.uint8).reshape(clean.shape)
        clean[~used] = noise[~used]
        return clean.tobytes()


class Bench:
    def __init__(self, dut):
        self.dut = dut
        self.rng = random.Random(SEED)
        dut.rst.value = 1
        Clock(dut.clk, CLK_NS, unit="ns").start()
        self.frames = []
        base = 0x10000
        self.weights_at, self.weights = 0, b""
        if SPEC.get("weights_file"):        # a streamed-weights build: the weight buffer first
            self.weights = open(SPEC["weights_file"], "rb").read()
            self.weights_at = base + PAGE
            base = _align(self.weights_at + len(self.weights)) + PAGE
        for entry in SPEC["frames"]:
            f = Frame(entry, self.rng, base)
            self.frames.append(f)
            base = _align(f.end) + PAGE
        self.ram = AxiRam(AxiBus.from_prefix(dut, "m_axi"), dut.clk, dut.rst, size=_align(base) + PAGE)
        self.channels = (self.ram.write_if.aw_channel, self.ram.write_if.w_channel, self.ram.write_if.b_channel,
                         self.ram.read_if.ar_channel, self.ram.read_if.r_channel)
        self.set_pauses(P_PAUSE)
        self.host = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axil"), dut.clk, dut.rst)
        if self.weights:
            self.ram.write(self.weights_at, self.weights)
        self.summary = {"frames": [], "layers": {}, "values": 0, "mismatches": 0, "first_mismatch": None,
                        "cycles": 0, "bound": 0, "events": 0, "membranes_recorded": False}

    def set_pauses(self, p: float) -> None:
        for ch in self.channels:
            ch.set_pause_generator(pauses(random.Random(self.rng.random()), p) if p > 0 else None)
            ch.pause = False        # (clearing the generator leaves the last pause as it was)

    async def pause_window(self, cycles: int) -> None:
        await ClockCycles(self.dut.clk, cycles)
        self.set_pauses(0)

    async def reset(self, cycles: int = 8) -> None:
        self.dut.rst.value = 1
        await ClockCycles(self.dut.clk, cycles)
        self.dut.rst.value = 0
        await ClockCycles(self.dut.clk, 2)

    async def write32(self, addr: int, value: int) -> None:
        await self.host.write(addr, int(value & 0xFFFFFFFF).to_bytes(4, "little"))

    async def program(self, f: Frame) -> None:
        self.ram.write(f.image_at, f.image_bytes(self.rng))
        self.ram.write(f.output_at, self.rng.randbytes(f.layout.output_bytes))
        self.ram.write(f.scratch_at, self.rng.randbytes(f.layout.scratch_bytes))
        for name, value in (("image", f.image_at), ("output", f.output_at), ("scratch", f.scratch_at),
                            ("weights", self.weights_at)):
            await self.write32(OFFSETS[name], value)
            await self.write32(OFFSETS[name] + 4, value >> 32)
        await self.write32(OFFSETS["height"], f.layout.height)
        await self.write32(OFFSETS["width"], f.layout.width)
        await self.write32(0x08, cm.IRQ_DONE)      # IER: ap_done
        await self.write32(0x04, 1)                # GIE

    async def run(self, f: Frame, timeout_cycles: int) -> int:
        await self.program(f)
        window = None
        if PAUSE_CYCLES and P_PAUSE > 0:
            self.set_pauses(P_PAUSE)
            window = cocotb.start_soon(self.pause_window(PAUSE_CYCLES))
        start = cocotb.utils.get_sim_time("ns")
        await self.write32(0x00, cm.AP_START)
        await with_timeout(RisingEdge(self.dut.interrupt), timeout_cycles * CLK_NS, "ns")
        cycles = int((cocotb.utils.get_sim_time("ns") - start) // CLK_NS)
        if window is not None:
            window.cancel()
        # STATUS (issue 23): 0 after a clean frame; anything else is an error the bench did not inject
        self.last_status = int.from_bytes((await self.host.read(OFFSETS["status"], 4)).data, "little")
        await self.write32(0x0C, cm.IRQ_DONE)      # ISR: toggle the ap_done bit back
        return cycles

    def check(self, f: Frame, cycles: int) -> None:
        lay, gold = f.layout, f.gold
        report = {"name": f.entry["name"], "height": lay.height, "width": lay.width, "cycles": cycles,
                  "bound": f.entry["bound"], "events": f.entry["events"], "values": 0, "mismatches": 0,
                  "status": getattr(self, "last_status", 0)}
        for name in SPEC["spiking"]:
            r = lay.layers[name]
            got = fm.unpack_spikes(self.ram.read(f.scratch_at + r.offset, lay.size(r)), r, lay)
            self._compare(report, name, got, gold[f"{name}.spikes"], ("t", "c", "y", "x"))
        got = fm.unpack_output(self.ram.read(f.output_at, lay.output_bytes), lay)
        if OUT_DIR:
            np.save(os.path.join(OUT_DIR, f"{f.entry['name']}.accum.npy"), got)
        self._compare(report, SPEC["output"], got, gold["accum"], ("c", "y", "x"))
        self.summary["frames"].append(report)
        for key in ("values", "mismatches", "cycles", "bound", "events"):
            self.summary[key] += report[key]
        if int(self.dut.err.value) != 0 or report["status"] != 0:
            self.summary["mismatches"] += 1
            self.summary["first_mismatch"] = self.summary["first_mismatch"] or (
                f"frame {report['name']}: the engine reported STATUS 0x{report['status']:x} "
                f"({cm.status_text(report['status'])}), an error the bench did not inject")

    def _compare(self, report, key, got, want, axes) -> None:
        report["values"] += want.size
        bad = np.argwhere(got != want)
        report["mismatches"] += len(bad)
        layer = self.summary["layers"].setdefault(key, {"values": 0, "membranes": 0, "mismatches": 0})
        layer["values"] += want.size
        layer["mismatches"] += len(bad)
        if len(bad) and self.summary["first_mismatch"] is None:
            idx = tuple(int(i) for i in bad[0])
            where = ", ".join(f"{a}={i}" for a, i in zip(axes, idx))
            self.summary["first_mismatch"] = (f"frame {report['name']} ({report['height']}x{report['width']}) {key} "
                                              f"{where}: rtl {got[idx]} golden {want[idx]} ({len(bad)} differ)")

    def write_summary(self) -> None:
        if RESULT:
            with open(RESULT, "w") as fh:
                json.dump(self.summary, fh, indent=1)


def _budget(entry: dict) -> int:
    """A generous cycle limit: the bound, the neuron phase and the memory traffic, with every AXI channel paused."""
    return 20 * (entry["bound"] + entry["values"] + 10_000) + 200_000


@cocotb.test()
async def frames(dut):
    """Every frame of SNN_FRAMES back to back (after a frame cut by a reset with SNN_RESET_MID)."""
    tb = Bench(dut)
    with summarised(tb):
        await tb.reset()
        if RESET_MID:
            f = tb.frames[0]
            await tb.program(f)
            await tb.write32(0x00, cm.AP_START)
            await ClockCycles(dut.clk, max(200, f.entry["bound"] // 2))
            tb.summary["reset_while_busy"] = int(dut.ap_idle.value) == 0
            await tb.reset()
        for f in tb.frames:
            cycles = await tb.run(f, _budget(f.entry))
            tb.check(f, cycles)
        dut._log.info("frames: %s", [(r["name"], r["cycles"], r["bound"], r["mismatches"])
                                     for r in tb.summary["frames"]])
    assert tb.summary["mismatches"] == 0, tb.summary["first_mismatch"]
