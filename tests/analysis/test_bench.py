"""golden bench: the pieces that turn measurements into the BENCH lines and reports (the measurements themselves
are `make bench`'s job, never a timed test)."""
import json

import numpy as np

from golden.analysis import bench


def test_first_within_is_the_first_t_at_the_margin():
    f1 = {1: 0.80, 2: 0.90, 3: 0.919, 4: 0.921, 5: 0.95}
    assert bench.first_within(f1, 0.93) == 4  # 0.93 - 0.01 = 0.92
    assert bench.first_within(f1, 0.97) is None
    assert bench.first_within({3: 0.5, 1: 0.99}, 0.99) == 1  # by t, not by insertion order


def test_f1_by_t_scores_argmax_of_each_snapshot():
    labels = np.array([[[1, 0], [1, 1]]])
    good = np.zeros((1, 2, 2, 2))
    good[0, 1][labels[0] == 1] = 1.0
    good[0, 0][labels[0] == 0] = 1.0
    assert bench.f1_by_t({1: -good, 2: good}, labels) == {1: 0.0, 2: 1.0}


def test_reports_are_written(tmp_path):
    result = {"threads": 2, "T": 10, "model": "m.npz", "slice": 22, "machine": "test CPU",
              "golden": {"size": 64, "ann_ms": 1.0, "float_snn_ms": 1.2, "int_snn_ms": 1.3, "int_over_ann": 1.3,
                         "float_over_ann": 1.2},
              "scaling": [{"size": s, "ann_ms": s / 64, "snn_float_ms": s / 50, "snn_int_ms": s / 40,
                           "int_us_per_pixel": 0.1} for s in (64, 128)],
              "memory": {k: {"baseline_mb": 100.0, "peak_mb": 150.0} for k in ("ann", "snn_float", "snn_int")},
              "sweep": {"ours": {"ann_f1": 0.9, "f1": {1: 0.5, 2: 0.89}},
                        "spikingjelly": {"f1": {1: 0.4, 2: 0.6, 3: 0.895}},
                        "time_to_f1": {"ours_T": 2, "ours_s": 0.1, "spikingjelly_T": 3, "spikingjelly_s": 1.0,
                                       "ratio": 10.0}}}
    bench.write_reports(str(tmp_path / "b"), result)
    assert json.loads((tmp_path / "b.json").read_text())["golden"]["int_over_ann"] == 1.3
    md = (tmp_path / "b.md").read_text()
    assert "| integer SNN (exact) | 1.3 | 1.30 |" in md and "ratio 10.0" in md
    assert (tmp_path / "b.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_memory_child_reports_its_own_peak(em_root, capsys):
    """The child measures VmHWM of its own process (not the parent's, which getrusage would report)."""
    from golden.analysis import bench_memory

    assert bench_memory.main(["--level", "snn_int", "--size", "64", "--timesteps", "2"]) == 0
    r = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert r["level"] == "snn_int" and 0 < r["baseline_mb"] <= r["peak_mb"]


# ------------------------------------------------------------------------------------------- the RTL part
SIM_OUT = """RTL sim: snn_frame_kernel (P=8, AXI 64 bits, max width 64) on x (64x64, T=10, ...)
head: 81920 values and 0 membranes compared, 0 mismatches
SIM PASS layers=27 timesteps=10 values=123456 mismatches=0 cycles=1150000 bound=1000000
"""


def test_sim_line_is_parsed():
    from golden.analysis import bench_rtl

    assert bench_rtl.parse_sim(SIM_OUT) == {"passed": True, "layers": 27, "timesteps": 10, "values": 123456,
                                            "mismatches": 0, "cycles": 1150000, "bound": 1000000}
    assert bench_rtl.parse_sim(SIM_OUT.replace("SIM PASS", "SIM FAIL").replace("mismatches=0 c", "mismatches=3 c")
                               )["passed"] is False
    assert bench_rtl.parse_sim(SIM_OUT + "error: something\n") is None
    assert bench_rtl.parse_sim("") is None


def test_bench_lines_from_a_faked_run(small_export, tmp_path, monkeypatch, capsys):
    """bench_rtl.run with the simulation, the slice and its golden events faked: the BENCH lines, the estimate
    (the tile's ratio x the slice's bound), the traffic from frame_traffic, and the reports."""
    import argparse
    import math

    from golden.analysis import bench_rtl
    from golden.backends.rtl.frame_traffic import traffic
    from golden.export.load import load_manifest, load_network

    fake = {8: (1_150_000, 1_000_000, 23.0), 16: (600_000, 500_000, 12.0)}  # cycles, bound, wall of the 2nd run
    calls = []

    def run_sim(export, lanes):
        calls.append(lanes)
        c, b, wall = fake[lanes]
        return {"passed": True, "layers": 3, "timesteps": 3, "values": 10, "mismatches": 0, "cycles": c,
                "bound": b}, wall

    monkeypatch.setattr(bench_rtl, "run_sim", run_sim)
    monkeypatch.setattr(bench_rtl, "slice_image", lambda index, root=None: np.zeros((1, 512, 512), np.uint8))
    monkeypatch.setattr(bench_rtl, "slice_events", lambda net, image: 80_000_001)
    export, _ = small_export
    args = argparse.Namespace(rtl_export=str(export), lanes=[8, 16], clock_mhz=200.0, rtl_slice=None,
                              rtl_out=str(tmp_path / "rtl"), data_root=None)
    assert bench_rtl.run(args) == 0
    assert calls == [8, 8, 16, 16]  # each lane count twice: the build, then the timed run
    lines = [l for l in capsys.readouterr().out.splitlines() if l.startswith("BENCH")]
    net = load_network(export, load_manifest(export))
    t = traffic(net, 512, 512, 64)
    rd, wr = t["read_bytes"] / 1e6, t["write_bytes"] / 1e6
    b8, b16 = math.ceil(80_000_001 / 8), math.ceil(80_000_001 / 16)
    e8, e16 = round(1.15 * b8), round(1.2 * b16)
    bw = lambda e: (t["read_bytes"] + t["write_bytes"]) * 200e6 / e / 1e9  # noqa: E731
    tail = "(estimate: the tile's ratio x this exact bound; stated clock)"
    assert lines == [
        "BENCH rtl lanes=8 cycles=1150000 bound=1000000 ratio=1.150 (target <= 1.15) verilator=50,000 cycles/s",
        "BENCH rtl lanes=16 cycles=600000 bound=500000 ratio=1.200 (target <= 1.15) verilator=50,000 cycles/s",
        f"BENCH frame512 lanes=8 bound={b8} est_cycles={e8} fps@200MHz={200e6 / e8:.2f} ext_read_mb={rd:.1f} "
        f"ext_write_mb={wr:.1f} bandwidth_gbs={bw(e8):.2f} {tail}",
        f"BENCH frame512 lanes=16 bound={b16} est_cycles={e16} fps@200MHz={200e6 / e16:.2f} ext_read_mb={rd:.1f} "
        f"ext_write_mb={wr:.1f} bandwidth_gbs={bw(e16):.2f} {tail}",
    ]
    result = json.loads((tmp_path / "rtl.json").read_text())
    assert result["clock_mhz"] == 200.0 and "stated" in result["clock_note"]
    assert [r["est_cycles"] for r in result["frame"]["rows"]] == [e8, e16] and result["frame"]["slice"] == 22
    assert result["published"] and all(p["source"].startswith("https://") for p in result["published"])
    md = (tmp_path / "rtl.md").read_text()
    assert "| 8 | 1,150,000 | 1,000,000 | 1.150 | 50,000 | 173.9 |" in md and "(estimate)" in md
    assert "stated, not timed" in md and "ENet" in md


def test_bench_without_the_em_data_skips_the_slice(small_export, tmp_path, monkeypatch, capsys):
    import argparse

    from golden.analysis import bench_rtl

    monkeypatch.setattr(bench_rtl, "run_sim", lambda export, lanes: ({"cycles": 300, "bound": 200}, 1.0))
    args = argparse.Namespace(rtl_export=str(small_export[0]), lanes=[8], clock_mhz=100.0, rtl_slice=None,
                              rtl_out=str(tmp_path / "rtl"), data_root=str(tmp_path / "no-data"))
    assert bench_rtl.run(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "BENCH rtl lanes=8 cycles=300 bound=200 ratio=1.500 (target <= 1.15) verilator=300 cycles/s"
    assert out[1].startswith("BENCH frame skipped: data root") and len(out) == 2
    assert "skipped" in (tmp_path / "rtl.md").read_text()
