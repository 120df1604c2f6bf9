"""Process-wide run-time settings of the compute commands: threads, device, the allocator.

`--threads N` sets torch's intra-op threads (default: $OMP_NUM_THREADS, else every core this process may use); `--device` picks
cpu, cuda or auto (cuda when present; never required). `tune_allocator` keeps freed buffers in the process
(glibc mallopt) instead of returning them to the kernel: a step of a 512x512 frame frees and reallocates
hundreds of MB, and without it a third of the time goes to page faults.
"""
from __future__ import annotations

import ctypes
import os

from golden.errors import InputError

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_threads() -> int:
    """$OMP_NUM_THREADS when set (the test suite and `make` set 1), else every core."""
    try:
        return max(1, int(os.environ["OMP_NUM_THREADS"]))
    except (KeyError, ValueError):
        return available_cores()


def tune_allocator() -> bool:
    """glibc only; elsewhere a no-op. True when applied."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    ok = libc.mallopt(M_MMAP_THRESHOLD, 1 << 30) == 1  # big buffers from the heap, not fresh mmaps
    ok &= libc.mallopt(M_TRIM_THRESHOLD, (1 << 31) - 1) == 1  # and kept after free
    ok &= libc.mallopt(M_TOP_PAD, 256 << 20) == 1
    return bool(ok)


def configure(threads: int | None = None, device: str = "cpu"):
    """Apply --threads and --device; returns the torch.device."""
    import torch

    if threads is not None and threads < 1:
        raise InputError(f"--threads must be >= 1, got {threads}")
    torch.set_num_threads(threads or default_threads())
    tune_allocator()
    return torch.device(resolve_device(device))


def resolve_device(device: str) -> str:
    """--device: cpu, cuda or cuda:N as given, auto = cuda when torch sees one. Asking for cuda without one is an
    InputError, so a run never falls back to the CPU unnoticed."""
    import torch

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device not in ("cpu", "cuda") and not device.startswith("cuda:"):
        raise InputError(f"--device must be cpu, cuda, cuda:N or auto, not {device!r}")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise InputError(f"--device {device}: this torch ({torch.__version__}) sees no CUDA device")
    return device


def add_arguments(p, default_device: str = "cpu") -> None:
    p.add_argument("--threads", type=int,
                   help=f"torch threads (default: $OMP_NUM_THREADS, else every core: {available_cores()} here)")
    p.add_argument("--device", default=default_device, help="cpu, cuda[:N] or auto (a GPU when present)")
