"""cocotb bench of snn_axi_writer, the AXI4 write master of the external-memory frame engine (docs/axi_master.md),
against cocotbext-axi's AxiRamWrite with random pauses on AW, W and B and random idle cycles on din.

The memory accepts every AW the unit offers and queues its B responses deeply, so the unit's own MAX_OUTSTANDING
bound is what limits the bursts waiting for B. A protocol monitor samples every cycle (ReadOnly after the falling
edge) and checks: every AW is an INCR burst of AWSIZE log2(DATA_W/8), AWCACHE 0011, at most MAX_BURST beats, not
crossing 4 KiB, held unchanged until accepted; the AWs are exactly the greedy split of the commands; WSTRB all
ones, W held while stalled, WLAST on the last beat of each burst (the W bursts' lengths are the AW lengths, in
order), WVALID never low in the middle of a burst (the beats were buffered before the AW); AW handshakes minus B
handshakes never exceed MAX_OUTSTANDING and exceed 1 at some point when MAX_OUTSTANDING > 1; `idle` is high only
when every accepted command was split, all its data taken and every B received. After the traffic the memory
holds each command's data.

Tests: random commands (as tb_snn_axi_reader); throughput without pauses (>= 0.8 beat per cycle with
MAX_OUTSTANDING > 1); SLVERR from a memory region sets the sticky `err`; a reset in the middle of traffic, then
clean commands. Helpers and environment: rtl_tb/tb_snn_axi_reader.py.
"""
from __future__ import annotations

import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge
from cocotbext.axi import AxiRamWrite, AxiWriteBus

from rtl_tb.tb_snn_axi_reader import (CLK_NS, MAX_BURST, MAX_OUTSTANDING, MEM_SIZE, N_CMDS, P_PAUSE, P_STALL,
                                      SEED, STATS, ChannelMonitor, bench_test, check, cycles, make_commands,
                                      pauses, reset, send_commands, split, value, wait_for)


class Ram(AxiRamWrite):
    """AxiRamWrite that answers SLVERR for bursts writing the byte range `bad` (cocotbext-axi turns an exception
    in _write into SLVERR) and does not store them."""
    bad: tuple[int, int] | None = None

    async def _write(self, address, data):
        if self.bad and self.bad[0] <= address % self.size < self.bad[1]:
            raise IOError("SLVERR region")
        await super()._write(address, data)


class WriteMonitor(ChannelMonitor):
    """Per cycle: command and din handshakes, the AW / W / B rules and `idle` (module docstring)."""

    def clear(self) -> None:
        self.cmds, self.din, self.aws, self.w_lens = [], [], [], []
        self.expected_bursts = 0          # of the accepted commands (split model)
        self.outstanding = self.b_count = self.bad_resp = self.w_count = self.idle_rises = 0
        self.prev_ax = self.prev_w = None
        self.prev_idle = None

    def cycle(self) -> None:
        d = self.dut
        # idle, against the handshakes of the cycles before this one
        idle = value(d.idle)
        if idle == 1:
            want = (self.expected_bursts, sum(n for _, n in self.cmds))
            if (len(self.aws), self.b_count, len(self.din)) != (want[0], want[0], want[1]):
                self.error(f"idle high with {len(self.aws)} AWs, {self.b_count} Bs, {len(self.din)} beats taken "
                           f"for {want[0]} bursts / {want[1]} beats accepted")
            if self.prev_idle == 0:
                self.idle_rises += 1
        self.prev_idle = idle
        if value(d.cmd_valid) == 1 and value(d.cmd_ready) == 1:
            addr, beats = value(d.cmd_addr), value(d.cmd_beats)
            self.cmds.append((addr, beats))
            self.expected_bursts += len(split(addr, beats, self.nbytes))
        if value(d.din_valid) == 1 and value(d.din_ready) == 1:
            self.din.append(value(d.din_data))
        self.address("aw", self.aws, "write bursts wait for B")
        self.w(value(d.m_axi_wvalid), value(d.m_axi_wready))
        if value(d.m_axi_bvalid) == 1 and value(d.m_axi_bready) == 1:
            self.b_count += 1
            self.outstanding -= 1
            self.bad_resp += value(d.m_axi_bresp) != 0

    def w(self, valid, ready) -> None:
        d = self.dut
        w = (value(d.m_axi_wdata), value(d.m_axi_wstrb), value(d.m_axi_wlast))
        if self.prev_w is not None and (valid != 1 or w != self.prev_w):
            self.error(f"W dropped or changed before it was accepted: {self.prev_w} -> {valid}, {w}")
        self.prev_w = w if valid == 1 and ready != 1 else None
        if self.w_count > 0 and valid != 1:
            self.error(f"WVALID low in the middle of burst {len(self.w_lens)} (after {self.w_count} beats)")
        if valid == 1 and ready == 1:
            self.w_count += 1
            if w[1] != (1 << self.nbytes) - 1:
                self.error(f"WSTRB 0x{w[1]:x}")
            k = len(self.w_lens)
            if k < len(self.aws) and w[2] != (self.w_count == self.aws[k][1]):
                self.error(f"W burst {k}: WLAST {w[2]} at beat {self.w_count} of {self.aws[k][1]}")
            if w[2] == 1:
                self.w_lens.append(self.w_count)
                self.w_count = 0


class WriterTb:
    def __init__(self, dut, test_seed: int):
        self.dut = dut
        self.rng = random.Random(SEED * 1000 + test_seed)
        dut.rst.value = 1
        dut.cmd_valid.value = 0
        dut.din_valid.value = 0
        dut.halt.value = 0             # (issue 23's halt: rtl_tb/test_faults.py)
        Clock(dut.clk, CLK_NS, unit="ns").start()
        self.ram = Ram(AxiWriteBus.from_prefix(dut, "m_axi"), dut.clk, dut.rst, size=MEM_SIZE)
        self.ram.aw_channel.queue_occupancy_limit = 4 * MAX_OUTSTANDING + 4   # the unit's bound is what limits
        self.ram.b_channel.queue_occupancy_limit = 4 * MAX_OUTSTANDING + 4
        self.nbytes = len(dut.m_axi_wdata) // 8
        self.addr_w = len(dut.m_axi_awaddr)
        self.set_pauses(P_PAUSE)
        self.mon = WriteMonitor(dut, self.nbytes)
        cocotb.start_soon(self.mon.run())

    def set_pauses(self, p: float) -> None:
        for ch in (self.ram.aw_channel, self.ram.w_channel, self.ram.b_channel):
            ch.set_pause_generator(pauses(random.Random(self.rng.random()), p) if p > 0 else None)
            ch.pause = False        # (clearing the generator leaves the last pause as it was)

    async def send_data(self, words, p_idle: float) -> None:
        d, rng = self.dut, random.Random(self.rng.random())
        for word in words:
            while rng.random() < p_idle:
                d.din_valid.value = 0
                await FallingEdge(d.clk)
            d.din_valid.value = 1
            d.din_data.value = word
            while True:
                ready = value(d.din_ready) == 1
                await FallingEdge(d.clk)
                if ready:
                    break
        d.din_valid.value = 0

    def data_for(self, cmds) -> list[int]:
        return [self.rng.getrandbits(8 * self.nbytes) for _ in range(sum(n for _, n in cmds))]

    async def run(self, cmds, p_stall: float = P_STALL, check_data: bool = True) -> None:
        """Send the commands and their data, wait for idle, check bursts, W and the memory."""
        self.mon.clear()
        words = self.data_for(cmds)
        data = cocotb.start_soon(self.send_data(words, p_stall))
        await send_commands(self.dut, self.rng, cmds, p_stall)
        await data
        await wait_for(self.dut, lambda: value(self.dut.idle) == 1, "idle")
        await FallingEdge(self.dut.clk)      # (the monitor has seen that cycle)
        self.check(cmds, words, check_data)

    def check(self, cmds, words, check_data: bool = True) -> None:
        m, nb = self.mon, self.nbytes
        check(m.cmds == list(cmds), f"accepted commands differ from those sent: {m.cmds[:3]} vs {cmds[:3]}")
        check(m.din == words, "din beats taken differ from those sent")
        expected = [b for a, n in cmds for b in split(a, n, nb)]
        check(m.aws == expected, f"bursts differ from the split of the commands: first "
              f"{next(((i, g, e) for i, (g, e) in enumerate(zip(m.aws, expected)) if g != e), len(m.aws))}")
        check(m.w_lens == [n for _, n in m.aws] and m.w_count == 0, "W burst lengths differ from the AW lengths")
        check(m.b_count == len(m.aws) and m.idle_rises >= 1, f"{m.b_count} Bs for {len(m.aws)} bursts")
        if check_data:
            pos = 0
            for i, (addr, n) in enumerate(cmds):
                mem = self.ram.read(addr % MEM_SIZE, n * nb)
                got = [int.from_bytes(mem[k * nb:(k + 1) * nb], "little") for k in range(n)]
                bad = [k for k in range(n) if got[k] != words[pos + k]]
                check(not bad, f"command {i} (0x{addr:x}, {n} beats): memory beat {bad[:1]} differs")
                pos += n
                STATS["values"] += n
        STATS["bursts"] += len(m.aws)


def writer_test(seed: int):
    return bench_test(WriterTb, seed)


# ------------------------------------------------------------------------------------------------ the tests
@writer_test(11)
async def random_commands(tb: WriterTb):
    """N_CMDS random commands; bursts, W, B bound, idle, memory; more than one burst waiting for B at some point
    when MAX_OUTSTANDING > 1."""
    await tb.run(make_commands(tb.rng, N_CMDS, tb.nbytes, tb.addr_w))
    if MAX_OUTSTANDING > 1:
        check(tb.mon.max_outstanding > 1, f"never more than {tb.mon.max_outstanding} write burst outstanding")


@writer_test(12)
async def throughput(tb: WriterTb):
    """No pauses, din always valid: one long command is written at >= 0.8 beat per cycle (first din to idle)
    when MAX_OUTSTANDING > 1 and bursts are >= 4 beats (the measured rate is in the summary)."""
    tb.set_pauses(0)
    beats = max(16 * min(MAX_BURST, 4096 // tb.nbytes), 256)
    cmds = [(4096 * 8, beats)]
    tb.mon.clear()
    words = tb.data_for(cmds)
    data = cocotb.start_soon(tb.send_data(words, 0.0))
    await send_commands(tb.dut, tb.rng, cmds, 0.0)
    n = 1
    while not (len(tb.mon.din) == beats and value(tb.dut.idle) == 1):
        await FallingEdge(tb.dut.clk)
        n += 1
    await data
    await FallingEdge(tb.dut.clk)
    tb.check(cmds, words)
    STATS["throughput"] = round(beats / n, 3)
    if MAX_OUTSTANDING > 1 and MAX_BURST >= 4:
        check(beats / n >= 0.8, f"{beats} beats in {n} cycles")


@writer_test(13)
async def slverr(tb: WriterTb):
    """A 4 KiB page that answers SLVERR: err stays low on good commands, rises on the one that writes the page,
    stays high over more good commands, and a reset clears it."""
    d = tb.dut
    bad_page = 4096 * 40
    tb.ram.bad = (bad_page, bad_page + 4096)
    await tb.run(make_commands(tb.rng, 4, tb.nbytes, tb.addr_w, max_beats=40))
    check(value(d.err) == 0, "err before any SLVERR")
    await tb.run([(bad_page - 2 * tb.nbytes, 6)], check_data=False)
    check(tb.mon.bad_resp >= 1 and value(d.err) == 1, f"err after {tb.mon.bad_resp} SLVERR responses")
    await tb.run(make_commands(tb.rng, 3, tb.nbytes, tb.addr_w, max_beats=40, start=bad_page + 8192))
    check(value(d.err) == 1, "err is sticky")
    await reset(d)
    check(value(d.err) == 0, "err after the reset")


@writer_test(14)
async def reset_mid_traffic(tb: WriterTb):
    """A reset with commands queued, data buffered and bursts waiting for B: idle after it; then clean commands."""
    d = tb.dut
    cmds = make_commands(tb.rng, 8, tb.nbytes, tb.addr_w, max_beats=200)
    tb.mon.clear()
    data = cocotb.start_soon(tb.send_data(tb.data_for(cmds), 0.2))
    sender = cocotb.start_soon(send_commands(d, tb.rng, cmds, 0.0))
    await wait_for(d, lambda: tb.mon.outstanding > 0 and len(tb.mon.aws) > 1, "traffic")
    await cycles(d, tb.rng.randint(1, 20))
    check(value(d.idle) == 0, "idle low during the traffic")
    sender.cancel()
    data.cancel()
    d.cmd_valid.value = 0
    d.din_valid.value = 0
    await reset(d, 3)
    check(value(d.idle) == 1 and value(d.m_axi_awvalid) == 0 and value(d.m_axi_wvalid) == 0 and value(d.err) == 0,
          "outputs after the reset")
    await tb.run(make_commands(tb.rng, 10, tb.nbytes, tb.addr_w, max_beats=100, start=1 << 21))
