"""cocotb bench of the frame engine failing safely (issue 23, docs/frame_engine.md "Errors"): snn_frame_kernel with
cocotbext-axi's AxiRam behind a small fault-injecting layer, the host an AxiLiteMaster (the setup of
rtl_tb/tb_frame_engine.py, whose Bench it reuses).

The layer wraps the RAM's R and B channel `send`: armed with (channel, n, fault) it answers the n-th R beat or B
response of the next frame with SLVERR or DECERR, or never sends it (a stalled channel) until the bench releases
it. A monitor samples the AXI master every cycle: AR, AW and W hold valid and payload until accepted, and it counts
the bursts, the R beats, W beats and B responses that each owes.

Sequence (one build): the reset values (STATUS 0, its ap_vld 0, TIMEOUT = ctrl_map.DEFAULT_TIMEOUT), STATUS read
only; a clean frame (compared with the golden model, STATUS 0 with ap_vld 1, then 0: clear on read; it measures the
frame's R beats and B responses); then per fault a
frame on fresh buffers: SLVERR / DECERR on a read (an R beat at a random place), SLVERR / DECERR on a write (a B
response), a stalled R and a stalled B with a small TIMEOUT. Each must raise ap_done and the interrupt with STATUS
= the fault's bit, keep every AXI rule (nothing owed once the engine is idle again: every R beat, W beat and B
taken), and leave every byte outside the frame's output and scratch buffers as it was (the image and the weight
buffer are only read). A stalled frame ends by the watchdog while the response is still missing (ap_idle stays 0
until the bench releases it, then the engine drains and goes idle). Then every bad argument (height 0, width 0,
width > W_MAX, height >= 2^16, height and width not a multiple of 2^levels, each buffer address not beat-aligned,
output over the image, scratch over the output, streamed weights over the scratch): STATUS bit 3, ap_done and the
interrupt within a few cycles, no AXI transaction at all and no byte changed. A last clean frame must match the
golden model again (nothing left behind).

Environment: that of tb_frame_engine (SNN_FRAMES, SNN_SEED, SNN_P_PAUSE, SNN_RESULT) and SNN_W_MAX (the build's
widest frame), SNN_LEVELS (the deepest level).
"""
from __future__ import annotations

import os

import cocotb
from cocotb.triggers import ClockCycles, Event, FallingEdge, RisingEdge, with_timeout
from cocotbext.axi import AxiResp

from golden.backends.rtl import ctrl_map as cm
from rtl_tb.snnbench import value, summarised
from rtl_tb.tb_frame_engine import CLK_NS, OFFSETS, SPEC, Bench, Frame, _budget

W_MAX = int(os.environ.get("SNN_W_MAX", "0"))
LEVELS = int(os.environ.get("SNN_LEVELS", "1"))
STREAM = bool(SPEC.get("weights_file"))


class Injector:
    """The fault-injecting layer on the RAM's R and B channels."""

    def __init__(self, tb: Bench):
        self.fault = None                   # (channel "r" / "b", index of the beat / response, resp or "stall")
        self.count = {"r": 0, "b": 0}
        self.injected = 0
        self.release = Event()
        for key, ch in (("r", tb.ram.read_if.r_channel), ("b", tb.ram.write_if.b_channel)):
            ch.send = self._wrap(key, ch.send)

    def _wrap(self, key, orig):
        async def send(obj):
            n = self.count[key]
            self.count[key] += 1
            f = self.fault
            if f is not None and f[0] == key and n == f[1]:
                self.injected += 1
                self.when = cocotb.utils.get_sim_time("ns")
                if f[2] == "stall":
                    await self.release.wait()
                elif key == "r":
                    obj.rresp = f[2]
                else:
                    obj.bresp = f[2]
            await orig(obj)
        return send

    def arm(self, fault) -> None:
        self.fault, self.count, self.injected, self.when = fault, {"r": 0, "b": 0}, 0, None
        self.release = Event()


class Monitor:
    """AXI rules of the engine's master, sampled at every falling edge (the values of the next rising edge)."""

    def __init__(self, dut):
        self.dut = dut
        self.errors: list[str] = []
        self.reset()

    def reset(self) -> None:
        self.n = {"ar": 0, "r": 0, "aw": 0, "w": 0, "b": 0}
        self.r_owed = self.w_owed = self.b_owed = 0

    def owed(self) -> int:
        return self.r_owed + self.w_owed + self.b_owed

    async def run(self) -> None:
        d = self.dut
        prev = None
        while True:
            await FallingEdge(d.clk)
            if value(d.rst):
                prev = None
                continue
            cur = {k: value(getattr(d, f"m_axi_{k}")) for k in (
                "arvalid", "arready", "araddr", "arlen", "rvalid", "rready", "awvalid", "awready", "awaddr",
                "awlen", "wvalid", "wready", "wdata", "wlast", "bvalid", "bready")}
            if prev is not None:
                for ch, payload in (("ar", ("araddr", "arlen")), ("aw", ("awaddr", "awlen")), ("w", ("wdata", "wlast"))):
                    if prev[f"{ch}valid"] and not prev[f"{ch}ready"]:
                        if not cur[f"{ch}valid"] or any(cur[p] != prev[p] for p in payload):
                            self.errors.append(f"{ch.upper()} dropped or changed before it was accepted")
            if cur["arvalid"] and cur["arready"]:
                self.n["ar"] += 1
                self.r_owed += cur["arlen"] + 1
            if cur["rvalid"] and cur["rready"]:
                self.n["r"] += 1
                self.r_owed -= 1
            if cur["awvalid"] and cur["awready"]:
                self.n["aw"] += 1
                self.w_owed += cur["awlen"] + 1
                self.b_owed += 1
            if cur["wvalid"] and cur["wready"]:
                self.n["w"] += 1
                self.w_owed -= 1
            if cur["bvalid"] and cur["bready"]:
                self.n["b"] += 1
                self.b_owed -= 1
            prev = cur


class FaultBench(Bench):
    def __init__(self, dut):
        super().__init__(dut)
        self.inj = Injector(self)
        self.mon = Monitor(dut)
        self.summary.update({"faults": [], "bad_args": [], "checks": 0})

    def expect(self, cond, msg: str) -> None:
        self.summary["checks"] += 1
        if not cond:
            raise AssertionError(msg)

    async def read32(self, addr: int) -> int:
        return int.from_bytes((await self.host.read(addr, 4)).data, "little")

    async def idle(self, limit: int = 200_000) -> None:
        for _ in range(limit):
            if value(self.dut.ap_idle) == 1:
                return
            await RisingEdge(self.dut.clk)
        raise AssertionError("the engine did not go idle")

    def protected(self, f: Frame):
        """(start, end) of the bytes the frame may write: its output and scratch buffers."""
        lay = f.layout
        return [(f.output_at, f.output_at + lay.output_bytes), (f.scratch_at, f.scratch_at + lay.scratch_bytes)]

    def changed_outside(self, before: bytes, after: bytes, allowed) -> int:
        """Bytes that differ outside the allowed ranges (numpy-free: compare the gaps)."""
        bad, pos = 0, 0
        for lo, hi in sorted(allowed) + [(len(before), len(before))]:
            if before[pos:lo] != after[pos:lo]:
                bad += sum(1 for a, b in zip(before[pos:lo], after[pos:lo]) if a != b)
            pos = max(pos, hi)
        return bad

    async def start_and_wait(self, budget: int) -> int:
        start = cocotb.utils.get_sim_time("ns")
        await self.write32(0x00, cm.AP_START)
        try:
            await with_timeout(RisingEdge(self.dut.interrupt), budget * CLK_NS, "ns")
        except Exception:
            e = self.dut.g_eng[0].u_engine
            raise AssertionError(
                f"no interrupt in {budget} cycles: sequencer state {value(e.u_seq.state)}, halt {value(e.halt)}, "
                f"R/W in flight {value(e.rd_inflight)}/{value(e.wr_inflight)}, arvalid {value(e.m_axi_arvalid)}, "
                f"awvalid {value(e.m_axi_awvalid)}, wvalid {value(e.m_axi_wvalid)}, owed R {self.mon.r_owed} "
                f"W {self.mon.w_owed} B {self.mon.b_owed}, injected {self.inj.injected} {self.inj.count}") from None
        return int((cocotb.utils.get_sim_time("ns") - start) // CLK_NS)

    async def finish_frame(self, ack: bool = True) -> tuple[int, int, int]:
        ctrl = await self.read32(0x00)
        status = await self.read32(OFFSETS["status"])
        vld = await self.read32(OFFSETS["status"] + 4)
        if ack:
            await self.write32(0x0C, cm.IRQ_DONE)  # ISR: toggle the ap_done bit back
        return ctrl, status, vld

    async def clean_frame(self, f: Frame) -> dict:
        self.mon.reset()
        self.inj.arm(None)
        cycles = await self.run(f, _budget(f.entry))     # (acknowledges the interrupt)
        ctrl, status, vld = await self.finish_frame(ack=False)
        self.expect(ctrl & cm.AP_DONE and status == 0 and vld == 1,
                    f"clean frame: CTRL 0x{ctrl:x} STATUS 0x{status:x} ap_vld {vld}")
        self.check(f, cycles)
        return dict(self.mon.n)

    async def fault_frame(self, f: Frame, name: str, fault, want: int, timeout: int | None = None) -> None:
        await self.program(f)
        if timeout is not None:
            await self.write32(OFFSETS["timeout"], timeout)
        size = self.ram.size
        before = self.ram.read(0, size)
        self.mon.reset()
        self.inj.arm(fault)
        cycles = await self.start_and_wait(_budget(f.entry))
        # cycles from the faulty response (its send: the RAM's R / B channel may queue it a few cycles) to ap_done's
        # interrupt
        after = int((cocotb.utils.get_sim_time("ns") - self.inj.when) // CLK_NS) if self.inj.when else None
        stalled = fault[2] == "stall"
        busy_after_done = value(self.dut.ap_idle) == 0
        ctrl, status, vld = await self.finish_frame()
        self.expect(self.inj.injected == 1, f"{name}: the fault was not injected ({self.inj.count})")
        self.expect(ctrl & cm.AP_DONE, f"{name}: CTRL 0x{ctrl:x} without ap_done")
        self.expect(status == want and vld == 1, f"{name}: STATUS 0x{status:x} (ap_vld {vld}), want 0x{want:x}")
        # promptly: an error response ends the frame within the drain and the band clear (well under 1000 cycles
        # on these builds), a stall within the timeout plus the time the other channels still made progress
        self.expect(after is not None and after < (1000 if not stalled else timeout + 2000),
                    f"{name}: {after} cycles from the fault to the interrupt")
        if stalled:
            self.expect(busy_after_done, f"{name}: idle while a response is still missing")
            await ClockCycles(self.dut.clk, 50)
            self.inj.release.set()
        await self.idle()
        await ClockCycles(self.dut.clk, 5)
        self.expect(not self.mon.errors, f"{name}: {self.mon.errors[:3]}")
        self.expect(self.mon.owed() == 0, f"{name}: still owed: R {self.mon.r_owed} W {self.mon.w_owed} "
                                          f"B {self.mon.b_owed}")
        mem = self.ram.read(0, size)
        bad = self.changed_outside(before, mem, self.protected(f))
        self.expect(bad == 0, f"{name}: {bad} bytes outside the frame's output and scratch changed")
        if timeout is not None:
            await self.write32(OFFSETS["timeout"], cm.DEFAULT_TIMEOUT)
        self.summary["faults"].append({"name": name, "cycles_to_done": cycles, "fault_to_irq": after, "status": status,
                                       "axi": dict(self.mon.n), "at": fault[1]})

    async def bad_arg_frame(self, f: Frame, name: str, regs: dict) -> None:
        await self.program(f)
        for reg, val in regs.items():
            await self.write32(OFFSETS[reg], val)
            if reg in ("image", "output", "scratch", "weights"):
                await self.write32(OFFSETS[reg] + 4, val >> 32)
        before = self.ram.read(0, self.ram.size)
        self.mon.reset()
        self.inj.arm(None)
        cycles = await self.start_and_wait(2000)
        ctrl, status, vld = await self.finish_frame()
        await self.idle()
        self.expect(ctrl & cm.AP_DONE, f"{name}: CTRL 0x{ctrl:x} without ap_done")
        self.expect(status == cm.STATUS_BAD_ARG and vld == 1, f"{name}: STATUS 0x{status:x} (ap_vld {vld})")
        self.expect(all(v == 0 for v in self.mon.n.values()), f"{name}: AXI traffic {self.mon.n}")
        self.expect(self.ram.read(0, self.ram.size) == before, f"{name}: memory changed")
        self.summary["bad_args"].append({"name": name, "cycles_to_done": cycles})


@cocotb.test()
async def faults(dut):
    tb = FaultBench(dut)
    with summarised(tb):
        await tb.reset()
        cocotb.start_soon(tb.mon.run())
        tb.expect(await tb.read32(OFFSETS["status"]) == 0, "STATUS after reset")
        tb.expect(await tb.read32(OFFSETS["status"] + 4) == 0, "STATUS ap_vld after reset")
        tb.expect(await tb.read32(OFFSETS["timeout"]) == cm.DEFAULT_TIMEOUT, "TIMEOUT after reset")
        await tb.write32(OFFSETS["status"], 0xF)            # read only: the host's write is ignored
        tb.expect(await tb.read32(OFFSETS["status"]) == 0, "STATUS took a host write")
        f = tb.frames[0]
        traffic = await tb.clean_frame(f)
        tb.expect(await tb.read32(OFFSETS["status"] + 4) == 0, "STATUS ap_vld not cleared by its read (COR)")
        tb.summary["clean_axi"] = traffic
        rng = tb.rng
        r_at, b_at = rng.randrange(traffic["r"]), rng.randrange(traffic["b"])
        for name, fault, want, tmo in (
                ("read-slverr", ("r", r_at, AxiResp.SLVERR), cm.STATUS_RD_ERR, None),
                ("read-decerr", ("r", rng.randrange(traffic["r"]), AxiResp.DECERR), cm.STATUS_RD_ERR, None),
                ("write-slverr", ("b", b_at, AxiResp.SLVERR), cm.STATUS_WR_ERR, None),
                ("write-decerr", ("b", rng.randrange(traffic["b"]), AxiResp.DECERR), cm.STATUS_WR_ERR, None),
                ("read-first-beat-slverr", ("r", 0, AxiResp.SLVERR), cm.STATUS_RD_ERR, None),
                ("read-stall", ("r", r_at, "stall"), cm.STATUS_TIMEOUT, 300),
                ("write-stall", ("b", b_at, "stall"), cm.STATUS_TIMEOUT, 300)):
            await tb.fault_frame(f, name, fault, want, tmo)
        lay = f.layout
        beat = SPEC["data_bits"] // 8
        bad = [("height-0", {"height": 0}), ("width-0", {"width": 0}),
               ("width-above-w-max", {"width": 2 * W_MAX}),
               ("height-2^16", {"height": 1 << 16}),
               ("height-not-multiple", {"height": lay.height + (1 << LEVELS) // 2 if LEVELS else 0}),
               ("width-not-multiple", {"width": lay.width - 1}),
               ("image-unaligned", {"image": f.image_at + 1}),
               ("output-unaligned", {"output": f.output_at + beat // 2}),
               ("scratch-unaligned", {"scratch": f.scratch_at + 4}),
               ("output-over-image", {"output": f.image_at + beat}),
               ("scratch-over-output", {"scratch": f.output_at}),
               ("output-past-address-space", {"output": (1 << 64) - beat})]
        if STREAM:
            bad += [("weights-unaligned", {"weights": tb.weights_at + 1}),
                    ("weights-over-scratch", {"weights": f.scratch_at + beat})]
        for name, regs in bad:
            await tb.bad_arg_frame(f, name, regs)
        await tb.clean_frame(f)          # nothing left behind
        dut._log.info("faults: %s", [(r["name"], r["cycles_to_done"]) for r in tb.summary["faults"]])
        dut._log.info("bad arguments: %s", [(r["name"], r["cycles_to_done"]) for r in tb.summary["bad_args"]])
    assert tb.summary["mismatches"] == 0, tb.summary["first_mismatch"]
