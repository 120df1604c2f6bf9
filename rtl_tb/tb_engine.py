"""cocotb bench of snn_engine: the whole exported network against its golden vectors (contract §3-§6).

Per clean frame it checks, with ==, every layer's spike words and membranes (when the export recorded them:
`export-net --membranes`) at every time step (the trace port:
one beat per neuron-phase cycle, P lanes) and the output layer's running sum A_t at every step, plus the
streamed A_T beats on m_axis (with tlast). The image goes in through cocotbext-axi's AxiStreamSource with random
idle cycles, m_axis comes out through AxiStreamSink with random back-pressure, random idle cycles before each
ap_start. SNN_RESET_AT = "mid" (at step T/2, in the middle layer) or "input" (after half of the image) first runs a
frame that is cut by a synchronous reset, then the clean frames.
Environment: rtl_tb/snnbench.py (Settings), from rtl_tb/cases.py EngineCase.env.
"""
from __future__ import annotations

import random

import cocotb
from cocotb.clock import Clock
from cocotb.simtime import get_sim_time
from cocotb.triggers import FallingEdge, First, RisingEdge, Timer

from golden.backends.rtl import engine_config as engine_desc
from rtl_tb import snnbench as bench

CLK_NS = 10
TRACE_FIELDS = ("layer", "t", "g", "y", "x", "spikes", "vmem")


class Engine:
    """The engine's ports as the bench sees them: image source, m_axis sink, trace monitor, ap_ctrl."""

    def __init__(self, dut, s: bench.Settings):
        self.dut, self.s = dut, s
        dut.ap_start.value = 0
        dut.rst.value = 0
        self.image = bench.StreamPort(dut, "s_axis", source=True)
        self.out = bench.StreamPort(dut, "m_axis", source=False)
        self.trace = bench.TraceMonitor(dut, "trace", TRACE_FIELDS)
        self.lanes = s.lanes
        self.mem_w = len(dut.trace_vmem.value) // s.lanes
        self.out_lw = len(dut.m_axis_tdata.value) // s.lanes

    async def reset(self) -> None:
        dut = self.dut
        dut.rst.value = 1
        for _ in range(3):
            await RisingEdge(dut.clk)
        await FallingEdge(dut.clk)
        dut.rst.value = 0
        self.image.axis.clear()
        self.out.axis.clear()
        self.image.stop_pausing()
        self.out.stop_pausing()


class Frame:
    """Everything one frame produced: trace records and output beats, and the cycles from start to done."""

    def __init__(self):
        self.trace: list[tuple] = []
        self.out: list[tuple[int, int]] = []
        self.cycles = 0
        self.error: str | None = None


async def run_frame(e: Engine, rng: random.Random, max_cycles: int, abort: str | None = None) -> Frame:
    """Start one frame (ap_start), stream the image, collect trace / output until ap_done (or the abort point).

    Python runs only where the frame has traffic (a whole-network frame is millions of cycles, nearly all of them
    scatter cycles with no port activity): the source's pause generator runs until the image is in, the sink's
    from the first m_axis_tvalid on, the trace monitor sleeps on a rising trace_valid.
    """
    dut, s = e.dut, e.s
    f = Frame()
    fe = FallingEdge(dut.clk)
    await fe
    while not int(dut.ap_idle.value):      # after a reset the engine first clears its accumulators
        await fe
    for _ in range(rng.randrange(0, 8)):   # idle cycles before the start
        await fe
    r_in, r_out = random.Random(rng.random()), random.Random(rng.random())
    n_layers, t_n = len(s.manifest["layers"]), s.T
    image = bench.image_frame(s.vectors["input"])
    if abort == "input":                   # half of the image, then the reset
        n_in = len(image.tdata) // e.image.axis.byte_lanes
        image = bench.AxiStreamFrame(image.tdata[: (n_in // 2) * e.image.axis.byte_lanes])
    until = (lambda rec: rec[1] == t_n // 2 and rec[0] == n_layers // 2) if abort == "mid" else None
    e.trace.start(until)

    async def feed():
        e.image.pause_while_active(r_in, s.p_idle)
        await e.image.axis.send(image)
        await e.image.axis.wait()          # idle: the last beat was accepted
        e.image.stop_pausing()
        if abort == "input":
            e.trace.event.set()

    async def back_pressure():
        await RisingEdge(e.out.valid)
        e.out.pause_while_active(r_out, s.p_backpressure)

    dut.ap_start.value = 1
    t0 = get_sim_time("ns")
    tasks = [cocotb.start_soon(feed()), cocotb.start_soon(back_pressure())]
    while True:                             # ap_ctrl_hs: start is held until the block starts
        await fe
        if int(dut.ap_idle.value) == 0 or int(dut.ap_done.value):
            break
    dut.ap_start.value = 0
    left = max(1, max_cycles - round((get_sim_time("ns") - t0) / CLK_NS))
    if not int(dut.ap_done.value):
        timeout = Timer(left * CLK_NS, "ns")
        fired = await First(RisingEdge(dut.ap_done), e.trace.event.wait(), timeout)
        if fired is timeout:
            f.error = f"timeout after {max_cycles} cycles (image source idle: {e.image.axis.idle()})"
        await fe          # the falling edge that sees ap_done (the trace monitor samples it first: started earlier)
    f.cycles = round((get_sim_time("ns") - t0) / CLK_NS)
    for task in tasks:
        task.cancel()
    e.trace.stop()
    e.out.stop_pausing()
    e.image.stop_pausing()
    f.trace = e.trace.records
    f.out = e.out.received()
    dut.ap_start.value = 0
    return f


@cocotb.test()
async def engine_matches_golden(dut):
    s = bench.Settings.from_env()
    rng = random.Random(s.seed)
    Clock(dut.clk, CLK_NS, unit="ns").start()
    e = Engine(dut, s)
    await e.reset()
    events = engine_desc.synaptic_events(s.manifest, s.vectors)
    stall = 1.0 / max(0.05, 1.0 - max(s.p_idle, s.p_backpressure))
    budget = int(30 * events / s.lanes + 200 * sum(l["height"] * l["width"] for l in s.manifest["layers"]) * s.T
                 * stall) + 20_000
    aborted = None
    if s.reset_at:
        f = await run_frame(e, rng, budget, abort=s.reset_at)
        aborted = {"at": s.reset_at, "cycles": f.cycles, "trace_beats": len(f.trace)}
        dut._log.info("reset after %d cycles of a frame (%s)", f.cycles, s.reset_at)
        await e.reset()
    results, cycles = [], []
    for frame_no in range(s.frames):
        f = await run_frame(e, rng, budget)
        r = bench.check_network_frame(s, f.trace, f.out, s.lanes, e.mem_w, e.out_lw, frame_no)
        if f.error:
            r["mismatches"] += 1
            r["first_mismatch"] = r["first_mismatch"] or f.error
            r["mismatch_list"].append(f.error)
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
        "layers": layers, "timesteps": s.T, "frames": s.frames, "lanes": s.lanes,
        "values": sum(v["values"] for v in layers.values()),
        "membranes": sum(v["membranes"] for v in layers.values()),
        "membranes_recorded": any(k.endswith(".membrane") for k in s.vectors),
        "out_values": sum(r["out_values"] for r in results),
        "mismatches": sum(r["mismatches"] for r in results),
        "first_mismatch": firsts[0] if firsts else None,
        "mismatch_list": [m for r in results for m in r["mismatch_list"]][: bench.MAX_LISTED], "error": None,
        "cycles": cycles[0], "cycles_per_frame": cycles, "events": events, "bound": -(-events // s.lanes),
        "aborted_frame": aborted,
    }
    bench.write_summary(s, summary)
    dut._log.info("%d values, %d membranes, %d A_T values compared, %d mismatches; %d cycles (bound %d)",
                  summary["values"], summary["membranes"], summary["out_values"], summary["mismatches"],
                  summary["cycles"], summary["bound"])
    assert summary["mismatches"] == 0, f"{summary['mismatches']} mismatches; first: {summary['first_mismatch']}"
