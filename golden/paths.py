"""Where things live: the repository root and the configurable data root."""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_ROOT_ENV = "SUNET_DATA_ROOT"


def data_root(override: str | os.PathLike | None = None) -> Path:
    """Data root: explicit flag, else $SUNET_DATA_ROOT, else ../shared/data next to the repository."""
    if override:
        return Path(override)
    env = os.environ.get(DATA_ROOT_ENV)
    if env:
        return Path(env)
    return REPO_ROOT.parent / "shared" / "data"


def require_data_root(override: str | os.PathLike | None = None) -> Path:
    root = data_root(override)
    if not root.is_dir():
        raise FileNotFoundError(
            f"data root {root} does not exist: pass --data-root or set ${DATA_ROOT_ENV} "
            "(see ../shared/data/README.md for the expected layout)"
        )
    return root
