"""`python -m golden bench` (`make bench`): the integer full-network simulator against the float torch SNN, then
the RTL engine's cycles against the event bound (golden/analysis/bench_rtl.py).

Both run the same normalised U-Net on the same tile for the same T, in one process, one after the other,
repeated; the ratio is what counts (absolute numbers depend on the machine). Writes build/bench/bench.json.
"""
from __future__ import annotations

import json
import time

import numpy as np
import torch

from golden.analysis import bench_rtl
from golden.atomic import write_text
from golden.model.convert import calibrate, normalise, simulate
from golden.export.network import int_network, run_int
from golden.export.synthetic import synthetic_image
from golden.model.unet import UNet


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def add_arguments(ap) -> None:
    ap.add_argument("--base", type=int, default=8)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--timesteps", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default="build/bench/bench.json")
    ap.add_argument("--skip-rtl", action="store_true", help="only the golden-model part")
    bench_rtl.add_arguments(ap)


def run(args) -> int:
    torch.manual_seed(0)
    model = UNet(1, 2, base=args.base, depth=args.depth)
    image = synthetic_image(0, args.size)
    x = torch.from_numpy(image[None].astype(np.float32) / 255.0)
    snn = normalise(model, calibrate(model, x), "connection_wise")
    layers = int_network(snn, timesteps=args.timesteps)
    exps = (1, 0, -1, -2)
    t_float = best_of(lambda: simulate(snn, x, args.timesteps), args.repeats)
    t_int = best_of(lambda: run_int(layers, image, args.timesteps, exps), args.repeats)
    result = {
        "model": f"U-Net base {args.base} depth {args.depth}", "tile": f"{args.size}x{args.size}",
        "timesteps": args.timesteps, "threads": torch.get_num_threads(),
        "float_snn_fps": round(1 / t_float, 3), "int_snn_fps": round(1 / t_int, 3),
        "int_over_float_speed": round(t_float / t_int, 3),
    }
    write_text(args.out, json.dumps(result, indent=1) + "\n")
    print(f"BENCH int-vs-float {result['model']} tile={result['tile']} T={args.timesteps}: "
          f"float {result['float_snn_fps']} fps, int {result['int_snn_fps']} fps, "
          f"ratio int/float speed = {result['int_over_float_speed']}x (target >= 1)")
    return 0 if args.skip_rtl else bench_rtl.run(args)
