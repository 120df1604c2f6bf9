import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from golden.paths import data_root  # noqa: E402


@pytest.fixture(scope="session")
def em_root():
    """The real EM data under the data root, or skip (CI has ../shared/data; a bare checkout may not)."""
    root = data_root() / "em_isbi2012" / "train"
    if not root.is_dir():
        pytest.skip(f"real EM data not found under {root}")
    return root


@pytest.fixture(scope="session")
def default_export(tmp_path_factory):
    """The committed default model exported on its committed real-EM demo crop."""
    from golden.__main__ import main

    out = tmp_path_factory.mktemp("export") / "em_slice"
    assert main(["export", "--config", str(ROOT / "configs/em_slice.yaml"), "--out", str(out)]) == 0
    return out


def pytest_configure(config):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
