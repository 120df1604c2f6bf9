"""RTL simulation of the external-memory frame engine (rtl/snn_frame_kernel.sv: AXI4-Lite control + the engine's
AXI4 master) on frames of any size: the bench (rtl_tb/tb_frame_engine.py) keeps the frame in cocotbext-axi's
AxiRam (random pauses on all five channels), programs the registers with AxiLiteMaster, waits for the interrupt
and compares every spiking layer's spike trains at every step (read back from the scratch buffer) and A_T
(the output buffer) with the integer golden model, with ==.

`prepare_frames` writes what the bench needs, so that the bench's process imports neither torch nor the golden
model: per frame an npz (the image, every layer's golden spike words, A_T) and frames.json (sizes, the memory
layout of golden/ir/frame_memory.py, the synaptic events for the cycle bound).
"""
from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np

from golden.backends.rtl import simulate as simlib
from golden.backends.rtl.frame_config import build_frame_config
from golden.ir import frame_memory as fm
from golden.ir.network import Network

TOP = "snn_frame_kernel"
BENCH = "tb_frame_engine"


def frame_sources() -> tuple[str, ...]:
    """The kernel's .sv files in compile order (rtl/snn_frame.f)."""
    return simlib.FRAME_SOURCES


def resized(net: Network, height: int, width: int) -> Network:
    """The same network placed on a height x width frame."""
    fm.check_frame_size(net, height, width)
    return dataclasses.replace(net, height=height, width=width)


def golden_frame(net: Network, image: np.ndarray) -> dict:
    """Golden vectors of one frame (the fast integer model, contract §9)."""
    from golden.export.network import run_int

    return run_int(net.layers, image, net.timesteps, net.thresholds_log2, net.compare, record_membranes=False)


def synaptic_events(net: Network, vec: dict) -> int:
    total = 0
    for l in net.layers:
        spec = l.spec
        kernel = l.kernel if spec.has_params else 2
        if spec.reads_image:
            xs = [vec["input"]]
        else:
            xs = [np.concatenate([vec[f"{s}.spikes"][t] for s in l.sources]) for t in range(net.timesteps)]
        total += sum(spec.events(np.asarray(x) != 0, kernel, l.out_channels) for x in xs)
    return total


def _region(r: fm.Region) -> dict:
    return dataclasses.asdict(r)


def prepare_frames(net: Network, frames, out_dir: Path, data_bits: int, lanes: int, vectors=None,
                   passes: dict | None = None, weights_file: str | None = None) -> Path:
    """frames: [(name, uint8 image [C][H][W])]; vectors: golden vectors per frame (None: computed here); passes:
    the build's passes per layer (their layout, golden/ir/frame_memory.py); weights_file: a streamed-weights
    build's weight buffer image."""
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = []
    for i, (name, image) in enumerate(frames):
        image = np.asarray(image, np.uint8)
        if image.ndim == 2:
            image = image[None]
        h, w = image.shape[1:]
        placed = resized(net, h, w)
        vec = vectors[i] if vectors is not None and vectors[i] is not None else golden_frame(placed, image)
        lay = fm.frame_layout(placed, h, w, data_bits, passes)
        arrays = {"image": image}
        for l in placed.spiking:
            arrays[f"{l.name}.spikes"] = np.asarray(vec[f"{l.name}.spikes"], np.uint8)
        out = placed.output_layer.name
        arrays["accum"] = np.asarray(vec[f"{out}.accum"][-1], np.int64)
        npz = out_dir / f"frame{i}.npz"
        np.savez(npz, **arrays)
        events = synaptic_events(placed, vec)
        entries.append({"name": name, "npz": str(npz), "height": h, "width": w, "events": events,
                        "bound": math.ceil(events / lanes), "image": _region(lay.image),
                        "layers": {k: _region(r) for k, r in lay.layers.items()}, "output": _region(lay.output),
                        "values": int(sum(a.size for k, a in arrays.items() if k.endswith(".spikes"))
                                      + arrays["accum"].size)})
    spec = {"data_bits": data_bits, "timesteps": net.timesteps, "K": net.K, "lanes": lanes,
            "weights_file": weights_file,
            "spiking": [l.name for l in net.spiking], "output": net.output_layer.name, "frames": entries}
    path = out_dir / "frames.json"
    path.write_text(json.dumps(spec, indent=1) + "\n")
    return path


def run_frames(net: Network, frames, lanes: int, name: str, data_bits: int = 64, max_width: int | None = None,
               p_pause: float = 0.3, seed: int = 1, reset_mid: bool = False, vectors=None,
               max_burst: int = 16, max_outstanding: int = 4, simulator: str = "verilator",
               sources=None, out_dir: Path | None = None, mutate=None, weights: str = "rom",
               group_pass: int | None = None, pause_cycles: int = 0, trace: Path | None = None,
               bench: str = BENCH, env: dict | None = None, engines: int = 1,
               weight_words: int = 65536) -> simlib.SimResult:
    """Build the kernel for `net` (P = lanes, `engines` engines on column strips, frames up to max_width wide,
    weights on chip or streamed, passes of group_pass output groups) and run the bench on `frames`. `trace`: write the neuron stage's membrane trace there
    (+snn_trace, golden/backends/rtl/membrane_trace.py); the SimResult then carries the config as `.config`.
    `bench`: the cocotb module (rtl_tb/tb_faults.py: the fault-injection bench), `env`: more SNN_* variables."""
    widths = [np.asarray(img).shape[-1] for _, img in frames]
    max_width = max_width or max(widths)
    work = simlib.SIM_ROOT / "frame_cfg" / name
    cfg = build_frame_config(net, lanes, work, max_width=max_width, data_bits=data_bits, max_burst=max_burst,
                             max_outstanding=max_outstanding, weights=weights, group_pass=group_pass,
                             engines=engines, weight_buffer_words=weight_words)
    if mutate is not None:      # tests: corrupt a ROM image to show that the bench notices
        mutate(cfg)
    spec = prepare_frames(net, frames, work / "frames", data_bits, lanes * engines, vectors, cfg.passes,
                          cfg.files["weights"] if weights == "stream" else None)
    env = {"SNN_FRAMES": str(spec), "SNN_SEED": seed, "SNN_P_PAUSE": p_pause, "SNN_RESET_MID": int(reset_mid),
           "SNN_PAUSE_CYCLES": pause_cycles, **(env or {})}
    if out_dir is not None:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        env["SNN_OUT_DIR"] = str(Path(out_dir).resolve())
    res = simlib.simulate(name, TOP, bench, simlib.content_addressed(cfg.params), env, quiet=True,
                          sources=sources or frame_sources(),
                          simulator=simulator, plusargs=[f"+snn_trace={Path(trace).resolve()}"] if trace else None)
    res.config = cfg
    return res
