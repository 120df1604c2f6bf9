"""`golden sim --fast`: the frame kernel in a self-contained SystemVerilog bench (rtl_tb/frame_fast_tb.sv) built with
`verilator --binary`, for frames too long for the cocotb bench (a whole 512x512 slice is hundreds of millions of
cycles; cocotbext-axi's models cost Python time every cycle). The memory image goes in as a $readmemh file, the
output and scratch buffers come back as a $writememh dump, and every spiking layer's spike words at every step and
A_T are compared with the golden vectors with ==, as in the cocotb bench. The AXI slave is behavioural (eight
bursts queued each way, a fixed read latency, a beat a cycle each way): the cocotb bench is the protocol check, this
the long run.
"""
from __future__ import annotations

import hashlib
import re
import subprocess
import time
from pathlib import Path

import numpy as np

from golden.backends.rtl import simulate as simlib
from golden.backends.rtl.frame_config import build_frame_config
from golden.ir import frame_memory as fm

PAGE = 4096
TB = simlib.TB_DIR / "frame_fast_tb.sv"


def _align(n: int) -> int:
    return -(-n // PAGE) * PAGE


def _hex_words(raw: bytes, bb: int) -> list[str]:
    return [w.tobytes().hex() for w in np.frombuffer(raw, np.uint8).reshape(-1, bb)[:, ::-1]]


def _set_param(text: str, name: str, value) -> str:
    pat = re.compile(rf"(parameter\s+(?:integer\s+|\[63:0\]\s+)?{name}\s*=\s*)([^,\n]+?)(\s*,?\s*\n)")
    new, n = pat.subn(lambda m: f"{m.group(1)}{value}{m.group(3)}", text, count=1)
    if n != 1:
        raise ValueError(f"frame_fast_tb.sv has no parameter {name}")
    return new


def build(kernel_params: dict, tb_params: dict, name: str, sources=None) -> Path:
    """The bench binary with the kernel's and its own parameters filled in (Verilator fixes them at build time),
    rebuilt only when they or a source change."""
    verilator = simlib.setup_verilator()
    out = simlib.SIM_ROOT / name
    out.mkdir(parents=True, exist_ok=True)
    sources = [simlib.RTL_DIR / s for s in (sources or simlib.FRAME_SOURCES)]
    params = ", ".join(f".{k}({v})" for k, v in kernel_params.items())
    text = TB.read_text().replace("snn_frame_kernel dut (", f"snn_frame_kernel #({params}) dut (")
    for k, v in tb_params.items():
        text = _set_param(text, k, v)
    key = hashlib.sha256(text.encode() + b"".join(p.read_bytes() for p in sources)
                         + b"".join((simlib.RTL_DIR / h).read_bytes() for h in simlib.HEADERS)).hexdigest()
    exe = out / "obj" / "Vframe_fast_tb"
    stamp = out / ".build_key"
    if stamp.is_file() and stamp.read_text() == key and exe.is_file():
        return exe
    top = out / "frame_fast_top.sv"
    top.write_text(text)
    cmd = [str(verilator), "--binary", "--timing", "-O3", "-CFLAGS", "-std=c++20 -fcoroutines", "--x-assign", "fast",
           "--x-initial", "fast", "-Wno-fatal", "-Wno-lint", "-Wno-style", f"-I{simlib.RTL_DIR}", "--top-module",
           "frame_fast_tb", "-Mdir", str(out / "obj"), "-o", exe.name, *map(str, sources), str(top)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"verilator --binary failed in {out}:\n{(proc.stdout + proc.stderr)[-3000:]}")
    for f in (out / "obj").iterdir():  # only the executable runs: drop the generated C++ and objects (~100 MB)
        if f.is_file() and f != exe:
            f.unlink()
    stamp.write_text(key)
    return exe


def run_fast(net, vec: dict, lanes: int, name: str, data_bits: int = 64, max_width: int | None = None,
             weights: str = "rom", max_cycles: int = 2_000_000_000, timeout_s: float | None = None,
             trace: Path | None = None, engines: int = 1, weight_words: int = 65536, sources=None) -> dict:
    """One frame (the image of `vec`, its golden vectors) on the bench; a summary like the cocotb bench's.
    `trace`: the neuron stage's membrane trace is written there (+snn_trace) and compared (summary "trace")."""
    image = vec["input"]
    h, w = image.shape[1:]
    work = simlib.SIM_ROOT / "frame_cfg" / name
    cfg = build_frame_config(net, lanes, work, max_width=max_width or w, data_bits=data_bits, weights=weights,
                             engines=engines, weight_buffer_words=weight_words)
    lay = fm.frame_layout(net, h, w, data_bits, cfg.passes)
    bb = data_bits // 8
    wbytes = Path(cfg.files["weights"]).read_bytes() if weights == "stream" else b""
    a_image = PAGE
    a_weights = _align(a_image + lay.image_bytes)
    a_output = _align(a_weights + len(wbytes))
    a_scratch = _align(a_output + lay.output_bytes)
    end = _align(a_scratch + lay.scratch_bytes)
    mem = work / "mem.hex"
    lines = [f"@{a_image // bb:x}", *_hex_words(fm.pack_image(image, lay), bb)]
    if wbytes:
        lines += [f"@{a_weights // bb:x}", *_hex_words(wbytes, bb)]
    mem.write_text("\n".join(lines) + "\n")
    dump = work / "dump.hex"
    dump.unlink(missing_ok=True)
    tb_params = {"DATA_W": data_bits, "MEM_WORDS": end // bb, "MEM_FILE": f'"{mem}"', "DUMP_FILE": f'"{dump}"',
                 "DUMP_FIRST": a_output // bb, "DUMP_LAST": end // bb - 1, "A_IMAGE": a_image, "A_OUTPUT": a_output,
                 "A_SCRATCH": a_scratch, "A_WEIGHTS": a_weights, "HEIGHT": h, "WIDTH": w, "MAX_CYCLES": max_cycles,
                 "MID_W": cfg.params.get("ID_W", 1) + (engines.bit_length() - 1)}
    exe = build(simlib.content_addressed(cfg.params), tb_params, f"{name}-fast", sources)
    t0 = time.perf_counter()
    plus = [f"+snn_trace={Path(trace).resolve()}"] if trace else []
    proc = subprocess.run([str(exe), *plus], capture_output=True, text=True, cwd=exe.parent, timeout=timeout_s)
    wall = time.perf_counter() - t0
    fast = [l for l in proc.stdout.splitlines() if l.startswith("FAST ")]
    if proc.returncode != 0 or not fast or not dump.is_file():
        raise RuntimeError(f"the fast bench failed ({exe}):\n{(proc.stdout + proc.stderr)[-3000:]}")
    stats = dict(kv.split("=") for kv in fast[0].split()[1:])
    words = (w for line in dump.read_text().splitlines() for w in line.split("//")[0].split())
    raw = bytes.fromhex("".join(w for w in words if not w.startswith("@")))
    raw = np.frombuffer(raw, np.uint8).reshape(-1, bb)[:, ::-1].tobytes()
    summary = {"layers": {}, "values": 0, "mismatches": 0, "first_mismatch": None, "cycles": int(stats["cycles"]),
               "wall_s": round(wall, 1), "error": None, "status": [int(stats["status"])],
               "read_bytes": int(stats["read_bytes"]), "written_bytes": int(stats["written_bytes"])}
    if stats["interrupt"] != "1" or stats["err"] != "0" or stats["status"] != "0" or stats["bad_addr"] != "0":
        summary["error"] = (f"no interrupt, STATUS not 0 (the engine reported an error the bench did not inject) "
                            f"or an address outside the memory: {fast[0]}")
        summary["mismatches"] += 1

    def compare(key, got, want, axes):
        bad = np.argwhere(got != want)
        summary["layers"][key] = {"values": int(want.size), "membranes": 0, "mismatches": int(len(bad))}
        summary["values"] += int(want.size)
        summary["mismatches"] += int(len(bad))
        if len(bad) and summary["first_mismatch"] is None:
            idx = tuple(int(i) for i in bad[0])
            summary["first_mismatch"] = (f"{key} {', '.join(f'{a}={i}' for a, i in zip(axes, idx))}: rtl {got[idx]} "
                                         f"golden {want[idx]} ({len(bad)} differ)")

    for l in net.spiking:
        r = lay.layers[l.name]
        off = a_scratch + r.offset - a_output
        compare(l.name, fm.unpack_spikes(raw[off:off + lay.size(r)], r, lay), vec[f"{l.name}.spikes"],
                ("t", "c", "y", "x"))
    out = net.output_layer.name
    got = fm.unpack_output(raw[:lay.output_bytes], lay)
    compare(out, got, vec[f"{out}.accum"][-1], ("c", "y", "x"))
    summary["accum"] = got
    if trace:
        from golden.backends.rtl.membrane_trace import compare_trace

        summary["trace"] = compare_trace(net, cfg, trace, vec)
    return summary
