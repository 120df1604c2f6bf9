"""The registry of layer kinds: one module per kind (input_conv, spiking_conv, pool, upconv, output).

`get(name)` returns the kind object; `NAMES` lists them in the order the contract defines them (which is also
the frame engine's descriptor code, `LayerKind.code`). Importing this package registers every kind with the IR
(golden/ir/registry.py). A new kind is a new module here plus its hls/nnet_*.h header and its datapath in the
frame engine: docs/architecture.md lists the files it touches.
"""
from __future__ import annotations

from golden.ir import registry
from golden.kinds import input_conv, output, pool, spiking_conv, upconv
from golden.kinds.base import LayerKind

REGISTRY: dict[str, LayerKind] = {m.KIND.name: m.KIND for m in (input_conv, spiking_conv, pool, upconv, output)}
for _kind in REGISTRY.values():  # the IR validates networks through its registry (golden/ir/registry.py)
    registry.register(_kind)
NAMES = tuple(REGISTRY)
assert [k.code for k in REGISTRY.values()] == list(range(len(NAMES))), "a kind's code is its place in NAMES"
HLS_HEADERS = tuple(dict.fromkeys(h for k in REGISTRY.values() for h in k.hls_headers))  # every hls/nnet_*.h
SPIKING = tuple(n for n, k in REGISTRY.items() if k.has_neuron)


def from_float(op: str, reads_image: bool) -> LayerKind:
    """The kind of a float U-Net layer (golden.model.unet: op conv, pool, upconv or head): the one that reads the
    image when the layer does (the first conv), else the kind whose `float_op` is `op`. The one table between the
    float model's ops and the contract's kinds."""
    for k in REGISTRY.values():
        if k.reads_image == reads_image and (reads_image or k.float_op == op):
            return k
    raise ValueError(f"no layer kind implements the float op {op!r}")


def get(name: str) -> LayerKind:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown layer kind {name!r} (known: {', '.join(NAMES)})") from None
