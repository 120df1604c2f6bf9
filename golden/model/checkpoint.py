"""Checkpoints of the float model, read and written in this one module.

- `.npz` (no pickle): a U-Net's float weights (normalised or not), its architecture and layer list
  (`specs_json`), its lambdas and, for a converted SNN, `normalisation` and `snn.*` (save_npz, load_model_npz);
- `.pt`: a training checkpoint, a plain dict saved with torch.save and read back with
  torch.load(weights_only=True): `epoch`, `model`, `optimizer`, `arch`, `config` (save_checkpoint, load_checkpoint);
- load_ann: the float32 ANN of a config from either.
Every write is atomic (golden/atomic.py).
"""
from __future__ import annotations

import io
import json
import math
from pathlib import Path

import numpy as np
import torch

from golden.atomic import write_bytes, write_npz
from golden.contract.quant import timesteps_problem
from golden.model.unet import UNet, build_model, check_config_fits, describe, specs_from_dicts


ARCH_FIELDS = ("in_channels", "out_channels", "base", "depth", "task")
SNN_FIELDS = ("timesteps", "frac_bits", "weight_bits")
NORMALISATIONS = ("layer_wise", "connection_wise")  # golden/model/convert.py METHODS


def save_npz(path, model: UNet, lambdas: dict[str, float], method: str | None = None,
             timesteps: int | None = None, dtype=np.float64) -> None:
    """Float weights (normalised or not), architecture and lambdas as .npz (no pickle), atomically.
    `timesteps`: the T the SNN was fine-tuned for (stored as snn.timesteps, the evaluation default)."""
    arrays = {f"{k}": v.detach().cpu().numpy().astype(dtype) for k, v in model.state_dict().items()}
    if timesteps:
        arrays["snn.timesteps"] = np.int64(timesteps)
    arrays.update({f"lambda.{k}": np.float64(v) for k, v in lambdas.items()})
    for k, v in model.arch().items():
        if k != "graph":  # the layer list itself is specs_json
            arrays[f"arch.{k}"] = np.asarray(v)
    arrays["specs_json"] = np.asarray(json.dumps(describe(model.specs)))
    if method:
        arrays["normalisation"] = np.asarray(method)
    write_npz(path, arrays)


def save_checkpoint(path: str | Path, state: dict) -> None:
    buf = io.BytesIO()
    torch.save(state, buf)
    write_bytes(path, buf.getvalue())


def load_checkpoint(path: str | Path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such checkpoint")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise ValueError(f"{path}: not a readable checkpoint ({exc})") from exc
    for key in ("epoch", "model", "arch"):
        if key not in state:
            raise ValueError(f"{path}: missing field {key!r}")
    return state


def load_model_npz(path: str | Path) -> tuple[UNet, dict]:
    """A U-Net from an .npz written by save_npz; info holds lambdas, normalisation, snn.*."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such checkpoint")
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except Exception as exc:
        raise ValueError(f"{path}: not a readable .npz checkpoint ({exc})") from exc
    arch = {}
    for key in ARCH_FIELDS:
        if f"arch.{key}" not in arrays:
            raise ValueError(f"{path}: missing field arch.{key} (not a U-Net checkpoint of this project)")
        value = arrays[f"arch.{key}"].item()
        arch[key] = str(value) if key == "task" else int(value)
    if "specs_json" in arrays:  # the layer list (any imported model); the arch fields must agree with it
        try:
            items = json.loads(str(arrays["specs_json"]))
        except (json.JSONDecodeError, TypeError) as exc:
            raise ValueError(f"{path}: field specs_json is not valid JSON ({exc})") from None
        specs = specs_from_dicts(items, f"{path}: field specs_json")
        model = UNet(task=arch["task"], specs=specs).double()
        for key in ("in_channels", "out_channels", "base", "depth"):
            if getattr(model, key) != arch[key]:
                raise ValueError(f"{path}: field arch.{key} is {arch[key]}, the layers of specs_json give "
                                 f"{getattr(model, key)}")
    else:
        model = UNet(**arch).double()
    state = model.state_dict()
    for key, ref in state.items():
        if key not in arrays:
            raise ValueError(f"{path}: missing field {key}")
        if tuple(arrays[key].shape) != tuple(ref.shape):
            raise ValueError(f"{path}: field {key} has shape {arrays[key].shape}, the architecture needs "
                             f"{tuple(ref.shape)}")
        value = np.asarray(arrays[key], dtype=np.float64)
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{path}: field {key} holds NaN or Inf")
        state[key] = torch.from_numpy(value)
    known = set(state) | {f"arch.{k}" for k in ARCH_FIELDS} | {f"snn.{k}" for k in SNN_FIELDS} | \
        {"specs_json", "normalisation"}
    names = {l.name for l in model.specs}
    for key in arrays:  # save_npz writes nothing else: an unknown array is a damaged or foreign file
        if key not in known and not (key.startswith("lambda.") and key[7:] in names):
            raise ValueError(f"{path}: field {key}: unknown array (not a weight, lambda.<layer>, arch.*, snn.*, "
                             "specs_json or normalisation of this model)")
    model.load_state_dict(state)
    model.eval()
    lambdas = {}
    for key in sorted(k for k in arrays if k.startswith("lambda.")):
        a = arrays[key]
        if a.shape != () or a.dtype.kind not in "fiu":
            raise ValueError(f"{path}: field {key} must be one number, got {a.dtype} {a.shape}")
        v = float(a)
        if not math.isfinite(v) or v <= 0:
            raise ValueError(f"{path}: field {key} must be a finite number > 0, got {v}")
        lambdas[key[7:]] = v
    normalisation = None
    if "normalisation" in arrays:
        normalisation = str(arrays["normalisation"])
        if normalisation not in NORMALISATIONS:
            raise ValueError(f"{path}: field normalisation must be one of {NORMALISATIONS}, got {normalisation!r}")
    info = {"lambdas": lambdas, "normalisation": normalisation}
    for key in SNN_FIELDS:
        if f"snn.{key}" in arrays:
            a = arrays[f"snn.{key}"]
            if a.shape != () or a.dtype.kind not in "iu":
                raise ValueError(f"{path}: field snn.{key} must be one integer, got {a.dtype} {a.shape}")
            info[key] = int(a)
    if "timesteps" in info and timesteps_problem(info["timesteps"]):
        raise ValueError(f"{path}: field snn.timesteps {timesteps_problem(info['timesteps'])}")
    return model, info


def load_ann(path: str | Path, cfg: dict) -> UNet:
    """The float32 ANN for `cfg` from a golden.model.train checkpoint (.pt, the config's architecture) or an ANN
    .npz (any layer list that fits the config: an imported model need not be the config's U-Net)."""
    path = Path(path)
    if path.suffix == ".npz":
        model, info = load_model_npz(path)
        if info.get("normalisation"):
            raise ValueError(f"{path}: field normalisation is {info['normalisation']}: a converted SNN; pass the ANN "
                             "it came from (report: this file to --snn-ckpt)")
        check_config_fits(model, cfg, path)
    else:
        model = build_model(cfg)
        model.load_state_dict(load_checkpoint(path)["model"])
    return model.float().eval()
