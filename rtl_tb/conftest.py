"""pytest set-up for the RTL benches (markers are registered in pyproject.toml)."""
import os


def pytest_configure(config):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
