"""`python -m golden import-torch`: a trained PyTorch U-Net (your own .py file and state dict) -> an ANN checkpoint
of this project (.npz) that finetune, convert, eval-*, export-net, sim and csim take.

    python -m golden import-torch --model-file FILE.py --class NAME [--init-args JSON] [--forward-args JSON]
                                  [--state-dict WEIGHTS.pt|.safetensors] --input-shape C H W --out MODEL.npz
                                  [--task segmentation|denoising] [--tracer auto|fx|export]

The class is loaded from the file (which runs it: only import files you trust), built with `--init-args` (a JSON
object of keyword arguments, or a list of positional ones), given the state dict (`torch.load(weights_only=True)`
or safetensors; a checkpoint dict holding it under `state_dict` / `model` / `model_state_dict` and DDP's
`module.` prefix are understood), traced (golden/importer/graph.py) and mapped onto the hardware's layer kinds
(golden/importer/build.py). The imported network's output is compared with the module's on random images of
`--input-shape`; the line `IMPORT ... max_abs_diff=...` gives the difference. Next to MODEL.npz goes
MODEL.import.json and MODEL.import.md: which module became which layer.
"""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from golden.atomic import write_text
from golden.errors import InputError

PREFIXES = ("module.", "model.", "_orig_mod.")
NESTED = ("state_dict", "model_state_dict", "model", "net", "network", "weights")


def add_arguments(p) -> None:
    p.add_argument("--model-file", required=True,
                   help="the .py file that defines the model class; it is imported, which runs its Python code "
                        "with your permissions: only import files you trust")
    p.add_argument("--class", dest="class_name", required=True, help="the nn.Module class in that file")
    p.add_argument("--init-args", default="{}", help="JSON: keyword arguments (object) or positional ones (list) "
                                                     "of the class (default {})")
    p.add_argument("--forward-args", default="{}", help="JSON object: forward()'s arguments other than the image, "
                                                        "fixed for the trace (e.g. a mode string)")
    p.add_argument("--state-dict", help="trained weights: a torch.save'd state dict (.pt/.pth, loaded with "
                                        "weights_only=True) or .safetensors; default the module's own")
    p.add_argument("--input-shape", type=int, nargs=3, required=True, metavar=("C", "H", "W"),
                   help="an input's channels, height and width (H and W multiples of 2^depth): the check's images")
    p.add_argument("--task", choices=("segmentation", "denoising"),
                   help="default: denoising when the output has the image's channels, else segmentation")
    p.add_argument("--tracer", choices=("auto", "fx", "export"), default="auto",
                   help="auto: torch.fx, then torch.export if fx cannot trace the forward")
    p.add_argument("--out", required=True, help="the ANN checkpoint to write (.npz)")


def _json(text: str, option: str, kinds: tuple):
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{option}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(value, kinds):
        raise InputError(f"{option}: must be a JSON {' or '.join(k.__name__.replace('dict', 'object') for k in kinds)}"
                         f", got {type(value).__name__}")
    return value


def load_class(path: Path, name: str):
    """The class `name` defined in the file `path` (the file is executed as a module)."""
    if not path.is_file():
        raise InputError(f"{path}: no such model file")
    spec = importlib.util.spec_from_file_location(f"golden_user_model_{abs(hash(str(path.resolve())))}", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses and pickling look the module up
    try:
        spec.loader.exec_module(mod)
    except SyntaxError as exc:
        raise InputError(f"{path}: line {exc.lineno}: SyntaxError: {exc.msg}") from None
    except Exception as exc:
        raise InputError(f"{path}: importing it raised {type(exc).__name__}: {exc}") from None
    import torch.nn as nn

    cls = getattr(mod, name, None)
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        found = sorted(k for k, v in vars(mod).items() if isinstance(v, type) and issubclass(v, nn.Module)
                       and v.__module__ == mod.__name__)
        raise InputError(f"{path}: field --class {name}: no nn.Module class of that name (classes: "
                         f"{', '.join(found) or 'none'})")
    return cls


def load_state_dict(path: Path) -> tuple[dict, str]:
    """A flat {key: tensor} from a .pt/.pth (weights_only) or .safetensors file, and where in the file it was."""
    import torch

    if not path.is_file():
        raise InputError(f"{path}: no such state dict")
    if path.suffix == ".safetensors":
        try:
            from safetensors.torch import load_file
        except ImportError:
            raise InputError(f"{path}: reading .safetensors needs the safetensors package") from None
        try:
            return dict(load_file(str(path))), "safetensors"
        except Exception as exc:
            raise InputError(f"{path}: not a readable safetensors file ({exc})") from None
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # a pickle of arbitrary objects is refused by weights_only, by design
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: not loadable with torch.load(weights_only=True): {first} (save "
                         "model.state_dict(), not the model object)") from None

    def flat(d):
        return isinstance(d, dict) and d and all(isinstance(k, str) and isinstance(v, torch.Tensor)
                                                 for k, v in d.items())
    if flat(obj):
        return dict(obj), "top level"
    if isinstance(obj, dict):
        for key in NESTED:
            if flat(obj.get(key)):
                return dict(obj[key]), f"field {key}"
    raise InputError(f"{path}: no state dict found (a {{name: tensor}} mapping at the top level or under one of "
                     f"{', '.join(NESTED)})")


def apply_state_dict(module, state: dict, path: Path) -> None:
    """load_state_dict(strict) with errors naming the file and the key; a common wrapper prefix is removed."""
    want = module.state_dict()
    for prefix in PREFIXES:
        if state and all(k.startswith(prefix) for k in state) and not any(k.startswith(prefix) for k in want):
            state = {k[len(prefix):]: v for k, v in state.items()}
    missing = [k for k in want if k not in state]
    unexpected = [k for k in state if k not in want]
    if missing:
        raise InputError(f"{path}: field {missing[0]}: missing (the model has it{f'; {len(missing) - 1} more' if len(missing) > 1 else ''})")
    if unexpected:
        raise InputError(f"{path}: field {unexpected[0]}: not in the model{f' ({len(unexpected) - 1} more)' if len(unexpected) > 1 else ''}")
    for k, ref in want.items():
        if tuple(state[k].shape) != tuple(ref.shape):
            raise InputError(f"{path}: field {k} has shape {tuple(state[k].shape)}, the model needs "
                             f"{tuple(ref.shape)} (check --init-args)")
    module.load_state_dict(state, strict=True)


def check_finite(module, path: Path) -> None:
    """Every floating-point parameter and buffer of the module is finite (a NaN or Inf weight is refused, naming
    the file it came from and the field)."""
    for key, value in module.state_dict().items():
        if value.is_floating_point() and not bool(value.isfinite().all()):
            raise InputError(f"{path}: field {key} holds NaN or Inf")


def write_report(out: Path, result, meta: dict) -> tuple[Path, Path]:
    """MODEL.import.json and MODEL.import.md: the mapping from the module to the hardware's layers."""
    rep = {**meta, "tracer": result.tracer, "task": result.task, "layers": result.table,
           "max_abs_diff": result.max_abs_diff, "max_abs_output": result.max_abs_output, "residual": result.residual,
           "depth": result.model.depth, "multiple": result.model.multiple}
    js, md = out.with_suffix(".import.json"), out.with_suffix(".import.md")
    write_text(js, json.dumps(rep, indent=1) + "\n")
    lines = [f"# Import of {meta['class']} from {meta['model_file']}", "",
             f"Traced with {result.tracer}; task {result.task}; {len(result.table)} layers; inputs: multiples of "
             f"{result.model.multiple}. Output difference to the module on random images: max |diff| = "
             f"{result.max_abs_diff:.3g} (output scale {result.max_abs_output:.3g}).", "",
             "| layer | kind | op | module | channels | kernel | sources | folded |",
             "|---|---|---|---|---|---|---|---|"]
    for r in result.table:
        lines.append(f"| {r['layer']} | {r['kind']} | {r['op']} | {r['module']} | {r['channels']} | "
                     f"{r['kernel'] or ''} | {', '.join(r['sources'])} | {', '.join(r['folded'])} |")
    write_text(md, "\n".join(lines) + "\n")
    return js, md


def run(args) -> int:
    import torch

    from golden.importer.build import import_module  # lazy: `import-torch --help` needs no torch
    from golden.model.checkpoint import save_npz

    model_file = Path(args.model_file)
    init = _json(args.init_args, "--init-args", (dict, list))
    fwd = _json(args.forward_args, "--forward-args", (dict,))
    out = Path(args.out)
    if out.suffix != ".npz":
        raise InputError(f"--out {out}: the checkpoint is an .npz file")
    cls = load_class(model_file, args.class_name)
    torch.manual_seed(0)
    try:
        module = cls(*init) if isinstance(init, list) else cls(**init)
    except Exception as exc:
        raise InputError(f"{model_file}: {args.class_name}(--init-args) raised {type(exc).__name__}: {exc}") from None
    where = "the module's own (no --state-dict)"
    if args.state_dict:
        sd_path = Path(args.state_dict)
        state, where = load_state_dict(sd_path)
        apply_state_dict(module, state, sd_path)
        where = f"{sd_path} ({where})"
    check_finite(module, Path(args.state_dict) if args.state_dict else model_file)
    try:
        result = import_module(module, tuple(args.input_shape), fwd, args.task, args.tracer)
    except InputError as exc:
        raise InputError(f"{model_file}: {exc}") from None
    save_npz(out, result.model, {})
    js, md = write_report(out, result, {"model_file": str(model_file), "class": args.class_name,
                                        "init_args": init, "forward_args": fwd, "weights": where,
                                        "input_shape": list(args.input_shape)})
    for r in result.table:
        print(f"  {r['layer']:<24} {r['kind']:<7} {r['channels']:<10} <- {r['op']} {r['module']}"
              + (f" (+ {', '.join(r['folded'])} folded)" if r["folded"] else ""))
    if result.residual:
        print("note: the module returns image - conv(...); the checkpoint's output layer is that conv, the noise map "
              "(this project's denoising convention: restored = noisy - output)")
    m = result.model
    print(f"IMPORT {args.class_name} -> {out}: {len(result.table)} layers, task={m.task}, in={m.in_channels} "
          f"out={m.out_channels} depth={m.depth}, tracer={result.tracer}, weights {where}; "
          f"max_abs_diff={result.max_abs_diff:.3g} (output scale {result.max_abs_output:.3g}); report {md}")
    return 0
