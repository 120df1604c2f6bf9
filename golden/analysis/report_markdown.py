"""The Markdown of `python -m golden report` (golden/analysis/report.py): the paper's tables side by side with ours."""
from __future__ import annotations

from golden.analysis import paper as R
from golden.model.convert import IF_THRESHOLDS
from golden.analysis.report_runs import PAPER_CBSD68_UNET



def render(rep: dict) -> str:
    P = R.PAPER
    m = rep["meta"]
    crop_desc = "whole images" if not m["crop"] else f"centre crops {m['crop']}x{m['crop']}"
    L = [f"# Spiking-UNet report: {m['config_name']}", "",
         f"Checkpoint `{m['ckpt']}`, config `{m['config']}`, task {m['task']}. Validation: {m['images']} images "
         f"of `{m['dataset']}` ({crop_desc}), "
         f"T = {m['T']}; neuron thresholds MT {m['thresholds']} / IF {list(IF_THRESHOLDS)}, compare `{m['compare']}`; "
         f"fine-tuning: {m['finetune']}. Seed {m['seed']}. Run time {rep['seconds']:.0f} s.", "",
         "**Paper** columns are the numbers the paper reports (typed in `golden/analysis/paper.py`, `PAPER`), for the "
         "paper's full-size U-Net (64..1024 channels) trained 200 epochs; **ours** are measured here on "
         f"{m['model_desc']}. The paper's ablations (Tables 3-5) are on CamSeq01 with its original 32 classes at "
         "960x720; this project has only the SegNet 11-class copy at 480x360 (the nearest obtainable), so the "
         "numbers sit beside the paper's, not against them: it is not the same task. Every SNN number is the "
         "integer SNN, the hardware's arithmetic, unless the run says --no-int.", ""]
    L += committed_sections(rep)

    # Table 1
    t1 = rep["table1"]
    L += ["## 1. Table 1-style: ANN vs SNN (MT neuron, connection-wise) before / after fine-tuning", ""]
    rows = [[r["model"], r["T"], r["scores"].get("f1"), r["scores"].get("jaccard"), r["scores"].get("acc"),
             r["scores"].get("miou"), *(r["paper"].get(k) if r["paper"] else None for k in ("f1", "jaccard", "acc"))]
            for r in t1["rows"]]
    L += [R.md_table(["Model", "T", "F1", "JS", "ACC", "mIoU", "paper F1", "paper JS", "paper ACC"], rows), "",
          t1["note"], ""]

    # Table 3
    L += ["## 2. Table 3-style ablation: normalisation, MT neuron, fine-tuning", ""]
    rows = []
    for r in rep["ablation"]:
        for T, s in r["scores"].items():
            rows.append([r["norm"], r["neuron"], "yes" if r["ft"] else "no", int(T), s.get("f1"), s.get("jaccard"),
                         s.get("acc"), s.get("miou")])
    L += [R.md_table(["Norm", "Neuron", "FT", "T", "F1", "JS", "ACC", "mIoU"], rows), ""]
    calibration = ("Every row here converts with the paper's calibration (the 99.9th percentile is one threshold "
                   "unit), fine-tuned rows from that conversion")
    from_ckpt = [f"`{v['checkpoint']}`" for v in (rep.get("finetune") or {}).values() if v.get("checkpoint")]
    if from_ckpt:
        calibration += (f", except the CW MT fine-tuned row: the committed {', '.join(from_ckpt)}, converted with "
                        "its config's `snn.calibration_target`")
    L += [calibration + ".", ""]
    if rep.get("finetune"):
        L += ["Fine-tuning runs (loss of the SNN output on the training batches, before the first and last "
              "update):", "",
              R.md_table(["Run", "T", "steps", "batch", "lr", "loss first", "loss last"],
                         [[k, v["T"], v["steps"], v["batch"], v["lr"], v["loss_first"], v["loss_last"]]
                          for k, v in rep["finetune"].items()]), ""]
    L += ["Paper Table 3 (CamSeq01, mIoU, as reported). Our text copy of the paper lost the check marks of "
          "the LW / CW / MT / FT columns; per row it keeps T, the mIoU and the number of crossed (absent) "
          "components. What §4.4.1 states is in the last column.", "",
          R.md_table(["T", "# absent of LW/CW/MT/FT", "paper mIoU", "configuration (from the text)"],
                     [[r["T"], r["crosses"], r["miou"], r["known"] or "?"] for r in P["table3_camseq"]]), ""]

    # Table 4
    t4 = rep["thresholds"]
    ft4 = t4.get("ft")
    L += [f"## 3. Table 4-style threshold sets (connection-wise, "
          f"{'fine-tuned ' + t4['finetune'] if ft4 else 'no fine-tuning'}, T = {t4['T']})", ""]
    rows = [[", ".join(str(t) for t in r["thresholds"]), len(r["thresholds"]), r["scores"].get("f1"),
             r["scores"].get("acc"), r["scores"].get("miou"), r["paper_miou"]] for r in t4["rows"]]
    L += [R.md_table(["Thresholds", "#", "F1", "ACC", "mIoU", "paper mIoU (CamSeq01, FT, T=20)"], rows), "",
          ("Each threshold set is converted and fine-tuned on its own, as the paper's Table 4 (its 4-threshold row "
           "equals Table 3's best, fine-tuned row)." if ft4 else
           "The paper's Table 4 models are fine-tuned (its 4-threshold row equals Table 3's best, fine-tuned "
           "row); ours are converted only (`--ft-thresholds` fine-tunes each), so the table isolates the neuron's "
           "coding capacity."), ""]

    # Table 2
    L += ["## 4. Table 2-style denoising (BSD68)", ""]
    d = rep.get("denoise")
    if not d:
        L += ["Not run: pass `--denoise-ckpt` (a denoising ANN, e.g. build/runs/bsd_small/last.pt) and "
              "optionally `--denoise-config`.", ""]
    else:
        pb = P["table2_bsd68"]
        L += [f"Checkpoint `{d['ckpt']}`, config `{d['config']}`, {d['images']} BSD68 images"
              f"{' centre-cropped to ' + str(d['crop']) if d['crop'] else ''}, T = {d['T']}, CW, MT; "
              f"fine-tuning: {d['finetune_desc']}.", ""]
        for metric in ("psnr", "ssim"):
            rows = []
            for sig in d["sigmas"]:
                s = d["scores"][str(sig)]
                rows.append([sig, s["ann"][metric], s["snn"][metric], s.get("snn_ft", {}).get(metric),
                             pb[metric]["unet"][sig], pb[metric]["mt_ft"][sig]])
            L += [R.md_table(["sigma", f"ANN {metric.upper()}", f"SNN {metric.upper()}", f"SNN FT {metric.upper()}",
                              f"paper U-Net {metric.upper()}", f"paper MT FT {metric.upper()}"], rows), ""]

    # int vs float
    mr = rep["main"]
    L += [f"## 5. Integer SNN vs float SNN ({mr['model']}, T = {mr['T']})", ""]
    rows = [["snn_float", mr["snn_float"].get("f1"), mr["snn_float"].get("jaccard"), mr["snn_float"].get("acc"),
             mr["snn_float"].get("miou")]]
    if "snn_int" in mr:
        rows.append(["snn_int", mr["snn_int"].get("f1"), mr["snn_int"].get("jaccard"), mr["snn_int"].get("acc"),
                     mr["snn_int"].get("miou")])
    L += [R.md_table(["Level", "F1", "JS", "ACC", "mIoU"], rows), ""]
    if "snn_int" in mr:
        L += [f"Pixel agreement of the two predictions: {R.fmt(mr['int_float_pixel_agreement'])}; largest "
              f"|output difference| (normalised units): {R.fmt(mr['int_float_max_abs_output_diff'])}. The integer "
              "SNN is golden.export.network's 8-bit-weight integer contract, the model the hardware runs.", ""]

    # Fig 3
    f3 = rep["fig3"]
    L += [f"## 6. Figure 3: ANN activation vs SNN spike rate after skip connections (T = {f3['T']}, image 0)", "",
          f"![fig3]({f3['png']})", "",
          "x: ANN activation / lambda of the layer; y: the SNN's output rate sum_i th_i s_i / T of the same "
          "neuron (converted, not fine-tuned). Ideal conversion: y = x (red line).", ""]
    rows = []
    for n, st in f3["layers"].items():
        rows.append([n, st["layer_wise"]["pearson"], st["connection_wise"]["pearson"], st["layer_wise"]["slope"],
                     st["connection_wise"]["slope"], st["layer_wise"]["rmse_identity"],
                     st["connection_wise"]["rmse_identity"]])
    L += [R.md_table(["Layer", "r LW", "r CW", "slope LW", "slope CW", "RMSE LW", "RMSE CW"], rows), ""]

    # firing rates
    fr = rep["firing_rates"]
    L += [f"## 7. Firing rates ({fr['model']}, T = {fr['T']})", "", f"![rates]({fr['png']})", "",
          R.md_table(["Layer", "Kind", "Neurons", "Spikes / image", "Spikes / neuron / step"],
                     [[r["layer"], r["kind"], r["neurons"], r["spikes_per_image"], r["rate"]] for r in fr["layers"]]),
          "", f"Whole network: {R.fmt(fr['total_rate'])} spikes per neuron per step "
          f"({R.fmt(fr['total_spikes_per_image'])} spikes per image).", ""]

    # energy
    e = rep["energy"]
    pe = P["table5_camseq"]
    L += [f"## 8. Energy estimate (Table 5 method), per {e['image'][0]}x{e['image'][1]} image", "",
          f"SNN FLOPs = #spikes (AC, {e['e_ac_pj']} pJ) + input-layer MACs ({e['e_mac_pj']} pJ); ANN FLOPs = MACs "
          f"({e['e_mac_pj']} pJ). Main configuration ({mr['model']}, T = {mr['T']}).", "",
          R.md_table(["", "ours ANN", "ours SNN", "paper U-Net", "paper Spiking-UNet"],
                     [["FLOPs", *(f"{v:.3e}" for v in (e["ann_macs"], e["snn_flops"], pe["unet"]["flops"],
                                                        pe["snn"]["flops"]))],
                      ["Energy (J)", *(f"{v:.3e}" for v in (e["ann_energy_j"], e["snn_energy_j"],
                                                             pe["unet"]["energy_j"], pe["snn"]["energy_j"]))],
                      ["ANN / SNN energy", None, e["ratio_ann_over_snn"], None,
                       pe["unet"]["energy_j"] / pe["snn"]["energy_j"]]]), "",
          f"Spikes per image {R.fmt(e['snn_spikes'])}, input-layer MACs {R.fmt(e['snn_input_layer_macs'])}. "
          f"Counting each spike once per synapse it reaches (ours; sum of spikes x fan-out = "
          f"{R.fmt(e['snn_synaptic_ops'])} ACs) gives {e['snn_energy_synaptic_j']:.3e} J, ANN / SNN = "
          f"{R.fmt(e['ratio_ann_over_snn_synaptic'])}. Check of our MAC count: the paper-size U-Net (3 -> 64..1024, "
          f"256x256) has {R.fmt(e['paper_size_unet_macs'])} MACs by our count (paper: 6.55e10 FLOPs) and "
          f"{R.fmt(e['paper_size_input_macs'])} input-layer MACs (the paper's Table 5 implies about 1.13e8).", ""]
    return "\n".join(L) + "\n"




def _at(level: dict, T: int, main_T: int) -> dict:
    return level if T == main_T else level.get("at", {}).get(str(T), {})


def committed_sections(rep: dict) -> list[str]:
    """Table 1 and Table 2 of the committed models on whole images, and Figures 4-5 (golden/analysis/report_runs.py)."""
    c = rep.get("committed") or {}
    P = R.PAPER
    L: list[str] = []
    if c.get("table1"):
        L += ["## Table 1: the committed models on whole held-out images", "",
              "Each block is one `python -m golden eval-seg` run (ANN and integer SNN); the same command in the "
              "README prints the same numbers.", ""]
        for t in c["table1"]:
            r, mdl = t["result"], t["model"]
            main_T = r["T"]
            Ts = sorted(mdl["T"])
            L += [f"**{t['dataset']}** ({r['images']} images; `{mdl['checkpoint']}`, ANN `{mdl['ann_checkpoint']}`)",
                  ""]
            binary = "f1" in r["ann"]
            if binary:
                p1 = t["paper"]
                rows = [["U-Net (ANN)", "-", r["ann"]["f1"], r["ann"]["jaccard"], r["ann"]["acc"], r["ann"]["miou"],
                         p1["unet"]["f1"], p1["unet"]["jaccard"], p1["unet"]["acc"]]]
                for T in Ts:
                    s = _at(r["snn_int"], T, main_T)
                    rows.append([f"integer SNN", T, s.get("f1"), s.get("jaccard"), s.get("acc"), s.get("miou"),
                                 *((p1["mt_ft"][k] for k in ("f1", "jaccard", "acc")) if T == p1["T"] else
                                   (None, None, None))])
                L += [R.md_table(["Model", "T", "F1", "JS", "ACC", "mIoU", "paper F1", "paper JS", "paper ACC"],
                                 rows), "",
                      f"Paper: its U-Net and its MT-FT Spiking-UNet at T = {p1['T']} (F1 {p1['mt_ft']['f1']}).", ""]
            else:
                pc = t["paper"]
                rows = [["U-Net (ANN)", "-", r["ann"].get("acc"), r["ann"].get("miou"), pc["unet"]]]
                for T in Ts:
                    s = _at(r["snn_int"], T, main_T)
                    rows.append(["integer SNN", T, s.get("acc"), s.get("miou"), pc["mt_ft"] if T == pc["T"] else None])
                L += [R.md_table(["Model", "T", "pixel ACC", "mIoU", "paper mIoU"], rows), "",
                      f"mIoU over the classes present, Void ignored. Paper: CamSeq01 with 32 classes at 960x720 "
                      f"(U-Net {pc['unet']}, Spiking-UNet at T = {pc['T']}: {pc['mt_ft']}): not the same task.", ""]
    t2 = c.get("table2") or {}
    if t2:
        pb = P["table2_bsd68"]
        L += ["## Table 2: the committed denoisers", "",
              "Each row is one `python -m golden eval-denoise --sigma S` run (the committed denoiser for the "
              "images' channels; noise fixed by image name and seed 0; PSNR and SSIM of the 8-bit restored image).",
              ""]
        for name, t in t2.items():
            grey = name == "grey"
            rows = []
            for sig, r in t["rows"].items():
                sg = int(sig)
                rows.append([sg, r["ann"]["psnr"], r["snn_int"]["psnr"],
                             round(r["snn_int"]["psnr"] - r["ann"]["psnr"], 4), r["ann"]["ssim"],
                             r["snn_int"]["ssim"], pb["psnr"]["unet"][sg] if grey else PAPER_CBSD68_UNET[sg],
                             pb["psnr"]["mt_ft"][sg] if grey else None])
            L += [f"**{t['folder']}** ({name}, {t['images']} images, T = {t['T']}):", "",
                  R.md_table(["sigma", "ANN PSNR", "integer SNN PSNR", "SNN - ANN", "ANN SSIM", "integer SNN SSIM",
                              "paper U-Net PSNR", "paper Spiking-UNet PSNR (T = 10)"], rows), ""]
        L += ["Paper: Table 2 (BSD68, T = 10); its CBSD68 U-Net figures are from its text (its Spiking-UNet there "
              "needs T = 20 and has no table).", ""]
    figs = c.get("figures") or []
    if figs:
        L += ["## Figures 4-5: qualitative results (first test image of each set; integer SNN at the row's T)", ""]
        L += [f"![{f}]({f})" for f in figs] + [""]
    return L
