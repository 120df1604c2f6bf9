"""One command line for the whole flow: `python -m golden <subcommand>` (`--help` on each).

Exit codes everywhere: 0 pass, 1 a verification mismatch, 2 bad input or usage (one `error:` line naming the file
or option and the field, no traceback).
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

# subcommand -> (module with add_arguments(p) and run(args) -> int, one-line help)
COMMANDS = {
    "train": ("golden.model.train", "train the ANN U-Net of a config (tqdm, a checkpoint per epoch, --resume)"),
    "import-torch": ("golden.importer.command", "import your own trained PyTorch U-Net (.py + state dict) as a "
                     "checkpoint of this project"),
    "convert": ("golden.model.convert_command", "calibrate an ANN checkpoint on your images and convert it to a "
                "Spiking-UNet checkpoint"),
    "finetune": ("golden.model.finetune", "calibrate, convert (layer-/connection-wise) and fine-tune (Algorithm 1)"),
    "export-net": ("golden.export.command", "quantise a Spiking-UNet and export it with golden vectors"),
    "eval-seg": ("golden.model.evaluate", "F1 / Jaccard / ACC / mIoU of ANN, float SNN, integer SNN on a folder"),
    "eval-denoise": ("golden.model.evaluate", "PSNR / SSIM of ANN, float SNN, integer SNN on a folder"),
    "csim": ("golden.backends.hls.csim", "HLS C-simulation (g++) of the frame top snn_frame_top on an export: every "
             "spike train and A_T from its buffers compared with the golden vectors"),
    "sim": ("golden.backends.rtl.sim", "RTL simulation of an export on the frame engine (Verilator), every spike compared"),
    "rtl-config": ("golden.backends.rtl.frame_config", "write the frame engine's descriptor/weight ROMs and parameters"),
    "formal": ("golden.backends.rtl.formal", "formal proofs (yosys-smtbmc) of the AXI4 masters and the AXI4-Lite "
               "slave: bounded, and k-induction where it closes"),
    "synth": ("golden.backends.rtl.synth", "yosys synth_xilinx of the frame engine: LUT / FF / BRAM / URAM / DSP"),
    "timing": ("golden.backends.rtl.timing", "timing of the frame engine: Fmax of a place and route on a Lattice "
               "ECP5-85F (nextpnr) and the longest path of yosys sta on Xilinx 7-series cells (no routing)"),
    "estimate": ("golden.backends.hls.estimate", "latency / throughput / resource estimate of the HLS network"),
    "report": ("golden.analysis.report", "the paper's tables and figures on our model (Markdown, JSON, PNG)"),
    "bench": ("golden.analysis.bench", "speed of the integer model vs the float SNN, RTL cycles vs the event bound"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors: one line, exit 2
        self.exit(2, f"error: {self.prog}: {message}\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `only`, just that subcommand's arguments are added (its module is imported, the others'
    are not: `python -m golden sim ...` does not pay for torch)."""
    parser = _Parser(prog="python -m golden", description=__doc__,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="<subcommand>", parser_class=_Parser)
    for name, (module, help_) in COMMANDS.items():
        p = sub.add_parser(name, help=help_, description=help_)
        if name != only:
            continue
        mod = importlib.import_module(module)
        if name.startswith("eval-"):
            mod.add_arguments(p, "segmentation" if name == "eval-seg" else "denoising")
        else:
            mod.add_arguments(p)
        p.set_defaults(_module=module)
    return parser


_OS_HINTS = {NotADirectoryError: "a file where a folder is needed", IsADirectoryError: "a folder where a file is needed",
             PermissionError: "not allowed (read-only?)", FileExistsError: "already exists"}


def os_error_line(exc: OSError) -> str:
    """`PATH: what is wrong` for an OSError: the path (and the second path of a rename) and the system's reason;
    an OSError raised with our own message (no filename) already names its path."""
    if exc.filename is None:
        return str(exc)
    where = f"{exc.filename}" + (f" -> {exc.filename2}" if exc.filename2 else "")
    hint = next((h for cls, h in _OS_HINTS.items() if isinstance(exc, cls)), None)
    if isinstance(exc, FileExistsError) and os.path.isfile(exc.filename):  # mkdir(parents=True) below a file
        hint = _OS_HINTS[NotADirectoryError]
    return f"{where}: {exc.strerror or type(exc).__name__}" + (f" ({hint})" if hint else "")


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv[0] if argv and argv[0] in COMMANDS else None).parse_args(argv)
    from golden.errors import InputError

    mod = importlib.import_module(args._module)
    try:
        if args.command.startswith("eval-"):
            return mod.run_eval(args)
        return mod.run(args)
    except (InputError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a read-only folder, a file where a folder should be, a full disk
        print(f"error: {os_error_line(exc)}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"error: {args.command}: out of memory (a smaller image or --crop Y X H W)", file=sys.stderr)
        return 2
    except RuntimeError as exc:  # torch's errors; GOLDEN_TRACEBACK=1 shows where
        if os.environ.get("GOLDEN_TRACEBACK"):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"error: {args.command}: {first} (GOLDEN_TRACEBACK=1 for the traceback)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
