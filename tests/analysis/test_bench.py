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
