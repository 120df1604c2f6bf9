"""`golden bench`'s deployment table: built from the fast bench's, timing's and synth's reports, frames/s = clock /
cycles, GSOP/s = events x frames/s, traffic x frames/s; a report that is missing is named, never invented."""
import json

import pytest

from golden.analysis import bench_deploy as bd
from golden.backends.rtl import deploy


@pytest.fixture
def reports(tmp_path, monkeypatch):
    monkeypatch.setattr(bd, "SIM_REPORTS", tmp_path / "sim")
    monkeypatch.setattr(bd, "TIMING_REPORTS", tmp_path / "timing")
    monkeypatch.setattr(bd, "SYNTH_REPORT", tmp_path / "synth" / "report.json")
    return tmp_path


def _sim(root, **over):
    dep = deploy.ZCU104
    r = {"pass": True, "lanes": dep.lanes, "engines": dep.engines, "data_bits": dep.data_bits, "height": 512,
         "width": 512, "timesteps": 4, "cycles": 12_500_000, "events": 2_000_000_000, "read_bytes": 60_000_000,
         "written_bytes": 40_000_000, **over}
    (root / "sim").mkdir(exist_ok=True)
    (root / "sim" / f"run{len(list((root / 'sim').iterdir()))}.json").write_text(json.dumps(r))


def test_table_from_the_reports(reports, capsys):
    _sim(reports)
    _sim(reports, width=64, height=64, cycles=1)          # not a whole frame: ignored
    _sim(reports, engines=1, cycles=2)                     # another configuration: ignored
    for name, dep, mhz in (("a", deploy.ECP5, 125.0), ("b", deploy.ZCU104, 999.0)):   # only the ECP5 datapath counts
        (reports / "timing" / name).mkdir(parents=True)
        (reports / "timing" / name / "report.json").write_text(
            json.dumps({"flows": {"ecp5": {"fmax_mhz": mhz, "deployment": dep.describe()}}}))
    (reports / "synth").mkdir()
    dep = deploy.ZCU104
    (reports / "synth" / "report.json").write_text(json.dumps({"x": {
        "lanes": dep.lanes, "engines": dep.engines, "max_width": dep.max_width, "data_bits": dep.data_bits,
        "weights": dep.weights, "lut": 1, "ff": 2, "bram18": 3, "bram36": 4, "uram": 5, "dsp": 6}}))
    assert bd.run(str(reports / "out")) == 0
    out = capsys.readouterr().out
    first = next(l for l in out.splitlines() if l.startswith("BENCH deploy lanes="))
    assert "fps=10.00" in first and "gsops=20.0" in first and "traffic_mb=100.0" in first and "traffic_gbs=1.00" in first
    md = (reports / "out.md").read_text()
    assert "ECP5-85F place and route (125.0 MHz)" in md and "not timed" in md and "FireFly" in md and "Missing" not in md


def test_missing_reports_are_named(reports, capsys):
    assert bd.run(str(reports / "out")) == 0
    assert "BENCH deploy skipped" in capsys.readouterr().out
    _sim(reports)
    assert bd.run(str(reports / "out")) == 0
    out = capsys.readouterr().out
    assert "missing: the ECP5 clock (`make timing`" in out and "missing: the resources (`make synth`" in out
    assert "fps=24.00" in out    # only the stated 300 MHz row
