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
ENGINE_ARGS: tuple[tuple[str, int], ...] = (("image", 64), ("output", 64), ("scratch", 64), ("weights", 64),
                                            ("height", 32), ("width", 32))
MAX_ARG_W = 64


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


def hdl_params(args, addr_w: int | None = None) -> dict:
    """snn_ctrl_axil's parameters for an argument list: ARG_W packs the widths, argument i at [8i +: 8]."""
    _check(args)
    packed = sum(width << (8 * i) for i, (_, width) in enumerate(args))
    return {"ADDR_W": min_addr_w(args) if addr_w is None else addr_w, "DATA_W": 32, "N_ARGS": len(args),
            "ARG_W": f"{8 * len(args)}'h{packed:x}"}


def register_table(args) -> str:
    """The map as a Markdown table (docs/ctrl_axil.md)."""
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
            rows.append((f"0x{off + 4 * k:02x}", f"{name.upper()}_DATA_{k}", f"{bits} (R/W{rest})"))
        rows.append((f"0x{off + 4 * n:02x}", "reserved", f"after {name}: reads 0, writes ignored"))
    lines = ["| offset | register | bits |", "|---|---|---|"]
    lines += [f"| {o} | {r} | {b} |" for o, r, b in rows]
    end = map_end(args)
    lines.append(f"| 0x{end:02x}.. | (unmapped) | reads 0, writes ignored, OKAY; the map needs ADDR_W >= "
                 f"{min_addr_w(args)} |")
    return "\n".join(lines) + "\n"
