"""pytest set-up for the RTL benches: import paths (repository root for golden/, rtl_tb/ for the helpers)."""
import os
import sys
from pathlib import Path

TB_DIR = Path(__file__).resolve().parent
for p in (str(TB_DIR.parent), str(TB_DIR)):
    if p not in sys.path:
        sys.path.insert(0, p)


def pytest_configure(config):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
