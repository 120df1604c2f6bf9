"""pytest set-up for the RTL benches: import paths (repository root for golden/, rtl_tb/ for the helpers), markers."""
import os
import sys
from pathlib import Path

TB_DIR = Path(__file__).resolve().parent
for p in (str(TB_DIR.parent), str(TB_DIR)):
    if p not in sys.path:
        sys.path.insert(0, p)

MARKERS = {
    "slow": "a long simulation (deselect with -m 'not slow')",
    "iverilog": "runs under Icarus Verilog (skipped when iverilog is not installed)",
    "full_model": "the committed 27-layer default model (also needs SIM_FULL=1)",
}


def pytest_configure(config):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    for name, doc in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {doc}")
