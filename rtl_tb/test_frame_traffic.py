"""golden/backends/rtl/frame_traffic.py: the external-memory bytes per frame of the frame engine.

- against an independent count on small random networks (channels, K, T and widths that need padding; other frame
  sizes; every AXI width): region sizes from first principles and from the packers' output lengths, reads
  counted per producer (Network.consumers) instead of per consumer; and equal to frame_plan's packed formula
  where nothing is padded;
- against the AXI traffic of one real simulation: this module is also a cocotb test module. Run as the bench
  (run_frames' `bench`), it runs rtl_tb/tb_frame_engine.py's own `frames` test unchanged and adds
  a monitor on the kernel's AXI4 master that counts every R and W beat and the address of every beat (from
  AR / AW: address, len, size). The beats are attributed to the regions of frame_memory's layout; every beat of
  a region must be read exactly once per consumer and written exactly once, nothing outside a region touched.
"""
from __future__ import annotations

import math
import os
from collections import Counter

# ----------------------------------------------------------------------------------------- the cocotb side
if os.environ.get("COCOTB_TEST_MODULES", "").split(",")[0].strip() == __name__ == "rtl_tb.test_frame_traffic":
    import cocotb
    from cocotb.triggers import ReadOnly, RisingEdge

    from rtl_tb import tb_frame_engine as _tb

    _READS, _WRITES, _BEATS = Counter(), Counter(), Counter()

    async def _monitor(dut) -> None:
        """Count the AXI4 master's handshakes (sampled after each rising edge, when they settle)."""
        while True:
            await RisingEdge(dut.clk)
            await ReadOnly()
            if int(dut.rst.value):
                continue
            if int(dut.m_axi_arvalid.value) and int(dut.m_axi_arready.value):
                addr, n, size = int(dut.m_axi_araddr.value), int(dut.m_axi_arlen.value) + 1, int(dut.m_axi_arsize.value)
                _BEATS["ar"] += n
                for i in range(n):
                    _READS[addr + (i << size)] += 1
            if int(dut.m_axi_awvalid.value) and int(dut.m_axi_awready.value):
                addr, n, size = int(dut.m_axi_awaddr.value), int(dut.m_axi_awlen.value) + 1, int(dut.m_axi_awsize.value)
                _BEATS["aw"] += n
                for i in range(n):
                    _WRITES[addr + (i << size)] += 1
            if int(dut.m_axi_rvalid.value) and int(dut.m_axi_rready.value):
                _BEATS["r"] += 1
            if int(dut.m_axi_wvalid.value) and int(dut.m_axi_wready.value):
                _BEATS["w"] += 1
                _BEATS["w_partial"] += int(dut.m_axi_wstrb.value) != (1 << len(dut.m_axi_wstrb)) - 1

    def _attribute(bench) -> dict:
        """Per frame, per region: how often each of its beats was read and written (min, max, total)."""
        seen_r, seen_w, frames = set(), set(), {}
        for f in bench.frames:
            lay, bb = f.layout, f.layout.beat_bytes
            areas = {"input": (f.image_at, lay.image_bytes), "output": (f.output_at, lay.output_bytes)}
            areas.update({n: (f.scratch_at + r.offset, lay.size(r)) for n, r in lay.layers.items()})
            out = {}
            for name, (base, size) in areas.items():
                addrs = range(base, base + size, bb)
                r = [_READS[a] for a in addrs]
                w = [_WRITES[a] for a in addrs]
                seen_r.update(addrs)
                seen_w.update(addrs)
                out[name] = {"beats": len(addrs), "read_min": min(r), "read_max": max(r), "read_beats": sum(r),
                             "write_min": min(w), "write_max": max(w), "write_beats": sum(w)}
            frames[f.entry["name"]] = out
        return {"frames": frames, "ar_beats": _BEATS["ar"], "aw_beats": _BEATS["aw"], "r_beats": _BEATS["r"],
                "w_beats": _BEATS["w"], "w_partial": _BEATS["w_partial"],
                "outside_reads": sum(c for a, c in _READS.items() if a not in seen_r),
                "outside_writes": sum(c for a, c in _WRITES.items() if a not in seen_w)}

    _init, _write_summary = _tb.Bench.__init__, _tb.Bench.write_summary

    def _init_counting(self, dut) -> None:
        _init(self, dut)
        cocotb.start_soon(_monitor(dut))

    def _write_counting(self) -> None:
        self.summary["axi"] = _attribute(self)
        _write_summary(self)

    _tb.Bench.__init__, _tb.Bench.write_summary = _init_counting, _write_counting
    frames = _tb.frames  # the bench's own test, discovered here (cocotb collects the module's Test objects)

# ----------------------------------------------------------------------------------------- the pytest side
import numpy as np  # noqa: E402
import pytest  # noqa: E402

# (seed, base, depth, in_channels, task, thresholds_log2, T): padded channels, fields, records and image rows
NETS = {
    "padded": dict(seed=3, base=3, depth=1, in_channels=3, task="denoising", thresholds_log2=(1, 0, -1), timesteps=3),
    "d2": dict(seed=0, base=4, depth=2, in_channels=1, task="segmentation", thresholds_log2=(1, 0, -1, -2),
               timesteps=4),
}


def _net(key: str):
    from golden.backends.rtl import simulate as simlib
    from golden.ir.manifest import load_manifest
    from golden.export.load import load_network

    export = simlib.network_export(f"traffic-{key}", size=16, compare="gt", record_membranes=False, **NETS[key])
    return load_network(export, load_manifest(export))


def _p2(n: int) -> int:
    return 2 ** math.ceil(math.log2(n)) if n > 1 else 1


def _independent(net, height: int, width: int, data_bits: int) -> tuple[int, int, dict]:
    """(read bytes, write bytes, region bytes) from first principles: a region is rows x records of whole beats,
    a spike record T x pow2(C) fields of pow2(K) bits, an image row W x pow2(C_in) bytes, an A_T record O words of
    32 bits; every producer's region is read once per consumer."""
    bb = data_bits // 8
    beats = lambda bits: -(-bits // data_bits)  # noqa: E731
    size = {"input": height * beats(width * _p2(net.in_channels) * 8) * bb}
    for l in net.layers:
        h, w = height * l.height // net.height, width * l.width // net.width
        if l.spec.has_neuron:
            size[l.name] = h * w * beats(net.timesteps * _p2(l.out_channels) * _p2(len(net.thresholds_log2))) * bb
        else:
            size[l.name] = h * w * beats(l.out_channels * 32) * bb
    read = size["input"] + sum(size[p] * len(c) for p, c in net.consumers().items())
    write = sum(size[l.name] for l in net.layers)
    return read, write, size


@pytest.mark.parametrize("key", list(NETS))
def test_traffic_matches_an_independent_count(key):
    from golden.backends.rtl.frame_traffic import traffic
    from golden.ir import frame_memory as fm

    net = _net(key)
    for (h, w) in ((16, 16), (8, 24), (32, 40)):
        for db in fm.DATA_BITS:
            t = traffic(net, h, w, db)
            read, write, size = _independent(net, h, w, db)
            assert (t["read_bytes"], t["write_bytes"]) == (read, write), (key, h, w, db)
            assert {n: r["bytes"] for n, r in t["regions"].items()} == size
            assert t["read_beats"] * t["beat_bytes"] == read and t["total_bytes"] == read + write
            # the packers write exactly the region sizes
            lay = fm.frame_layout(net, h, w, db)
            assert len(fm.pack_image(np.zeros((net.in_channels, h, w), np.uint8), lay)) == size["input"]
            for name, r in lay.layers.items():
                zeros = np.zeros((net.timesteps, r.channels, r.rows, r.cols), np.uint8)
                assert len(fm.pack_spikes(zeros, r, lay)) == size[name]
            o = lay.output
            assert len(fm.pack_output(np.zeros((o.channels, o.rows, o.cols)), lay)) == size[net.output_layer.name]
            # per layer: the layer's sources in, its own region out
            for l in net.layers:
                assert t["layers"][l.name]["read_bytes"] == sum(size[s] for s in l.sources)
                assert t["layers"][l.name]["write_bytes"] == size[l.name]


def test_traffic_is_frame_plans_formula_when_nothing_is_padded():
    """Power-of-two channels, K = 4, T x C x 4 bits a whole number of beats: the layout's bytes are the packed
    C H W T K / 8 of docs/frame_engine.md, and the default model's 512x512 figures (T = 4) are the README's
    `BENCH frame512` 49.9 / 43.9 MB."""
    import dataclasses

    from golden.backends.rtl import simulate as simlib
    from golden.backends.rtl.frame_plan import frame_plan
    from golden.backends.rtl.frame_traffic import traffic
    from golden.ir.manifest import load_manifest
    from golden.export.load import load_network

    net = _net("d2")
    plan = frame_plan(net, net.width)
    t = traffic(net)
    assert (t["read_bytes"], t["write_bytes"]) == (round(plan["external_read_mb"] * 1e6),
                                                   round(plan["external_write_mb"] * 1e6))
    export = simlib.default_network_export()
    big = dataclasses.replace(load_network(export, load_manifest(export)), height=512, width=512)
    t = traffic(big, 512, 512)
    assert (round(t["read_bytes"] / 1e6, 1), round(t["write_bytes"] / 1e6, 1)) == (49.9, 43.9)
    plan = frame_plan(big, 512)
    assert (t["read_bytes"], t["write_bytes"]) == (round(plan["external_read_mb"] * 1e6),
                                                   round(plan["external_write_mb"] * 1e6))


def test_traffic_is_what_the_engine_moves():
    """One small real simulation (two frames of different sizes back to back, pauses on every AXI channel): every
    beat of every region read once per consumer and written once, the bench's R / W beats equal to the formula."""
    from golden.backends.rtl import frame_sim
    from golden.backends.rtl.frame_traffic import traffic

    net = _net("padded")
    rng = np.random.default_rng(7)
    sizes = ((16, 20), (8, 12))
    frames = [(f"f{i}", rng.integers(0, 256, (net.in_channels, h, w), dtype=np.uint8))
              for i, (h, w) in enumerate(sizes)]
    res = frame_sim.run_frames(net, frames, 4, "frame-traffic", data_bits=64, p_pause=0.3, seed=2, max_burst=8,
                               bench="test_frame_traffic")
    assert res.ok, res.message
    axi = res.summary["axi"]
    assert axi["outside_reads"] == 0 and axi["outside_writes"] == 0 and axi["w_partial"] == 0, axi
    assert axi["r_beats"] == axi["ar_beats"] and axi["w_beats"] == axi["aw_beats"], axi
    total_r = total_w = 0
    for (name, _), (h, w) in zip(frames, sizes):
        t = traffic(net, h, w, 64)
        seen = axi["frames"][name]
        out = net.output_layer.name
        for region, want in t["regions"].items():
            got = seen["output" if region == out else region]
            assert got["beats"] * t["beat_bytes"] == want["bytes"], (name, region)
            assert got["read_min"] == got["read_max"] == want["reads"], (name, region, got, want)
            writes = 0 if region == "input" else 1
            assert want["writes"] == writes and got["write_min"] == got["write_max"] == writes, (name, region, got)
        assert sum(r["read_beats"] for r in seen.values()) == t["read_beats"]
        assert sum(r["write_beats"] for r in seen.values()) == t["write_beats"]
        total_r, total_w = total_r + t["read_beats"], total_w + t["write_beats"]
    assert (axi["r_beats"], axi["w_beats"]) == (total_r, total_w)
