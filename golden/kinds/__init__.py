"""The registry of layer kinds: one module per kind (input_conv, spiking_conv, pool, upconv, output).

`get(name)` returns the kind object; `NAMES` lists them in the order the contract defines them. A new kind is a
new module here plus its hls/nnet_*.h header and, for the RTL engine, its datapath.
"""
from __future__ import annotations

from golden.kinds import input_conv, output, pool, spiking_conv, upconv
from golden.kinds.base import LayerKind

REGISTRY: dict[str, LayerKind] = {m.KIND.name: m.KIND for m in (input_conv, spiking_conv, pool, upconv, output)}
NAMES = tuple(REGISTRY)
SPIKING = tuple(n for n, k in REGISTRY.items() if k.has_neuron)


def get(name: str) -> LayerKind:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown layer kind {name!r} (known: {', '.join(NAMES)})") from None
