"""Import your own trained PyTorch U-Net: `import_torch(module, (C, H, W))` -> `Imported` (`.model`, a float64
`golden.model.unet.UNet` of the hardware's layer kinds; `.table`, which module became which layer;
`.max_abs_diff`, the check against the module); with `out=` it also writes the project's ANN checkpoint (.npz).
The command is `python -m golden import-torch` (golden/importer/command.py)."""
from __future__ import annotations


def import_torch(module, input_shape, forward_args: dict | None = None, task: str | None = None,
                 out=None, tracer: str = "auto"):
    """Trace `module`, map it, check it against the module on random images; write `out` (.npz) when given."""
    from golden.importer.build import import_module  # lazy: importing the package needs no torch
    from golden.model.checkpoint import save_npz

    result = import_module(module, input_shape, forward_args, task, tracer)
    if out is not None:
        save_npz(out, result.model, {})
    return result


__all__ = ["import_torch"]
