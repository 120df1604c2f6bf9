"""From canonical ops (golden/importer/graph.py) to the project's float U-Net (`UNet.from_specs`): the importer.

Each traced value is one of:
- the image (the input; `relu` of it is itself, it is >= 0);
- `Linear`: a conv / transposed conv output before its ReLU (a BatchNorm2d right after folds into it);
- `Spikes`: the output of layers with a neuron (conv + ReLU, upconv + ReLU, pool), one name or, after a
  `torch.cat`, the names of the parts in the order written;
- a static value (a fixed forward argument, a shape).

A ReLU turns a `Linear` into a layer (`conv` or `upconv`); a pool makes a `pool` layer per part; a conv that reads
a concat gets a `concat` layer of its parts first; the conv the forward returns, without ReLU, is the `head`.
Everything else is refused with the node, its op and module path, and what the hardware has instead. The result
is checked: the imported model's output equals the original module's on random images (`verify`).
"""
from __future__ import annotations

import copy
import math
import keyword
import re
from dataclasses import dataclass, field

import torch
from torch import nn

from golden.errors import InputError
from golden.importer.graph import FX_OUTPUT, SHAPE_HINTS, SUPPORTED, Op, TraceFailed, export_ops, fx_ops
from golden.model.unet import INPUT, TASKS, Layer, UNet
from golden.model.unet import Op as LayerOp  # the float U-Net's ops (Op here is a traced graph node)

# names the generated C++ / SystemVerilog / Python could trip on
RESERVED = set(keyword.kwlist) | {
    "input", "output", "inout", "module", "wire", "reg", "logic", "int", "bit", "byte", "class", "float", "double",
    "char", "long", "short", "signed", "unsigned", "void", "bool", "const", "static", "struct", "union", "enum",
    "typedef", "begin", "end", "assign", "always", "initial", "parameter", "localparam", "function", "task",
    "generate", "genvar", "case", "default", "switch", "register", "auto", "new", "delete", "this", "template",
    "typename", "namespace", "using", "public", "private", "protected", "virtual", "operator", "friend", "string",
    "time", "real", "event", "do", "goto", "inline", "and", "or", "not", "xor", "buf", "main", "config"}


class UnsupportedModel(InputError):
    """A model the hardware cannot run: the message names the graph node, its op and module path (`op`)."""

    def __init__(self, message: str, op: Op | None = None):
        super().__init__(message)
        self.op = op


@dataclass
class Image:
    pass


@dataclass
class Static:
    pass


@dataclass
class Linear:
    kind: str                     # LayerOp.CONV or LayerOp.UPCONV
    sources: tuple[str, ...]      # layer names (or INPUT)
    weight: torch.Tensor          # float64, torch layout
    bias: torch.Tensor
    op: Op
    folded: list[str] = field(default_factory=list)   # BatchNorm2d folded into it (module paths)
    layer: str | None = None      # the layer its ReLU made (one layer however often it is activated)


@dataclass
class Spikes:
    names: tuple[str, ...]


@dataclass
class PendingCat:
    parts: list                   # Spikes and Linear values, in the order written: a ReLU makes it Spikes


@dataclass
class Residual:
    head: Linear                  # the output conv of `image - head` (sign -1) or `image + head` (sign +1)
    sign: int
    op: Op


@dataclass
class Imported:
    """The imported model and how it was read."""
    model: UNet                  # float64, eval mode
    table: list[dict]            # one row per layer: name, kind, op, module, node, channels, kernel, sources, folded
    task: str
    tracer: str                  # "torch.fx" or "torch.export"
    max_abs_diff: float | None = None
    max_abs_output: float | None = None
    residual: bool = False       # the module returns image - noise map; the checkpoint's output is the noise map


def _pair(v, what: str) -> tuple[int, int]:
    if isinstance(v, int):
        return (v, v)
    v = tuple(v)
    if len(v) == 1:
        return (int(v[0]), int(v[0]))
    if len(v) != 2:
        raise ValueError(what)
    return (int(v[0]), int(v[1]))


class GraphBuilder:
    def __init__(self, in_channels: int):
        self.in_channels = in_channels
        self.values: dict[str, object] = {}
        self.specs: list[Layer] = []
        self.params: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
        self.channels: dict[str, int] = {INPUT: in_channels}
        self.rows: list[dict] = []
        self.pooled: dict[str, str] = {}      # source layer -> its pool layer
        self.input_layer: str | None = None
        self.residual = False
        self.convs: dict[tuple, Linear] = {}  # (id of weight, of bias, input) -> its Linear (the module holds both)

    # ---------------------------------------------------------------- helpers
    def refuse(self, op: Op, why: str, instead: str = SUPPORTED) -> UnsupportedModel:
        return UnsupportedModel(f"{op.where()}: {why}; {instead}", op)

    def new_name(self, base: str) -> str:
        name = re.sub(r"\W", "_", base).strip("_") or "layer"
        if name[0].isdigit():
            name = "l_" + name
        if name.lower() in RESERVED:
            name += "_l"
        taken = {l.name for l in self.specs} | {INPUT}
        out, i = name, 2
        while out in taken:
            out, i = f"{name}_{i}", i + 1
        return out

    def describe_value(self, v) -> str:
        if isinstance(v, PendingCat):
            return "a concat holding " + ", ".join(self.describe_value(x) for x in v.parts if isinstance(x, Linear))
        if isinstance(v, Residual):
            return "the image minus (or plus) a conv"
        return {Image: "the image", Static: "a fixed (non-tensor) value"}.get(type(v)) or (
            f"the {'transposed ' if v.kind == LayerOp.UPCONV else ''}conv at node {v.op.name} before any ReLU"
            if isinstance(v, Linear) else f"layer(s) {', '.join(v.names)}")

    def add_layer(self, kind: str, name: str, sources: tuple[str, ...], out_ch: int, kernel: int, op: Op,
                  weight=None, bias=None, folded=()) -> str:
        in_ch = sum(self.channels[s] for s in sources)
        shown = list(sources)
        if len(sources) > 1:
            if len(sources) > 2:
                raise self.refuse(op, f"reads a concat of {len(sources)} tensors ({', '.join(sources)})",
                                  "the hardware's convs read at most two sources (a U-Net skip: encoder feature and "
                                  "upsampled path)")
            if len(set(sources)) != len(sources):
                raise self.refuse(op, f"concatenates {sources[0]} with itself", "concatenate two different layers")
            cat = self.new_name(f"cat_{name}")
            self.specs.append(Layer(cat, LayerOp.CONCAT, sources, in_ch, in_ch,
                                    parts=tuple(self.channels[s] for s in sources)))
            self.channels[cat] = in_ch
            sources = (cat,)
        self.specs.append(Layer(name, kind, sources, in_ch, out_ch, kernel))
        self.channels[name] = out_ch
        if weight is not None:
            self.params[name] = (weight, bias)
        self.rows.append({"layer": name, "kind": kind, "op": op.target, "module": op.path or "<top>",
                          "node": op.name, "channels": f"{in_ch}->{out_ch}", "kernel": kernel,
                          "sources": shown,
                          "folded": list(folded)})
        return name

    def activate(self, lin: Linear) -> Spikes:
        if lin.layer is None:
            base = lin.op.path if (lin.op.path and lin.op.own_module) else lin.op.name
            lin.layer = self.add_layer(lin.kind, self.new_name(base), lin.sources, int(lin.bias.shape[0]),
                                       int(lin.weight.shape[-1]), lin.op, lin.weight, lin.bias, lin.folded)
        return Spikes((lin.layer,))

    # ---------------------------------------------------------------- ops
    def run(self, ops: list[Op]) -> None:
        live = _live(ops)
        for op in ops:
            if op.name not in live:
                continue
            handler = getattr(self, f"op_{op.op}")
            result = handler(op, [self.values[i] for i in op.inputs])
            if result is not None:
                self.values[op.name] = result

    def op_input(self, op, ins):
        return Image()

    def op_static(self, op, ins):
        return Static()

    def op_identity(self, op, ins):
        return ins[0]

    def op_unsupported(self, op, ins):
        raise self.refuse(op, "not supported by the Spiking-UNet hardware", op.attrs.get("hint", SUPPORTED))

    def op_relu(self, op, ins):
        (x,) = ins
        if isinstance(x, Linear):
            out = self.activate(x)
        elif isinstance(x, PendingCat):  # relu(cat(a, b)) = cat(relu(a), relu(b))
            out = Spikes(tuple(n for part in x.parts
                               for n in (self.activate(part) if isinstance(part, Linear) else part).names))
        elif isinstance(x, (Spikes, Image)):
            out = x  # a ReLU of spikes, a pool's or concat's output or the image (>= 0) changes nothing
        else:
            raise self.refuse(op, f"a ReLU of {self.describe_value(x)}")
        if op.attrs.get("inplace"):
            self.values[op.inputs[0]] = out  # later readers of the same node see the activated tensor
        return out

    def _conv_checks(self, op, transposed: bool) -> tuple[torch.Tensor, torch.Tensor, int]:
        a = op.attrs
        w = a["weight"]
        if not isinstance(w, torch.Tensor) or w.dim() != 4:
            raise self.refuse(op, "a conv whose weight is not a 4-D parameter")
        kh, kw = int(w.shape[2]), int(w.shape[3])
        try:
            stride, dil = _pair(a["stride"], "stride"), _pair(a["dilation"], "dilation")
            pad = a["padding"] if isinstance(a["padding"], str) else _pair(a["padding"], "padding")
            opad = _pair(a.get("output_padding", 0), "output_padding")
        except (TypeError, ValueError) as exc:
            raise self.refuse(op, f"{exc} not understood")
        if int(a["groups"]) != 1:
            raise self.refuse(op, f"groups={a['groups']} (grouped / depthwise conv)", "only groups=1 convs")
        if dil != (1, 1):
            raise self.refuse(op, f"dilation {dil}", "only dilation 1")
        if a.get("padding_mode", "zeros") != "zeros":
            raise self.refuse(op, f"padding_mode={a['padding_mode']!r}", "the hardware pads with zeros")
        if transposed:
            if (kh, kw, stride, pad, opad) != (3, 3, (2, 2), (1, 1), (1, 1)):
                raise self.refuse(op, f"ConvTranspose2d with kernel {(kh, kw)}, stride {stride}, padding {pad}, "
                                      f"output_padding {opad}",
                                  "the hardware upsamples by ConvTranspose2d(kernel_size=3, stride=2, padding=1, "
                                  "output_padding=1) + ReLU")
            out_ch = int(w.shape[1])
        else:
            if stride != (1, 1):
                raise self.refuse(op, f"a strided conv (stride {stride})",
                                  "convs have stride 1; downsample with AvgPool2d(2)")
            ok = {(3, 3): ((1, 1), "same"), (1, 1): ((0, 0), "same", "valid")}
            if (kh, kw) not in ok or pad not in ok[(kh, kw)]:
                raise self.refuse(op, f"a conv with kernel {(kh, kw)} and padding {pad}",
                                  "convs are 3x3 with padding 1 or 1x1 with padding 0, stride 1")
            out_ch = int(w.shape[0])
        b = a["bias"]
        bias = torch.zeros(out_ch, dtype=torch.float64) if b is None else b.detach().to(torch.float64).clone()
        return w.detach().to(torch.float64).clone(), bias, kh

    def op_conv2d(self, op, ins):
        (x,) = ins
        w, b, _ = self._conv_checks(op, transposed=False)
        key = (id(op.attrs["weight"]), id(op.attrs["bias"]), tuple(getattr(x, "names", (type(x).__name__,))))
        if key in self.convs:  # the same conv applied to the same tensor again: one layer
            return self.convs[key]
        lin = self._conv_linear(op, x, w, b)
        self.convs[key] = lin
        return lin

    def _conv_linear(self, op, x, w, b) -> Linear:
        if isinstance(x, Image):
            if self.input_layer is not None and self.input_layer != op.name:
                raise self.refuse(op, f"a second conv reads the image (the first is node {self.input_layer})",
                                  "the image is coded into one input conv, whose spikes every later layer reads")
            self.input_layer = op.name
            sources = (INPUT,)
        elif isinstance(x, Spikes):
            sources = x.names
        else:
            raise self.refuse(op, f"a conv reading {self.describe_value(x)}",
                              "every conv but the output has a ReLU (the MT-IF neuron) after it (or after its "
                              "BatchNorm2d)")
        cin = sum(self.channels[s] for s in sources)
        if int(w.shape[1]) != cin:
            raise self.refuse(op, f"the weight takes {int(w.shape[1])} input channels, its input has {cin}",
                              "check the model's channel counts")
        return Linear(LayerOp.CONV, sources, w, b, op)

    def op_conv_transpose2d(self, op, ins):
        (x,) = ins
        w, b, _ = self._conv_checks(op, transposed=True)
        if not isinstance(x, Spikes) or len(x.names) != 1:
            raise self.refuse(op, f"a ConvTranspose2d reading {self.describe_value(x)}",
                              "a ConvTranspose2d reads one layer with a neuron (not the image, not a concat)")
        if int(w.shape[0]) != self.channels[x.names[0]]:
            raise self.refuse(op, f"the weight takes {int(w.shape[0])} input channels, its input has "
                                  f"{self.channels[x.names[0]]}", "check the model's channel counts")
        return Linear(LayerOp.UPCONV, x.names, w, b, op)

    def op_batch_norm(self, op, ins):
        (x,) = ins
        a = op.attrs
        if not isinstance(x, Linear):
            raise self.refuse(op, f"a BatchNorm2d after {self.describe_value(x)}",
                              "a BatchNorm2d is folded only directly after a Conv2d / ConvTranspose2d")
        if a["training"]:
            raise self.refuse(op, "a BatchNorm2d without running statistics (or in training mode) normalises by "
                                  "each batch", "use track_running_stats=True and eval()")
        mean = a["running_mean"].detach().to(torch.float64)
        inv = torch.rsqrt(a["running_var"].detach().to(torch.float64) + a["eps"])
        gamma = torch.ones_like(mean) if a["weight"] is None else a["weight"].detach().to(torch.float64)
        beta = torch.zeros_like(mean) if a["bias"] is None else a["bias"].detach().to(torch.float64)
        scale = gamma * inv
        if scale.numel() != x.bias.numel():
            raise self.refuse(op, f"a BatchNorm2d of {scale.numel()} channels after a conv of {x.bias.numel()}",
                              "check the model's channel counts")
        shape = (-1, 1, 1, 1) if x.kind == LayerOp.CONV else (1, -1, 1, 1)  # ConvTranspose2d: [in][out][k][k]
        return Linear(x.kind, x.sources, x.weight * scale.view(shape), (x.bias - mean) * scale + beta, x.op,
                      x.folded + [op.path or op.name])

    def op_avg_pool2d(self, op, ins):
        (x,) = ins
        a = op.attrs
        try:
            k = _pair(a["kernel_size"], "kernel_size")
            s = k if a["stride"] in (None, [], ()) else _pair(a["stride"], "stride")
            p = _pair(a["padding"], "padding")
        except (TypeError, ValueError) as exc:
            raise self.refuse(op, f"{exc} not understood")
        if k != (2, 2) or s != (2, 2) or p != (0, 0) or a.get("divisor_override") not in (None, 4):
            raise self.refuse(op, f"an average pool with kernel {k}, stride {s}, padding {p}",
                              "the hardware pools by AvgPool2d(2) (kernel 2, stride 2, no padding)")
        if not isinstance(x, Spikes):
            raise self.refuse(op, f"an average pool of {self.describe_value(x)}",
                              "pool the output of a ReLU (a layer with a neuron); the first layer is a conv")
        names = []
        for src in x.names:  # a pool of a concat is the concat of the pools
            if src not in self.pooled:
                base = op.path if (op.path and op.own_module) else op.name
                self.pooled[src] = self.add_layer(LayerOp.POOL, self.new_name(base if len(x.names) == 1 else
                                                                        f"{base}_{src}"),
                                                  (src,), self.channels[src], 0, op)
            names.append(self.pooled[src])
        return Spikes(tuple(names))

    def op_cat(self, op, ins):
        dim = op.attrs["dim"]
        if dim not in (1, -3):
            raise self.refuse(op, f"torch.cat on dim {dim}", "concatenate on the channel axis (dim=1)")
        if len(ins) != op.attrs.get("parts", len(ins)):
            raise self.refuse(op, "concatenates a value that is not a traced tensor")
        parts = []
        for v in ins:
            if isinstance(v, PendingCat):
                parts.extend(v.parts)
            elif isinstance(v, (Spikes, Linear)):
                parts.append(v)
            else:
                raise self.refuse(op, f"concatenates {self.describe_value(v)}",
                                  "concatenate outputs of ReLUs (layers with a neuron), e.g. the encoder feature and "
                                  "the ReLU of the ConvTranspose2d")
        if any(isinstance(v, Linear) for v in parts):
            return PendingCat(parts)  # only a ReLU may read it
        return Spikes(tuple(n for v in parts for n in v.names))

    def _residual(self, op, ins, sign: int):
        a, b = ins
        if sign > 0 and isinstance(b, Image):
            a, b = b, a
        if isinstance(a, Image) and isinstance(b, Linear) and b.kind == LayerOp.CONV:
            return Residual(b, sign, op)
        raise self.refuse(op, f"{'adds' if sign > 0 else 'subtracts'} {self.describe_value(ins[1])} "
                              f"{'to' if sign > 0 else 'from'} {self.describe_value(ins[0])}",
                          "no additions (residual connections): the layers are conv, pool, upconv and concat; only "
                          "a denoiser's `return image - conv(...)` maps (the output is the noise map)")

    def op_add(self, op, ins):
        return self._residual(op, ins, +1)

    def op_sub(self, op, ins):
        return self._residual(op, ins, -1)

    def op_output(self, op, ins):
        if op.attrs.get("count") != 1:
            raise self.refuse(op, f"the forward returns {op.attrs.get('count')} tensors",
                              "the hardware's network returns one tensor, the output conv's; choose a mode that "
                              "returns one with --forward-args")
        (x,) = ins
        if isinstance(x, Residual):  # image - noise: the head is the noise map (negated for image + conv)
            h = x.head
            if x.sign > 0:
                h = Linear(h.kind, h.sources, -h.weight, -h.bias, h.op, h.folded)
            self.residual = True
            x = h
        if isinstance(x, Linear) and x.kind == LayerOp.CONV:
            if len(x.sources) > 1:
                raise self.refuse(x.op, "the output conv reads a concat",
                                  "the output conv reads one layer with a neuron; put a conv + ReLU after the concat")
            self.add_layer(LayerOp.HEAD, self.new_name(x.op.path if (x.op.path and x.op.own_module) else x.op.name),
                           x.sources, int(x.bias.shape[0]), int(x.weight.shape[-1]), x.op, x.weight, x.bias,
                           x.folded)
            return None
        raise self.refuse(op, f"the forward returns {self.describe_value(x)}",
                          "the network ends in a conv without ReLU (the output layer accumulates its input current "
                          "over T: A_T/T are the logits or the noise map)")


def _live(ops: list[Op]) -> set[str]:
    """Ops the output depends on (dead code is ignored), with every in-place ReLU of a live tensor."""
    by_name = {o.name: o for o in ops}
    live: set[str] = set()
    stack = [o.name for o in ops if o.op == FX_OUTPUT]
    while True:
        while stack:
            n = stack.pop()
            if n not in live:
                live.add(n)
                stack.extend(by_name[n].inputs)
        more = [o.name for o in ops if o.op == "relu" and o.attrs.get("inplace") and o.name not in live
                and o.inputs and o.inputs[0] in live]
        if not more:
            return live
        stack = more


def _task(task: str | None, in_channels: int, out_channels: int) -> str:
    if task is None:  # a denoiser returns a noise map of the image's channels
        return "denoising" if out_channels == in_channels else "segmentation"
    if task not in TASKS:
        raise InputError(f"--task must be one of {TASKS}, got {task!r}")
    return task


def concrete_forward_args(module: nn.Module, forward_args: dict | None) -> dict:
    """forward()'s arguments after the image, fixed for the trace: --forward-args, else their defaults; one with
    neither is a second input, which the hardware does not have."""
    import inspect

    forward_args = dict(forward_args or {})
    params = list(inspect.signature(module.forward).parameters.values())[1:]
    concrete = dict(forward_args)
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.name in concrete:
            continue
        if p.default is inspect.Parameter.empty:
            raise UnsupportedModel(f"forward argument {p.name} has no default: the hardware takes one input, the "
                                   f"image; fix the others with --forward-args '{{\"{p.name}\": ...}}'")
        concrete[p.name] = p.default
    unknown = set(forward_args) - {p.name for p in params}
    if unknown and not any(p.kind == p.VAR_KEYWORD for p in params):
        raise InputError(f"--forward-args: forward() has no argument(s) {sorted(unknown)} "
                         f"(it takes {[p.name for p in params]})")
    return concrete


def trace(module: nn.Module, input_shape: tuple[int, int, int], concrete: dict, tracer: str) -> list[Op]:
    """Canonical ops of `module.eval()` by one tracer ("fx" or "export"); TraceFailed if it cannot trace it."""
    if tracer == "fx":
        return fx_ops(module, concrete)
    example = torch.rand((1, *input_shape), dtype=next(iter(module.parameters()), torch.zeros(1)).dtype)
    return export_ops(module, example, concrete)


TRACERS = {"fx": "torch.fx", "export": "torch.export"}


def import_module(module: nn.Module, input_shape, forward_args: dict | None = None, task: str | None = None,
                  tracer: str = "auto", verify_batches: int = 3, seed: int = 0) -> Imported:
    """The float U-Net (float64) of a trained nn.Module built from the supported operations, checked against the
    module on `verify_batches` random batches of 2 images shaped `input_shape` (C, H, W), values in [0, 1).

    tracer "auto": torch.fx first; torch.export if fx cannot trace the forward, or if fx's graph is refused at a
    pad or slice (torch.export resolves those at the given shape: a pad by zeros, a slice of every channel). When
    both refuse, fx's refusal is raised (it names the user's modules), unless fx stopped at such a pad or slice."""
    c, h, w = (int(v) for v in input_shape)
    if min(c, h, w) < 1:
        raise InputError(f"--input-shape must be three positive integers C H W, got {input_shape}")
    module = copy.deepcopy(module).eval()
    concrete = concrete_forward_args(module, forward_args)

    def attempt(name: str) -> Imported:
        return _import(module, (c, h, w), concrete, task, name, verify_batches, seed)

    if tracer != "auto":
        try:
            return attempt(tracer)
        except TraceFailed as exc:
            raise UnsupportedModel(f"the model could not be traced ({TRACERS[tracer]}: {exc})") from None
    try:
        return attempt("fx")
    except TraceFailed as fx_failed:
        try:
            return attempt("export")
        except TraceFailed as exc:
            raise UnsupportedModel(f"the model could not be traced (torch.fx: {fx_failed}; torch.export: {exc})"
                                   ) from None
    except UnsupportedModel as first:
        try:
            return attempt("export")
        except TraceFailed:
            raise first from None
        except InputError as second:
            at_shape_op = first.op is not None and first.op.attrs.get("hint") in SHAPE_HINTS
            raise (second if at_shape_op else first) from None


def _import(module, shape, concrete, task, tracer, verify_batches, seed) -> Imported:
    c, h, w = shape
    ops = trace(module, (c, h, w), concrete, tracer)
    g = GraphBuilder(c)
    g.run(ops)
    if not g.specs or g.specs[-1].kind != LayerOp.HEAD:
        raise UnsupportedModel("the traced graph has no output conv")
    if g.residual:
        if task not in (None, "denoising"):
            raise UnsupportedModel(f"the forward returns image - conv (a residual denoiser), not a {task} output")
        task = "denoising"
    try:
        model = UNet.from_specs(g.specs, _task(task, c, g.specs[-1].out_channels))
    except InputError:
        raise
    except ValueError as exc:
        raise UnsupportedModel(f"the imported graph: {exc}") from None
    model = model.double()
    state = model.state_dict()
    for name, (wt, b) in g.params.items():
        state[f"layers.{name}.weight"], state[f"layers.{name}.bias"] = wt, b
    for key, value in state.items():
        if not bool(torch.isfinite(value).all()):
            raise UnsupportedModel(f"field {key} of the imported network holds NaN or Inf (a folded batch norm "
                                   "with a zero variance, or a NaN weight)")
    model.load_state_dict(state)
    model.eval()
    out = Imported(model, g.rows, model.task, TRACERS[tracer], residual=g.residual)
    if verify_batches:
        if h % model.multiple or w % model.multiple:
            raise InputError(f"--input-shape {h} {w}: height and width must be multiples of 2^depth = "
                             f"{model.multiple} (the model pools {model.depth} times)")
        out.max_abs_diff, out.max_abs_output = verify(module, model, (c, h, w), concrete, verify_batches, seed,
                                                      residual=g.residual)
    return out


def single_tensor(obj):
    """The one tensor of a forward's result (a tensor, or a list / tuple / dict holding exactly one)."""
    found = []

    def walk(o):
        if isinstance(o, torch.Tensor):
            found.append(o)
        elif isinstance(o, (list, tuple)):
            for v in o:
                walk(v)
        elif isinstance(o, dict):
            for v in o.values():
                walk(v)
    walk(obj)
    return found[0] if len(found) == 1 else obj


def verify(original: nn.Module, model: UNet, input_shape, forward_args=None, batches: int = 3, seed: int = 0,
           rtol: float = 1e-9, residual: bool = False) -> tuple[float, float]:
    """Max |original(x) - imported(x)| and max |original(x)| over random batches, both in float64 (`residual`:
    the module returns x - noise, compared with x - imported(x)); raises if the difference is beyond float64
    rounding (`rtol` of the output's scale)."""
    ref_module = copy.deepcopy(original).double().eval()
    gen = torch.Generator().manual_seed(seed)
    diff = scale = 0.0
    with torch.no_grad():
        for _ in range(batches):
            x = torch.rand((2, *input_shape), generator=gen, dtype=torch.float64)
            ref = single_tensor(ref_module(x, **(forward_args or {})))
            got = x - model(x) if residual else model(x)
            if not isinstance(ref, torch.Tensor) or ref.shape != got.shape:
                raise UnsupportedModel(f"the model's output {getattr(ref, 'shape', type(ref).__name__)} is not the "
                                       f"imported network's {tuple(got.shape)}")
            for what, out in (("the module's", ref), ("the imported network's", got)):
                if not bool(torch.isfinite(out).all()):  # max() is blind to NaN: refuse it before comparing
                    raise UnsupportedModel(f"{what} output holds NaN or Inf on random images in [0, 1) (a NaN or "
                                           "Inf weight, or a division by zero in the forward)")
            d = float((ref - got).abs().max())
            diff = d if math.isnan(d) else max(diff, d)  # NaN-aware: a NaN difference is never "equal"
            scale = max(scale, float(ref.abs().max()))
    if not diff <= rtol * max(1.0, scale):
        raise UnsupportedModel(f"the imported network differs from the module by {diff:.3g} (output scale "
                               f"{scale:.3g}): the forward does something the trace did not show (Python-side "
                               "state, randomness)")
    return diff, scale
