"""C-sim helpers for the HLS tests: `python -m golden csim` in a subprocess, its result lines parsed."""
from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from golden.paths import REPO_ROOT

NET = re.compile(r"^CSIM (PASS|FAIL) layers=(\d+) timesteps=(\d+) values=(\d+) mismatches=(\d+)$")
UNITS = re.compile(r"^CSIM UNITS (PASS|FAIL) layers=(\d+) timesteps=(\d+) values=(\d+) mismatches=(\d+)$")
UNIT = re.compile(r"^UNIT (\w+) values=(\d+) mismatches=(\d+)$")


@dataclass
class Csim:
    rc: int
    out: str                 # stdout + stderr
    lines: list[str]         # stdout lines
    net: re.Match | None     # the last line, CSIM PASS|FAIL ...

    @property
    def units(self) -> list[re.Match]:
        return [m for m in map(UNITS.match, self.lines) if m]

    @property
    def unit(self) -> list[re.Match]:
        return [m for m in map(UNIT.match, self.lines) if m]


def run_csim(export: Path, build: Path, *extra: str, timeout: int = 900) -> Csim:
    proc = subprocess.run([sys.executable, "-m", "golden", "csim", "--export", str(export), "--build", str(build),
                           *extra], capture_output=True, text=True, timeout=timeout, cwd=REPO_ROOT)
    lines = proc.stdout.strip().splitlines()
    net = NET.match(lines[-1]) if lines else None
    return Csim(proc.returncode, proc.stdout + proc.stderr, lines, net)


MEMBRANES = {True: "CSIM membranes: compared",
             False: "CSIM membranes: not compared (the export has no membrane vectors: export-net --membranes off)"}


def expected_network_values(manifest: dict, membranes: bool = True) -> int:
    """What the bench compares: two probed frames (spikes, and membranes when the export has them, of every
    spiking layer, A_t of the output layer, every step; A_T on accum_out) and one deployable frame (A_T)."""
    t = manifest["timesteps"]
    per_frame = 0
    for e in manifest["layers"]:
        n = e["out_channels"] * e["height"] * e["width"]
        per_frame += t * n if e["kind"] == "output" else (2 if membranes else 1) * t * n
    head = manifest["layers"][-1]
    out = head["out_channels"] * head["height"] * head["width"]
    return 2 * (per_frame + out) + out


def expected_unit_values(manifest: dict, name: str, membranes: bool = True) -> int:
    e = next(l for l in manifest["layers"] if l["name"] == name)
    n = manifest["timesteps"] * e["out_channels"] * e["height"] * e["width"]
    return n if e["kind"] == "output" else (3 if membranes else 2) * n  # spikes out + probe spikes + membranes


def assert_pass(manifest: dict, res: Csim, membranes: bool = True) -> None:
    """Exactly one network result line, PASS, every value compared, none wrong, exit 0; the line before it says
    whether membranes were compared."""
    assert res.net, f"last line is not a CSIM result:\n{res.out}"
    assert sum(bool(NET.match(line)) for line in res.lines) == 1, res.out
    assert res.rc == 0 and res.net.group(1) == "PASS", res.out[-4000:]
    assert int(res.net.group(2)) == len(manifest["layers"]), res.out
    assert int(res.net.group(3)) == manifest["timesteps"], res.out
    assert int(res.net.group(4)) == expected_network_values(manifest, membranes), res.out
    assert int(res.net.group(5)) == 0, res.out
    assert res.lines[-2] == MEMBRANES[membranes], res.out


@pytest.fixture(scope="session")
def csim():
    """The helpers as one object: csim.run(export, build, *extra), csim.assert_pass(manifest, result), ..."""
    class _Helpers:
        run = staticmethod(run_csim)
        assert_pass = staticmethod(assert_pass)
        network_values = staticmethod(expected_network_values)
        unit_values = staticmethod(expected_unit_values)
    return _Helpers
