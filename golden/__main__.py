"""Command line: `python -m golden export|eval-seg|eval-denoise ...` (`--help` on each)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import load_config, resolve
from .data import crop, load_u8
from .export import export_slice
from .slice import load_checkpoint


def cmd_export(args) -> int:
    cfg = load_config(args.config)
    arrays, lambdas = load_checkpoint(resolve(cfg["checkpoint"]))
    in_channels = arrays["conv1.weight"].shape[1]
    image_path = args.image or str(resolve(cfg["demo_image"]))
    image = load_u8(image_path, channels=in_channels)
    if args.crop:
        y, x, size = args.crop
        image = crop(image, y, x, size, image_path)
    out, manifest = export_slice(cfg, arrays, lambdas, image, args.out, compare=args.compare, timesteps=args.timesteps)
    layers = ", ".join(f"{l['name']}(w{l['weight_bits']}/v{l['membrane_bits']})" for l in manifest["layers"])
    print(f"EXPORT {manifest['model']} -> {out}: {image.shape[2]}x{image.shape[1]} image from {image_path}, "
          f"T={manifest['timesteps']}, compare={manifest['compare']}, layers {layers}")
    return 0


def cmd_export_net(args) -> int:
    from .evaluate import load_model_npz, thresholds_log2
    from .netexport import export_network
    from .unet import load_unet_config

    snn, info = load_model_npz(args.checkpoint)
    cfg = load_unet_config(args.config)
    image = load_u8(args.image, channels=snn.in_channels)
    if args.crop:
        y, x, size = args.crop
        image = crop(image, y, x, size, args.image)
    if image.shape[1] % snn.multiple or image.shape[2] % snn.multiple:
        raise ValueError(f"{args.image}: {image.shape[2]}x{image.shape[1]} is not a multiple of 2^depth = "
                         f"{snn.multiple} (use --crop)")
    timesteps = args.timesteps or info.get("timesteps") or cfg["snn"]["timesteps"][0]
    exps = thresholds_log2(cfg["snn"]["thresholds"])
    name = args.name or Path(args.checkpoint).stem
    out, manifest = export_network(snn, image, args.out, name, timesteps, exps, args.compare or cfg["snn"]["compare"],
                                   info["lambdas"])
    print(f"EXPORT {name} -> {out}: {len(manifest['layers'])} layers, {image.shape[2]}x{image.shape[1]} image from "
          f"{args.image}, T={timesteps}, compare={manifest['compare']}")
    return 0


def cmd_eval(args) -> int:
    from .evaluate import eval_denoise, eval_seg, print_result

    print_result(eval_seg(args) if args.command == "eval-seg" else eval_denoise(args))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m golden", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("export", help="quantise a model and write manifest, header, .mem files and golden vectors")
    p.add_argument("--config", default="configs/em_slice.yaml")
    p.add_argument("--out", required=True)
    p.add_argument("--image", help="8-bit PNG to run (default: the config's committed demo crop)")
    p.add_argument("--crop", nargs=3, type=int, metavar=("Y", "X", "SIZE"), help="square crop of --image")
    p.add_argument("--compare", choices=("gt", "ge"), help="override the config's compare rule")
    p.add_argument("--timesteps", type=int, help="override the config's T")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("export-net", help="quantise a full Spiking-UNet (.npz) and export it with golden vectors")
    p.add_argument("--checkpoint", default="configs/models/em_unet_snn.npz")
    p.add_argument("--config", default="configs/unet_em_small.yaml")
    p.add_argument("--image", default="configs/demo/em_slice22_y224_x224_64.png")
    p.add_argument("--crop", nargs=3, type=int, metavar=("Y", "X", "SIZE"))
    p.add_argument("--timesteps", type=int)
    p.add_argument("--compare", choices=("gt", "ge"))
    p.add_argument("--name")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_export_net)
    from .evaluate import add_arguments

    for name, task in (("eval-seg", "segmentation"), ("eval-denoise", "denoising")):
        p = sub.add_parser(name, help=f"evaluate a {task} model (ANN, float SNN, integer SNN) on any folder")
        add_arguments(p, task)
        p.set_defaults(func=cmd_eval)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
