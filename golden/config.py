"""Model configs (configs/*.yaml): loaded and checked, with errors that name the file and the field."""
from __future__ import annotations

from pathlib import Path

import yaml

from .paths import REPO_ROOT


class ConfigError(ValueError):
    pass


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


def resolve(path_str: str) -> Path:
    p = Path(path_str)
    return p if p.is_absolute() else REPO_ROOT / p


def load_config(path: str | Path) -> dict:
    path = Path(path)
    try:
        cfg = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(cfg, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    _need(cfg, "name", str, path)
    _need(cfg, "checkpoint", str, path)
    t = _need(cfg, "timesteps", int, path)
    if t < 1:
        raise ConfigError(f"{path}: field timesteps must be >= 1, got {t}")
    if cfg.get("compare", "gt") not in ("gt", "ge"):
        raise ConfigError(f"{path}: field compare must be 'gt' or 'ge', got {cfg['compare']!r}")
    cfg.setdefault("compare", "gt")
    exps = _need(cfg, "thresholds_log2", list, path)
    if not exps or any(isinstance(e, bool) or not isinstance(e, int) for e in exps):
        raise ConfigError(f"{path}: field thresholds_log2 must be a non-empty list of integers")
    if any(a <= b for a, b in zip(exps, exps[1:])):
        raise ConfigError(f"{path}: field thresholds_log2 must be strictly decreasing, got {exps}")
    layers = _need(cfg, "layers", dict, path)
    for name in ("conv1", "conv2"):
        layer = _need(layers, name, dict, path, "layers.")
        f = _need(layer, "frac_bits", int, path, f"layers.{name}.")
        if f + min(exps) < 0:
            raise ConfigError(f"{path}: field layers.{name}.frac_bits={f} is too small for threshold 2^{min(exps)}"
                              f" (needs >= {-min(exps)}, contract §2)")
        if f > 24:
            raise ConfigError(f"{path}: field layers.{name}.frac_bits={f} is above the supported 24")
    g = _need(layers["conv1"], "input_shift", int, path, "layers.conv1.")
    if not 1 <= g <= 24:
        raise ConfigError(f"{path}: field layers.conv1.input_shift must be in 1..24, got {g}")
    cfg["_path"] = str(path)
    return cfg
