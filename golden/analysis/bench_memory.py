"""Peak memory of one level on one frame, in a fresh process (`golden bench` runs this as a child, so what the
parent has allocated does not count): prints one JSON object {"level", "baseline_mb", "peak_mb"}.

    python -m golden.analysis.bench_memory --level snn_int --size 512 --timesteps 10 --threads 2
"""
from __future__ import annotations

import argparse
import json
import resource


def peak_mb() -> float:
    """This process's peak resident set (VmHWM). Not getrusage's ru_maxrss: Linux carries that across exec, so
    a child would report its parent's peak."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024.0
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--level", choices=("ann", "snn_float", "snn_int"), required=True)
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--timesteps", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    from golden import runtime
    from golden.analysis.bench import frame, load_models
    from golden.model.evaluate import Runner

    runtime.configure(args.threads)
    ann, snn, cfg = load_models()
    image = frame(args.size)
    runner = Runner(ann, snn, args.timesteps, cfg["snn"]["thresholds"], cfg["snn"]["compare"], (args.level,))
    baseline = peak_mb()  # torch, the model and the quantised network loaded; nothing run yet
    runner.run_batch(image[None])
    print(json.dumps({"level": args.level, "baseline_mb": round(baseline, 1), "peak_mb": round(peak_mb(), 1)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
