"""Sizing model of the external-memory frame engine (golden/backends/rtl/frame_plan.py, docs/frame_engine.md):
the formulas on a small network by hand, independence from the height, the T-chunk and weight-streaming trades."""

import pytest

from golden.backends.hls.estimate import network_from_config
from golden.backends.rtl import frame_plan
from golden.cli import main
from golden.ir.manifest import load_network


def test_formulas_by_hand_on_the_depth0_network(small_export):
    export, m = small_export
    net = load_network(export)
    T, K = net.timesteps, net.K
    plans = {p.name: p for p in frame_plan.plan_layers(net, max_width=32)}
    a, b, head = (net.layer(n) for n in ("mid_a", "mid_b", "head"))
    scale = 32 // net.width
    assert plans["mid_a"].line_buffer_bits == 3 * net.width * scale * a.in_channels * 8  # 3 rows of 8-bit pixels
    assert plans["mid_b"].line_buffer_bits == 3 * net.width * scale * b.in_channels * T * K
    assert plans["mid_b"].write_bytes == b.out_channels * b.height * b.width * T * K // 8
    assert plans["mid_b"].read_bytes == a.out_channels * a.height * a.width * T * K // 8
    assert plans["head"].write_bytes == head.out_channels * head.height * head.width * 4  # A_T, 32 bits
    total = frame_plan.frame_plan(net, 32)
    assert total["line_buffer_bits"] == max(p.line_buffer_bits for p in plans.values())
    assert total["weight_memory_bits"] == sum(p.weight_bits for p in plans.values())


def test_on_chip_memory_does_not_depend_on_the_height():
    small, big = (network_from_config("configs/unet_em_small.yaml", s, 10) for s in (64, 256))
    p_small, p_big = frame_plan.frame_plan(small, 512), frame_plan.frame_plan(big, 512)
    assert p_small["line_buffer_bits"] == p_big["line_buffer_bits"]
    assert p_small["weight_memory_bits"] == p_big["weight_memory_bits"]
    assert p_big["external_write_mb"] == pytest.approx(16 * p_small["external_write_mb"])  # traffic: the area


def test_t_chunks_trade_line_buffer_for_membrane_traffic():
    net = network_from_config("configs/unet_em_small.yaml", 128, 10)
    whole, half = frame_plan.frame_plan(net, 512), frame_plan.frame_plan(net, 512, t_chunk=5)
    assert half["line_buffer_bits"] * 2 == whole["line_buffer_bits"]
    assert half["external_write_mb"] > whole["external_write_mb"]  # the membranes cross the chunk boundary
    stream = frame_plan.frame_plan(net, 512, weights="stream", group_bits=4096)
    assert stream["weight_memory_bits"] < whole["weight_memory_bits"]
    assert any(p["passes"] > 1 for p in stream["layers"])
    assert stream["external_read_mb"] > whole["external_read_mb"]  # inputs re-read once per pass


def test_estimate_prints_the_frame_line(small_export, capsys):
    export, _ = small_export
    assert main(["estimate", "--export", str(export), "--max-width", "64", "--t-chunk", "2"]) == 0
    out = capsys.readouterr().out.strip().splitlines()[-1]
    assert out.startswith("FRAME ") and "max_width=64" in out and "t_chunk=2" in out
    assert main(["estimate", "--export", str(export), "--max-width", "4"]) == 2
    assert "--max-width" in capsys.readouterr().err
