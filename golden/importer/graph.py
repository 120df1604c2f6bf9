"""Frontends of the importer: a traced PyTorch graph as a list of canonical `Op`s.

Two tracers give the same ops: `torch.fx` symbolic tracing (`fx_ops`, tried first: it keeps the user's module
paths and `nn` module types) and `torch.export` (`export_ops`, ATen ops, for a forward that fx cannot trace, e.g.
control flow on a tensor's shape). Each op names its graph node, what the user wrote (`nn.Conv2d`, `F.relu`,
`aten.max_pool2d.default`) and the module path it sits in, so a refusal can say exactly where it is.

Canonical ops (`Op.op`):

| op               | inputs            | attrs |
|------------------|-------------------|-------|
| input            | -                 | the image |
| static           | -                 | a value that is not a tensor (a fixed forward argument, a shape, an assert) |
| conv2d           | x                 | weight, bias, stride, padding, dilation, groups, padding_mode |
| conv_transpose2d | x                 | as conv2d + output_padding |
| relu             | x                 | inplace |
| avg_pool2d       | x                 | kernel_size, stride, padding, ceil_mode, divisor_override |
| cat              | x0, x1, ...       | dim |
| batch_norm       | x                 | running_mean, running_var, weight, bias, eps, training |
| identity         | x                 | (Dropout, Identity, .contiguous(), .to(device), ...) |
| add, sub         | a, b              | two tensors (only `image - output conv` maps: a residual denoiser) |
| output           | x (or several)    | count: how many tensors the forward returns |
| unsupported      | tensor inputs     | hint: what the hardware supports instead |
"""
from __future__ import annotations

import inspect
import operator
from dataclasses import dataclass, field

import torch
import torch.fx
import torch.nn.functional as F
from torch import nn

FX_OUTPUT = "output"  # torch.fx's op of the graph's result node (not golden.kinds' output layer)
SUPPORTED = ("supported: Conv2d 3x3/padding 1 or 1x1 (stride 1), ReLU, AvgPool2d(2), "
             "ConvTranspose2d(3, stride 2, padding 1, output_padding 1), torch.cat on channels, BatchNorm2d after a "
             "conv, Dropout/Identity")

# why an op is refused, by a word in its name: what the hardware has instead
HINTS = (
    (("max_pool", "maxpool", "adaptive", "lppool", "lp_pool", "fractional"),
     "pool with AvgPool2d(2) (the Spiking-UNet's pooling)"),
    (("interpolate", "upsample", "pixel_shuffle", "pixelshuffle", "grid_sample"),
     "upsample with ConvTranspose2d(kernel_size=3, stride=2, padding=1, output_padding=1) + ReLU"),
    (("sigmoid", "softmax", "tanh", "log_softmax", "logsoftmax", "softmin"),
     "the output layer is a conv without activation (the hardware returns A_T/T, the logits): apply it after "
     "the network"),
    (("leaky_relu", "leakyrelu", "gelu", "silu", "elu", "selu", "relu6", "prelu", "hardtanh", "hardswish",
      "hardsigmoid", "mish", "softplus", "celu", "rrelu", "glu", "threshold"),
     "ReLU is the activation the MT-IF neuron replaces"),
    (("layer_norm", "layernorm", "group_norm", "groupnorm", "instance_norm", "instancenorm", "local_response"),
     "only a BatchNorm2d directly after a conv is folded into its weights"),
    (("add", "sub", "mul", "div", "matmul", "bmm", "einsum", "linear", "baddbmm", "addmm", "attention", "mean",
      "sum"),
     "no additions, scalings, fully connected or attention layers: the layers are conv, pool, upconv and concat"),
    (("getitem", "slice", "select", "narrow", "split", "chunk", "view", "reshape", "permute", "flatten",
      "transpose", "squeeze", "unsqueeze", "expand", "repeat", "index", "stack", "flip", "roll"),
     "no slicing or reshaping of feature maps: a layer reads whole feature maps"),
    (("pad",), "no padding beyond a conv's own zero padding (padding=1 of a 3x3)"),
)
# the hints of ops that may only look unsupported to fx (a pad by zeros, a slice of everything at a given shape)
SHAPE_HINTS = tuple(h for words, h in HINTS if "pad" in words or "slice" in words)


def hint_for(target: str) -> str:
    low = target.lower()
    for words, hint in HINTS:
        if any(w in low for w in words):
            return hint
    return SUPPORTED


@dataclass
class Op:
    name: str                   # graph node
    op: str                     # canonical op (module docstring)
    inputs: tuple[str, ...]     # graph nodes of its tensor inputs
    target: str                 # what the model wrote, as printed
    path: str                   # module path ("" for the top module)
    attrs: dict = field(default_factory=dict)
    own_module: bool = False    # `path` is the nn module that is this op (an nn.Conv2d), not one around it

    def where(self) -> str:
        return f"node {self.name} (op {self.target}, module {self.path or '<top>'})"


class TraceFailed(Exception):
    """The tracer could not run the forward symbolically; the message says why."""


# ------------------------------------------------------------------------------------------- signatures
# Python stubs of the functions we map, to bind a call's args/kwargs by name (F.dropout's training defaults to
# True, as in torch).

def _relu(input, inplace=False): ...
def _avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                divisor_override=None): ...
def _cat(tensors, dim=0, axis=None, out=None): ...
def _conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1): ...
def _conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1): ...
def _batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
                eps=1e-5): ...
def _dropout(input, p=0.5, training=True, inplace=False): ...


def _add(input, other, alpha=1, out=None): ...


FUNCTIONS = {
    operator.add: ("add", _add), operator.iadd: ("add", _add), torch.add: ("add", _add),
    operator.sub: ("sub", _add), operator.isub: ("sub", _add), torch.sub: ("sub", _add),
    F.relu: ("relu", _relu), torch.relu: ("relu", _relu), torch.relu_: ("relu_", _relu), F.relu_: ("relu_", _relu),
    F.avg_pool2d: ("avg_pool2d", _avg_pool2d),
    torch.cat: ("cat", _cat), torch.concat: ("cat", _cat), torch.concatenate: ("cat", _cat),
    F.conv2d: ("conv2d", _conv2d), F.conv_transpose2d: ("conv_transpose2d", _conv_transpose2d),
    F.batch_norm: ("batch_norm", _batch_norm),
    F.dropout: ("dropout", _dropout), F.dropout2d: ("dropout", _dropout), F.dropout1d: ("dropout", _dropout),
    F.alpha_dropout: ("dropout", _dropout), F.feature_alpha_dropout: ("dropout", _dropout),
}
DROPOUTS = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout, nn.FeatureAlphaDropout)
STATIC_FUNCTIONS = {torch._assert, getattr(torch, "_assert_async", None)}
IDENTITY_METHODS = {"contiguous", "clone", "detach", "requires_grad_"}
DEVICE_METHODS = {"to", "cuda", "cpu"}
RELU_METHODS = {"relu": False, "relu_": True}
SHAPE_ATTRS = ("shape", "dtype", "device", "ndim", "is_cuda", "requires_grad")


def _bind(stub, args, kwargs) -> dict:
    bound = inspect.signature(stub).bind(*args, **kwargs)
    bound.apply_defaults()
    return dict(bound.arguments)


def _name(target) -> str:
    if isinstance(target, str):
        return target
    mod = getattr(target, "__module__", "") or ""
    name = getattr(target, "__name__", repr(target))
    if getattr(F, name, None) is target:
        return f"F.{name}"
    if getattr(torch, name, None) is target:
        return f"torch.{name}"
    if mod in ("_operator", "operator"):
        return f"operator.{name}"
    return f"torch.{name}" if "torch" in mod or mod == "" else f"{mod}.{name}"


def _module_name(mod: nn.Module) -> str:
    t = type(mod)
    return f"nn.{t.__name__}" if t.__module__.startswith("torch.nn") else f"{t.__module__}.{t.__qualname__}"


# ------------------------------------------------------------------------------------------- graph arguments

def _nodes(a):
    """The graph nodes in a call's argument (nested lists, tuples and dicts)."""
    if isinstance(a, (list, tuple)):
        for x in a:
            yield from _nodes(x)
    elif isinstance(a, dict):
        for x in a.values():
            yield from _nodes(x)
    elif isinstance(a, torch.fx.Node):
        yield a


def _constants(a, kind: dict, consts: dict):
    """`a` with the nodes that are constants (get_attr, lifted parameters) replaced by their values."""
    if isinstance(a, torch.fx.Node):
        return consts[a.name] if kind.get(a.name) == "const" else a
    if isinstance(a, (list, tuple)):
        return type(a)(_constants(x, kind, consts) for x in a)
    if isinstance(a, dict):
        return {k: _constants(v, kind, consts) for k, v in a.items()}
    return a


# ------------------------------------------------------------------------------------------- torch.fx

def fx_ops(module: nn.Module, concrete_args: dict) -> list[Op]:
    """The module (in eval mode) traced by torch.fx, as canonical ops. Raises TraceFailed if fx cannot trace it."""
    import torch.fx as fx

    try:
        gm = fx.symbolic_trace(module, concrete_args=concrete_args or None)
    except Exception as exc:  # fx raises TraceError, TypeError, NotImplementedError, ...
        raise TraceFailed(f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}")
    kind: dict[str, str] = {}  # node -> "tensor" | "static" | "const"
    consts: dict[str, object] = {}
    ops: list[Op] = []
    first = True

    def path_of(node) -> str:
        stack = node.meta.get("nn_module_stack") or {}
        if node.op == "call_module":
            return str(node.target)
        if stack:
            last = list(stack.values())[-1]
            return str(last[0] if isinstance(last, tuple) else last)
        return ""

    def value(a):
        return _constants(a, kind, consts)

    def flat(a):
        return _nodes(a)

    def tensor_inputs(node) -> tuple[str, ...]:
        return tuple(n.name for n in flat((node.args, node.kwargs)) if kind.get(n.name) == "tensor")

    for node in gm.graph.nodes:
        n = node.name
        if node.op == "placeholder":
            if first:
                ops.append(Op(n, "input", (), "input", ""))
                kind[n], first = "tensor", False
            else:
                ops.append(Op(n, "static", (), f"argument {node.target}", ""))
                kind[n] = "static"
            continue
        if node.op == "get_attr":
            obj = gm
            for part in str(node.target).split("."):
                obj = getattr(obj, part)
            consts[n], kind[n] = obj, "const"
            continue
        if node.op == FX_OUTPUT:
            outs = [x for x in flat(node.args) if kind.get(x.name) == "tensor"]
            ops.append(Op(n, "output", tuple(x.name for x in outs), "return", "",
                          {"count": len(outs), "nested": not isinstance(node.args[0], fx.Node)}))
            continue
        ins = tensor_inputs(node)
        if not ins:  # shapes, asserts, arithmetic on fixed arguments: no tensor flows through it
            kind[n] = "static"
            ops.append(Op(n, "static", (), _name(node.target), path_of(node)))
            continue
        kind[n] = "tensor"
        path = path_of(node)
        if node.op == "call_function" and node.target is getattr and node.args[1] in SHAPE_ATTRS:
            kind[n] = "static"  # y.shape, y.dtype: not a tensor
            ops.append(Op(n, "static", (), f".{node.args[1]}", path))
        elif node.op == "call_module":
            ops.append(_module_op(n, gm.get_submodule(str(node.target)), ins, path))
            ops[-1].own_module = True
        elif node.op == "call_function":
            ops.append(_function_op(n, node.target, value(node.args), value(node.kwargs), ins, path))
        elif node.op == "call_method":
            m = str(node.target)
            if m in ("size", "dim", "numel", "shape"):
                kind[n] = "static"
                ops.append(Op(n, "static", (), f".{m}()", path))
            elif m in RELU_METHODS:
                ops.append(Op(n, "relu", ins[:1], f".{m}()", path, {"inplace": RELU_METHODS[m]}))
            elif m in ("add", "sub") and len(ins) == 2 and not node.kwargs:
                ops.append(Op(n, m, ins, f".{m}()", path))
            elif m in IDENTITY_METHODS:
                ops.append(Op(n, "identity", ins[:1], f".{m}()", path))
            elif m in DEVICE_METHODS and _device_only(value(node.args[1:]), value(node.kwargs)):
                ops.append(Op(n, "identity", ins[:1], f".{m}()", path))
            else:
                ops.append(Op(n, "unsupported", ins, f".{m}()", path, {"hint": hint_for(m)}))
        else:
            ops.append(Op(n, "unsupported", ins, str(node.target), path, {"hint": SUPPORTED}))
    return ops


def _device_only(args, kwargs) -> bool:
    """`.to(...)` / `.cuda()` that only moves the tensor (a device, non_blocking, copy): a no-op here."""
    if any(k not in ("device", "non_blocking", "copy", "memory_format") for k in kwargs):
        return False
    for a in list(args) + ([kwargs["device"]] if "device" in kwargs else []):
        if isinstance(a, (torch.device, bool, int)):
            continue
        if isinstance(a, str) and a.split(":")[0] in ("cpu", "cuda", "mps", "xpu", "meta"):
            continue
        return False
    return True


def _module_op(n: str, mod: nn.Module, ins, path: str) -> Op:
    t, tname = type(mod), _module_name(mod)
    if t is nn.Conv2d:
        return Op(n, "conv2d", ins[:1], tname, path, _conv_attrs(mod))
    if t is nn.ConvTranspose2d:
        return Op(n, "conv_transpose2d", ins[:1], tname, path,
                  {**_conv_attrs(mod), "output_padding": tuple(mod.output_padding)})
    if t is nn.ReLU:
        return Op(n, "relu", ins[:1], tname, path, {"inplace": bool(mod.inplace)})
    if t is nn.AvgPool2d:
        return Op(n, "avg_pool2d", ins[:1], tname, path,
                  {"kernel_size": mod.kernel_size, "stride": mod.stride, "padding": mod.padding,
                   "ceil_mode": mod.ceil_mode, "divisor_override": mod.divisor_override})
    if t is nn.BatchNorm2d:
        track = mod.running_mean is not None and mod.running_var is not None
        return Op(n, "batch_norm", ins[:1], tname, path,
                  {"running_mean": mod.running_mean, "running_var": mod.running_var,
                   "weight": mod.weight if mod.affine else None, "bias": mod.bias if mod.affine else None,
                   "eps": float(mod.eps), "training": mod.training or not track})
    if t is nn.Identity or isinstance(mod, DROPOUTS):
        return Op(n, "identity", ins[:1], tname, path)
    return Op(n, "unsupported", ins, tname, path, {"hint": hint_for(t.__name__)})


def _conv_attrs(mod) -> dict:
    return {"weight": mod.weight, "bias": mod.bias, "stride": tuple(mod.stride), "padding": mod.padding,
            "dilation": tuple(mod.dilation), "groups": int(mod.groups), "padding_mode": mod.padding_mode}


def _function_op(n: str, target, args, kwargs, ins, path: str) -> Op:
    tname = _name(target)
    if target in STATIC_FUNCTIONS:
        return Op(n, "static", (), tname, path)
    if target not in FUNCTIONS:
        return Op(n, "unsupported", ins, tname, path, {"hint": hint_for(tname)})
    canon, stub = FUNCTIONS[target]
    try:
        a = _bind(stub, args, kwargs)
    except TypeError as exc:
        return Op(n, "unsupported", ins, tname, path, {"hint": f"arguments not understood ({exc})"})
    if canon == "cat" and a["axis"] is not None:
        a["dim"] = a["axis"]
    return call_op(n, canon, a, ins, tname, path)


def call_op(n: str, canon: str, a: dict, ins, tname: str, path: str) -> Op:
    """The canonical op of a call whose arguments `a` are bound by name (the Python stubs' names; export_ops
    renames ATen's to these)."""
    x = ins[:1]
    if canon in ("add", "sub"):
        if len(ins) != 2 or a.get("alpha", 1) != 1:
            return Op(n, "unsupported", ins, tname, path, {"hint": hint_for(tname)})
        return Op(n, canon, ins, tname, path)
    if canon in ("relu", "relu_"):
        return Op(n, "relu", x, tname, path, {"inplace": canon == "relu_" or bool(a.get("inplace"))})
    if canon == "identity":
        return Op(n, "identity", x, tname, path)
    if canon == "avg_pool2d":
        return Op(n, "avg_pool2d", x, tname, path,
                  {k: a[k] for k in ("kernel_size", "stride", "padding", "ceil_mode", "divisor_override")})
    if canon == "cat":
        return Op(n, "cat", ins, tname, path, {"dim": a["dim"], "parts": len(a["tensors"])})
    if canon in ("conv2d", "conv_transpose2d"):
        attrs = {k: a[k] for k in ("weight", "bias", "stride", "padding", "dilation", "groups")}
        attrs["padding_mode"] = "zeros"
        if canon == "conv_transpose2d":
            attrs["output_padding"] = a["output_padding"]
        if not isinstance(a["weight"], torch.Tensor) or not (a["bias"] is None or isinstance(a["bias"], torch.Tensor)):
            return Op(n, "unsupported", ins, tname, path,
                      {"hint": "the weight and bias must be parameters of the module, not computed tensors"})
        return Op(n, canon, x, tname, path, attrs)
    if canon == "batch_norm":
        fixed = all(isinstance(a[k], torch.Tensor) or a[k] is None for k in ("running_mean", "running_var",
                                                                             "weight", "bias"))
        if not fixed:
            return Op(n, "unsupported", ins, tname, path, {"hint": "BatchNorm statistics must be buffers"})
        return Op(n, "batch_norm", x, tname, path,
                  {"running_mean": a["running_mean"], "running_var": a["running_var"], "weight": a["weight"],
                   "bias": a["bias"], "eps": float(a["eps"]),
                   "training": bool(a["training"]) or a["running_mean"] is None})
    if canon == "dropout":
        if a["training"] is True:
            return Op(n, "unsupported", ins, tname, path,
                      {"hint": "dropout with training=True drops at inference too: pass training=self.training"})
        return Op(n, "identity", x, tname, path)
    raise AssertionError(canon)


# ------------------------------------------------------------------------------------------- torch.export

ATEN = {
    "aten.conv2d": "conv2d", "aten.convolution": "convolution", "aten.conv_transpose2d": "conv_transpose2d",
    "aten.relu": "relu", "aten.relu_": "relu_", "aten.avg_pool2d": "avg_pool2d", "aten.cat": "cat",
    "aten.concat": "cat", "aten.concatenate": "cat",
    "aten.batch_norm": "batch_norm", "aten._native_batch_norm_legit_no_training": "batch_norm_tuple",
    "aten.add": "add", "aten.sub": "sub",
    "aten.dropout": "dropout", "aten.feature_dropout": "dropout", "aten.alpha_dropout": "dropout",
    "aten.feature_alpha_dropout": "dropout", "aten.clone": "identity", "aten.alias": "identity", "aten.contiguous": "identity",
    "aten.detach": "identity", "aten.lift_fresh_copy": "identity",
}


def export_ops(module: nn.Module, example: torch.Tensor, kwargs: dict) -> list[Op]:
    """The module traced by torch.export (non-strict) on `example`, as canonical ops (ATen level)."""
    try:
        ep = torch.export.export(module, (example,), kwargs=kwargs or None, strict=False)
    except Exception as exc:
        raise TraceFailed(f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}")
    sig = ep.graph_signature
    state = {**ep.state_dict, **getattr(ep, "constants", {})}
    lifted = {**sig.inputs_to_parameters, **sig.inputs_to_buffers,
              **getattr(sig, "inputs_to_lifted_tensor_constants", {})}
    user = [s.arg.name for s in sig.input_specs if s.kind.name == "USER_INPUT"]
    kind: dict[str, str] = {}
    consts: dict[str, object] = {}
    ops: list[Op] = []
    getitem_of: dict[str, str] = {}

    def value(a):
        return _constants(a, kind, consts)

    def flat(a):
        return _nodes(a)

    for node in ep.graph.nodes:
        n = node.name
        stack = node.meta.get("nn_module_stack") or {}
        path = str(list(stack.values())[-1][0]) if stack else ""
        own = bool(stack) and str(list(stack.values())[-1][1]).startswith("torch.nn.modules.")
        if node.op == "placeholder":
            if n in lifted:
                consts[n], kind[n] = state[lifted[n]], "const"
            elif user and n == user[0]:
                ops.append(Op(n, "input", (), "input", ""))
                kind[n] = "tensor"
            else:
                ops.append(Op(n, "static", (), f"argument {n}", ""))
                kind[n] = "static"
            continue
        if node.op == FX_OUTPUT:
            outs = [x for x in flat(node.args) if kind.get(x.name) == "tensor"]
            res = node.args[0]
            nested = isinstance(res, (list, tuple)) and len(res) != 1
            ops.append(Op(n, "output", tuple(x.name for x in outs), "return", "", {"count": len(outs),
                                                                                    "nested": nested}))
            continue
        ins = tuple(x.name for x in flat((node.args, node.kwargs)) if kind.get(x.name) == "tensor")
        if not ins:
            kind[n] = "static"
            ops.append(Op(n, "static", (), str(node.target), path))
            continue
        kind[n] = "tensor"
        target = node.target
        tname = str(target)
        if target is operator.getitem and node.args[0].name in getitem_of and node.args[1] == 0:
            ops.append(Op(n, "identity", (getitem_of[node.args[0].name],), "getitem", path))
            continue
        key = ".".join(tname.split(".")[:2])
        if key in ("aten.constant_pad_nd", "aten.pad") and all(int(v) == 0 for v in node.args[1]):
            ops.append(Op(n, "identity", ins[:1], tname, path))  # a pad by sizes that are zero at this shape
            continue
        canon = ATEN.get(key)
        if canon is None or not hasattr(target, "_schema"):
            ops.append(Op(n, "unsupported", ins, tname, path, {"hint": hint_for(tname)}))
            continue
        op_name, a = _aten_args(canon, _schema_bind(target, value(node.args), value(node.kwargs)))
        ops.append(call_op(n, op_name, a, ins, tname, path))
        ops[-1].own_module = own
        if canon == "batch_norm_tuple":
            getitem_of[n] = n
    return ops


def _schema_bind(target, args, kwargs) -> dict:
    out = {}
    for i, arg in enumerate(target._schema.arguments):
        if i < len(args):
            out[arg.name] = args[i]
        elif arg.name in kwargs:
            out[arg.name] = kwargs[arg.name]
        else:
            out[arg.name] = arg.default_value if arg.has_default_value() else None
    return out


def _aten_args(canon: str, a: dict) -> tuple[str, dict]:
    """ATen's overload and argument names as the Python stubs name them (call_op's input)."""
    if canon == "convolution":
        canon = "conv_transpose2d" if a["transposed"] else "conv2d"
    if canon == "batch_norm_tuple":  # _native_batch_norm_legit_no_training: eval mode by definition
        canon, a = "batch_norm", {**a, "training": False}
    if canon == "avg_pool2d":
        a = {**a, "stride": a["stride"] or None}
    if canon == "dropout":
        a = {**a, "training": bool(a["train"])}
    return canon, a
