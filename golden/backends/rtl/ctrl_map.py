"""The register map of rtl/snn_ctrl_axil.sv (docs/ctrl_axil.md): the AXI4-Lite control block with the map that
Vitis HLS generates for `s_axilite` + `ap_ctrl_hs`.

The RTL computes the same offsets from its ARG_W parameter with constant functions; the bench
(rtl_tb/tb_snn_ctrl_axil.py) drives the block with the offsets computed here, and docs/ctrl_axil.md holds
`register_table(ENGINE_ARGS)` (rtl_tb/test_snn_ctrl_axil.py checks both). The rule, as in the generated
*_control_s_axi.v headers: arguments in order from 0x10, each with ceil(width / 32) data words (low word first)
and then one reserved word, with no further alignment.
"""
from __future__ import annotations

import math

CTRL, GIE, IER, ISR = 0x00, 0x04, 0x08, 0x0C
ARGS_BASE = 0x10
# bits of CTRL
AP_START, AP_DONE, AP_IDLE, AP_READY, AUTO_RESTART, INTERRUPT = 1 << 0, 1 << 1, 1 << 2, 1 << 3, 1 << 7, 1 << 9
# bits of IER / ISR
IRQ_DONE, IRQ_READY = 1 << 0, 1 << 1

# the external-memory frame engine's arguments (name, width): four 64-bit byte addresses (`weights`: the weight
# buffer of a build that streams its weights; a build with the weights on chip ignores it) and the image size
# issue 23: `timeout` (input, the watchdog: cycles without progress on any AXI channel while the engine waits on
# one, 0 = off; resets to DEFAULT_TIMEOUT) and `status` (an output scalar, read only, with its ap_vld control word:
# the STATUS_* bits of the last frame, cleared when a frame starts)
ENGINE_ARGS: tuple[tuple[str, int], ...] = (("image", 64), ("output", 64), ("scratch", 64), ("weights", 64),
                                            ("height", 32), ("width", 32), ("timeout", 32), ("status", 32))
ENGINE_OUTPUTS: tuple[str, ...] = ("status",)
DEFAULT_TIMEOUT = 1 << 20
ENGINE_RESETS: dict[str, int] = {"timeout": DEFAULT_TIMEOUT}
MAX_ARG_W = 64
# bits of STATUS (the engine's output scalar `status`); any of them ends the frame with ap_done and the interrupt
STATUS_RD_ERR, STATUS_WR_ERR, STATUS_TIMEOUT, STATUS_BAD_ARG = 1 << 0, 1 << 1, 1 << 2, 1 << 3
STATUS_BITS = {STATUS_RD_ERR: "read error response (SLVERR/DECERR on R)",
               STATUS_WR_ERR: "write error response (SLVERR/DECERR on B)",
               STATUS_TIMEOUT: "timeout (the watchdog fired)", STATUS_BAD_ARG: "bad argument (nothing read or written)"}


def status_text(status: int) -> str:
    """STATUS as words: 'ok' or the bits that are set."""
    if not status:
        return "ok"
    return ", ".join(t for b, t in STATUS_BITS.items() if status & b) + (
        f", unknown bits 0x{status & ~0xF:x}" if status & ~0xF else "")


def _check(args) -> None:
    if not args:
        raise ValueError("the control block needs at least one argument")
    for name, width in args:
        if not 1 <= width <= MAX_ARG_W:
            raise ValueError(f"argument {name!r}: width {width} is not in 1..{MAX_ARG_W}")


def arg_words(width: int) -> int:
    """Data words of an argument of `width` bits."""
    return (width + 31) // 32


def arg_offsets(args) -> list[int]:
    """Byte offset of each argument's first data word."""
    _check(args)
    out, off = [], ARGS_BASE
    for _, width in args:
        out.append(off)
        off += 4 * (arg_words(width) + 1)
    return out


def map_end(args) -> int:
    """The first byte past the last argument's reserved word."""
    return arg_offsets(args)[-1] + 4 * (arg_words(args[-1][1]) + 1)


def min_addr_w(args) -> int:
    """The fewest AXI address bits that reach the whole map (snn_ctrl_axil's ADDR_W check)."""
    return max(1, math.ceil(math.log2(map_end(args))))


def arg_lsbs(args) -> list[int]:
    """The lowest bit of each argument in snn_ctrl_axil's `args` output."""
    out, lsb = [], 0
    for _, width in args:
        out.append(lsb)
        lsb += width
    return out


def hdl_params(args, addr_w: int | None = None, outputs=(), resets=None) -> dict:
    """snn_ctrl_axil's parameters for an argument list: ARG_W packs the widths, argument i at [8i +: 8]; ARG_OUT
    has bit i set for an output scalar (`outputs`: names); ARG_INIT the reset values (`resets`: name -> value) at
    [64i +: 64]."""
    _check(args)
    names = [n for n, _ in args]
    for n in list(outputs) + list(resets or {}):
        if n not in names:
            raise ValueError(f"no argument {n!r}")
    packed = sum(width << (8 * i) for i, (_, width) in enumerate(args))
    out = sum(1 << i for i, n in enumerate(names) if n in outputs)
    init = sum(((resets or {}).get(n, 0) & ((1 << w) - 1)) << (64 * i) for i, (n, w) in enumerate(args))
    return {"ADDR_W": min_addr_w(args) if addr_w is None else addr_w, "DATA_W": 32, "N_ARGS": len(args),
            "ARG_W": f"{8 * len(args)}'h{packed:x}", "ARG_OUT": f"{len(args)}'h{out:x}",
            "ARG_INIT": f"{64 * len(args)}'h{init:x}"}


def engine_hdl_params() -> dict:
    """The frame engine's map (snn_ctrl_axil's defaults and snn_frame_kernel's instance)."""
    return hdl_params(ENGINE_ARGS, outputs=ENGINE_OUTPUTS, resets=ENGINE_RESETS)


def register_table(args, outputs=(), resets=None, notes=None) -> str:
    """The map as a Markdown table (docs/ctrl_axil.md); `outputs`: names of output scalars (read only, with an
    ap_vld control word), `resets`: reset values other than 0, `notes`: text after an argument's first word."""
    resets, notes = resets or {}, notes or {}
    rows = [("0x00", "CTRL", "bit 0 ap_start (R/W, set by writing 1, cleared by ap_ready unless auto_restart), "
                             "bit 1 ap_done (R/COR), bit 2 ap_idle (R), bit 3 ap_ready (R/COR), "
                             "bit 7 auto_restart (R/W), bit 9 interrupt (R)"),
            ("0x04", "GIE", "bit 0 global interrupt enable (R/W)"),
            ("0x08", "IER", "bit 0 ap_done, bit 1 ap_ready interrupt enable (R/W)"),
            ("0x0c", "ISR", "bit 0 ap_done, bit 1 ap_ready interrupt status (R/TOW: writing 1 toggles)")]
    for (name, width), off in zip(args, arg_offsets(args)):
        n = arg_words(width)
        for k in range(n):
            hi, lo = min(width, 32 * (k + 1)) - 1, 32 * k
            bits = f"{name}[{hi}:{lo}]" if hi > lo else f"{name}[{lo}]"
            rest = "" if hi - lo == 31 else f"; bits {hi - lo + 1}..31 read 0"
            acc = "R, written by the core; writes ignored" if name in outputs else "R/W"
            init = (resets.get(name, 0) >> lo) & ((1 << (hi - lo + 1)) - 1)
            rst = f"; resets to {init} (0x{init:x})" if init else ""
            note = f": {notes[name]}" if k == 0 and name in notes else ""
            rows.append((f"0x{off + 4 * k:02x}", f"{name.upper()}_DATA_{k}", f"{bits} ({acc}{rest}{rst}){note}"))
        if name in outputs:
            rows.append((f"0x{off + 4 * n:02x}", f"{name.upper()}_CTRL",
                         f"bit 0 {name}_ap_vld (R/COR: set when the core writes {name})"))
        else:
            rows.append((f"0x{off + 4 * n:02x}", "reserved", f"after {name}: reads 0, writes ignored"))
    lines = ["| offset | register | bits |", "|---|---|---|"]
    lines += [f"| {o} | {r} | {b} |" for o, r, b in rows]
    end = map_end(args)
    lines.append(f"| 0x{end:02x}.. | (unmapped) | reads 0, writes ignored, OKAY; the map needs ADDR_W >= "
                 f"{min_addr_w(args)} |")
    return "\n".join(lines) + "\n"


def engine_register_table() -> str:
    """The frame engine's map as a Markdown table (docs/ctrl_axil.md)."""
    status = ", ".join(f"bit {b.bit_length() - 1} {t}" for b, t in STATUS_BITS.items())
    notes = {"timeout": "the watchdog: cycles without progress on any AXI channel while the engine waits on one "
                        "ends the frame with STATUS bit 2; 0 = off",
             "status": f"{status}; bits 4..31 read 0; 0 when a frame starts, the frame's at its ap_done"}
    return register_table(ENGINE_ARGS, ENGINE_OUTPUTS, ENGINE_RESETS, notes)
