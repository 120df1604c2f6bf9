"""`python -m golden bench` (`make bench`): the golden model's speed against one float32 ANN forward, its scaling
and memory, time-to-F1 against SpikingJelly, then the RTL engine's cycles against the event bound.

Everything is measured in this one run, on this machine, with the stated threads; ratios are what count.
- `BENCH golden`: per time step on a 512x512 EM slice (slice 22 of the data root), the committed EM model:
  the float32 ANN forward (the floor), the float SNN (float32) and the integer SNN (the contract, exact), each
  the median of `--repeats` rounds, the levels interleaved so they share the machine's state. The SNN times are
  a T-step run divided by T (the static first layer included), exactly what eval-seg runs.
- `BENCH scaling`: the same at 64, 128, 256 and 512 pixels square (centre crops): microseconds per pixel and
  step show whether the cost is linear in pixels.
- `BENCH memory`: peak resident memory of each level on the 512x512 slice at T, each in a fresh process.
- `BENCH sweep` / `BENCH time_to_f1`: F1 against T of our integer SNN and of SpikingJelly 2.0.0's ann2snn (IF
  neurons, 99.9th-percentile calibration on the same training crops as ours; golden/analysis/peers.py) on the same
  ANN and the same held-out slices 20-23;
  seconds per 512x512 slice to come within 0.01 F1 of the ANN = (first such T) x (seconds per step).
Writes build/bench/bench.json, bench.md and bench.png (F1 against T; time per step against pixels).
"""
from __future__ import annotations

import functools
import json
import statistics
import subprocess
import sys
import time

import numpy as np

from golden import runtime
from golden.analysis import bench_rtl
from golden.atomic import write_bytes, write_text
from golden.paths import REPO_ROOT

CONFIG = "configs/unet_em.yaml"
ANN, SNN = "configs/models/em_unet_ann.npz", "configs/models/em_unet_snn.npz"
BENCH_SLICE, EVAL_SLICES = 22, (20, 21, 22, 23)
SIZES = (64, 128, 256, 512)
MARGIN = 0.01


def load_models():
    from golden.model.checkpoint import load_model_npz
    from golden.model.unet import load_unet_config

    ann, _ = load_model_npz(REPO_ROOT / ANN)
    snn, _ = load_model_npz(REPO_ROOT / SNN)
    return ann, snn, load_unet_config(REPO_ROOT / CONFIG)


@functools.lru_cache(maxsize=2)
def _bench_slice(data_root) -> np.ndarray:
    from golden.model.datasets import load_em_pairs

    return load_em_pairs([BENCH_SLICE], data_root)[0][0]


def frame(size: int, data_root=None) -> np.ndarray:
    """The centre size x size crop of EM slice 22 (uint8 [1][H][W]); the slice is read once."""
    from golden.data import crop

    image = _bench_slice(data_root)
    y = (image.shape[1] - size) // 2
    return crop(image, y, y, size)


def runners(ann, snn, cfg, T: int, levels=("ann", "snn_float", "snn_int")) -> dict:
    from golden.model.evaluate import Runner

    th, cmp = cfg["snn"]["thresholds"], cfg["snn"]["compare"]
    return {level: Runner(ann, snn, T, th, cmp, (level,)) for level in levels}


def step_ms(runs: dict, image: np.ndarray, T: int, repeats: int) -> dict[str, float]:
    """Median milliseconds per time step of each level (ANN: per forward), levels interleaved per round."""
    batch = image[None]
    times: dict[str, list[float]] = {k: [] for k in runs}
    for r in runs.values():
        r.run_batch(batch)  # warm-up: first-call allocations and oneDNN primitive creation
    for _ in range(repeats):
        for level, r in runs.items():
            t0 = time.perf_counter()
            r.run_batch(batch)
            times[level].append((time.perf_counter() - t0) * 1e3 / (1 if level == "ann" else T))
    return {k: statistics.median(v) for k, v in times.items()}


def memory(size: int, T: int, threads: int) -> dict[str, dict]:
    out = {}
    for level in ("ann", "snn_float", "snn_int"):
        proc = subprocess.run([sys.executable, "-m", "golden.analysis.bench_memory", "--level", level, "--size",
                               str(size), "--timesteps", str(T), "--threads", str(threads)],
                              capture_output=True, text=True, cwd=REPO_ROOT)
        if proc.returncode:
            raise RuntimeError(f"bench_memory --level {level} failed:\n{proc.stderr[-2000:]}")
        out[level] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def f1_by_t(outputs: dict[int, np.ndarray], labels: np.ndarray) -> dict[int, float]:
    """F1 (interior = 1 positive) pooled over all pixels, as eval-seg, at every t."""
    from golden.model import metrics

    return {t: float(metrics.binary_scores(o.argmax(1).ravel(), labels.ravel(), positive=1)["f1"])
            for t, o in sorted(outputs.items())}


def first_within(f1: dict[int, float], target: float, margin: float = MARGIN):
    return next((t for t, v in sorted(f1.items()) if v >= target - margin), None)


def our_sweep(ann, snn, cfg, images, labels, t_max: int) -> dict:
    from golden.model.evaluate import Runner

    r = Runner(ann, snn, t_max, cfg["snn"]["thresholds"], cfg["snn"]["compare"], ("ann", "snn_int"),
               snapshots=range(1, t_max + 1))
    outs = {"ann": {}, "snn_int": {}}
    for i in range(len(images)):  # one slice at a time: the sweep keeps t_max outputs of each
        o = r.run_batch(images[i : i + 1])
        for level in outs:
            for t, v in o[level].items():
                outs[level].setdefault(t, []).append(v)
    ann_f1 = f1_by_t({t_max: np.concatenate(outs["ann"][t_max])}, labels)[t_max]
    return {"ann_f1": ann_f1, "f1": f1_by_t({t: np.concatenate(v) for t, v in outs["snn_int"].items()}, labels)}


def add_arguments(ap) -> None:
    ap.add_argument("--size", type=int, default=512, help="frame size of the BENCH golden line (default 512)")
    ap.add_argument("--timesteps", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, help="torch threads (default: $OMP_NUM_THREADS, else every core)")
    ap.add_argument("--sweep-t", type=int, default=16, help="our integer SNN's sweep goes to this T (default 16)")
    ap.add_argument("--peer-t", type=int, default=80, help="SpikingJelly's sweep goes to this T (default 80)")
    ap.add_argument("--data-root", help="data root (default ../shared/data or $SUNET_DATA_ROOT)")
    ap.add_argument("--out", default="build/bench/bench", help="report prefix (.json, .md, .png)")
    ap.add_argument("--skip-scaling", action="store_true")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--skip-sweep", action="store_true", help="no F1 sweeps (ours and SpikingJelly)")
    ap.add_argument("--skip-rtl", action="store_true", help="only the golden-model part")
    ap.add_argument("--deploy-table", action="store_true",
                    help="only the deployment table (golden/analysis/bench_deploy.py: from the reports of sim --fast, "
                         "timing and synth), nothing measured")
    ap.add_argument("--profile", action="store_true",
                    help="also where the time goes: torch profiler per level, written to <out>_profile.md")
    bench_rtl.add_arguments(ap)


def run(args) -> int:
    if args.deploy_table:
        from golden.analysis import bench_deploy

        return bench_deploy.run()
    runtime.configure(args.threads)
    import torch

    threads = torch.get_num_threads()
    T = args.timesteps
    ann, snn, cfg = load_models()
    result: dict = {"threads": threads, "T": T, "model": SNN, "slice": BENCH_SLICE, "machine": machine()}
    runs = runners(ann, snn, cfg, T)
    ms = step_ms(runs, frame(args.size, args.data_root), T, args.repeats)
    result["golden"] = g = {"size": args.size, "ann_ms": ms["ann"], "float_snn_ms": ms["snn_float"],
                            "int_snn_ms": ms["snn_int"], "int_over_ann": ms["snn_int"] / ms["ann"],
                            "float_over_ann": ms["snn_float"] / ms["ann"]}
    print(f"BENCH golden size={args.size} T={T} threads={threads} ann_ms={g['ann_ms']:.1f} "
          f"float_snn_ms={g['float_snn_ms']:.1f} int_snn_ms={g['int_snn_ms']:.1f} "
          f"int_over_ann={g['int_over_ann']:.2f} float_over_ann={g['float_over_ann']:.2f} "
          "(per step; targets int <= 2.0, float <= 1.5)", flush=True)
    if args.profile:
        write_text(f"{args.out}_profile.md", profile(runs, frame(args.size, args.data_root), T, threads))
        print(f"BENCH profile written to {args.out}_profile.md", flush=True)
    if not args.skip_scaling:
        result["scaling"] = []
        for size in SIZES:
            s = ms if size == args.size else step_ms(runs, frame(size, args.data_root), T, args.repeats)
            row = {"size": size, **{f"{k}_ms": v for k, v in s.items()},
                   "int_us_per_pixel": s["snn_int"] * 1e3 / size**2}
            result["scaling"].append(row)
            print(f"BENCH scaling size={size} ann_ms={s['ann']:.2f} float_snn_ms={s['snn_float']:.2f} "
                  f"int_snn_ms={s['snn_int']:.2f} int_us_per_pixel={row['int_us_per_pixel']:.3f}", flush=True)
    if not args.skip_memory:
        result["memory"] = mem = memory(args.size, T, threads)
        print(f"BENCH memory size={args.size} T={T} " + " ".join(
            f"{k}_peak_mb={v['peak_mb']:.0f}" for k, v in mem.items()) +
            f" (baseline after loading: {mem['snn_int']['baseline_mb']:.0f} MB)", flush=True)
    if not args.skip_sweep:
        result["sweep"] = sweep(args, ann, snn, cfg, g["int_snn_ms"] / 1e3)
    write_reports(args.out, result)
    if args.skip_rtl:
        return 0
    rc = bench_rtl.run(args)
    from golden.analysis import bench_deploy

    return rc or bench_deploy.run()


def sweep(args, ann, snn, cfg, our_step_s: float) -> dict:
    """F1 against T of ours and SpikingJelly's on slices 20-23; time to come within MARGIN of the ANN."""
    from golden.model.datasets import load_em_pairs

    images, labels, _ = load_em_pairs(EVAL_SLICES, args.data_root)
    ours = our_sweep(ann, snn, cfg, images, labels, args.sweep_t)
    t_ours = first_within(ours["f1"], ours["ann_f1"])
    res = {"slices": list(EVAL_SLICES), "ours": {**ours, "T_within": t_ours, "step_s": our_step_s}}
    print(f"BENCH sweep ours ann_f1={ours['ann_f1']:.4f} " +
          " ".join(f"T{t}={v:.4f}" for t, v in ours["f1"].items()), flush=True)
    try:
        from golden.analysis import peers
    except ImportError:
        peers = None
    if peers is None or not peers.spikingjelly_available():
        print("BENCH time_to_f1 skipped: SpikingJelly is not installed (make peers)")
        return res
    import torch

    calib = peers.calibration_crops(CONFIG, args.data_root)  # our own calibration batch (training crops)
    sj = peers.sweep_spikingjelly(ann, images, labels, args.peer_t, calib, threads=torch.get_num_threads())
    sj_f1 = {t + 1: v for t, v in enumerate(sj["f1"])}
    t_sj = first_within(sj_f1, sj["ann_f1"])
    res["spikingjelly"] = {**sj, "f1": sj_f1, "T_within": t_sj}
    print(f"BENCH sweep spikingjelly ann_f1={sj['ann_f1']:.4f} " +
          " ".join(f"T{t}={v:.4f}" for t, v in sj_f1.items() if t <= 8 or t % 8 == 0), flush=True)
    if t_ours is None or t_sj is None:
        print(f"BENCH time_to_f1 not reached within {MARGIN} F1: ours T={t_ours} (sweep to {args.sweep_t}), "
              f"spikingjelly T={t_sj} (sweep to {args.peer_t})")
        return res
    # ours: a T_ours-step run of one slice, timed whole (its static first layer included); SpikingJelly: steps x
    # its median step (it has no once-per-frame part)
    ours_s = step_ms(runners(ann, snn, cfg, t_ours, ("snn_int",)), images[0], t_ours, args.repeats)["snn_int"]
    ours_s *= t_ours / 1e3
    sj_s = t_sj * sj["step_s"]
    res["time_to_f1"] = {"ours_T": t_ours, "ours_s": ours_s, "spikingjelly_T": t_sj, "spikingjelly_s": sj_s,
                         "ratio": sj_s / ours_s}
    print(f"BENCH time_to_f1 ours_T={t_ours} ours_s={ours_s:.2f} spikingjelly_T={t_sj} "
          f"spikingjelly_s={sj_s:.2f} ratio={sj_s / ours_s:.1f} (target >= 10)", flush=True)
    return res


def profile(runs: dict, image: np.ndarray, T: int, threads: int, rows: int = 10) -> str:
    """Self time per torch operator of one run of each level (ms per time step; the ANN: per forward)."""
    from torch.profiler import ProfilerActivity
    from torch.profiler import profile as torch_profile

    with torch_profile(activities=[ProfilerActivity.CPU]):  # the profiler's own start-up, not charged to a level
        next(iter(runs.values())).run_batch(image[None])
    md = [f"# Where the time goes ({image.shape[1]}x{image.shape[2]}, T = {T}, {threads} thread(s))", "",
          f"`python -m golden bench --profile` on {machine()}. Self time of each torch operator in one run, per time "
          "step (the ANN: per forward); the rest of a level's time is Python between the operators.", ""]
    for level, r in runs.items():
        r.run_batch(image[None])
        t0 = time.perf_counter()
        with torch_profile(activities=[ProfilerActivity.CPU]) as prof:
            r.run_batch(image[None])
        wall = (time.perf_counter() - t0) * 1e3
        per = 1 if level == "ann" else T
        ops = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)[:rows]
        total = sum(e.self_cpu_time_total for e in prof.key_averages()) / 1e3
        md += [f"## {level}: {wall / per:.1f} ms per step under the profiler, {total / per:.1f} ms in operators",
               "", "| operator | calls per step | ms per step | share |", "|---|---|---|---|"]
        md += [f"| `{e.key}` | {e.count / per:g} | {e.self_cpu_time_total / 1e3 / per:.2f} | "
               f"{e.self_cpu_time_total / 1e3 / total:.0%} |" for e in ops]
        md.append("")
    return "\n".join(md) + "\n"


def machine() -> str:
    import platform

    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {runtime.available_cores()} cores available, {platform.system()}"


def write_reports(out: str, result: dict) -> None:
    write_text(f"{out}.json", json.dumps(result, indent=1) + "\n")
    g = result["golden"]
    md = ["# Golden-model benchmark", "", f"Machine: {result['machine']}; torch threads: {result['threads']}; "
          f"model `{result['model']}`; EM slice {result['slice']}; T = {result['T']}.", "",
          "| per time step | ms | x ANN |", "|---|---|---|",
          f"| float32 ANN forward | {g['ann_ms']:.1f} | 1.00 |",
          f"| float SNN (float32) | {g['float_snn_ms']:.1f} | {g['float_over_ann']:.2f} |",
          f"| integer SNN (exact) | {g['int_snn_ms']:.1f} | {g['int_over_ann']:.2f} |"]
    if "scaling" in result:
        md += ["", "| size | ANN ms | float SNN ms | int SNN ms | int us/pixel |", "|---|---|---|---|---|"]
        md += [f"| {r['size']} | {r['ann_ms']:.2f} | {r['snn_float_ms']:.2f} | {r['snn_int_ms']:.2f} | "
               f"{r['int_us_per_pixel']:.3f} |" for r in result["scaling"]]
    if "memory" in result:
        md += ["", "| level | peak MB | after loading MB |", "|---|---|---|"]
        md += [f"| {k} | {v['peak_mb']:.0f} | {v['baseline_mb']:.0f} |" for k, v in result["memory"].items()]
    tf = result.get("sweep", {}).get("time_to_f1")
    if tf:
        md += ["", f"Time to come within {MARGIN} F1 of the ANN on slices 20-23: ours T = {tf['ours_T']}, "
               f"{tf['ours_s']:.2f} s per slice; SpikingJelly T = {tf['spikingjelly_T']}, {tf['spikingjelly_s']:.2f} s; "
               f"ratio {tf['ratio']:.1f}."]
    md += ["", f"![F1 against T and time against pixels]({out.rsplit('/', 1)[-1]}.png)"]
    write_text(f"{out}.md", "\n".join(md) + "\n")
    write_bytes(f"{out}.png", plot(result))


def plot(result: dict) -> bytes:
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    sw = result.get("sweep")
    ax = axes[0]
    if sw:
        for key, label in (("ours", "integer SNN (ours)"), ("spikingjelly", "SpikingJelly 2.0 ann2snn")):
            if key in sw:
                f1 = sw[key]["f1"]
                ax.plot(list(map(int, f1)), list(f1.values()), marker=".", label=label)
        ax.axhline(sw["ours"]["ann_f1"] - MARGIN, color="grey", ls="--", lw=0.8, label=f"ANN F1 - {MARGIN}")
        ax.set_xscale("log", base=2)
        ax.legend()
    ax.set(xlabel="time steps T", ylabel="F1 (slices 20-23)", title="quality against T")
    ax = axes[1]
    if "scaling" in result:
        px = [r["size"] ** 2 for r in result["scaling"]]
        for key, label in (("ann_ms", "ANN forward"), ("snn_float_ms", "float SNN / step"),
                           ("snn_int_ms", "integer SNN / step")):
            ax.loglog(px, [r[key] for r in result["scaling"]], marker="o", label=label)
        ax.legend()
    ax.set(xlabel="pixels", ylabel="ms", title=f"time, {result['threads']} thread(s)")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()
