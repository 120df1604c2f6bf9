"""The IR's table of layer kinds, filled by the plug-ins in golden/kinds (FINN's custom-op registry, inverted).

The IR sits below the kinds (golden/__init__.py gives the layer order), so it never imports them: each kind
module registers its object here (`register`), and the IR asks a kind object by name (`get`) for the facts it
validates a network with (reads_image, has_neuron, has_params, max_sources, kernels, out_size,
check_input_size). The kinds are loaded on first use by the plug-in package name below, the one place the IR
names them (as FINN finds a custom op by its domain), so a process that only reads a manifest still finds them.
"""
from __future__ import annotations

import importlib

PLUGINS = "golden.kinds"  # the package whose import registers every kind

_KINDS: dict[str, object] = {}


def register(kind) -> None:
    """Add a kind object (golden.kinds.base.LayerKind): its `name` is the manifest's `kind` field."""
    if kind.name in _KINDS and _KINDS[kind.name] is not kind:
        raise ValueError(f"layer kind {kind.name!r} registered twice")
    _KINDS[kind.name] = kind


def _loaded() -> dict[str, object]:
    if not _KINDS:
        importlib.import_module(PLUGINS)
    return _KINDS


def names() -> tuple[str, ...]:
    """Every registered kind's name, in the order the kinds registered (the contract's order)."""
    return tuple(_loaded())


def get(name: str):
    """The kind object of a name; ValueError names the known kinds."""
    kinds = _loaded()
    try:
        return kinds[name]
    except KeyError:
        raise ValueError(f"unknown layer kind {name!r} (known: {', '.join(kinds)})") from None
