"""cocotb bench of snn_ctrl_axil: the Vitis-style AXI4-Lite control block (docs/ctrl_axil.md) against a host
(cocotbext-axi's AxiLiteMaster, random pauses on all five channels) and a behavioural ap_ctrl_hs core.

The core model (CoreModel) acts at every falling edge like a Vitis HLS block with ap_ctrl_hs: idle while ap_start
is 0; when it sees ap_start it drops ap_idle, stays busy a random number of cycles, pulses ap_done and ap_ready in
its last cycle, then looks at ap_start again (still high: the next frame starts at once, as after an auto-restart).
It records every frame (the arguments it saw at the start, start and end cycles) and checks that `args` stays
the same from the start of a frame to its ap_ready. A protocol monitor checks that B and R stay valid and
unchanged until accepted and counts in which order AW and W arrived (it must see all three: AW first, W first,
together) and the cycles B and R were held.

Tests: the values after reset; the argument registers (every data word, widths below 32, reserved words, random
unaligned byte writes with their WSTRB, concurrent reads and writes) and `args`; unmapped addresses (OKAY, read
0, no effect); polled frames (ap_start set by writing 1 and cleared by ap_ready, not by writing 0; WSTRB[0]
needed; ap_done / ap_ready clear on read; arguments written during a frame go to the next one); interrupts (GIE,
IER, ISR toggle on write, the interrupt line and bit 9); auto_restart (frames back to back, arguments written
during a frame taken at its ap_ready, the ap_done bit held back until the core idles after auto_restart is
cleared, the ISR bit per frame); a reset in the middle of a frame with AXI traffic in flight, then a clean frame.

Environment (rtl_tb/test_snn_ctrl_axil.py): SNN_CTRL_ARGS "name:width,..." (the block's ARG_W, in order),
SNN_SEED, SNN_P_PAUSE (probability of a pause cycle on each AXI channel), SNN_RESULT (the JSON summary).
"""
from __future__ import annotations

import json
import os
import random
from pathlib import Path

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, with_timeout
from rtl_tb.snnbench import pauses, value
from cocotbext.axi import AxiLiteBus, AxiLiteMaster, AxiResp

from golden.backends.rtl import ctrl_map as cm

CLK_NS = 10


def _args_from_env() -> tuple[tuple[str, int], ...]:
    spec = os.environ.get("SNN_CTRL_ARGS", "")
    if not spec:
        return cm.ENGINE_ARGS
    return tuple((n, int(w)) for n, w in (item.split(":") for item in spec.split(",")))


ARGS = _args_from_env()
OFFSETS = cm.arg_offsets(ARGS)
LSBS = cm.arg_lsbs(ARGS)
MAP_END = cm.map_end(ARGS)
SEED = int(os.environ.get("SNN_SEED", "1"))
P_PAUSE = float(os.environ.get("SNN_P_PAUSE", "0.3"))
RESULT = os.environ.get("SNN_RESULT")

# every argument data word: byte address -> (argument index, word k, bits of the argument in this word)
DATA_WORDS: dict[int, tuple[int, int, int]] = {}
RESERVED_WORDS: list[int] = []
for _i, ((_name, _w), _off) in enumerate(zip(ARGS, OFFSETS)):
    for _k in range(cm.arg_words(_w)):
        DATA_WORDS[_off + 4 * _k] = (_i, _k, min(32, _w - 32 * _k))
    RESERVED_WORDS.append(_off + 4 * cm.arg_words(_w))

STATS = {"checks": 0, "tests": {}, "frames": 0, "first_failure": None}


def check(cond, msg: str) -> None:
    STATS["checks"] += 1
    if not cond:
        raise AssertionError(msg)


def write_summary() -> None:
    if RESULT:
        failed = [t for t, r in STATS["tests"].items() if r != "pass"]
        Path(RESULT).write_text(json.dumps({
            "args": [list(a) for a in ARGS], "offsets": OFFSETS, "tests": STATS["tests"],
            "checks": STATS["checks"], "values": STATS["checks"], "mismatches": len(failed),
            "frames": STATS["frames"], "handshakes": STATS.get("handshakes"),
            "first_mismatch": STATS["first_failure"], "error": None}, indent=1))


def pack_args(vals: list[int]) -> int:
    return sum((v & ((1 << w) - 1)) << lsb for v, (_, w), lsb in zip(vals, ARGS, LSBS))


class CoreModel:
    """A behavioural ap_ctrl_hs core, acting at every falling edge (see the module docstring)."""

    def __init__(self, dut, rng: random.Random):
        self.dut, self.rng = dut, rng
        self.busy = (0, 20)            # extra busy cycles after the first, drawn per frame
        self.cycle = 0
        self.frames: list[dict] = []   # start, end (None: running / cut by a reset), args, back_to_back
        self.irq_rises: list[int] = []   # cycles in which `interrupt` was first seen high
        self.errors: list[str] = []
        dut.ap_done.value = 0
        dut.ap_ready.value = 0
        dut.ap_idle.value = 1

    def running(self) -> bool:
        return bool(self.frames) and self.frames[-1]["end"] is None and not self.frames[-1].get("aborted")

    async def run(self) -> None:
        dut = self.dut
        state, left, cur, irq = "idle", 0, None, 0
        while True:
            await FallingEdge(dut.clk)
            self.cycle += 1
            if value(dut.interrupt) == 1 and irq != 1:
                self.irq_rises.append(self.cycle)
            irq = value(dut.interrupt)
            if value(dut.rst) != 0:
                if cur is not None and cur["end"] is None:
                    cur["aborted"] = True
                dut.ap_done.value = 0
                dut.ap_ready.value = 0
                dut.ap_idle.value = 1
                state, cur = "idle", None
                continue
            back_to_back = False
            if state == "busy":
                args = value(dut.args)
                if args != cur["args"]:
                    self.errors.append(f"frame {len(self.frames)}: args changed while running at cycle "
                                       f"{self.cycle}: 0x{cur['args']:x} -> {args}")
                if value(dut.ap_start) != 1:
                    self.errors.append(f"frame {len(self.frames)}: ap_start dropped before ap_ready at cycle "
                                       f"{self.cycle}")
                if left == 0:
                    dut.ap_done.value = 1
                    dut.ap_ready.value = 1
                    state = "last"
                else:
                    left -= 1
                continue
            if state == "last":
                dut.ap_done.value = 0
                dut.ap_ready.value = 0
                cur["end"] = self.cycle - 1
                STATS["frames"] += 1
                back_to_back = True
            if value(dut.ap_start) == 1:
                cur = {"start": self.cycle, "end": None, "args": value(dut.args), "back_to_back": back_to_back}
                self.frames.append(cur)
                dut.ap_idle.value = 0
                left = self.rng.randint(*self.busy)
                state = "busy"
            else:
                dut.ap_idle.value = 1
                state = "idle"


class ProtocolMonitor:
    """AXI4-Lite checks at every falling edge (the values of the cycle; a handshake happens at the next rising
    edge): B and R held and unchanged until accepted; the order in which AW and W came; cycles B / R were held."""

    def __init__(self, dut):
        self.dut = dut
        self.counts = {"aw_first": 0, "w_first": 0, "together": 0, "b_held": 0, "r_held": 0, "writes": 0,
                       "reads": 0}
        self.errors: list[str] = []

    async def run(self) -> None:
        d = self.dut
        n_aw = n_w = 0
        prev_b = prev_r = None
        c = self.counts
        while True:
            await FallingEdge(d.clk)
            if value(d.rst) != 0:
                n_aw = n_w = 0
                prev_b = prev_r = None
                continue
            bvalid, bready, rvalid, rready = (value(s) for s in (d.s_axil_bvalid, d.s_axil_bready,
                                                                 d.s_axil_rvalid, d.s_axil_rready))
            b = (bvalid, value(d.s_axil_bresp))
            r = (rvalid, value(d.s_axil_rdata), value(d.s_axil_rresp))
            if prev_b is not None and b != (1, prev_b[1]):
                self.errors.append(f"B changed before it was accepted: {prev_b} -> {b}")
            if prev_r is not None and r != (1, prev_r[1], prev_r[2]):
                self.errors.append(f"R changed before it was accepted: {prev_r} -> {r}")
            prev_b = b if bvalid == 1 and bready != 1 else None
            prev_r = r if rvalid == 1 and rready != 1 else None
            c["b_held"] += prev_b is not None
            c["r_held"] += prev_r is not None
            c["writes"] += bvalid == 1 and bready == 1
            c["reads"] += rvalid == 1 and rready == 1
            aw = value(d.s_axil_awvalid) == 1 and value(d.s_axil_awready) == 1
            w = value(d.s_axil_wvalid) == 1 and value(d.s_axil_wready) == 1
            if aw and w and n_aw == n_w:
                c["together"] += 1
            elif w and n_w >= n_aw:
                c["w_first"] += 1
            elif aw and n_aw >= n_w:
                c["aw_first"] += 1
            n_aw += aw
            n_w += w


class Tb:
    def __init__(self, dut, test_seed: int):
        self.dut = dut
        self.rng = random.Random(SEED * 1000 + test_seed)
        dut.rst.value = 1
        Clock(dut.clk, CLK_NS, unit="ns").start()
        self.axil = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axil"), dut.clk, dut.rst)
        if P_PAUSE > 0:
            wr, rd = self.axil.write_if, self.axil.read_if
            for ch in (wr.aw_channel, wr.w_channel, wr.b_channel, rd.ar_channel, rd.r_channel):
                ch.set_pause_generator(pauses(random.Random(self.rng.random()), P_PAUSE))
        self.core = CoreModel(dut, random.Random(self.rng.random()))
        self.mon = ProtocolMonitor(dut)
        cocotb.start_soon(self.core.run())
        cocotb.start_soon(self.mon.run())
        self.addr_w = len(dut.s_axil_awaddr)

    async def reset(self, cycles: int = 4) -> None:
        d = self.dut
        await FallingEdge(d.clk)
        d.rst.value = 1
        for _ in range(cycles):
            await FallingEdge(d.clk)
        d.rst.value = 0
        await self.cycles(2)

    async def cycles(self, n: int) -> None:
        for _ in range(n):
            await FallingEdge(self.dut.clk)

    async def read(self, addr: int) -> int:
        resp = await self.axil.read(addr, 4)
        check(resp.resp == AxiResp.OKAY, f"read 0x{addr:x}: {resp.resp!r}, expected OKAY")
        return int.from_bytes(resp.data, "little")

    async def write(self, addr: int, val: int) -> None:
        await self.write_bytes(addr, (val & 0xFFFFFFFF).to_bytes(4, "little"))

    async def write_bytes(self, addr: int, data: bytes) -> None:
        resp = await self.axil.write(addr, data)
        check(resp.resp == AxiResp.OKAY, f"write 0x{addr:x}: {resp.resp!r}, expected OKAY")

    async def read_ctrl(self) -> int:
        return await self.read(cm.CTRL)

    async def write_args(self, vals: list[int]) -> None:
        for v, (_, w), off in zip(vals, ARGS, OFFSETS):
            for k in range(cm.arg_words(w)):
                await self.write(off + 4 * k, v >> (32 * k))

    def random_args(self) -> list[int]:
        return [self.rng.getrandbits(w) for _, w in ARGS]

    async def wait_for(self, cond, what: str, limit: int = 5000) -> None:
        for _ in range(limit):
            if cond():
                return
            await FallingEdge(self.dut.clk)
        raise AssertionError(f"timed out after {limit} cycles waiting for {what}")

    async def poll_done(self, limit: int = 5000) -> int:
        """Read CTRL until ap_done; the word that had it."""
        for _ in range(limit):
            ctrl = await self.read_ctrl()
            if ctrl & cm.AP_DONE:
                return ctrl
        raise AssertionError(f"ap_done not seen in {limit} reads of CTRL")

    async def idle_ctrl(self) -> int:
        """CTRL once the core is idle and ap_done / ap_ready have been read away."""
        await self.wait_for(lambda: not self.core.running() and value(self.dut.ap_idle) == 1, "the core idle")
        await self.cycles(2)
        await self.read_ctrl()
        return await self.read_ctrl()

    def finish(self) -> None:
        errors = self.core.errors + self.mon.errors
        check(not errors, "; ".join(errors[:5]))


def bench_test(seed: int):
    """A cocotb test with its own Tb (clock, master, core model, monitor) and a reset; the summary afterwards."""
    def wrap(fn):
        async def test(dut):
            name = fn.__name__
            tb = Tb(dut, seed)
            try:
                await tb.reset()
                await with_timeout(fn(tb), 2_000_000, "ns")
                await tb.cycles(4)
                tb.finish()
                STATS["tests"][name] = "pass"
            except BaseException as exc:
                seen = tb.core.errors + tb.mon.errors     # what the monitors saw before (e.g. before a time-out)
                msg = f"{type(exc).__name__}: {exc}" + (f" (first monitor error: {seen[0]})" if seen else "")
                STATS["tests"][name] = f"fail: {msg}"
                STATS["first_failure"] = STATS["first_failure"] or f"{name}: {msg}"
                raise
            finally:
                old = STATS.get("handshakes") or {}
                STATS["handshakes"] = {k: old.get(k, 0) + v for k, v in tb.mon.counts.items()}
                write_summary()
        test.__name__ = test.__qualname__ = fn.__name__
        test.__doc__ = fn.__doc__
        return cocotb.test()(test)
    return wrap


# ------------------------------------------------------------------------------------------------ the tests
@bench_test(1)
async def reset_values(tb: Tb):
    """Everything reads 0 after a reset but ap_idle (the core is idle); args, ap_start, interrupt 0."""
    d = tb.dut
    check(await tb.read_ctrl() == cm.AP_IDLE, "CTRL after reset")
    for addr in (cm.GIE, cm.IER, cm.ISR, *DATA_WORDS, *RESERVED_WORDS):
        got = await tb.read(addr)
        check(got == 0, f"0x{addr:02x} after reset reads 0x{got:x}")
    check(value(d.args) == 0 and value(d.ap_start) == 0 and value(d.interrupt) == 0, "outputs after reset")


@bench_test(2)
async def argument_registers(tb: Tb):
    """Every data word (bits past an argument's width read 0), reserved words ignored, unaligned byte writes with
    WSTRB, concurrent reads and writes; `args` follows while ap_start is 0."""
    d, rng = tb.dut, tb.rng
    mem = {a: 0 for a in DATA_WORDS}          # the expected word at each data address

    def store(addr: int, byte: int) -> None:  # one byte written at a byte address
        word = addr & ~3
        if word in DATA_WORDS:
            _, _, bits = DATA_WORDS[word]
            sh = 8 * (addr & 3)
            mem[word] = ((mem[word] & ~(0xFF << sh)) | (byte << sh)) & ((1 << bits) - 1)

    def expected_args() -> int:
        vals = [0] * len(ARGS)
        for a, (i, k, _) in DATA_WORDS.items():
            vals[i] |= mem[a] << (32 * k)
        return pack_args(vals)

    async def check_all(what: str) -> None:
        for a in list(DATA_WORDS) + RESERVED_WORDS:
            got = await tb.read(a)
            check(got == mem.get(a, 0), f"{what}: 0x{a:02x} reads 0x{got:x}, expected 0x{mem.get(a, 0):x}")
        await tb.cycles(2)
        check(value(d.args) == expected_args(), f"{what}: args 0x{value(d.args):x} != 0x{expected_args():x}")

    # whole words, reserved words written too
    for a in list(DATA_WORDS) + RESERVED_WORDS:
        v = rng.getrandbits(32)
        await tb.write(a, v)
        for j in range(4):
            store(a + j, (v >> (8 * j)) & 0xFF)
    await check_all("whole words")
    # unaligned writes of 1..4 bytes anywhere in the argument area, also across words and into reserved words
    for _ in range(60):
        a = rng.randrange(cm.ARGS_BASE, MAP_END)
        data = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, min(6, MAP_END - a))))
        await tb.write_bytes(a, data)
        for j, byte in enumerate(data):
            store(a + j, byte)
    await check_all("byte writes")
    # concurrent: writes to some data words while other words are read back
    words = list(DATA_WORDS)
    rng.shuffle(words)
    wr_set, rd_set = words[: len(words) // 2 + 1], words[len(words) // 2 + 1:]
    tasks = []
    for _ in range(3):
        for a in wr_set:
            v = rng.getrandbits(32)
            tasks.append((None, cocotb.start_soon(tb.axil.write(a, v.to_bytes(4, "little")))))
            for j in range(4):
                store(a + j, (v >> (8 * j)) & 0xFF)
        for a in rd_set:
            tasks.append((a, cocotb.start_soon(tb.axil.read(a, 4))))
    for a, task in tasks:
        resp = await task
        check(resp.resp == AxiResp.OKAY, "concurrent access: response")
        if a is not None:
            got = int.from_bytes(resp.data, "little")
            check(got == mem[a], f"concurrent read 0x{a:02x}: 0x{got:x} != 0x{mem[a]:x}")
    await check_all("concurrent")


@bench_test(3)
async def unmapped_addresses(tb: Tb):
    """Reserved and unmapped words and the read-only CTRL bits: OKAY, read 0, no effect (as Vitis)."""
    d, rng = tb.dut, tb.rng
    vals = tb.random_args()
    await tb.write_args(vals)
    top = 1 << tb.addr_w
    addrs = set(RESERVED_WORDS) | set(range(MAP_END, min(MAP_END + 64, top), 4)) | {top - 4}
    addrs |= {rng.randrange(MAP_END, top) & ~3 for _ in range(20)}
    for a in sorted(addrs):
        await tb.write(a, rng.getrandbits(32))
        got = await tb.read(a)
        check(got == 0, f"unmapped 0x{a:x} reads 0x{got:x}")
    # only bit 0 of GIE, bits 1:0 of IER are there
    await tb.write(cm.GIE, 0xFFFFFFFE)
    await tb.write(cm.IER, 0xFFFFFFFC)
    check(await tb.read(cm.GIE) == 0 and await tb.read(cm.IER) == 0, "GIE / IER reserved bits")
    # ap_done, ap_idle, ap_ready, interrupt are read-only; bit 0 = 0 starts nothing
    await tb.write(cm.CTRL, 0xFFFFFFFF & ~(cm.AP_START | cm.AUTO_RESTART))
    await tb.cycles(5)
    check(await tb.read_ctrl() == cm.AP_IDLE and not tb.core.frames, "CTRL read-only bits")
    for a in list(DATA_WORDS):
        i, k, bits = DATA_WORDS[a]
        got = await tb.read(a)
        check(got == (vals[i] >> (32 * k)) & ((1 << bits) - 1), f"argument word 0x{a:02x} changed")
    check(value(d.args) == pack_args(vals), "args changed by unmapped writes")


@bench_test(4)
async def polled_frames(tb: Tb):
    """Write the arguments, write ap_start, poll ap_done; ap_start cleared by ap_ready only; COR bits; the
    arguments of a write during a frame go to the next frame; WSTRB[0] needed to start."""
    d, core = tb.dut, tb.core
    core.busy = (600, 800)
    first, second = tb.random_args(), tb.random_args()
    await tb.write_args(first)
    await tb.write(cm.CTRL, cm.AP_START)
    ctrl = await tb.read_ctrl()
    check(ctrl & cm.AP_START and not ctrl & (cm.AP_DONE | cm.AP_READY), f"CTRL while running: 0x{ctrl:x}")
    await tb.write_args(second)                       # during the frame: the core keeps the first set
    await tb.write(cm.CTRL, 0)                        # writing 0 does not clear ap_start (COH)
    ctrl = await tb.read_ctrl()
    check(ctrl & cm.AP_START and not ctrl & cm.AP_IDLE, f"CTRL after writing 0 while running: 0x{ctrl:x}")
    check(core.running(), "the frame ended before the test's writes (busy too short)")
    ctrl = await tb.poll_done()
    check(ctrl & cm.AP_READY and not ctrl & cm.AP_START, f"CTRL with ap_done: 0x{ctrl:x}")
    ctrl = await tb.idle_ctrl()
    check(ctrl == cm.AP_IDLE, f"CTRL after ap_done was read: 0x{ctrl:x} (COR)")
    check(len(core.frames) == 1 and core.frames[0]["args"] == pack_args(first), "frame 1 arguments")
    # a byte write to CTRL without WSTRB[0] changes nothing (neither ap_start nor auto_restart); the byte at 0x00
    # does (auto_restart alone starts nothing)
    await tb.write(cm.CTRL, cm.AUTO_RESTART)
    await tb.write_bytes(cm.CTRL + 1, b"\x01")
    await tb.cycles(8)
    ctrl = await tb.read_ctrl()
    check(len(core.frames) == 1 and ctrl == cm.AP_IDLE | cm.AUTO_RESTART, f"CTRL after a write without WSTRB[0]: "
          f"0x{ctrl:x}, {len(core.frames)} frames")
    await tb.write(cm.CTRL, 0)
    await tb.write_bytes(cm.CTRL, b"\x01")
    await tb.poll_done()
    check(len(core.frames) == 2 and core.frames[1]["args"] == pack_args(second), "frame 2 arguments")
    # short random frames, arguments written between them
    core.busy = (0, 12)
    for n in range(6):
        vals = tb.random_args()
        await tb.write_args(vals)
        await tb.write(cm.CTRL, cm.AP_START)
        await tb.poll_done()
        await tb.wait_for(lambda: not core.running(), "the frame's end")
        check(len(core.frames) == 3 + n and core.frames[-1]["args"] == pack_args(vals), f"frame {3 + n}")
        check(not core.frames[-1]["back_to_back"], "a frame restarted without auto_restart")
    check(await tb.idle_ctrl() == cm.AP_IDLE, "CTRL at the end")


@bench_test(5)
async def interrupts(tb: Tb):
    """GIE, IER, ISR (set by ap_done / ap_ready where enabled, toggled by writing 1), the interrupt line
    (GIE & |(IER & ISR), registered) and CTRL bit 9; a host that takes the interrupt instead of polling."""
    d, core = tb.dut, tb.core
    core.busy = (5, 30)

    async def frame() -> None:
        n = len(core.frames)
        await tb.write_args(tb.random_args())
        await tb.write(cm.CTRL, cm.AP_START)
        await tb.wait_for(lambda: len(core.frames) > n and core.frames[-1]["end"] is not None, "the frame's end")
        await tb.cycles(3)

    async def expect(isr: int, irq: int, what: str) -> None:
        await tb.cycles(3)
        got = await tb.read(cm.ISR)
        ctrl = await tb.read_ctrl()
        check(got == isr, f"{what}: ISR 0x{got:x}, expected 0x{isr:x}")
        check(value(d.interrupt) == irq and bool(ctrl & cm.INTERRUPT) == bool(irq),
              f"{what}: interrupt {value(d.interrupt)}, CTRL 0x{ctrl:x}, expected {irq}")

    # the interrupt-driven host: GIE, IER = ap_done, start, wait for the line, acknowledge by toggling ISR
    await tb.write(cm.GIE, 1)
    await tb.write(cm.IER, cm.IRQ_DONE)
    await tb.write_args(vals := tb.random_args())
    await tb.write(cm.CTRL, cm.AP_START)
    await tb.wait_for(lambda: value(d.interrupt) == 1, "the interrupt")
    check(core.frames[-1]["end"] is not None and core.frames[-1]["args"] == pack_args(vals), "frame at interrupt")
    # the line rises two cycles after the ap_done pulse (ISR, then the registered line)
    late = core.irq_rises[-1] - core.frames[-1]["end"] if core.irq_rises else None
    check(len(core.irq_rises) == 1 and late == 2, f"interrupt rises {core.irq_rises}, {late} cycles after ap_done")
    await expect(cm.IRQ_DONE, 1, "after ap_done")
    await tb.write(cm.ISR, cm.IRQ_DONE)
    await expect(0, 0, "after the toggle")
    # IER = both: ISR gets both bits; a toggle of one leaves the other (and the line)
    await tb.write(cm.IER, cm.IRQ_DONE | cm.IRQ_READY)
    await frame()
    await expect(cm.IRQ_DONE | cm.IRQ_READY, 1, "IER both")
    await tb.write(cm.ISR, cm.IRQ_READY)
    await expect(cm.IRQ_DONE, 1, "after toggling ap_ready")
    await tb.write(cm.ISR, cm.IRQ_DONE)
    await expect(0, 0, "after toggling ap_done")
    # toggle on write sets a clear bit too
    await tb.write(cm.ISR, cm.IRQ_READY)
    await expect(cm.IRQ_READY, 1, "ISR set by a write")
    await tb.write(cm.ISR, cm.IRQ_READY)
    await expect(0, 0, "ISR cleared by a write")
    # IER = ap_ready only
    await tb.write(cm.IER, cm.IRQ_READY)
    await frame()
    await expect(cm.IRQ_READY, 1, "IER ap_ready")
    await tb.write(cm.ISR, cm.IRQ_READY)
    # GIE = 0: ISR set, no interrupt; GIE = 1 raises it; clearing its IER bit masks it
    await tb.write(cm.GIE, 0)
    await tb.write(cm.IER, cm.IRQ_DONE)
    await frame()
    await expect(cm.IRQ_DONE, 0, "GIE 0")
    await tb.write(cm.GIE, 1)
    await expect(cm.IRQ_DONE, 1, "GIE 1")
    await tb.write(cm.IER, 0)
    await expect(cm.IRQ_DONE, 0, "IER 0 masks a pending ISR bit")
    await tb.write(cm.ISR, cm.IRQ_DONE)
    # IER = 0: nothing is latched
    await frame()
    await expect(0, 0, "IER 0")
    check(await tb.idle_ctrl() == cm.AP_IDLE, "CTRL at the end")


@bench_test(6)
async def auto_restart(tb: Tb):
    """auto_restart: frames back to back (ap_start stays set), arguments written during a frame taken at its
    ap_ready, ap_done / ap_ready bits held back while auto-restarting, the ISR bit per frame; clearing
    auto_restart ends after the running frame, and then ap_done reads 1."""
    d, core = tb.dut, tb.core
    core.busy = (600, 800)
    first, second = tb.random_args(), tb.random_args()
    await tb.write_args(first)
    await tb.write(cm.GIE, 1)
    await tb.write(cm.IER, cm.IRQ_DONE)
    await tb.write(cm.CTRL, cm.AP_START | cm.AUTO_RESTART)
    await tb.write_args(second)
    check(len(core.frames) == 1 and core.running(), "the first frame ended before the second set was written")
    seen_isr = 0
    while len(core.frames) < 4:
        ctrl = await tb.read_ctrl()
        check(ctrl & cm.AP_START and ctrl & cm.AUTO_RESTART and not ctrl & (cm.AP_DONE | cm.AP_READY | cm.AP_IDLE),
              f"CTRL while auto-restarting: 0x{ctrl:x}")
        if await tb.read(cm.ISR) & cm.IRQ_DONE:       # the ISR ap_done bit is set by every frame
            seen_isr += 1
            await tb.write(cm.ISR, cm.IRQ_DONE)
    check(seen_isr >= 2, f"ISR ap_done seen {seen_isr} times in 3 frames")
    check(core.frames[0]["args"] == pack_args(first), "frame 1 arguments")
    for f in core.frames[1:]:
        check(f["back_to_back"] and f["args"] == pack_args(second), "auto-restarted frame (back to back, args)")
    third = tb.random_args()
    await tb.write_args(third)
    n = len(core.frames)                              # frames from here on start with the third set
    await tb.write(cm.CTRL, 0)                        # auto_restart off: the running frame is the last (or the next)
    n_after = len(core.frames)
    await tb.wait_for(lambda: not core.running() and value(d.ap_idle) == 1, "the core idle")
    await tb.cycles(20)
    check(len(core.frames) - n_after <= 1, f"{len(core.frames) - n_after} frames after auto_restart was cleared")
    for f in core.frames[n:]:
        check(f["args"] == pack_args(third), "frame started after the last argument writes")
    ctrl = await tb.read_ctrl()
    check(ctrl == cm.AP_DONE | cm.AP_IDLE | cm.AP_READY | cm.INTERRUPT,
          f"CTRL after the last frame: 0x{ctrl:x} (ap_done, ap_ready when the auto-restart ended; ISR pending)")
    await tb.write(cm.ISR, await tb.read(cm.ISR))
    check(await tb.read_ctrl() == cm.AP_IDLE, "CTRL read again")
    check(value(d.ap_start) == 0, "ap_start after the auto-restart")


@bench_test(7)
async def reset_mid_frame(tb: Tb):
    """A reset in the middle of a long frame, with writes and reads in flight: every register back to its reset
    value; then a clean frame."""
    d, core = tb.dut, tb.core
    core.busy = (300, 400)
    await tb.write(cm.GIE, 1)
    await tb.write(cm.IER, cm.IRQ_DONE | cm.IRQ_READY)
    await tb.write_args(tb.random_args())
    await tb.write(cm.CTRL, cm.AP_START | cm.AUTO_RESTART)
    await tb.cycles(50)
    check(core.running(), "the frame is running")
    for a in list(DATA_WORDS)[:3]:                    # traffic in flight when the reset comes
        cocotb.start_soon(tb.axil.write(a, tb.rng.getrandbits(32).to_bytes(4, "little")))
        cocotb.start_soon(tb.axil.read(cm.CTRL, 4))
    await tb.cycles(tb.rng.randint(1, 6))
    await tb.reset(cycles=3)
    check(core.frames[-1].get("aborted"), "the frame was cut by the reset")
    check(value(d.ap_start) == 0 and value(d.args) == 0 and value(d.interrupt) == 0, "outputs after the reset")
    for addr in (cm.GIE, cm.IER, cm.ISR, *DATA_WORDS):
        got = await tb.read(addr)
        check(got == 0, f"0x{addr:02x} after the reset reads 0x{got:x}")
    check(await tb.read_ctrl() == cm.AP_IDLE, "CTRL after the reset")
    # the clean frame
    core.busy = (5, 30)
    await tb.write(cm.GIE, 1)
    await tb.write(cm.IER, cm.IRQ_DONE)
    await tb.write_args(vals := tb.random_args())
    n = len(core.frames)
    await tb.write(cm.CTRL, cm.AP_START)
    await tb.wait_for(lambda: value(d.interrupt) == 1, "the interrupt")
    check(len(core.frames) == n + 1 and core.frames[-1]["args"] == pack_args(vals), "the clean frame")
    check(await tb.read(cm.ISR) == cm.IRQ_DONE, "ISR after the clean frame")
    await tb.write(cm.ISR, cm.IRQ_DONE)
    ctrl = await tb.read_ctrl()
    check(ctrl & cm.AP_DONE and ctrl & cm.AP_READY and not ctrl & cm.AP_START, f"CTRL after the frame: 0x{ctrl:x}")
    check(await tb.idle_ctrl() == cm.AP_IDLE, "CTRL at the end")


@bench_test(8)
async def handshake_coverage(tb: Tb):
    """Over every test so far (and a burst of writes here): AW before W, W before AW and both in one cycle all
    happened, and B and R were held by back-pressure."""
    tasks = []
    for _ in range(40):
        tasks.append(cocotb.start_soon(tb.axil.write(tb.rng.choice(list(DATA_WORDS)),
                                                     tb.rng.getrandbits(32).to_bytes(4, "little"))))
        tasks.append(cocotb.start_soon(tb.axil.read(tb.rng.choice(list(DATA_WORDS)), 4)))
    for task in tasks:
        check((await task).resp == AxiResp.OKAY, "burst: response")
    await tb.cycles(2)
    old = STATS.get("handshakes") or {}
    total = {k: old.get(k, 0) + v for k, v in tb.mon.counts.items()}
    if P_PAUSE > 0:
        for k in ("aw_first", "w_first", "together", "b_held", "r_held"):
            check(total[k] > 0, f"never seen: {k} ({total})")
