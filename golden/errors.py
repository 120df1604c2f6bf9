"""Errors of bad input, and the one field checker every loader uses (configs, manifests, checkpoints).

Every message names the file and the field; the CLI prints it as one `error:` line and exits 2.
"""
from __future__ import annotations

from pathlib import Path

import yaml

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


class _PlainLoader(yaml.SafeLoader):
    """yaml.SafeLoader for plain data: an alias (`*name`, which can blow a small file up into a huge structure:
    the "billion laughs") and a key given twice in one mapping (the first silently lost) are refused."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, f"alias *{event.anchor} refused (anchors and aliases are "
                                              "not allowed: write the value out)", event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                dup = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: SafeLoader's own error follows
                continue
            if dup:
                raise yaml.constructor.ConstructorError(None, None, f"field {key} given twice in one mapping",
                                                        key_node.start_mark)
        return super().construct_mapping(node, deep)


def load_yaml(path: Path, error: type[Exception] = ConfigError):
    """The YAML file `path` as plain data (safe: no Python objects; no aliases; no repeated keys). Errors are
    `error` naming the file (and the line); a missing file is FileNotFoundError."""
    path = Path(path)
    try:
        text = path.read_text()
    except UnicodeDecodeError:
        raise error(f"{path}: not a UTF-8 text file") from None
    try:
        return yaml.load(text, Loader=_PlainLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"{path}: not valid YAML: {where}{what}") from None
