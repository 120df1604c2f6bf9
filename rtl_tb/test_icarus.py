"""The same cocotb benches under Icarus Verilog (a second, event-driven simulator with 4-state values), so the RTL
does not depend on one simulator's semantics: the neuron and the engine (a reset mid-frame, then a clean frame)."""
import shutil

import pytest

from golden.backends.rtl import simulate as simlib
from rtl_tb.cases import ICARUS_ENGINE_CASE, ICARUS_NEURON_CASE
from rtl_tb.test_mtif_neuron import run_neuron

pytestmark = [pytest.mark.iverilog,
              pytest.mark.skipif(shutil.which("iverilog") is None, reason="iverilog not installed")]


def _ok(res):
    assert res.ok, res.message
    assert res.summary["mismatches"] == 0 and res.summary["values"] > 0


def test_icarus_neuron():
    _ok(run_neuron(ICARUS_NEURON_CASE, simulator="icarus"))


def test_icarus_engine():
    _, res = simlib.engine_run(ICARUS_ENGINE_CASE, simulator="icarus")
    _ok(res)
    assert res.summary["aborted_frame"]["at"] == ICARUS_ENGINE_CASE.reset_at
