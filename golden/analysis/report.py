"""`make report`: the paper's tables and figures reproduced on this project's model, with the paper's numbers.

    python -m golden report [--ckpt ANN] [--config C] [--data-root D] [--out build/report]
                            [--images N] [--crop C] [--T 10 20 50] [--finetune-steps 30] [--ft-T T]
                            [--snn-ckpt SNN.npz] [--denoise-ckpt ANN] [--denoise-config C] ...

From one ANN checkpoint (golden.model.train's last.pt, or an ANN .npz of golden.model.checkpoint.save_npz) and its config it
calibrates (the config's first training crops), converts layer-wise (LW) and connection-wise (CW), runs the
float SNN with the IF neuron (one threshold, 1.0) and the MT neuron (the config's thresholds), fine-tunes with
Algorithm 1 (golden/model/finetune.py) for `--finetune-steps` steps at `--ft-T`, and writes under --out:

- report.md / report.json: Table 1-style (ANN vs SNN MT CW before/after fine-tuning), Table 3-style ablation
  (LW/CW x IF/MT x FT, every T), Table 4-style threshold sets (CW, no fine-tuning, short T), Table 2-style
  denoising (only with --denoise-ckpt), the integer SNN (golden.export.network) next to the float SNN for the main
  configuration (CW, MT, fine-tuned, at --ft-T), firing rates and the Table 5 energy estimate, each next to
  the numbers the paper reports (typed once in golden/analysis/paper.py PAPER);
- fig3_activation_vs_rate.png (ANN activation vs SNN rate of the convs after skip connections, LW vs CW),
  firing_rates.png.

Validation images: the config's validation set, the first --images items, centre-cropped to --crop (0: whole
images). The defaults (4 EM slices, 256x256 centre crops, T 10/20/50, 30 fine-tuning steps) take about ten
minutes on two CPU cores. Everything is seeded (--seed); run with OMP_NUM_THREADS=1 on a small machine.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from golden.analysis import paper as R
from golden.analysis.experiments import fig3_data, finetune, int_seg_eval, main_run
from golden.model.checkpoint import load_ann
from golden.analysis.report_markdown import render
from golden.analysis.report_runs import plot_qualitative, run_tables
from golden.atomic import write_text
from golden.model.checkpoint import load_model_npz
from golden.model.convert import IF_THRESHOLDS, METHODS, calibrate, normalise
from golden.model.datasets import DenoiseTest, build_datasets, build_test_set
from golden.model.finetune import calibration_batch, evaluate
from golden.model.unet import layer_specs, load_unet_config, pad_to_multiple
from golden.paths import REPO_ROOT as ROOT

import numpy as np
import torch
from tqdm import tqdm


SHORT = {"layer_wise": "LW", "connection_wise": "CW"}
# the committed CamSeq01 models run the paper's ablations (Tables 1, 3, 4, 5 are on CamSeq01 in the paper)
DEFAULT_CONFIG = "configs/unet_camseq.yaml"
DEFAULT_ANN, DEFAULT_SNN = "configs/models/camseq_unet_ann.npz", "configs/models/camseq_unet_snn.npz"


# ------------------------------------------------------------------------------------------------ main

def add_arguments(ap) -> None:
    ap.add_argument("--ckpt", help=f"ANN checkpoint (.pt of golden.model.train or ANN .npz); default {DEFAULT_ANN} "
                                   f"with {DEFAULT_SNN} as --snn-ckpt")
    ap.add_argument("--config", default=DEFAULT_CONFIG)
    ap.add_argument("--split", choices=("test", "val"), default="test",
                    help="images of the ablations: the config's test split (data.test_split; the validation set "
                         "where it has none) or its validation set")
    ap.add_argument("--data-root")
    ap.add_argument("--out", default="build/report")
    ap.add_argument("--images", type=int, default=0, help="first N images of --split (0: all)")
    ap.add_argument("--crop", type=int, default=256, help="centre crop of each validation image (0: whole)")
    ap.add_argument("--T", type=int, nargs="+", default=[10, 20], help="time windows evaluated")
    ap.add_argument("--finetune-steps", type=int, default=30, help="Algorithm-1 steps per fine-tuned model (0: none)")
    ap.add_argument("--ft-T", type=int, help="fine-tuning T, also the main configuration's T (default min --T)")
    ap.add_argument("--ft-batch", type=int, default=2)
    ap.add_argument("--ft-lr", type=float, default=1e-4)
    ap.add_argument("--ft-if", action="store_true", help="also fine-tune the IF-neuron models (Table 3 rows)")
    ap.add_argument("--snn-ckpt", help="a fine-tuned CW SNN .npz (e.g. configs/models/em_unet_snn.npz) used as "
                                       "the CW MT fine-tuned model instead of fine-tuning it here")
    ap.add_argument("--ft-thresholds", action="store_true",
                    help="fine-tune every threshold set of Table 4 (--finetune-steps each), as the paper does")
    ap.add_argument("--thresholds-T", type=int, help="T of the threshold-set table (default min --T)")
    ap.add_argument("--fig3-T", type=int, help="T of Figure 3 (default max --T)")
    ap.add_argument("--fig3-points", type=int, default=3000, help="points per scatter panel")
    ap.add_argument("--no-int", action="store_true",
                    help="tables in float SNN arithmetic, no integer SNN (default: every SNN row is the integer "
                         "SNN, the hardware's arithmetic)")
    ap.add_argument("--denoise-ckpt", help="denoising ANN checkpoint: adds the Table 2-style section")
    ap.add_argument("--denoise-config", default="configs/unet_bsd_small.yaml")
    ap.add_argument("--denoise-images", type=int, default=4)
    ap.add_argument("--denoise-crop", type=int, default=128)
    ap.add_argument("--denoise-T", type=int, default=10)
    ap.add_argument("--no-em", action="store_true", help="no Table 1 EM rows of the committed EM model")
    ap.add_argument("--no-camseq", action="store_true", help="no Table 1 CamSeq01 rows of the committed model")
    ap.add_argument("--no-denoise", action="store_true",
                    help="no Table 2 rows of the committed grey (BSD68) and colour (CBSD68) denoisers")
    ap.add_argument("--table1-images", type=int, default=0,
                    help="first N EM slices / CamSeq01 test frames of the committed-model Table 1 (0: all)")
    ap.add_argument("--table2-images", type=int, default=0,
                    help="first N BSD68 / CBSD68 images of the committed-model Table 2 (0: all 68)")
    ap.add_argument("--threads", type=int, help="torch threads of the committed-model runs (eval-seg's --threads)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quiet", action="store_true", help="no progress bars")


def build_report(args) -> dict:
    t_start = time.time()
    progress = not args.quiet
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    if not args.ckpt:
        args.ckpt = str(ROOT / DEFAULT_ANN)
        if args.snn_ckpt is None and args.config == DEFAULT_CONFIG:
            args.snn_ckpt = str(ROOT / DEFAULT_SNN)
    cfg = load_unet_config(args.config)
    if cfg["task"] != "segmentation":
        raise ValueError(f"{args.config}: the main report needs a segmentation config (denoising: --denoise-ckpt)")
    ann = load_ann(args.ckpt, cfg)
    Ts = sorted(set(args.T))
    ft_T = args.ft_T or Ts[0]
    thr_T = args.thresholds_T or Ts[0]
    fig3_T = args.fig3_T or Ts[-1]
    snn_cfg = cfg["snn"]
    mt = tuple(float(t) for t in snn_cfg["thresholds"])
    compare = snn_cfg["compare"]
    classes = cfg["model"].get("classes", 2)
    ignore = cfg["data"].get("ignore_index")
    train_set, val_full = build_datasets(cfg, args.data_root)
    if args.split == "test":
        test = build_test_set(cfg, args.data_root)
        val_full = val_full if test is None else test
    val = R.CenterCrop(val_full, args.crop or None, args.images or None)
    with_int = not args.no_int

    def snn_eval(model, Ts_, ths, desc):
        """Scores of an SNN at every T of Ts_: the integer SNN (the hardware's arithmetic) unless --no-int."""
        if with_int:
            return int_seg_eval(model, val, Ts_, ths, compare, classes, ignore, progress, desc)
        return evaluate(model, val, "segmentation", Ts_, ths, compare, classes, ignore)
    steps = args.finetune_steps

    jobs = ((not args.no_em) + (not args.no_camseq) + 6 * (not args.no_denoise) + 1
            + 1 + 4 + (steps > 0) + (steps > 0 or bool(args.snn_ckpt)) + 2 * (steps > 0 and args.ft_if)
            + len(R.THRESHOLD_SETS) + 3)
    bar = tqdm(total=jobs, desc="report", unit="job", disable=not progress)

    def done(what: str) -> None:
        bar.set_postfix_str(what)
        bar.update(1)

    rep: dict = {"paper": R.PAPER}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rep["committed"] = run_tables(args, out, done)
    rep["committed"]["figures"] = plot_qualitative(out, rep["committed"])
    done("Figures 4-5")
    ann_scores = evaluate(ann, val, "segmentation", classes=classes, ignore_index=ignore)["ann"]
    done("ANN")
    # The ablations convert as the paper does (percentile -> 1 threshold unit), whatever the config's target.
    lambdas = calibrate(ann, calibration_batch(train_set, snn_cfg["calibration_images"]))
    snns = {method: normalise(ann, lambdas, method) for method in METHODS}

    ablation, models, ft_info = [], {}, {}
    for method in METHODS:
        for neuron, ths in (("IF", IF_THRESHOLDS), ("MT", mt)):
            bar.set_postfix_str(f"{SHORT[method]} {neuron} T<={Ts[-1]}")
            s = snn_eval(snns[method], Ts, ths, f"{SHORT[method]} {neuron}")
            ablation.append({"norm": SHORT[method], "neuron": neuron, "thresholds": list(ths), "ft": False,
                             "scores": s})
            done(f"{SHORT[method]} {neuron}")
    for method in METHODS:
        for neuron, ths in (("MT", mt), ("IF", IF_THRESHOLDS)):
            from_ckpt = method == "connection_wise" and neuron == "MT" and bool(args.snn_ckpt)
            if not from_ckpt and (steps <= 0 or (neuron == "IF" and not args.ft_if)):
                continue
            key = f"{SHORT[method]} {neuron}"
            if from_ckpt:
                snn_ft, info = load_model_npz(args.snn_ckpt)
                snn_ft = snn_ft.float()
                if snn_ft.arch() != ann.arch():
                    raise ValueError(f"{args.snn_ckpt}: architecture {snn_ft.arch()} is not the ANN's {ann.arch()}")
                ft_info[key] = {"checkpoint": args.snn_ckpt, "T": info.get("timesteps"), "steps": None,
                                "batch": None, "lr": None, "loss_first": None, "loss_last": None}
            else:
                bar.set_postfix_str(f"fine-tune {key}")
                snn_ft = normalise(ann, lambdas, method)
                ft_info[key] = finetune(snn_ft, train_set, steps, args.ft_batch, args.ft_lr, ft_T, ths, compare,
                                        ignore, args.seed, f"fine-tune {key}", progress)
            s = snn_eval(snn_ft, Ts, ths, f"FT {key}")
            ablation.append({"norm": SHORT[method], "neuron": neuron, "thresholds": list(ths), "ft": True,
                             "scores": s})
            models[(method, neuron)] = snn_ft
            done(f"FT {key}")
    ablation.sort(key=lambda r: (["LW", "CW"].index(r["norm"]), ["IF", "MT"].index(r["neuron"]), r["ft"]))
    rep["ablation"], rep["finetune"] = ablation, ft_info

    # Table 1
    def find(norm, neuron, ft):
        return next((r for r in ablation if (r["norm"], r["neuron"], r["ft"]) == (norm, neuron, ft)), None)

    em = cfg["data"]["dataset"] == "em"
    p1 = R.PAPER["table1_em"]
    rows = [{"model": "U-Net (ANN)", "T": "-", "scores": ann_scores, "paper": p1["unet"] if em else None}]
    for label, r in (("SNN MT CW, converted", find("CW", "MT", False)), ("SNN MT CW, fine-tuned", find("CW", "MT", True))):
        if r is None:
            continue
        for T in Ts:
            paper = p1["mt_ft"] if em and r["ft"] and T == p1["T"] else None
            rows.append({"model": label, "T": T, "scores": r["scores"][str(T)], "paper": paper})
    ft_desc = (f"{steps} steps at T={ft_T}, batch {args.ft_batch}, lr {args.ft_lr}" if steps > 0 else "none")
    note = (f"Paper: EM, T = {p1['T']}, its MT-FT column (fine-tuned at T = 50, lr 1e-6, 100 epochs). Ours: "
            f"fine-tuned {ft_desc}" + (f" (CW MT from {args.snn_ckpt})" if args.snn_ckpt else "") +
            "; the paper does not report a converted-only MT model on EM (its other MT column is direct training: "
            f"F1 {p1['mt_dt']['f1']}, JS {p1['mt_dt']['jaccard']}, ACC {p1['mt_dt']['acc']}).")
    rep["table1"] = {"rows": rows, "note": note}

    # Table 4
    t4 = []
    paper4 = {tuple(r["thresholds"]): r["miou"] for r in R.PAPER["table4_camseq"]}
    ft4 = bool(args.ft_thresholds and steps > 0)
    for ths in R.THRESHOLD_SETS:
        reuse = next((r for r in ablation if r["ft"] == ft4 and r["norm"] == "CW" and tuple(r["thresholds"]) == ths
                      and str(thr_T) in r["scores"]), None)
        if ft4 and reuse is None:  # as the paper's Table 4: each threshold set converted and fine-tuned
            bar.set_postfix_str(f"fine-tune thresholds {ths}")
            snn4 = normalise(ann, lambdas, "connection_wise")
            finetune(snn4, train_set, steps, args.ft_batch, args.ft_lr, ft_T, ths, compare, ignore, args.seed,
                     f"fine-tune {ths}", progress)
            s = snn_eval(snn4, [thr_T], ths, f"thresholds {ths}")[str(thr_T)]
        elif reuse is not None:
            s = reuse["scores"][str(thr_T)]
        else:
            bar.set_postfix_str(f"thresholds {ths}")
            s = snn_eval(snns["connection_wise"], [thr_T], ths, f"thresholds {ths}")[str(thr_T)]
        t4.append({"thresholds": list(ths), "scores": s, "paper_miou": paper4.get(ths)})
        done(f"thresholds {ths}")
    rep["thresholds"] = {"T": thr_T, "norm": "CW", "ft": ft4, "rows": t4,
                         "finetune": f"{steps} steps at T={ft_T} each" if ft4 else "none"}

    # main configuration: CW MT fine-tuned (or converted if no fine-tuning), float vs int, spikes
    main_model = models.get(("connection_wise", "MT"), snns["connection_wise"])
    main_T = ft_T if ("connection_wise", "MT") in models else Ts[0]
    if args.snn_ckpt and ft_info.get("CW MT", {}).get("T"):
        main_T = args.ft_T or ft_info["CW MT"]["T"]
    main_desc = "SNN MT CW " + ("fine-tuned" if ("connection_wise", "MT") in models else "converted")
    bar.set_postfix_str("main SNN + int")
    mr = main_run(main_model, val, main_T, mt, compare, classes, ignore, not args.no_int, progress)
    mr["model"] = main_desc
    rep["main"] = mr
    done("main")

    h, w = mr["size"]
    rates = R.firing_rates(main_model, mr["spikes_per_image"], h, w, main_T)
    tot_spk = sum(r["spikes_per_image"] for r in rates)
    tot_neu = sum(r["neurons"] for r in rates)
    rep["firing_rates"] = {"model": main_desc, "T": main_T, "layers": rates, "png": "firing_rates.png",
                           "total_spikes_per_image": tot_spk, "total_rate": tot_spk / (tot_neu * main_T)}
    R.plot_rates(out / "firing_rates.png", rates, f"{main_desc}, T={main_T}: spikes per neuron per step")
    e = R.energy(main_model, mr["spikes_per_image"], h, w)

    big = layer_specs(3, 32, 64, 4)
    big_macs = R.ann_macs(big, 3, 256, 256)
    e["paper_size_unet_macs"] = float(sum(big_macs.values()))
    e["paper_size_input_macs"] = float(big_macs[big[0].name])
    rep["energy"] = e

    # Figure 3 on the first validation image
    bar.set_postfix_str(f"fig3 T={fig3_T}")
    x0, _ = val[0]
    x0, _ = pad_to_multiple(x0[None], ann.multiple)
    data = fig3_data(ann, snns, lambdas, x0, fig3_T, mt, compare)
    R.plot_fig3(out / "fig3_activation_vs_rate.png", data, args.fig3_points, args.seed)
    rep["fig3"] = {"T": fig3_T, "png": "fig3_activation_vs_rate.png",
                   "layers": {n: d["stats"] for n, d in data.items()}}
    done("fig3")

    # Table 2 (optional)
    rep["denoise"] = None
    if args.denoise_ckpt:
        dcfg = load_unet_config(args.denoise_config)
        dann = load_ann(args.denoise_ckpt, dcfg)
        dtrain, _ = build_datasets(dcfg, args.data_root)
        dth = tuple(float(t) for t in dcfg["snn"]["thresholds"])
        dl = calibrate(dann, calibration_batch(dtrain, dcfg["snn"]["calibration_images"]),
                       target=dcfg["snn"]["calibration_target"], thresholds=dth)
        dsnn = normalise(dann, dl, "connection_wise")
        dft = None
        if steps > 0:
            dft = normalise(dann, dl, "connection_wise")
            dft_info = finetune(dft, dtrain, steps, args.ft_batch, args.ft_lr, args.denoise_T, dth,
                                dcfg["snn"]["compare"], None, args.seed, "fine-tune denoise", progress)
        d = dcfg["data"]
        ch = dcfg["model"]["in_channels"]
        scores = {}
        for sig in (15, 25, 50):
            bar.set_postfix_str(f"denoise sigma {sig}")
            test = R.CenterCrop(DenoiseTest(d.get("test", "bsd68" if ch == 1 else "cbsd68"), ch, sig, args.data_root,
                                            int(dcfg["train"]["seed"]), bool(d.get("quantize", True)),
                                            args.denoise_images), args.denoise_crop or None)
            s = {"ann": evaluate(dann, test, "denoising")["ann"],
                 "snn": evaluate(dsnn, test, "denoising", [args.denoise_T], dth,
                                 dcfg["snn"]["compare"])[str(args.denoise_T)]}
            if dft is not None:
                s["snn_ft"] = evaluate(dft, test, "denoising", [args.denoise_T], dth,
                                       dcfg["snn"]["compare"])[str(args.denoise_T)]
            scores[str(sig)] = s
        rep["denoise"] = {"ckpt": args.denoise_ckpt, "config": args.denoise_config, "images": len(test),
                          "crop": args.denoise_crop, "T": args.denoise_T, "sigmas": [15, 25, 50], "scores": scores,
                          "finetune": dft_info if dft is not None else None,
                          "finetune_desc": (f"{steps} steps at T={args.denoise_T}" if dft is not None else "none")}
    done("denoise")
    bar.close()

    rep["seconds"] = round(time.time() - t_start, 1)
    rep["meta"] = {"ckpt": str(args.ckpt), "config": args.config, "config_name": cfg["name"], "task": cfg["task"],
                   "dataset": cfg["data"]["dataset"], "images": len(val), "crop": args.crop, "T": Ts,
                   "ft_T": ft_T, "thresholds": list(mt), "compare": compare, "seed": args.seed,
                   "finetune": ft_desc + (f"; CW MT from {args.snn_ckpt}" if args.snn_ckpt else ""),
                   "model_desc": (f"base {ann.base}, depth {ann.depth} U-Net "
                                  f"({sum(p.numel() for p in ann.parameters())} parameters)"),
                   "lambdas": {k: round(v, 6) for k, v in lambdas.items()}}
    write_text(out / "report.json", json.dumps(rep, indent=1, default=_json_default) + "\n")
    write_text(out / "report.md", render(json.loads(json.dumps(rep, default=_json_default))))
    return rep


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    raise TypeError(f"not JSON serialisable: {type(o)}")


def run(args) -> int:
    try:
        rep = build_report(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    mr, e = rep["main"], rep["energy"]
    ann = rep["table1"]["rows"][0]["scores"]
    key = "f1" if ann.get("f1") is not None else "miou"  # binary (EM) or multi-class (CamSeq01)
    name = {"f1": "F1", "miou": "mIoU"}[key]
    print(f"REPORT {args.out}/report.md: ANN {name} {ann.get(key)}, "
          f"{mr['model']} T={mr['T']} float {name} {mr['snn_float'].get(key)}"
          + (f", int {name} {mr['snn_int'].get(key)}" if "snn_int" in mr else "")
          + f", rate {rep['firing_rates']['total_rate']:.4f}, energy ANN/SNN {e['ratio_ann_over_snn']:.1f}x "
          f"({rep['seconds']:.0f} s)")
    return 0
