#!/usr/bin/env python3
"""Write snn_engine's descriptor ROM, weight/bias ROM images and parameters for an export (docs/rtl_engine.md).

    python scripts/gen_engine_desc.py --export DIR [--lanes P] [--out build/engine/<model>-p<P>]

Writes layers.mem, weights.mem, bias.mem, engine_params.json and engine_params.vh (rtl_tb/engine_desc.py).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "rtl_tb"))
sys.path.insert(0, str(ROOT))

import engine_desc  # noqa: E402
from golden.manifest import ManifestError, load_manifest  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--export", required=True)
    ap.add_argument("--lanes", type=int, default=2)
    ap.add_argument("--out")
    args = ap.parse_args(argv)
    try:
        m = load_manifest(args.export)
        out = Path(args.out) if args.out else ROOT / "build" / "engine" / f"{m['model']}-p{args.lanes}"
        cfg = engine_desc.build_config(m, Path(args.export), args.lanes, out)
    except (ManifestError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for d in cfg.layers:
        print(f"{d['name']:>8} {d['kind']:<12} {d['D_IH']}x{d['D_IW']} -> {d['D_OH']}x{d['D_OW']} groups={d['D_G']} "
              f"src=({d['D_SRC0']},{d['D_SRC0_C']})+({d['D_SRC1']},{d['D_SRC1_C']}) dst={d['D_DST']} "
              f"mem={d['D_MBASE']} w={d['D_WBASE']} b={d['D_BBASE']}")
    print(f"wrote {', '.join(str(p) for p in cfg.files.values())}, {out / 'engine_params.json'}, "
          f"{out / 'engine_params.vh'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
