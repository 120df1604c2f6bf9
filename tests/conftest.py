"""Shared fixtures. Tests live in one folder per level (contract/, ir/, model/, export/, hls/); every test file
has a unique basename (rootdir-relative discovery, no __init__.py). The package is installed editable: nothing
here touches sys.path. Markers (slow, iverilog, full_model) are declared in pyproject.toml."""
import os
import shutil

import pytest

from golden.paths import REPO_ROOT, data_root

os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def repo_root():
    return REPO_ROOT


@pytest.fixture(scope="session")
def em_root():
    """The real EM data under the data root, or skip (CI has ../shared/data; a bare checkout may not)."""
    root = data_root() / "em_isbi2012" / "train"
    if not root.is_dir():
        pytest.skip(f"real EM data not found under {root}")
    return root


@pytest.fixture(scope="session")
def default_export(tmp_path_factory):
    """The committed default Spiking-UNet (configs/models/em_unet_snn.npz, 27 layers) exported on its committed
    64x64 real-EM demo tile at T = 4, through the CLI (`python -m golden export-net --out DIR --timesteps 4`).
    Read-only: copy it before editing (see `export_copy`)."""
    from golden.cli import main

    out = tmp_path_factory.mktemp("default") / "em_unet"
    assert main(["export-net", "--out", str(out), "--timesteps", "4"]) == 0
    return out


@pytest.fixture(scope="session")
def small_export(tmp_path_factory):
    """A small depth-0 random network (input conv mid_a -> spiking conv mid_b -> output head) on a synthetic
    8x8 image: for tests that need some export but not the default model. Returns (dir, manifest). Read-only."""
    from golden.export.network import random_network_export

    return random_network_export(tmp_path_factory.mktemp("small") / "small", seed=5, base=2, depth=0, size=8,
                                 timesteps=3, thresholds_log2=(1, 0), compare="gt")


@pytest.fixture
def export_copy(tmp_path):
    """copy(src) -> a writable copy of an export under tmp_path."""
    def copy(src, name="copy"):
        dst = tmp_path / name
        shutil.copytree(src, dst)
        return dst
    return copy


@pytest.fixture
def rehash():
    """rehash(d): record the current SHA-256 of every file the manifest lists, as a self-consistent export
    whose content is wrong would carry (so a bench, not the loader's hash check, has to find the error)."""
    import yaml

    from golden.atomic import sha256

    def update(d):
        m = yaml.safe_load((d / "manifest.yaml").read_text())
        m["files"] = {f: sha256(d / f) for f in m["files"] if (d / f).is_file()}
        (d / "manifest.yaml").write_text(yaml.safe_dump(m, sort_keys=False))
    return update


def pytest_configure(config):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
