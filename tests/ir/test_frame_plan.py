"""Sizing model of the external-memory frame engine (golden/backends/rtl/frame_plan.py, docs/frame_engine.md): the
band and the traffic from the build's own parameters and the frame layout, independence from the height, the
weight-streaming trade, and the FRAME line of `golden estimate --max-width`."""

import pytest

from golden.backends.hls.estimate import network_from_config
from golden.backends.rtl import frame_plan
from golden.cli import main
from golden.ir import frame_memory as fm
from golden.export.load import load_network


def test_band_and_traffic_by_hand_on_the_depth0_network(small_export):
    export, m = small_export
    net = load_network(export)
    T, K = net.timesteps, net.K
    plan = frame_plan.frame_plan(net, 32, lanes=4)
    p = plan["params"]
    assert plan["band_bits"] == 4 * p["SLOT_DEPTH"] * 4 * p["ACC_W"]       # 4 slots x P lanes x ACC_W
    assert p["SLOT_DEPTH"] == max(32 * T * -(-fm.pow2(l.out_channels) // 4) for l in net.layers)
    lay = fm.frame_layout(net, data_bits=64)
    t = plan["traffic"]
    a, b, head = "mid_a", "mid_b", "head"
    assert t["layers"][a]["read_bytes"] == lay.image_bytes and t["layers"][b]["read_bytes"] == lay.size(lay.layers[a])
    assert t["layers"][head]["write_bytes"] == lay.output_bytes == net.height * net.width * 8   # 2 x 32-bit words
    bits = T * fm.pow2(net.layer(b).out_channels) * fm.pow2(K)
    assert t["layers"][b]["write_bytes"] == net.height * net.width * -(-bits // 64) * 8


def test_on_chip_memory_does_not_depend_on_the_height():
    small, big = (frame_plan.with_assumed_widths(network_from_config("configs/unet_em_small.yaml", s, 10))
                  for s in (64, 256))
    p_small, p_big = frame_plan.frame_plan(small, 512), frame_plan.frame_plan(big, 512)
    assert p_small["band_bits"] == p_big["band_bits"] and p_small["weight_bits"] == p_big["weight_bits"]
    assert p_big["external_write_mb"] == pytest.approx(16 * p_small["external_write_mb"])  # traffic: the area


def test_streamed_weights_trade_memory_for_traffic():
    net = frame_plan.with_assumed_widths(network_from_config("configs/unet_em_small.yaml", 128, 10))
    rom, stream = frame_plan.frame_plan(net, 512), frame_plan.frame_plan(net, 512, weights="stream", group_pass=1)
    assert stream["weight_bits"] < rom["weight_bits"] and stream["band_bits"] <= rom["band_bits"]
    assert stream["passes"] > 1 and stream["external_read_mb"] > rom["external_read_mb"]   # inputs once a pass


def test_estimate_prints_the_frame_line(small_export, capsys):
    export, _ = small_export
    assert main(["estimate", "--export", str(export), "--max-width", "64", "--lanes", "4"]) == 0
    out = capsys.readouterr().out.strip().splitlines()[-1]
    assert out.startswith("FRAME ") and "max_width=64" in out and "lanes=4" in out
    assert main(["estimate", "--export", str(export), "--max-width", "4"]) == 2
    assert "--max-width" in capsys.readouterr().err
