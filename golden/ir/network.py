"""The IR: a `Network` of `Layer`s, built once (from a manifest, or by the exporter from the float model) and
validated once. Every level reads it: the integer model, the writers, the HLS generator, the RTL descriptors,
the estimates. Geometry (each layer's input and output size) is derived here from the input size and the kinds.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from golden.ir import registry

INPUT = "input"
WIDTH_FIELDS = ("weight_bits", "bias_bits", "acc_bits", "current_bits", "membrane_bits")


class NetworkError(ValueError):
    """A network that breaks a structural rule (sources, channels, sizes, kinds)."""


@dataclass(frozen=True, eq=False)
class Layer:
    """One layer in the integer contract.

    `sources` are read in order and concatenated along channels (the encoder feature first in a U-Net concat).
    `weight` is int64 [out][ky][kx][in] (kernel 1 or 3; `upconv` uses ConvTranspose2d's taps unflipped, §3),
    [C][0][0][0] for `pool`. Geometry is 0 until the layer is placed in a Network.
    """

    name: str
    kind: str
    sources: tuple[str, ...]
    weight: np.ndarray
    bias: np.ndarray
    frac_bits: int
    thresholds_int: tuple[int, ...] = ()
    input_shift: int = 0  # input_conv: G; pool: left shift F + e_min - 2
    widths: dict = field(default_factory=dict)  # weight_bits, bias_bits, acc_bits, current_bits, membrane_bits
    in_height: int = 0
    in_width: int = 0
    height: int = 0
    width: int = 0

    @property
    def spec(self):
        """The kind object (golden.kinds: one class per kind), from the registry the kinds fill."""
        return registry.get(self.kind)

    @property
    def out_channels(self) -> int:
        return int(self.bias.shape[0])

    @property
    def in_channels(self) -> int:
        return int(self.weight.shape[3]) if self.spec.has_params else self.out_channels

    @property
    def kernel(self) -> int:
        return int(self.weight.shape[1]) if self.spec.has_params else 2

    @property
    def pixels(self) -> int:
        return self.height * self.width

    def __getattr__(self, key):  # weight_bits, ..., membrane_bits read as attributes
        if key in WIDTH_FIELDS:
            return self.widths[key]
        raise AttributeError(key)


@dataclass(frozen=True, eq=False)
class Network:
    name: str
    layers: tuple[Layer, ...]
    timesteps: int
    thresholds_log2: tuple[int, ...]
    compare: str
    in_channels: int
    height: int
    width: int
    task: str = "segmentation"
    pixel_bits: int = 8
    lambdas: dict = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "layers", tuple(self._place()))
        object.__setattr__(self, "thresholds_log2", tuple(self.thresholds_log2))

    # ------------------------------------------------------------------ structure, checked once
    def _place(self) -> list[Layer]:
        if self.compare not in ("gt", "ge"):
            raise NetworkError(f"compare must be 'gt' or 'ge', not {self.compare!r}")
        if self.timesteps < 1:
            raise NetworkError(f"timesteps must be >= 1, got {self.timesteps}")
        exps = list(self.thresholds_log2)
        if not exps or any(a <= b for a, b in zip(exps, exps[1:])):
            raise NetworkError(f"thresholds_log2 must be strictly decreasing integers, got {exps}")
        if not self.layers:
            raise NetworkError("a network needs at least one layer")
        size = {INPUT: (self.height, self.width)}
        channels = {INPUT: self.in_channels}
        placed = []
        for layer in self.layers:
            n = layer.name
            try:
                spec = registry.get(layer.kind)
            except ValueError as exc:
                raise NetworkError(f"layer {n}: {exc}") from None
            if not n.isidentifier() or n in size:
                raise NetworkError(f"layer {n!r}: the name must be a new identifier (not 'input')")
            missing = [s for s in layer.sources if s not in size]
            if not layer.sources or missing:
                raise NetworkError(f"layer {n}: sources {missing or '[]'} are not earlier layers (or input)")
            if spec.reads_image != (layer.sources == (INPUT,)):
                raise NetworkError(f"layer {n}: only an input_conv reads the image, and it reads nothing else")
            if spec.max_sources is not None and len(layer.sources) > spec.max_sources:
                raise NetworkError(f"layer {n}: a {layer.kind} reads {spec.max_sources} source(s)")
            if any(not registry.get(_kind_of(placed, s)).has_neuron for s in layer.sources if s != INPUT):
                raise NetworkError(f"layer {n}: reads the output layer")
            sizes = {size[s] for s in layer.sources}
            if len(sizes) != 1:
                raise NetworkError(f"layer {n}: concatenated sources differ in size {sorted(sizes)}")
            ih, iw = sizes.pop()
            why = spec.check_input_size(ih, iw)
            if why:
                raise NetworkError(f"layer {n}: {why}")
            cin = sum(channels[s] for s in layer.sources)
            if spec.has_params and layer.weight.shape[3] != cin:
                raise NetworkError(f"layer {n}: weights expect {layer.weight.shape[3]} input channels, its sources "
                                   f"give {cin}")
            if spec.has_params and layer.weight.shape[1] not in spec.kernels:
                raise NetworkError(f"layer {n}: kernel {layer.weight.shape[1]} (a {layer.kind} takes {spec.kernels})")
            if not spec.has_params and layer.out_channels != cin:
                raise NetworkError(f"layer {n}: a {layer.kind} keeps its {cin} channels")
            oh, ow = spec.out_size(ih, iw)
            size[n], channels[n] = (oh, ow), layer.out_channels
            placed.append(dataclasses.replace(layer, in_height=ih, in_width=iw, height=oh, width=ow))
        readers = [l.name for l in placed if l.spec.reads_image]
        outs = [l.name for l in placed if not l.spec.has_neuron]
        if readers != [placed[0].name]:
            bad = next((r for r in readers if r != placed[0].name), placed[0].name)
            raise NetworkError(f"layer {bad}: the first layer, and only it, must be the input_conv reading `input` "
                               f"(input layers: {readers or 'none'})")
        if outs != [placed[-1].name]:
            bad = next((o for o in outs if o != placed[-1].name), placed[-1].name)
            raise NetworkError(f"layer {bad}: the network must end in exactly one layer of kind output "
                               f"(output layers: {outs or 'none'})")
        return placed

    # ------------------------------------------------------------------ queries
    @property
    def K(self) -> int:
        return len(self.thresholds_log2)

    @property
    def e_min(self) -> int:
        return min(self.thresholds_log2)

    @property
    def spike_shift(self) -> list[int]:
        """A spike of threshold i adds weight << spike_shift[i] (§3)."""
        return [e - self.e_min for e in self.thresholds_log2]

    @property
    def input_layer(self) -> Layer:
        return self.layers[0]

    @property
    def output_layer(self) -> Layer:
        return self.layers[-1]

    @property
    def spiking(self) -> list[Layer]:
        return [l for l in self.layers if l.spec.has_neuron]

    def layer(self, name: str) -> Layer:
        for l in self.layers:
            if l.name == name:
                return l
        raise KeyError(f"no layer {name!r}")

    def consumers(self) -> dict[str, list[tuple[str, int]]]:
        """For every layer, the (consumer, source index) pairs that read its spikes, in network order."""
        out: dict[str, list[tuple[str, int]]] = {l.name: [] for l in self.layers}
        for l in self.layers:
            for i, s in enumerate(l.sources):
                if s != INPUT:
                    out[s].append((l.name, i))
        return out

    def is_skip(self, consumer: str, index: int) -> bool:
        """A concat part computed before the consumer's last-computed source (the encoder feature of a U-Net skip,
        in either concat order) waits for that source's path."""
        pos = {l.name: i for i, l in enumerate(self.layers)}
        sources = self.layer(consumer).sources
        return len(sources) > 1 and pos.get(sources[index], -1) < max(pos.get(s, -1) for s in sources)

    def values_per_step(self) -> int:
        """Spike words (and the output's accumulations) of one time step over all layers."""
        return sum(l.out_channels * l.pixels for l in self.layers)


def _kind_of(placed: list[Layer], name: str) -> str:
    return next(l.kind for l in placed if l.name == name)
