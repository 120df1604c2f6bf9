"""The named deployment configuration of the frame engine: what `make sim FAST=1`, `make synth` and `make timing`
build by default, and what the README's frames/s are for (docs/deployment.md).

A configuration is the engine's datapath (lanes P per engine, the strip width each engine's band holds, the AXI
data width, weights streamed or in ROM) and how many engines share the AXI master: E engines each own a column
strip of max_width / E pixels of every frame. `ECP5` is the largest configuration with the same engine datapath
that fits a Lattice ECP5-85F (one engine, the same strip width): the one `timing` places and routes there.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class Deployment:
    name: str
    lanes: int          # P: lanes of one engine
    engines: int        # E: engines, one column strip each
    max_width: int      # widest frame: E x the strip width
    data_bits: int      # AXI data width
    weights: str        # "stream": each layer pass's weights are read into an on-chip weight RAM
    weight_words: int   # depth of that weight RAM (words of P weights)

    @property
    def strip_width(self) -> int:
        return self.max_width // self.engines

    def describe(self) -> str:
        return (f"{self.name}: engines={self.engines} lanes={self.lanes} max_width={self.max_width} "
                f"strip={self.strip_width} data_bits={self.data_bits} weights={self.weights}")


# the ZCU104 (XCZU7EV) deployment
# (8 engines of 16 lanes: one engine takes about 22 k LUTs (docs/deployment.md), so 16 would not fit)
ZCU104 = Deployment("zcu104", lanes=16, engines=8, max_width=512, data_bits=128, weights="stream",
                    weight_words=4096)
# the same engine datapath on an ECP5-85F: one engine, its strip width
ECP5 = replace(ZCU104, name="ecp5-85f", engines=1, max_width=ZCU104.strip_width)
DEFAULT = ZCU104
BY_NAME = {d.name: d for d in (ZCU104, ECP5)}


def frame_config(net, dep: Deployment, out_dir: Path | str, **kw):
    """build_frame_config for a deployment (golden/backends/rtl/frame_config.py)."""
    from golden.backends.rtl.frame_config import build_frame_config
    extra = {"engines": dep.engines} if dep.engines != 1 else {}
    return build_frame_config(net, dep.lanes, out_dir, max_width=dep.max_width, data_bits=dep.data_bits,
                              weights=dep.weights, weight_buffer_words=dep.weight_words, **extra, **kw)


def add_argument(ap) -> None:
    """--deploy NAME, the same option for sim, synth and estimate."""
    ap.add_argument("--deploy", choices=sorted(BY_NAME),
                    help="a named deployment configuration (golden/backends/rtl/deploy.py): its lanes, engines, "
                         "max width, data width and weights replace those options")


def apply(args) -> None:
    """With --deploy NAME, that configuration's fields replace the command's --lanes, --engines, --max-width,
    --data-bits, --weights and --weight-words."""
    name = getattr(args, "deploy", None)
    if name:
        d = BY_NAME[name]
        args.lanes, args.engines, args.max_width = d.lanes, d.engines, d.max_width
        args.data_bits, args.weights, args.weight_words = d.data_bits, d.weights, d.weight_words
