"""Errors of bad input, and the one field checker every loader uses (configs, manifests, checkpoints).

Every message names the file and the field; the CLI prints it as one `error:` line and exits 2.
"""
from __future__ import annotations

from pathlib import Path

from golden.paths import REPO_ROOT


class InputError(ValueError):
    """Bad input: a file, an option or a field that cannot be used (exit code 2)."""


class ConfigError(InputError):
    pass


class ManifestError(InputError):
    """An export (manifest, weights, ROM images, header, golden vectors) that is malformed or was edited."""


def _need(cfg: dict, key: str, kind, path: Path, where: str = "", error: type[Exception] = ConfigError):
    """cfg[key], checked to be of `kind` (None: any); errors name the file and the field."""
    if not isinstance(cfg, dict) or key not in cfg:
        raise error(f"{path}: missing field {where}{key}")
    value = cfg[key]
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise error(f"{path}: field {where}{key} must be an integer, got {value!r}")
    if kind is not None and kind is not int and not isinstance(value, kind):
        raise error(f"{path}: field {where}{key} must be {kind.__name__}, got {value!r}")
    return value


def resolve(path_str: str | Path) -> Path:
    """A path relative to the repository root (where the committed models and configs live)."""
    p = Path(path_str)
    return p if p.is_absolute() else REPO_ROOT / p
