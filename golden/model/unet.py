"""The float ANN U-Net of the paper (§3.1, Fig. 1d) as an explicit, ordered list of layer descriptors.

Architecture (the authors' `Segmentation_UNet` / `Denoising_Model`, width and depth configurable):

- encoder stage s = 1..depth: two 3x3 conv (padding 1) + ReLU, then AvgPool2d(2) (+ ReLU, a no-op in the ANN
  because its input is already >= 0, but a spiking neuron in the SNN);
- bottleneck: two 3x3 conv + ReLU with base * 2^depth channels;
- decoder stage s = depth..1: ConvTranspose2d(k=3, s=2, p=1, output_padding=1) + ReLU halving the channels,
  concat [encoder feature, upsampled] (the encoder feature comes first), two 3x3 conv + ReLU;
- head: 1x1 conv to `classes` logits (segmentation) or 3x3 conv to an `in_channels` noise map (denoising; the
  restored image is noisy - noise, done outside the network).

The image enters as x = p / 255 (p the 8-bit pixel).

`layer_specs(...)` returns the network as a list of `Layer` in evaluation order; `UNet.forward` walks exactly
that list, and so do the converter and the SNN simulator (golden/model/convert.py) and any later integer model.
Kinds:

| kind     | parameters               | neuron in the SNN | sources |
|----------|--------------------------|-------------------|---------|
| `conv`   | 3x3 Conv2d (+ bias)      | yes (ReLU in ANN) | one layer or `input` |
| `pool`   | none, AvgPool2d(2)       | yes               | one layer |
| `upconv` | ConvTranspose2d k3 s2 p1 op1 | yes           | one layer |
| `concat` | none, channel concat     | no                | (encoder, upconv), in this order |
| `head`   | 1x1 or 3x3 Conv2d        | no: accumulates   | one layer |
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from golden.contract.quant import timesteps_problem
from golden.errors import ConfigError, _need, load_yaml

INPUT = "input"


class Op(StrEnum):
    """The float U-Net's layer ops (a `Layer.kind`). Not the contract's layer kinds (golden.kinds): the exporter
    maps an op to its kind through `golden.kinds.from_float`. A StrEnum: a spec read back from a file as a plain
    string compares equal, and it prints as its value."""

    CONV = "conv"
    POOL = "pool"
    UPCONV = "upconv"
    CONCAT = "concat"
    HEAD = "head"


KINDS = tuple(Op)
TASKS = ("segmentation", "denoising")


@dataclass(frozen=True)
class Layer:
    name: str
    kind: str
    sources: tuple[str, ...]
    in_channels: int
    out_channels: int
    kernel: int = 0  # 0 for parameter-free layers
    parts: tuple[int, ...] = field(default=())  # concat: channels of each source, in order

    @property
    def has_params(self) -> bool:
        return self.kind in (Op.CONV, Op.UPCONV, Op.HEAD)

    @property
    def spiking(self) -> bool:
        """True where the SNN puts an MT-IF neuron (the ANN a ReLU)."""
        return self.kind in (Op.CONV, Op.POOL, Op.UPCONV)


def layer_specs(in_channels: int, out_channels: int, base: int = 64, depth: int = 4, task: str = "segmentation",
                ) -> list[Layer]:
    """The U-Net as an ordered list of layers. `out_channels` = classes (segmentation) or image channels.
    depth 0 is the smallest network of the flow: two 3x3 convs (mid_a reads the image) and the head."""
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    if depth < 0 or base < 1 or in_channels < 1 or out_channels < 1:
        raise ValueError(f"depth >= 0, base, in_channels and out_channels >= 1 (got {depth}, {base}, "
                         f"{in_channels}, {out_channels})")
    specs: list[Layer] = []
    prev, prev_ch = INPUT, in_channels
    skips: list[tuple[str, int]] = []
    for s in range(1, depth + 1):
        ch = base * 2 ** (s - 1)
        specs.append(Layer(f"enc{s}a", Op.CONV, (prev,), prev_ch, ch, 3))
        specs.append(Layer(f"enc{s}b", Op.CONV, (f"enc{s}a",), ch, ch, 3))
        skips.append((f"enc{s}b", ch))
        specs.append(Layer(f"pool{s}", Op.POOL, (f"enc{s}b",), ch, ch))
        prev, prev_ch = f"pool{s}", ch
    ch = base * 2 ** depth
    specs.append(Layer("mid_a", Op.CONV, (prev,), prev_ch, ch, 3))
    specs.append(Layer("mid_b", Op.CONV, ("mid_a",), ch, ch, 3))
    prev, prev_ch = "mid_b", ch
    for s in range(depth, 0, -1):
        skip, skip_ch = skips[s - 1]
        up_ch = prev_ch // 2
        specs.append(Layer(f"up{s}", Op.UPCONV, (prev,), prev_ch, up_ch, 3))
        specs.append(Layer(f"cat{s}", Op.CONCAT, (skip, f"up{s}"), skip_ch + up_ch, skip_ch + up_ch,
                           parts=(skip_ch, up_ch)))
        specs.append(Layer(f"dec{s}a", Op.CONV, (f"cat{s}",), skip_ch + up_ch, skip_ch, 3))
        specs.append(Layer(f"dec{s}b", Op.CONV, (f"dec{s}a",), skip_ch, skip_ch, 3))
        prev, prev_ch = f"dec{s}b", skip_ch
    specs.append(Layer("head", Op.HEAD, (prev,), prev_ch, out_channels, 1 if task == "segmentation" else 3))
    check_specs(specs)
    return specs


KERNELS = {Op.CONV: (1, 3), Op.UPCONV: (3,), Op.HEAD: (1, 3)}  # a 1x1 conv with a neuron runs as a 3x3 (export)


def check_specs(specs: list[Layer]) -> None:
    """Every source is defined before use, channel counts agree, exactly one head and it is last, kernels are
    ones the hardware has, and the resolutions agree (`levels`)."""
    seen: dict[str, int] = {}
    if not specs:
        raise ValueError("a network needs at least one layer")
    for i, layer in enumerate(specs):
        if layer.kind not in KINDS:
            raise ValueError(f"layer {layer.name}: unknown kind {layer.kind!r}")
        if not layer.name.isidentifier():
            raise ValueError(f"layer {layer.name!r}: the name must be an identifier")
        if layer.in_channels < 1 or layer.out_channels < 1:
            raise ValueError(f"layer {layer.name}: channels must be >= 1")
        if layer.kind in KERNELS and layer.kernel not in KERNELS[layer.kind]:
            raise ValueError(f"layer {layer.name}: a {layer.kind} has kernel {KERNELS[layer.kind]}, not {layer.kernel}")
        if layer.kind in (Op.POOL, Op.CONCAT) and layer.in_channels != layer.out_channels:
            raise ValueError(f"layer {layer.name}: a {layer.kind} keeps its channels")
        if layer.name in seen or layer.name == INPUT:
            raise ValueError(f"layer {layer.name}: duplicate name")
        for src in layer.sources:
            if src != INPUT and src not in seen:
                raise ValueError(f"layer {layer.name}: source {src!r} is not an earlier layer")
        if layer.kind == Op.CONCAT:
            got = tuple(seen[s] for s in layer.sources)
            if got != layer.parts or sum(got) != layer.in_channels:
                raise ValueError(f"layer {layer.name}: parts {layer.parts} do not match sources {got}")
        elif len(layer.sources) != 1:
            raise ValueError(f"layer {layer.name}: kind {layer.kind} takes exactly one source")
        elif layer.sources[0] != INPUT and seen[layer.sources[0]] != layer.in_channels:
            raise ValueError(f"layer {layer.name}: expects {layer.in_channels} input channels, "
                             f"{layer.sources[0]} gives {seen[layer.sources[0]]}")
        if (layer.kind == Op.HEAD) != (i == len(specs) - 1):
            raise ValueError("the head must be the last layer, and the only one")
        seen[layer.name] = layer.out_channels
    kind = {l.name: l.kind for l in specs}
    readers = [l.name for l in specs if INPUT in l.sources]
    if specs[0].kind != Op.CONV or readers != [specs[0].name]:
        raise ValueError(f"layer {(readers[1:] or [specs[0].name])[0]}: the first layer, and only it, must be a conv "
                         "reading the image (static coding into one input layer)")
    for layer in specs:
        for s in layer.sources:
            if kind.get(s) == Op.CONCAT and layer.kind != Op.CONV:
                raise ValueError(f"layer {layer.name}: a {layer.kind} reads the concat {s}; only a conv with a "
                                 "neuron reads a concat (the concat's parts become its sources)")
    levels(specs)


def levels(specs: list[Layer]) -> dict[str, int]:
    """Each layer's resolution level: the image is 0, a pool adds 1, an upconv subtracts 1. A concat's sources
    share a level, no layer is finer than the image, and the head is at level 0 (its output is the image's size)."""
    level = {INPUT: 0}
    for layer in specs:
        got = {level[s] for s in layer.sources}
        if len(got) != 1:
            raise ValueError(f"layer {layer.name}: concatenates sources of different resolutions "
                             f"({', '.join(f'{s}: 1/{2 ** level[s]}' for s in layer.sources)})")
        (lv,) = got
        lv += {Op.POOL: 1, Op.UPCONV: -1}.get(layer.kind, 0)
        if lv < 0:
            raise ValueError(f"layer {layer.name}: upsamples beyond the input's resolution")
        level[layer.name] = lv
    if level[specs[-1].name] != 0:
        raise ValueError(f"layer {specs[-1].name}: the output is at 1/{2 ** level[specs[-1].name]} of the input's "
                         "resolution; it must be the input's size")
    return level


def specs_from_dicts(items, where: str = "specs") -> list[Layer]:
    """The layer list back from `describe`'s dicts (a checkpoint's specs_json), each field checked; errors name
    `where` and the field, then the structure is checked by check_specs."""
    if not isinstance(items, list):
        raise ValueError(f"{where}: must be a list of layers")
    out = []
    for i, d in enumerate(items):
        at = f"{where}[{i}]"
        if not isinstance(d, dict):
            raise ValueError(f"{at}: must be a mapping")
        for key, kind in (("name", str), ("kind", str), ("sources", list), ("in_channels", int),
                          ("out_channels", int), ("kernel", int), ("parts", list)):
            if key not in d:
                raise ValueError(f"{at}: missing field {key}")
            if not isinstance(d[key], kind) or (kind is int and isinstance(d[key], bool)):
                raise ValueError(f"{at}: field {key} must be {kind.__name__}, got {d[key]!r}")
        if not all(isinstance(s, str) for s in d["sources"]):
            raise ValueError(f"{at}: field sources must be a list of layer names")
        if not all(isinstance(p, int) and not isinstance(p, bool) for p in d["parts"]):
            raise ValueError(f"{at}: field parts must be a list of integers")
        out.append(Layer(d["name"], d["kind"], tuple(d["sources"]), d["in_channels"], d["out_channels"],
                         d["kernel"], tuple(d["parts"])))
    try:
        check_specs(out)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    return out


def describe(specs: list[Layer]) -> list[dict]:
    """The layer list as plain dicts (for manifests and logs)."""
    return [{**asdict(l), "kind": str(l.kind), "sources": list(l.sources), "parts": list(l.parts),
             "spiking": l.spiking} for l in specs]


def make_module(layer: Layer) -> nn.Module | None:
    if layer.kind in (Op.CONV, Op.HEAD):
        return nn.Conv2d(layer.in_channels, layer.out_channels, layer.kernel, padding=layer.kernel // 2)
    if layer.kind == Op.UPCONV:
        return nn.ConvTranspose2d(layer.in_channels, layer.out_channels, 3, stride=2, padding=1, output_padding=1)
    return None


def apply_layer(layer: Layer, module: nn.Module | None, inputs: list[torch.Tensor]) -> torch.Tensor:
    """The linear part of one layer (no ReLU / neuron): conv, avg-pool, transposed conv, concat, head."""
    if layer.kind == Op.CONCAT:
        return torch.cat(inputs, dim=1)
    (x,) = inputs
    if layer.kind == Op.POOL:
        return F.avg_pool2d(x, 2)
    return module(x)


class UNet(nn.Module):
    """ANN U-Net; `forward(x)` returns the head output (logits, or the noise map for denoising).

    `UNet(in, out, base, depth, task)` is the paper's U-Net of `layer_specs`; `UNet.from_specs(specs, task)` any
    other layer list of the same kinds (an imported model, golden/importer): then `base` is the first layer's
    width and `depth` the deepest pooling level."""

    def __init__(self, in_channels: int = 1, out_channels: int = 2, base: int = 64, depth: int = 4,
                 task: str = "segmentation", specs: list[Layer] | None = None):
        super().__init__()
        if specs is None:
            specs = layer_specs(in_channels, out_channels, base, depth, task)
        else:
            if task not in TASKS:
                raise ValueError(f"task must be one of {TASKS}, got {task!r}")
            specs = list(specs)
            check_specs(specs)
            in_channels = specs[0].in_channels
            out_channels, base, depth = specs[-1].out_channels, specs[0].out_channels, max(levels(specs).values())
        self.in_channels, self.out_channels, self.base, self.depth, self.task = (
            in_channels, out_channels, base, depth, task)
        self.specs = specs
        self.layers = nn.ModuleDict({l.name: make_module(l) for l in self.specs if l.has_params})

    @classmethod
    def from_specs(cls, specs: list[Layer], task: str = "segmentation") -> "UNet":
        return cls(task=task, specs=specs)

    @property
    def standard(self) -> bool:
        """True when the layer list is `layer_specs` of the arch fields (the paper's U-Net)."""
        try:
            return self.specs == layer_specs(self.in_channels, self.out_channels, self.base, self.depth, self.task)
        except ValueError:
            return False

    @property
    def multiple(self) -> int:
        """Height and width must be multiples of this (2^depth)."""
        return 2 ** self.depth

    def check_input(self, x: torch.Tensor) -> None:
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"input must be [N][{self.in_channels}][H][W], got {tuple(x.shape)}")
        if x.shape[2] % self.multiple or x.shape[3] % self.multiple:
            raise ValueError(f"input {x.shape[2]}x{x.shape[3]} is not a multiple of 2^depth = {self.multiple} "
                             "(pad it with pad_to_multiple)")

    def activations(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Every layer's output (after ReLU where the layer has one), keyed by layer name."""
        self.check_input(x)
        acts: dict[str, torch.Tensor] = {INPUT: x}
        for layer in self.specs:
            y = apply_layer(layer, self.layers[layer.name] if layer.has_params else None,
                            [acts[s] for s in layer.sources])
            acts[layer.name] = torch.relu(y) if layer.spiking else y
        return acts

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        acts: dict[str, torch.Tensor] = {INPUT: x}
        last_use = {s: i for i, l in enumerate(self.specs) for s in l.sources}
        for i, layer in enumerate(self.specs):
            y = apply_layer(layer, self.layers[layer.name] if layer.has_params else None,
                            [acts[s] for s in layer.sources])
            acts[layer.name] = torch.relu(y) if layer.spiking else y
            for s in layer.sources:  # free what no later layer reads
                if last_use[s] == i:
                    del acts[s]
        return acts[self.specs[-1].name]

    def predict(self, x: torch.Tensor) -> torch.Tensor:
        """Segmentation: class index map; denoising: restored image (noisy - noise)."""
        out = self(x)
        return out.argmax(1) if self.task == "segmentation" else x - out

    def arch(self) -> dict:
        """The architecture fields; a layer list other than the paper's U-Net adds it as `graph`."""
        arch = {"in_channels": self.in_channels, "out_channels": self.out_channels, "base": self.base,
                "depth": self.depth, "task": self.task}
        if not self.standard:
            arch["graph"] = describe(self.specs)
        return arch


def pad_to_multiple(x: torch.Tensor, multiple: int, mode: str = "reflect") -> tuple[torch.Tensor, tuple[int, int]]:
    """Pad [N][C][H][W] at the bottom/right to multiples of `multiple`; returns the tensor and the original H, W."""
    h, w = x.shape[-2:]
    ph, pw = (-h) % multiple, (-w) % multiple
    if ph or pw:
        if mode == "reflect" and (ph >= h or pw >= w):
            mode = "replicate"
        x = F.pad(x, (0, pw, 0, ph), mode=mode)
    return x, (h, w)


# ---------------------------------------------------------------------------------------------- configs

def _positive_number(v) -> bool:
    return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v) and v > 0


def load_unet_config(path: str | Path) -> dict:
    """A configs/unet_*.yaml: checked, with errors naming the file and the field. Defaults filled in."""
    path = Path(path)
    try:
        cfg = load_yaml(path, ConfigError)
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such config") from None
    if not isinstance(cfg, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    _need(cfg, "name", str, path)
    task = _need(cfg, "task", str, path)
    if task not in TASKS:
        raise ConfigError(f"{path}: field task must be one of {TASKS}, got {task!r}")
    model = _need(cfg, "model", dict, path)
    for key in ("in_channels", "base", "depth"):
        v = _need(model, key, int, path, "model.")
        if v < 1:
            raise ConfigError(f"{path}: field model.{key} must be >= 1, got {v}")
    if task == "segmentation":
        v = _need(model, "classes", int, path, "model.")
        if v < 2:
            raise ConfigError(f"{path}: field model.classes must be >= 2, got {v}")
    data = _need(cfg, "data", dict, path)
    _need(data, "dataset", str, path, "data.")
    crop = _need(data, "crop", int, path, "data.")
    if crop < 1:
        raise ConfigError(f"{path}: field data.crop must be >= 1, got {crop}")
    for key in ("ignore_index", "val_limit"):
        if key in data and data[key] is not None:
            v = _need(data, key, int, path, "data.")
            if key == "val_limit" and v < 1:
                raise ConfigError(f"{path}: field data.val_limit must be >= 1, got {v}")
    if crop % 2 ** model["depth"]:
        raise ConfigError(f"{path}: field data.crop={crop} must be a multiple of 2^depth = {2 ** model['depth']}")
    train = cfg.setdefault("train", {})
    train.setdefault("epochs", 10)
    train.setdefault("steps_per_epoch", 50)
    train.setdefault("batch_size", 4)
    train.setdefault("lr", 1e-3)
    train.setdefault("optimizer", "adam")
    train.setdefault("seed", 0)
    if train["optimizer"] not in ("adam", "rmsprop"):
        raise ConfigError(f"{path}: field train.optimizer must be adam or rmsprop, got {train['optimizer']!r}")
    for key in ("epochs", "steps_per_epoch", "batch_size"):
        v = _need(train, key, int, path, "train.")
        if v < 1:
            raise ConfigError(f"{path}: field train.{key} must be >= 1, got {v}")
    _need(train, "seed", int, path, "train.")
    if not _positive_number(train["lr"]):
        raise ConfigError(f"{path}: field train.lr must be a finite number > 0, got {train['lr']!r}")
    miles = train.setdefault("lr_milestones", [])
    if not isinstance(miles, list) or not all(isinstance(m, int) and not isinstance(m, bool) and m >= 1
                                              for m in miles):
        raise ConfigError(f"{path}: field train.lr_milestones must be a list of epoch numbers >= 1, got {miles!r}")
    gamma = train.setdefault("lr_gamma", 0.1)
    if isinstance(gamma, bool) or not isinstance(gamma, (int, float)) or not 0 < gamma <= 1:
        raise ConfigError(f"{path}: field train.lr_gamma must be a number in (0, 1], got {gamma!r}")
    snn = cfg.setdefault("snn", {})
    snn.setdefault("thresholds", [2.0, 1.0, 0.5, 0.25])
    snn.setdefault("compare", "gt")
    snn.setdefault("timesteps", [10, 20])
    snn.setdefault("calibration_images", 4)
    ths = snn["thresholds"]
    if not isinstance(ths, list) or not ths or not all(_positive_number(t) for t in ths):
        raise ConfigError(f"{path}: field snn.thresholds must be a non-empty list of numbers > 0, got {ths!r}")
    exps = [math.log2(float(t)) for t in ths]
    if not all(e.is_integer() for e in exps) or any(a <= b for a, b in zip(exps, exps[1:])):
        raise ConfigError(f"{path}: field snn.thresholds must be strictly decreasing powers of two (the integer "
                          f"contract's 2^e thresholds), got {ths!r}")
    steps = snn["timesteps"]
    if not isinstance(steps, list) or not steps:
        raise ConfigError(f"{path}: field snn.timesteps must be a non-empty list of time windows, got {steps!r}")
    for t in steps:
        if timesteps_problem(t):
            raise ConfigError(f"{path}: field snn.timesteps: each {timesteps_problem(t)}")
    if _need(snn, "calibration_images", int, path, "snn.") < 1:
        raise ConfigError(f"{path}: field snn.calibration_images must be >= 1, got {snn['calibration_images']}")
    if snn["compare"] not in ("gt", "ge"):
        raise ConfigError(f"{path}: field snn.compare must be 'gt' or 'ge', got {snn['compare']!r}")
    from golden.model.convert import calibration_target  # convert imports this module

    try:
        calibration_target(snn.setdefault("calibration_target", 1.0))
    except ValueError:
        raise ConfigError(f"{path}: field snn.calibration_target must be a positive number or 'full', "
                          f"got {snn['calibration_target']!r}") from None
    cfg["_path"] = str(path)
    return cfg


def check_config_fits(model: UNet, cfg: dict, path) -> None:
    """A checkpoint's model used with a config (its data and SNN settings): task, channels, classes and the crop
    must agree; the config's base and depth only build models for training."""
    m = cfg["model"]
    want = (cfg["task"], m["in_channels"], m["classes"] if cfg["task"] == "segmentation" else m["in_channels"])
    got = (model.task, model.in_channels, model.out_channels)
    if want != got:
        raise ConfigError(f"{path}: field arch (task, in, out channels) = {got} does not match {cfg.get('_path')} "
                          f"{want}")
    if cfg["data"]["crop"] % model.multiple:
        raise ConfigError(f"{cfg.get('_path')}: field data.crop={cfg['data']['crop']} must be a multiple of the "
                          f"model's 2^depth = {model.multiple}")


def build_model(cfg: dict) -> UNet:
    m = cfg["model"]
    out = m["classes"] if cfg["task"] == "segmentation" else m["in_channels"]
    return UNet(m["in_channels"], out, m["base"], m["depth"], cfg["task"])
