"""cocotb bench of snn_axi_reader, the AXI4 read master of the external-memory frame engine (docs/axi_master.md),
against cocotbext-axi's AxiRamRead with random pauses on AR and R and random back-pressure on dout.

The memory accepts every AR the unit offers (its AR queue is made deep), so the unit's own MAX_OUTSTANDING bound
is what limits the bursts in flight. A protocol monitor samples every cycle (ReadOnly after the falling edge: the
values the next rising edge acts on) and checks: every AR is an INCR burst of ARSIZE log2(DATA_W/8), ARCACHE 0011,
at most MAX_BURST beats, not crossing 4 KiB, held unchanged until accepted; the ARs are exactly the greedy split
of the commands (model `split`); AR handshakes minus RLAST handshakes never exceed MAX_OUTSTANDING, and exceed 1
at some point when MAX_OUTSTANDING > 1; RREADY is never low while RVALID is high (the credits reserved room);
dout is held while stalled; the dout beats are the memory contents of the commands, in order, with dout_last
exactly on each command's last beat.

Tests: random commands (1..SNN_MAX_BEATS beats, random beat-aligned addresses, about a third straddling a 4 KiB
page, some with high address bits set); throughput without pauses (>= 0.8 beat per cycle with MAX_OUTSTANDING > 1:
the unit does not serialise its bursts); SLVERR from a memory region sets the sticky `err` (cleared by reset
only); a reset in the middle of traffic, then clean commands.

The helpers (commands, split model, drivers, the summary) are shared with tb_snn_axi_writer.py.
Environment (rtl_tb/test_snn_axi.py, rtl_tb/cases.py AxiCase): SNN_SEED, SNN_P_PAUSE (pause probability on each
AXI channel), SNN_P_STALL (dout back-pressure / din idle), SNN_N_CMDS, SNN_MAX_BEATS, SNN_MAX_BURST,
SNN_MAX_OUTSTANDING (the HDL parameters), SNN_RESULT (the JSON summary).
"""
from __future__ import annotations

import json
import os
import random
from pathlib import Path

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, with_timeout
from rtl_tb.snnbench import pauses, value
from cocotbext.axi import AxiRamRead, AxiReadBus

CLK_NS = 10
SEED = int(os.environ.get("SNN_SEED", "1"))
P_PAUSE = float(os.environ.get("SNN_P_PAUSE", "0.3"))
P_STALL = float(os.environ.get("SNN_P_STALL", "0.3"))
N_CMDS = int(os.environ.get("SNN_N_CMDS", "40"))
MAX_BEATS = int(os.environ.get("SNN_MAX_BEATS", "300"))
MAX_BURST = int(os.environ.get("SNN_MAX_BURST", "16"))
MAX_OUTSTANDING = int(os.environ.get("SNN_MAX_OUTSTANDING", "4"))
RESULT = os.environ.get("SNN_RESULT")
MEM_SIZE = 1 << 22       # the model memory; address bits above it alias (AxiRam takes the address modulo its size)

STATS = {"checks": 0, "values": 0, "tests": {}, "first_failure": None, "max_outstanding": 0, "bursts": 0,
         "crossing_cmds": 0, "throughput": None}


# ------------------------------------------------------------------------------------------- shared helpers
def check(cond, msg: str) -> None:
    STATS["checks"] += 1
    if not cond:
        raise AssertionError(msg)


def split(addr: int, beats: int, nbytes: int) -> list[tuple[int, int]]:
    """The unit's bursts for a command: greedy, at most MAX_BURST beats, none crossing a 4 KiB page."""
    out = []
    while beats:
        n = min(beats, MAX_BURST, (4096 - (addr & 0xFFF)) // nbytes)
        out.append((addr, n))
        addr, beats = addr + n * nbytes, beats - n
    return out


def make_commands(rng: random.Random, n: int, nbytes: int, addr_w: int, max_beats: int = MAX_BEATS,
                  start: int = 0) -> list[tuple[int, int]]:
    """n commands (byte address, beats) in disjoint ranges of the model memory, in increasing order from `start`:
    a quarter short (1..4 beats), the rest 1..max_beats; about a third straddle a 4 KiB page; some carry address
    bits above MEM_SIZE (they alias in the model memory)."""
    cmds, p = [], start
    for _ in range(n):
        beats = rng.randint(1, 4) if rng.random() < 0.25 else rng.randint(1, max_beats)
        if rng.random() < 0.35:
            beats = max(beats, 2)
            page_end = (p // 4096 + 1) * 4096
            addr = page_end - nbytes * rng.randint(1, min(beats - 1, (page_end - p) // nbytes))
            STATS["crossing_cmds"] += 1
        else:
            addr = p + nbytes * rng.randint(0, 64)
        p = addr + beats * nbytes
        assert p < MEM_SIZE, "the commands do not fit the model memory"
        high = rng.getrandbits(addr_w - 22) << 22 if addr_w > 22 and rng.random() < 0.3 else 0
        cmds.append((addr | high, beats))
    return cmds


async def send_commands(dut, rng: random.Random, cmds, p_idle: float) -> None:
    """Drive cmd_* with random idle cycles; returns once the last command was accepted."""
    for addr, beats in cmds:
        while rng.random() < p_idle:
            dut.cmd_valid.value = 0
            await FallingEdge(dut.clk)
        dut.cmd_valid.value = 1
        dut.cmd_addr.value = addr
        dut.cmd_beats.value = beats
        while True:
            ready = value(dut.cmd_ready) == 1      # registered: already the value the next edge sees
            await FallingEdge(dut.clk)
            if ready:
                break
    dut.cmd_valid.value = 0


async def wait_for(dut, cond, what: str, limit: int = 50_000) -> None:
    for _ in range(limit):
        if cond():
            return
        await FallingEdge(dut.clk)
    raise AssertionError(f"timed out after {limit} cycles waiting for {what}")


async def cycles(dut, n: int) -> None:
    for _ in range(n):
        await FallingEdge(dut.clk)


async def reset(dut, n: int = 4) -> None:
    await FallingEdge(dut.clk)
    dut.rst.value = 1
    await cycles(dut, n)
    dut.rst.value = 0
    await cycles(dut, 2)


def check_burst(kind: str, addr: int, length: int, size: int, burst: int, cache: int, others: int,
                nbytes: int, error) -> None:
    """The rules every AR / AW must keep; error(message) for each broken one."""
    beats = length + 1
    STATS["checks"] += 1
    if addr % nbytes:
        error(f"{kind} 0x{addr:x} not beat-aligned")
    if beats > MAX_BURST:
        error(f"{kind} 0x{addr:x}: {beats} beats > MAX_BURST {MAX_BURST}")
    if (addr & 0xFFF) + beats * nbytes > 4096:
        error(f"{kind} 0x{addr:x}, {beats} beats crosses a 4 KiB boundary")
    if (size, burst, cache, others) != ((nbytes - 1).bit_length(), 1, 0b0011, 0):
        error(f"{kind} 0x{addr:x}: size {size} burst {burst} cache {cache} id/lock/prot/qos {others}")


def write_summary(extra: dict | None = None) -> None:
    if RESULT:
        failed = [t for t, r in STATS["tests"].items() if r != "pass"]
        Path(RESULT).write_text(json.dumps({**STATS, **(extra or {}), "mismatches": len(failed),
                                            "first_mismatch": STATS["first_failure"], "error": None}, indent=1))


def bench_test(make_tb, seed: int, timeout_ns: int = 500_000):
    """A cocotb test with its own Tb (make_tb(dut, seed)) and a reset, the monitor's errors checked afterwards,
    the summary written."""
    def wrap(fn):
        async def test(dut):
            name = fn.__name__
            tb = make_tb(dut, seed)
            try:
                await reset(dut)
                await with_timeout(fn(tb), timeout_ns, "ns")
                await cycles(dut, 4)
                check(not tb.mon.errors, "; ".join(tb.mon.errors[:5]))
                STATS["tests"][name] = "pass"
            except BaseException as exc:
                seen = tb.mon.errors
                msg = f"{type(exc).__name__}: {exc}" + (f" (first monitor error: {seen[0]})" if seen else "")
                STATS["tests"][name] = f"fail: {msg}"
                STATS["first_failure"] = STATS["first_failure"] or f"{name}: {msg}"
                raise
            finally:
                STATS["max_outstanding"] = max(STATS["max_outstanding"], tb.mon.max_outstanding)
                write_summary()
        test.__name__ = test.__qualname__ = fn.__name__
        test.__doc__, test.__module__ = fn.__doc__, fn.__module__
        return cocotb.test()(test)
    return wrap


# ------------------------------------------------------------------------------------------- reader bench
class Ram(AxiRamRead):
    """AxiRamRead that answers SLVERR for the byte range `bad` (cocotbext-axi turns an exception in _read into
    SLVERR)."""
    bad: tuple[int, int] | None = None

    async def _read(self, address, length):
        if self.bad and self.bad[0] <= address % self.size < self.bad[1]:
            raise IOError("SLVERR region")
        return await super()._read(address, length)


class ChannelMonitor:
    """What ReadMonitor and WriteMonitor share: the error list, the out-of-reset cycle loop and the address channel
    (AR or AW) rules. A subclass has clear() (it sets prev_ax and outstanding) and cycle()."""

    def __init__(self, dut, nbytes: int):
        self.dut, self.nbytes = dut, nbytes
        self.errors: list[str] = []
        self.max_outstanding = 0
        self.clear()

    def error(self, msg: str) -> None:
        self.errors.append(msg)
        raise AssertionError(msg)       # fails the test at once (cocotb fails a test whose task raised)

    async def run(self) -> None:
        d = self.dut
        while True:
            await FallingEdge(d.clk)
            await ReadOnly()
            if value(d.rst) != 0:
                self.clear()
            else:
                self.cycle()

    def address(self, ch: str, bursts: list, what: str) -> None:
        """One cycle of the address channel m_axi_<ch>* ("ar" / "aw"): held until accepted, each a legal burst
        (appended to `bursts` as (addr, beats)), at most MAX_OUTSTANDING `what`."""
        def sig(name):
            return value(getattr(self.dut, f"m_axi_{ch}{name}"))

        valid, ready, kind = sig("valid"), sig("ready"), ch.upper()
        ax = (sig("addr"), sig("len"), sig("size"), sig("burst"), sig("cache"),
              sig("id") | sig("lock") | sig("prot") | sig("qos"))
        if self.prev_ax is not None and (valid != 1 or ax != self.prev_ax):
            self.error(f"{kind} dropped or changed before it was accepted: {self.prev_ax} -> {valid}, {ax}")
        self.prev_ax = ax if valid == 1 and ready != 1 else None
        if valid == 1 and ready == 1:
            check_burst(kind, *ax, self.nbytes, self.error)
            bursts.append((ax[0], ax[1] + 1))
            self.outstanding += 1
            self.max_outstanding = max(self.max_outstanding, self.outstanding)
            if self.outstanding > MAX_OUTSTANDING:
                self.error(f"{self.outstanding} {what} > MAX_OUTSTANDING {MAX_OUTSTANDING}")


class ReadMonitor(ChannelMonitor):
    """Per cycle: command and dout handshakes, the AR / R rules (module docstring)."""

    def clear(self) -> None:
        self.cmds, self.ars, self.beats = [], [], []     # handshakes: (addr, beats), (addr, beats), (data, last)
        self.outstanding, self.r_stalls, self.bad_resp = 0, 0, 0
        self.prev_ax = self.prev_dout = None

    def cycle(self) -> None:
        d = self.dut
        if value(d.cmd_valid) == 1 and value(d.cmd_ready) == 1:
            self.cmds.append((value(d.cmd_addr), value(d.cmd_beats)))
        self.address("ar", self.ars, "read bursts outstanding")
        rvalid, rready = value(d.m_axi_rvalid), value(d.m_axi_rready)
        self.r_stalls += rvalid == 1 and rready != 1
        if rvalid == 1 and rready == 1:
            self.bad_resp += value(d.m_axi_rresp) != 0
            if value(d.m_axi_rlast) == 1:
                self.outstanding -= 1
        dvalid, dready = value(d.dout_valid), value(d.dout_ready)
        dout = (value(d.dout_data), value(d.dout_last))
        if self.prev_dout is not None and (dvalid != 1 or dout != self.prev_dout):
            self.error(f"dout dropped or changed while stalled: {self.prev_dout} -> {dvalid}, {dout}")
        self.prev_dout = dout if dvalid == 1 and dready != 1 else None
        if dvalid == 1 and dready == 1:
            self.beats.append(dout)


class ReaderTb:
    def __init__(self, dut, test_seed: int):
        self.dut = dut
        self.rng = random.Random(SEED * 1000 + test_seed)
        dut.rst.value = 1
        dut.cmd_valid.value = 0
        dut.dout_ready.value = 0
        dut.halt.value = 0             # (issue 23's halt: rtl_tb/test_faults.py)
        Clock(dut.clk, CLK_NS, unit="ns").start()
        self.ram = Ram(AxiReadBus.from_prefix(dut, "m_axi"), dut.clk, dut.rst, size=MEM_SIZE)
        self.ram.ar_channel.queue_occupancy_limit = 4 * MAX_OUTSTANDING + 4   # the unit's bound is what limits
        self.nbytes = len(dut.m_axi_rdata) // 8
        self.addr_w = len(dut.m_axi_araddr)
        self.set_pauses(P_PAUSE)
        self.mon = ReadMonitor(dut, self.nbytes)
        cocotb.start_soon(self.mon.run())

    def set_pauses(self, p: float) -> None:
        for ch in (self.ram.ar_channel, self.ram.r_channel):
            ch.set_pause_generator(pauses(random.Random(self.rng.random()), p) if p > 0 else None)
            ch.pause = False        # (clearing the generator leaves the last pause as it was)

    async def consume(self, p_stall: float) -> None:
        rng = random.Random(self.rng.random())
        while True:
            self.dut.dout_ready.value = int(rng.random() >= p_stall)
            await FallingEdge(self.dut.clk)

    def fill(self, cmds) -> None:
        for addr, beats in cmds:
            self.ram.write(addr % MEM_SIZE, self.rng.randbytes(beats * self.nbytes))

    async def run(self, cmds, p_stall: float = P_STALL, check_data: bool = True) -> None:
        """Send the commands, take every beat, check commands, bursts and data."""
        self.fill(cmds)
        self.mon.clear()
        consumer = cocotb.start_soon(self.consume(p_stall))
        await send_commands(self.dut, self.rng, cmds, P_STALL)
        total = sum(b for _, b in cmds)
        await wait_for(self.dut, lambda: len(self.mon.beats) >= total and value(self.dut.busy) == 0,
                       f"{total} beats and busy low")
        consumer.cancel()
        self.dut.dout_ready.value = 0
        self.check(cmds, check_data)

    def check(self, cmds, check_data: bool = True) -> None:
        m, nb = self.mon, self.nbytes
        check(m.cmds == list(cmds), f"accepted commands differ from those sent: {m.cmds[:3]} vs {cmds[:3]}")
        expected = [b for a, n in cmds for b in split(a, n, nb)]
        check(m.ars == expected, f"bursts differ from the split of the commands: first "
              f"{next(((i, g, e) for i, (g, e) in enumerate(zip(m.ars, expected)) if g != e), len(m.ars))}")
        check(len(m.beats) == sum(n for _, n in cmds), f"{len(m.beats)} beats for {sum(n for _, n in cmds)}")
        check(m.r_stalls == 0, f"RREADY low while RVALID in {m.r_stalls} cycles")
        pos = 0
        for i, (addr, n) in enumerate(cmds):
            got = m.beats[pos:pos + n]
            pos += n
            lasts = [l for _, l in got]
            check(lasts == [0] * (n - 1) + [1], f"command {i} (0x{addr:x}, {n} beats): dout_last at "
                  f"{[k for k, l in enumerate(lasts) if l]}")
            if check_data:
                mem = self.ram.read(addr % MEM_SIZE, n * nb)
                want = [int.from_bytes(mem[k * nb:(k + 1) * nb], "little") for k in range(n)]
                bad = [k for k in range(n) if got[k][0] != want[k]]
                check(not bad, f"command {i} (0x{addr:x}, {n} beats): beat {bad[:1]} differs from memory")
                STATS["values"] += n
        STATS["bursts"] += len(m.ars)


def reader_test(seed: int):
    return bench_test(ReaderTb, seed)


# ------------------------------------------------------------------------------------------------ the tests
@reader_test(1)
async def random_commands(tb: ReaderTb):
    """N_CMDS random commands; bursts, outstanding bound, data and dout_last; more than one burst in flight at
    some point when MAX_OUTSTANDING > 1."""
    await tb.run(make_commands(tb.rng, N_CMDS, tb.nbytes, tb.addr_w))
    if MAX_OUTSTANDING > 1:
        check(tb.mon.max_outstanding > 1, f"never more than {tb.mon.max_outstanding} read burst outstanding")


@reader_test(2)
async def throughput(tb: ReaderTb):
    """No pauses, no back-pressure: one long command streams at >= 0.8 beat per cycle when MAX_OUTSTANDING > 1
    and bursts are >= 4 beats (the measured rate is in the summary)."""
    tb.set_pauses(0)
    beats = max(16 * min(MAX_BURST, 4096 // tb.nbytes), 256)
    cmds = [(4096 * 8, beats)]
    tb.fill(cmds)
    tb.mon.clear()
    consumer = cocotb.start_soon(tb.consume(0.0))
    await send_commands(tb.dut, tb.rng, cmds, 0.0)
    n = 0
    while len(tb.mon.beats) < beats:
        await FallingEdge(tb.dut.clk)
        n += 1
    consumer.cancel()
    await wait_for(tb.dut, lambda: value(tb.dut.busy) == 0, "busy low")
    tb.check(cmds)
    STATS["throughput"] = round(beats / n, 3)
    if MAX_OUTSTANDING > 1 and MAX_BURST >= 4:
        check(beats / n >= 0.8, f"{beats} beats in {n} cycles")


@reader_test(3)
async def slverr(tb: ReaderTb):
    """A 4 KiB page that answers SLVERR: err stays low on good commands, rises on the one that reads the page
    (its beats and dout_last still come), stays high over more good commands, and a reset clears it."""
    d = tb.dut
    bad_page = 4096 * 40
    tb.ram.bad = (bad_page, bad_page + 4096)
    good = make_commands(tb.rng, 4, tb.nbytes, tb.addr_w, max_beats=40)
    await tb.run(good)
    check(value(d.err) == 0, "err before any SLVERR")
    await tb.run([(bad_page - 2 * tb.nbytes, 6)], check_data=False)
    check(tb.mon.bad_resp == 4 and value(d.err) == 1, f"err after {tb.mon.bad_resp} SLVERR beats")
    await tb.run(make_commands(tb.rng, 3, tb.nbytes, tb.addr_w, max_beats=40, start=bad_page + 8192))
    check(value(d.err) == 1, "err is sticky")
    await reset(d)
    check(value(d.err) == 0, "err after the reset")


@reader_test(4)
async def reset_mid_traffic(tb: ReaderTb):
    """A reset with commands queued, bursts in flight and data buffered: everything idle after it; then clean
    commands."""
    d = tb.dut
    cmds = make_commands(tb.rng, 8, tb.nbytes, tb.addr_w, max_beats=200)
    tb.fill(cmds)
    consumer = cocotb.start_soon(tb.consume(0.5))
    sender = cocotb.start_soon(send_commands(d, tb.rng, cmds, 0.0))
    await wait_for(d, lambda: tb.mon.outstanding > 0 and len(tb.mon.beats) > 3, "traffic")
    await cycles(d, tb.rng.randint(1, 20))
    check(value(d.busy) == 1, "busy during the traffic")
    sender.cancel()
    consumer.cancel()
    d.cmd_valid.value = 0
    d.dout_ready.value = 0
    await reset(d, 3)
    check(value(d.busy) == 0 and value(d.dout_valid) == 0 and value(d.m_axi_arvalid) == 0 and value(d.err) == 0,
          "outputs after the reset")
    await tb.run(make_commands(tb.rng, 10, tb.nbytes, tb.addr_w, max_beats=100, start=1 << 21))
