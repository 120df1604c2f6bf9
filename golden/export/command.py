"""`python -m golden export-net`: quantise a Spiking-UNet checkpoint (.npz) and export it with golden vectors of
every layer at every step on one image (docs/contract.md §8)."""
from __future__ import annotations

from pathlib import Path

DEFAULT_CHECKPOINT = "configs/models/em_unet_snn.npz"
DEFAULT_CONFIG = "configs/unet_em.yaml"
DEFAULT_IMAGE = "configs/demo/em_slice22_y224_x224_64.png"
MEMBRANES_AUTO_PIXELS = 65536  # --membranes auto: recorded up to this many pixels (256x256)


def record_membranes(mode: str, height: int, width: int) -> bool:
    """--membranes on / off, or auto: recorded when the image has at most MEMBRANES_AUTO_PIXELS pixels."""
    if mode not in ("auto", "on", "off"):
        raise ValueError(f"--membranes must be auto, on or off, got {mode!r}")
    return mode == "on" or (mode == "auto" and height * width <= MEMBRANES_AUTO_PIXELS)


def add_arguments(p) -> None:
    p.add_argument("--checkpoint", default=DEFAULT_CHECKPOINT, help=f"SNN .npz (default {DEFAULT_CHECKPOINT})")
    p.add_argument("--config", default=DEFAULT_CONFIG, help=f"U-Net config (default {DEFAULT_CONFIG})")
    p.add_argument("--image", default=DEFAULT_IMAGE, help=f"8-bit PNG (default the committed tile {DEFAULT_IMAGE})")
    p.add_argument("--crop", nargs=4, type=int, metavar=("Y", "X", "H", "W"), help="region of --image to export")
    p.add_argument("--timesteps", type=int, help="T, 1..1024 (golden/contract/quant.py MAX_TIMESTEPS; default: the "
                                                  "checkpoint's, else the config's first)")
    p.add_argument("--compare", choices=("gt", "ge"), help="threshold compare rule (default: the config's)")
    p.add_argument("--name", help="model name in the manifest (default: the checkpoint's file name)")
    p.add_argument("--membranes", choices=("auto", "on", "off"), default="auto",
                   help="record every layer's membranes in the golden vectors (auto, the default: when the image has "
                        f"at most {MEMBRANES_AUTO_PIXELS} pixels, i.e. 256x256); spikes and A_t always")
    p.add_argument("--calibrate", nargs="+", metavar="PNG",
                   help="an ANN checkpoint (import-torch's) is converted connection-wise on the fly, its lambdas "
                        "from these images or folders (default: the exported image itself); `convert` does it once")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", help="export directory to write")
    target.add_argument("--verify", metavar="EXPORT",
                   help="write nothing: check the export EXPORT (manifest, every file's SHA-256, the widths, ROM "
                        "images and header re-derived from weights.npz, and the golden vectors re-computed by the "
                        "integer model from their stored image); exit 0 when all agree, 2 naming the first edited "
                        "file and field")


def export_with(argv: list[str]) -> int:
    """`export-net` with these arguments, for the backends that export a model first (sim's default export,
    synth's --checkpoint): the same parser and checks as the command line, without going through golden.cli."""
    import argparse

    parser = argparse.ArgumentParser(prog="export-net")
    add_arguments(parser)
    return run(parser.parse_args(argv))


def run(args) -> int:
    from golden.contract.quant import timesteps_problem
    from golden.data import crop, load_u8
    from golden.errors import InputError, resolve
    from golden.export.network import export_network
    from golden.model.checkpoint import load_model_npz
    from golden.model.convert import thresholds_log2
    from golden.model.unet import load_unet_config

    if getattr(args, "verify", None):
        return _verify(args.verify)
    if args.timesteps is not None and timesteps_problem(args.timesteps):
        raise InputError(f"--timesteps {timesteps_problem(args.timesteps)}")
    snn, info = load_model_npz(resolve(args.checkpoint))
    cfg = load_unet_config(resolve(args.config))
    # the config gives thresholds, compare and T; its model section must fit only the paper's U-Net (an imported
    # layer list carries its own architecture)
    if snn.standard and (cfg["task"] != snn.task or cfg["model"]["in_channels"] != snn.in_channels):
        raise InputError(f"{resolve(args.checkpoint)}: field arch ({snn.task}, {snn.in_channels} channel(s)) does not "
                         f"match {resolve(args.config)} ({cfg['task']}, {cfg['model']['in_channels']})")
    image_path = resolve(args.image)
    image = load_u8(image_path, channels=snn.in_channels)
    if args.crop:
        image = crop(image, *args.crop, path=str(image_path))
    if image.shape[1] % snn.multiple or image.shape[2] % snn.multiple:
        raise InputError(f"{image_path}: {image.shape[1]}x{image.shape[2]} (HxW) is not a multiple of 2^depth = "
                         f"{snn.multiple} (use --crop Y X H W)")
    if not info.get("normalisation"):  # an ANN checkpoint: convert it here (convert does it once, on your images)
        snn, info = _convert_on_the_fly(snn, info, image, args)
    timesteps = args.timesteps or info.get("timesteps") or cfg["snn"]["timesteps"][0]
    exps = thresholds_log2(cfg["snn"]["thresholds"])
    name = args.name or Path(args.checkpoint).stem
    pixels = image.shape[1] * image.shape[2]
    membranes = record_membranes(args.membranes, image.shape[1], image.shape[2])
    try:
        out, manifest = export_network(snn, image, args.out, name, timesteps, exps,
                                       args.compare or cfg["snn"]["compare"], info["lambdas"],
                                       record_membranes=membranes,
                                       source={"image": image_path, "crop": (args.crop or (0, 0))[:2]})
    except ValueError as exc:  # a quantisation rule refused a layer (it names the layer): name the file too
        raise InputError(f"{resolve(args.checkpoint)}: {exc}") from None
    vec_files = {f: (Path(out) / f).stat().st_size for f in manifest["files"] if f.startswith("vectors/")}
    why = {"on": "--membranes on", "off": "--membranes off"}.get(
        args.membranes, f"--membranes auto: {pixels} pixels {'<=' if membranes else '>'} {MEMBRANES_AUTO_PIXELS}")
    print(f"VECTORS {len(vec_files)} files, {sum(vec_files.values()) / 1e6:.3f} MB in {Path(out) / 'vectors'}; "
          f"membranes {'recorded' if membranes else 'not recorded'} ({why})")
    print(f"EXPORT {name} -> {out}: {len(manifest['layers'])} layers, {image.shape[1]}x{image.shape[2]} (HxW) "
          f"image from {image_path}, T={timesteps}, compare={manifest['compare']}")
    return 0


def _verify(export_dir: str) -> int:
    from golden.export.load import verify_export

    net, m = verify_export(export_dir)
    print(f"VERIFY {export_dir}: manifest, {len(m['files'])} files' SHA-256, widths, ROM images, header and golden "
          f"vectors (re-computed by the integer model, T={net.timesteps}) agree")
    return 0


def _convert_on_the_fly(ann, info: dict, image, args):
    """An ANN checkpoint normalised connection-wise, its lambdas the 99.9th percentile over --calibrate's images
    (centre-cropped alike) or over the exported image; says so in one line."""
    from golden.model.convert_command import calibration_images, convert_ann

    if args.calibrate:
        batch, files = calibration_images(args.calibrate, 8, ann.in_channels, ann.multiple)
        where = f"{len(files)} image(s) of --calibrate (first {files[0]})"
    else:
        batch, where = image[None], "the exported image (--calibrate PNG... or `convert` for your training images)"
    snn, lambdas = convert_ann(ann, batch)
    print(f"CONVERT {args.checkpoint}: an ANN checkpoint, converted connection-wise here; lambdas from {where}")
    return snn, {**info, "lambdas": lambdas, "normalisation": "connection_wise"}
