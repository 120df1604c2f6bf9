"""cocotb bench of snn_axi_mux (N AXI4 masters onto one, docs/axi_master.md) through its generated harness
axi_mux_h<N> (rtl_tb/test_axi_mux.py): N cocotbext-axi AxiMasters on the client ports c<i>_axi_*, one AxiRam on
m_axi_* with random pauses on all five channels (AW, W, B, AR, R).

A scoreboard samples the mux's ports every cycle (ReadOnly after the falling edge: the values the next rising edge
acts on) and checks: every AR / AW reaches the master in the order the clients handed them over, with ID
{client, client's ID} and the same address and length, held until accepted; the master's W beats are the clients'
W beats, burst by burst in the order of the AWs (WLAST on each burst's last beat); every R beat and B response
reaches the client its ID's upper bits name, unchanged (ID, data, resp, last), in order; no W burst begins on the
master before its AW was accepted there (N > 1); a client's valid
(AR, AW) waits for at most N-1 grants to other clients (round robin), the largest wait goes to the summary.

Tests: random_traffic (every client: two workers, each in its own region of the memory, with random high address
bits, doing random writes and reads of random lengths and byte offsets, every byte read back compared with the
worker's model, at the end the memory itself compared); fairness (every client queues many one-beat reads and
writes at once, so all request together: the round-robin bound is checked and must have been exercised).

Environment (rtl_tb/test_axi_mux.py): SNN_N, SNN_DATA_W, SNN_CID_W, SNN_SEED, SNN_P_PAUSE (pause probability on each
AXI channel of the memory), SNN_N_OPS (operations per worker), SNN_RESULT (the JSON summary).
"""
from __future__ import annotations

import json
import os
import random
from collections import deque
from pathlib import Path

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, with_timeout
from cocotbext.axi import AxiBus, AxiMaster, AxiRam

from rtl_tb.snnbench import pauses, value

CLK_NS = 10
SEED = int(os.environ.get("SNN_SEED", "1"))
N = int(os.environ.get("SNN_N", "2"))
CID_W = int(os.environ.get("SNN_CID_W", "2"))
P_PAUSE = float(os.environ.get("SNN_P_PAUSE", "0.3"))
N_OPS = int(os.environ.get("SNN_N_OPS", str(12 if N <= 4 else 5)))
RESULT = os.environ.get("SNN_RESULT")
WORKERS = 2
SLOT = 1 << 14                      # bytes of memory per worker
REGION = WORKERS * SLOT             # per client
MEM_SIZE = 1 << max(16, (N * REGION - 1).bit_length())   # a power of two: high address bits alias
MAX_BYTES = 1200                    # longest random transfer

STATS = {"checks": 0, "values": 0, "tests": {}, "first_failure": None, "max_wait": {"ar": 0, "aw": 0},
         "contended": 0, "grants": {"ar": 0, "aw": 0}, "beats": {"r": 0, "w": 0}}


def write_summary() -> None:
    if RESULT:
        failed = [t for t, r in STATS["tests"].items() if r != "pass"]
        Path(RESULT).write_text(json.dumps({**STATS, "mismatches": len(failed),
                                            "first_mismatch": STATS["first_failure"], "error": None}, indent=1))


def _field(v: str, i: int, w: int) -> int | None:
    """Field i (w bits) of a packed port's value as a string of 0/1/x/z (MSB first); None unless all 0/1 (under
    Icarus the fields of idle clients are X: only handshaking ones are read)."""
    bits = v[len(v) - (i + 1) * w:len(v) - i * w]
    return int(bits, 2) if bits and set(bits) <= {"0", "1"} else None


def _bits(v: int):
    i = 0
    while v:
        if v & 1:
            yield i
        v >>= 1
        i += 1


class Scoreboard:
    """Per cycle: the handshakes on both sides of the mux, checked against each other (module docstring)."""

    def __init__(self, dut, nbytes: int):
        self.dut, self.u, self.nbytes = dut, dut.u_mux, nbytes
        self.errors: list[str] = []
        self.clear()

    def clear(self) -> None:
        self.order = {"ar": deque(), "aw": deque()}          # (client, id, addr, len) in grant order
        self.wroute = deque()                                # [client, beats left] per AW, in grant order
        self.wq = [deque() for _ in range(N)]                # W beats a client handed over, not yet out
        self.rq = [deque() for _ in range(N)]                # R beats for a client, not yet taken
        self.bq = [deque() for _ in range(N)]
        self.wait = {"ar": [0] * N, "aw": [0] * N}
        self.held = {"ar": None, "aw": None}
        self.m_aw, self.m_wstarted, self.m_in_burst = 0, 0, False   # AWs accepted / W bursts begun on m_axi

    def error(self, msg: str) -> None:
        self.errors.append(msg)
        raise AssertionError(msg)

    async def run(self) -> None:
        while True:
            await FallingEdge(self.dut.clk)
            await ReadOnly()
            if value(self.dut.rst) != 0:
                self.clear()
            else:
                self.cycle()

    def sig(self, name: str) -> int:
        return value(getattr(self.u, name))

    def raw(self, name: str) -> str:
        return str(getattr(self.u, name).value)

    def address(self, ch: str) -> None:
        u = self.sig
        valid, ready = u(f"s_axi_{ch}valid"), u(f"s_axi_{ch}ready")
        hs = valid & ready
        # fairness: a waiting client counts the grants to the others
        waits = self.wait[ch]
        others = bin(hs).count("1")
        for i in range(N):
            if (valid >> i) & 1:
                waits[i] += others - ((hs >> i) & 1)
                STATS["max_wait"][ch] = max(STATS["max_wait"][ch], waits[i])
                if waits[i] > N - 1:
                    self.error(f"{ch.upper()}: client {i} waited for {waits[i]} grants to others (N = {N})")
                if (hs >> i) & 1:
                    waits[i] = 0
            else:
                waits[i] = 0
        if hs:
            STATS["contended"] += bin(valid).count("1") > 1
            ids, addrs, lens = self.raw(f"s_axi_{ch}id"), self.raw(f"s_axi_{ch}addr"), self.raw(f"s_axi_{ch}len")
            for i in _bits(hs):
                ax = (i, _field(ids, i, CID_W), _field(addrs, i, len(self.dut.m_axi_araddr)), _field(lens, i, 8))
                self.order[ch].append(ax)
                STATS["grants"][ch] += 1
                if ch == "aw":
                    self.wroute.append([i, ax[3] + 1])
        mvalid, mready = u(f"m_axi_{ch}valid"), u(f"m_axi_{ch}ready")
        m = (u(f"m_axi_{ch}id"), u(f"m_axi_{ch}addr"), u(f"m_axi_{ch}len"))
        if self.held[ch] is not None and (mvalid != 1 or m != self.held[ch]):
            self.error(f"m_axi_{ch}: dropped or changed before accepted: {self.held[ch]} -> {mvalid} {m}")
        self.held[ch] = m if mvalid == 1 and mready != 1 else None
        if mvalid == 1 and mready == 1:
            STATS["checks"] += 1
            self.m_aw += ch == "aw"
            if not self.order[ch]:
                self.error(f"m_axi_{ch}: a request no client made: {m}")
            i, cid, addr, ln = self.order[ch].popleft()
            want = ((i << CID_W) | cid if N > 1 else cid, addr, ln)
            if m != want:
                self.error(f"m_axi_{ch}: {m} (id, addr, len), expected {want} from client {i}")

    def cycle(self) -> None:
        self.address("ar")
        self.address("aw")
        self.w_channel()
        self.responses()

    def w_channel(self) -> None:
        u = self.sig
        # W: client side, then the master's beat from the client of the oldest AW with beats left
        hs = u("s_axi_wvalid") & u("s_axi_wready")
        if hs:
            data, strb, last = self.raw("s_axi_wdata"), self.raw("s_axi_wstrb"), self.raw("s_axi_wlast")
            for i in _bits(hs):
                self.wq[i].append((_field(data, i, 8 * self.nbytes), _field(strb, i, self.nbytes), _field(last, i, 1)))
        if u("m_axi_wvalid") == 1 and u("m_axi_wready") == 1:
            STATS["checks"] += 1
            STATS["beats"]["w"] += 1
            beat = (u("m_axi_wdata"), u("m_axi_wstrb"), u("m_axi_wlast"))
            if not self.m_in_burst:
                self.m_wstarted += 1
                if N > 1 and self.m_wstarted > self.m_aw:
                    self.error(f"m_axi_w: burst {self.m_wstarted} begins before its AW was accepted")
            self.m_in_burst = not beat[2]
            # (N = 1, a pass-through: W may run ahead of its AW, as the client sends it)
            route = self.wroute[0] if N > 1 and self.wroute else [0, None]
            if N > 1 and not self.wroute:
                self.error(f"m_axi_w: a beat before any AW: {beat}")
            i = route[0]
            if not self.wq[i] or self.wq[i][0] != beat:
                self.error(f"m_axi_w: beat {beat} is not client {i}'s next ({self.wq[i][0] if self.wq[i] else None})")
            self.wq[i].popleft()
            if route[1] is None:
                return
            route[1] -= 1
            if beat[2] != (route[1] == 0):
                self.error(f"m_axi_w: WLAST {beat[2]} with {route[1]} beats left in client {i}'s burst")
            if route[1] == 0:
                self.wroute.popleft()

    def responses(self) -> None:
        u = self.sig
        # R and B: the master's side, then the clients'
        for ch, q, fields in (("r", self.rq, ("data", "resp", "last")), ("b", self.bq, ("resp",))):
            if u(f"m_axi_{ch}valid") == 1 and u(f"m_axi_{ch}ready") == 1:
                mid = u(f"m_axi_{ch}id")
                i = mid >> CID_W if N > 1 else 0
                if i >= N:
                    self.error(f"m_axi_{ch}: ID {mid} names no client")
                q[i].append((mid & ((1 << CID_W) - 1),) + tuple(u(f"m_axi_{ch}{f}") for f in fields))
            hs = u(f"s_axi_{ch}valid") & u(f"s_axi_{ch}ready")
            if hs:
                ids = self.raw(f"s_axi_{ch}id")
                vals = {f: self.raw(f"s_axi_{ch}{f}") for f in fields}
                widths = {"data": 8 * self.nbytes, "resp": 2, "last": 1}
                for i in _bits(hs):
                    STATS["checks"] += 1
                    got = (_field(ids, i, CID_W),) + tuple(_field(vals[f], i, widths[f]) for f in fields)
                    if not q[i] or q[i][0] != got:
                        self.error(f"s_axi_{ch}: client {i} got {got}, expected {q[i][0] if q[i] else 'nothing'}")
                    q[i].popleft()
                    if ch == "r":
                        STATS["beats"]["r"] += 1

    def check_drained(self) -> None:
        left = {"ar": len(self.order["ar"]), "aw": len(self.order["aw"]), "w": sum(map(len, self.wq)),
                "r": sum(map(len, self.rq)), "b": sum(map(len, self.bq)), "wroute": len(self.wroute) if N > 1 else 0}
        if any(left.values()):
            self.error(f"not drained: {left}")


class Tb:
    def __init__(self, dut, test_seed: int):
        self.dut = dut
        self.rng = random.Random(SEED * 1000 + test_seed)
        dut.rst.value = 1
        Clock(dut.clk, CLK_NS, unit="ns").start()
        self.nbytes = len(dut.m_axi_wdata) // 8
        self.ram = AxiRam(AxiBus.from_prefix(dut, "m_axi"), dut.clk, dut.rst, size=MEM_SIZE)
        self.channels = (self.ram.write_if.aw_channel, self.ram.write_if.w_channel, self.ram.write_if.b_channel,
                         self.ram.read_if.ar_channel, self.ram.read_if.r_channel)
        for ch in self.channels:
            ch.set_pause_generator(pauses(random.Random(self.rng.random()), P_PAUSE) if P_PAUSE > 0 else None)
        self.masters = [AxiMaster(AxiBus.from_prefix(dut, f"c{i}_axi"), dut.clk, dut.rst,
                                  max_burst_len=self.rng.choice([4, 16, 32, 256])) for i in range(N)]
        self.sb = Scoreboard(dut, self.nbytes)
        cocotb.start_soon(self.sb.run())

    async def reset(self) -> None:
        d = self.dut
        d.rst.value = 1
        for _ in range(4):
            await FallingEdge(d.clk)
        d.rst.value = 0
        for _ in range(2):
            await FallingEdge(d.clk)

    async def worker(self, client: int, w: int, n_ops: int) -> None:
        """Random writes and reads in this worker's slot; each read compared with the worker's model."""
        rng = random.Random(self.rng.random())
        base = client * REGION + w * SLOT
        model = bytearray(rng.randbytes(SLOT))
        self.ram.write(base, bytes(model))
        high = (rng.getrandbits(63 - MEM_SIZE.bit_length()) << MEM_SIZE.bit_length()) if rng.random() < 0.5 else 0
        m = self.masters[client]
        for _ in range(n_ops):
            length = rng.randint(1, 4 * self.nbytes) if rng.random() < 0.3 else rng.randint(1, MAX_BYTES)
            off = rng.randrange(0, SLOT - length + 1)
            if rng.random() < 0.5:
                data = rng.randbytes(length)
                await m.write(high | (base + off), data)
                model[off:off + length] = data
            else:
                got = (await m.read(high | (base + off), length)).data
                STATS["values"] += length
                if bytes(got) != bytes(model[off:off + length]):
                    self.sb.error(f"client {client} worker {w}: read 0x{base + off:x}+{length} differs from "
                                  f"what it wrote")
        final = self.ram.read(base, SLOT)
        STATS["values"] += SLOT
        if final != bytes(model):
            self.sb.error(f"client {client} worker {w}: the memory differs from the worker's model")


def bench_test(test_seed: int, timeout_us: int = 20_000):
    def wrap(fn):
        async def test(dut):
            name = fn.__name__
            tb = Tb(dut, test_seed)
            try:
                await tb.reset()
                await with_timeout(fn(tb), timeout_us, "us")
                for _ in range(8):
                    await FallingEdge(dut.clk)
                tb.sb.check_drained()
                if tb.sb.errors:
                    raise AssertionError("; ".join(tb.sb.errors[:5]))
                STATS["tests"][name] = "pass"
            except BaseException as exc:
                seen = tb.sb.errors
                msg = f"{type(exc).__name__}: {exc}" + (f" (first scoreboard error: {seen[0]})" if seen else "")
                STATS["tests"][name] = f"fail: {msg}"
                STATS["first_failure"] = STATS["first_failure"] or f"{name}: {msg}"
                raise
            finally:
                write_summary()
        test.__name__ = test.__qualname__ = fn.__name__
        test.__doc__, test.__module__ = fn.__doc__, fn.__module__
        return cocotb.test()(test)
    return wrap


@bench_test(1)
async def random_traffic(tb: Tb) -> None:
    """Every client: two workers doing random writes and reads at once, all clients together."""
    tasks = [cocotb.start_soon(tb.worker(i, w, N_OPS)) for i in range(N) for w in range(WORKERS)]
    for t in tasks:
        await t


@bench_test(2)
async def fairness(tb: Tb) -> None:
    """Every client queues many one-beat reads and writes at once: all request together (round robin checked by
    the scoreboard, which must have seen contention)."""
    for ch in tb.channels:          # the memory at full speed: the arbiter, not the memory, decides
        ch.set_pause_generator(None)
        ch.pause = False
    k = max(8, 2 * N)
    tasks = []
    for i in range(N):
        for j in range(k):
            addr = i * REGION + j * tb.nbytes
            tasks.append(cocotb.start_soon(tb.masters[i].write(addr, bytes([i, j]) * (tb.nbytes // 2))))
            tasks.append(cocotb.start_soon(tb.masters[i].read(addr + SLOT, tb.nbytes)))
    for t in tasks:
        await t
    if N > 1 and STATS["contended"] == 0:
        tb.sb.error("no cycle had two clients requesting")
    for i in range(N):
        for j in range(k):
            STATS["values"] += 1
            if tb.ram.read(i * REGION + j * tb.nbytes, tb.nbytes) != bytes([i, j]) * (tb.nbytes // 2):
                tb.sb.error(f"client {i}'s write {j} is not in the memory")
