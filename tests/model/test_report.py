"""`make report` (`python -m golden report`: golden/analysis/report.py, golden/analysis/paper.py) on a tiny random
U-Net and small real crops: every file, every section, Markdown numbers equal to the JSON's; plus the counting
helpers against hand-computed values."""
import json
import re

import pytest
import torch
import yaml

from golden.analysis import paper as R
from golden.model.convert import calibrate
from golden.model.checkpoint import save_npz
from golden.paths import REPO_ROOT, data_root
from golden.model.checkpoint import save_checkpoint
from golden.model.unet import UNet, layer_specs

ROOT = REPO_ROOT

torch.set_num_threads(1)
NO_COMMITTED = ["--no-em", "--no-camseq", "--no-denoise"]  # the tiny models' reports: no committed-model tables


class _Report:
    """`python -m golden report ARGS`, in process (golden.cli.main)."""

    @staticmethod
    def main(argv):
        from golden.cli import main

        return main(["report", *argv])


def _script():
    return _Report


def _tiny_config(path, name, task, crop):
    base = yaml.safe_load((ROOT / ("configs/unet_em_small.yaml" if task == "segmentation"
                                   else "configs/unet_bsd_small.yaml")).read_text())
    base["name"] = name
    base["model"].update(base=2, depth=2)
    base["data"]["crop"] = crop
    base["train"].update(steps_per_epoch=2, batch_size=2)
    base["snn"]["calibration_images"] = 2
    path.write_text(yaml.safe_dump(base))
    return path


def _tiny_model(task, seed):
    torch.manual_seed(seed)
    m = UNet(1, 2 if task == "segmentation" else 1, base=2, depth=2, task=task)
    with torch.no_grad():  # random biases would swamp the image: keep the output image-driven
        for mod in m.layers.values():
            mod.bias.mul_(0.1)
    return m.eval()


def test_counts_by_hand():
    specs = layer_specs(1, 2, base=2, depth=1)  # enc1a enc1b pool1 mid_a mid_b up1 cat1 dec1a dec1b head
    macs = R.ann_macs(specs, 1, 8, 8)
    assert macs["enc1a"] == 64 * 2 * 1 * 9
    assert macs["mid_a"] == 16 * 4 * 2 * 9
    assert macs["up1"] == 16 * 4 * 2 * 9              # 4x4 input pixels, each to 3x3 x 2 outputs
    assert macs["dec1a"] == 64 * 2 * 4 * 9            # reads the 4-channel concat
    assert macs["head"] == 64 * 2 * 2
    fo = R.fan_out(specs)
    assert fo["enc1b"] == 1 + 9 * 2                   # pool + dec1a through the concat
    assert fo["up1"] == 9 * 2 and fo["mid_b"] == 9 * 2 and fo["dec1b"] == 2
    e = R.energy(UNet(1, 2, base=2, depth=1), {n: 10.0 for n in fo}, 8, 8)
    assert e["snn_flops"] == 10.0 * len(fo) + macs["enc1a"]
    assert e["snn_energy_j"] == pytest.approx((10.0 * len(fo) * 0.9 + macs["enc1a"] * 4.6) * 1e-12)
    assert e["ann_energy_j"] == pytest.approx(sum(macs.values()) * 4.6e-12)
    # the paper's Table 5 split: its input layer (256x256x3 -> 64) is the 1.13e8 MACs its numbers imply
    big = layer_specs(3, 32, 64, 4)
    assert R.ann_macs(big, 3, 256, 256)["enc1a"] == pytest.approx(1.13e8, rel=0.01)
    assert R.skip_layers(UNet(1, 2, base=2, depth=2)) == ["dec2a", "dec1a"]


def _md_section(md, title):
    start = md.index(title)
    nxt = md.find("\n## ", start + 1)
    return md[start:nxt if nxt > 0 else None]


def _row(section, first_cells):
    """The cells of the first Markdown table row that starts with `first_cells`."""
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[:len(first_cells)] == first_cells:
            return cells
    raise AssertionError(f"no row {first_cells} in\n{section}")


def test_report_end_to_end(tmp_path, em_root):
    if not (data_root() / "bsd68").is_dir() or not (data_root() / "train400").is_dir():
        pytest.skip("BSD68 / Train400 not under the data root")
    cfg = _tiny_config(tmp_path / "seg.yaml", "tiny_seg", "segmentation", 32)
    dcfg = _tiny_config(tmp_path / "den.yaml", "tiny_den", "denoising", 32)
    seg = _tiny_model("segmentation", 0)
    save_checkpoint(tmp_path / "last.pt", {"epoch": 1, "model": seg.state_dict(), "arch": seg.arch(),
                                           "config": {"name": "tiny_seg", "path": str(cfg)}})
    den = _tiny_model("denoising", 1)
    save_npz(tmp_path / "den_ann.npz", den, calibrate(den, torch.rand(1, 1, 16, 16)))
    out = tmp_path / "report"
    mod = _script()
    rc = mod.main(["--ckpt", str(tmp_path / "last.pt"), "--config", str(cfg), "--out", str(out), "--images", "2",
                   "--crop", "32", "--T", "3", "5", "--finetune-steps", "2", "--ft-batch", "1", "--ft-if",
                   "--fig3-points", "200", "--denoise-ckpt", str(tmp_path / "den_ann.npz"),
                   "--denoise-config", str(dcfg), "--denoise-images", "1", "--denoise-crop", "32",
                   "--denoise-T", "3", "--quiet", *NO_COMMITTED])
    assert rc == 0
    for f in ("report.md", "report.json", "fig3_activation_vs_rate.png", "firing_rates.png"):
        assert (out / f).is_file() and (out / f).stat().st_size > 0, f
    assert (out / "fig3_activation_vs_rate.png").read_bytes()[:4] == b"\x89PNG"
    rep = json.loads((out / "report.json").read_text())
    md = (out / "report.md").read_text()
    for title in ("## 1. Table 1", "## 2. Table 3", "## 3. Table 4", "## 4. Table 2", "## 5. Integer SNN",
                  "## 6. Figure 3", "## 7. Firing rates", "## 8. Energy"):
        assert title in md, title
    f = R.fmt

    # Table 1: ANN row and paper numbers; the FT rows exist at every T
    t1 = _md_section(md, "## 1.")
    ann = rep["table1"]["rows"][0]["scores"]
    assert _row(t1, ["U-Net (ANN)", "-"])[2:9] == [f(ann["f1"]), f(ann["jaccard"]), f(ann["acc"]), f(ann["miou"]),
                                                   "0.9480", "0.9020", "0.9180"]
    assert [(r["model"], r["T"]) for r in rep["table1"]["rows"][1:]] == [
        ("SNN MT CW, converted", 3), ("SNN MT CW, converted", 5), ("SNN MT CW, fine-tuned", 3),
        ("SNN MT CW, fine-tuned", 5)]

    # Table 3: 2 norms x 2 neurons x (no FT, FT) (IF fine-tuned too: --ft-if), each at both T
    abl = rep["ablation"]
    assert len(abl) == 8 and {(r["norm"], r["neuron"], r["ft"]) for r in abl} == {
        (n, k, ft) for n in ("LW", "CW") for k in ("IF", "MT") for ft in (False, True)}
    t3 = _md_section(md, "## 2.")
    for r in abl:
        for T, s in r["scores"].items():
            cells = _row(t3, [r["norm"], r["neuron"], "yes" if r["ft"] else "no", T])
            assert cells[4:8] == [f(s["f1"]), f(s["jaccard"]), f(s["acc"]), f(s["miou"])]
    assert set(rep["finetune"]) == {"LW MT", "CW MT", "LW IF", "CW IF"}
    # the CW MT converted row of Table 3 is the same evaluation as Table 1's converted row
    cw = next(r for r in abl if (r["norm"], r["neuron"], r["ft"]) == ("CW", "MT", False))
    assert rep["table1"]["rows"][1]["scores"] == cw["scores"]["3"]

    # Table 4: the eight threshold sets at the short T, with the paper's mIoU
    t4 = rep["thresholds"]
    assert t4["T"] == 3 and [tuple(r["thresholds"]) for r in t4["rows"]] == list(R.THRESHOLD_SETS)
    sec = _md_section(md, "## 3.")
    for r in t4["rows"]:
        cells = _row(sec, [", ".join(str(t) for t in r["thresholds"])])
        assert cells[2:6] == [f(r["scores"]["f1"]), f(r["scores"]["acc"]), f(r["scores"]["miou"]), f(r["paper_miou"])]
    assert t4["rows"][1]["scores"] == next(r for r in abl if (r["norm"], r["neuron"], r["ft"]) == (
        "CW", "IF", False))["scores"]["3"]  # threshold {1} is the IF neuron: reused, identical

    # Table 2: three sigmas, ANN / SNN / SNN FT, paper columns
    d = rep["denoise"]
    sec = _md_section(md, "## 4.")
    for sig in ("15", "25", "50"):
        s = d["scores"][sig]
        assert set(s) == {"ann", "snn", "snn_ft"}
        cells = _row(sec, [sig])
        assert cells[1:4] == [f(s["ann"]["psnr"]), f(s["snn"]["psnr"]), f(s["snn_ft"]["psnr"])]
    assert "31.0200" in sec and "0.8690" in sec

    # main configuration: float at T = ft T equals the Table 3 evaluation of the same model (same dynamics)
    mr = rep["main"]
    assert mr["T"] == 3 and mr["model"] == "SNN MT CW fine-tuned"
    cwft = next(r for r in abl if (r["norm"], r["neuron"], r["ft"]) == ("CW", "MT", True))
    assert mr["snn_float"] == cwft["scores"]["3"]
    assert 0.5 <= mr["int_float_pixel_agreement"] <= 1.0
    sec = _md_section(md, "## 5.")
    assert _row(sec, ["snn_int"])[1] == f(mr["snn_int"]["f1"])

    # Figure 3: both skip layers, both methods
    assert set(rep["fig3"]["layers"]) == {"dec2a", "dec1a"}
    sec = _md_section(md, "## 6.")
    for n, st in rep["fig3"]["layers"].items():
        assert _row(sec, [n])[1:3] == [f(st["layer_wise"]["pearson"]), f(st["connection_wise"]["pearson"])]

    # firing rates: every spiking layer; rate = spikes / (neurons T); totals consistent
    fr = rep["firing_rates"]
    assert [r["layer"] for r in fr["layers"]] == [l.name for l in seg.specs if l.spiking]
    sec = _md_section(md, "## 7.")
    for r in fr["layers"]:
        assert r["rate"] == pytest.approx(r["spikes_per_image"] / (r["neurons"] * fr["T"]))
        assert _row(sec, [r["layer"]])[2:5] == [f(r["neurons"]), f(r["spikes_per_image"]), f(r["rate"])]
    assert r["neurons"] == 2 * 32 * 32  # dec1b: 2 channels at the full 32x32 crop

    # energy: per image, consistent with the firing-rate table and the JSON
    e = rep["energy"]
    assert e["snn_spikes"] == pytest.approx(fr["total_spikes_per_image"])
    assert e["snn_flops"] == pytest.approx(e["snn_spikes"] + e["snn_input_layer_macs"])
    assert e["ann_energy_j"] == pytest.approx(e["ann_macs"] * 4.6e-12)
    sec = _md_section(md, "## 8.")
    assert _row(sec, ["FLOPs"])[1:5] == [f"{e['ann_macs']:.3e}", f"{e['snn_flops']:.3e}", "6.550e+10", "2.920e+08"]
    assert _row(sec, ["Energy (J)"])[1:5] == [f"{e['ann_energy_j']:.3e}", f"{e['snn_energy_j']:.3e}", "3.010e-01",
                                               "6.980e-04"]
    assert _row(sec, ["ANN / SNN energy"])[2] == f(e["ratio_ann_over_snn"])
    assert re.search(r"Run time \d+ s", md)


def test_report_with_committed_snn_and_no_finetuning(tmp_path, em_root):
    """--snn-ckpt supplies the CW MT fine-tuned model (its stored T is the main T); --finetune-steps 0 fine-tunes
    nothing else; a converted SNN passed as --ckpt is refused with a clear error."""
    from golden.model.convert import normalise
    from golden.model.datasets import build_datasets
    from golden.model.finetune import calibration_batch
    from golden.model.unet import load_unet_config

    cfg_path = _tiny_config(tmp_path / "seg.yaml", "tiny_seg", "segmentation", 32)
    seg = _tiny_model("segmentation", 2)
    train, _ = build_datasets(load_unet_config(cfg_path))
    lam = calibrate(seg, calibration_batch(train, 2))
    save_npz(tmp_path / "ann.npz", seg, lam)
    save_npz(tmp_path / "snn.npz", normalise(seg, lam, "connection_wise"), lam, "connection_wise", timesteps=4)
    mod = _script()
    common = ["--config", str(cfg_path), "--out", str(tmp_path / "r"), "--images", "1", "--crop", "32", "--T", "2",
              "4", "--finetune-steps", "0", "--no-int", "--quiet", "--fig3-points", "100", *NO_COMMITTED]
    assert mod.main(["--ckpt", str(tmp_path / "snn.npz"), *common]) == 2
    assert mod.main(["--ckpt", str(tmp_path / "ann.npz"), "--snn-ckpt", str(tmp_path / "snn.npz"), *common]) == 0
    rep = json.loads((tmp_path / "r" / "report.json").read_text())
    assert {(r["norm"], r["neuron"], r["ft"]) for r in rep["ablation"] if r["ft"]} == {("CW", "MT", True)}
    assert rep["finetune"]["CW MT"]["checkpoint"] == str(tmp_path / "snn.npz")
    assert rep["main"]["T"] == 4 and "snn_int" not in rep["main"] and rep["denoise"] is None
    # the checkpoint is the unmodified conversion: its scores equal the converted CW MT row's (same lambdas)
    conv = next(r for r in rep["ablation"] if (r["norm"], r["neuron"], r["ft"]) == ("CW", "MT", False))
    fted = next(r for r in rep["ablation"] if (r["norm"], r["neuron"], r["ft"]) == ("CW", "MT", True))
    assert conv["scores"] == fted["scores"]
    md = (tmp_path / "r" / "report.md").read_text()
    assert "Not run: pass `--denoise-ckpt`" in md and "## 5. Integer SNN" in md


def test_report_committed_tables_equal_the_eval_commands(tmp_path, em_root):
    """Table 1 and Table 2 of the committed models are eval-seg / eval-denoise runs: each row equals the same
    command run on its own, the Markdown shows those numbers, and Figures 4-5 are PNGs."""
    for sub in ("camseq01_segnet_11class", "bsd68", "cbsd68"):
        if not (data_root() / sub).is_dir():
            pytest.skip(f"{sub} not under the data root")
    from golden.cli import main as cli

    cfg = _tiny_config(tmp_path / "seg.yaml", "tiny_seg", "segmentation", 32)
    seg = _tiny_model("segmentation", 0)
    save_checkpoint(tmp_path / "last.pt", {"epoch": 1, "model": seg.state_dict(), "arch": seg.arch(),
                                           "config": {"name": "tiny_seg", "path": str(cfg)}})
    out = tmp_path / "report"
    assert _script().main(["--ckpt", str(tmp_path / "last.pt"), "--config", str(cfg), "--out", str(out),
                           "--images", "1", "--crop", "32", "--T", "2", "--finetune-steps", "0", "--no-int",
                           "--fig3-points", "50", "--table1-images", "1", "--table2-images", "1", "--denoise-T", "2",
                           "--quiet"]) == 0
    rep = json.loads((out / "report.json").read_text())
    md = (out / "report.md").read_text()
    c = rep["committed"]
    em, cs = c["table1"]
    assert em["result"]["images"] == 1 and cs["result"]["images"] == 1
    sec = _md_section(md, "## Table 1")
    assert _row(sec, ["U-Net (ANN)", "-"])[2] == R.fmt(em["result"]["ann"]["f1"])
    cs20 = cs["result"]["snn_int"]["miou"]
    cs10 = cs["result"]["snn_int"]["at"]["10"]["miou"]
    assert cs["result"]["T"] == 20 and R.fmt(cs20) in sec and R.fmt(cs10) in sec
    # the same eval-seg on the staged frame, on its own
    import io
    from contextlib import redirect_stdout

    buf = io.StringIO()
    with redirect_stdout(buf):
        assert cli(["eval-seg", "--images", str(out / "data/camseq_test/images"), "--labels",
                    str(out / "data/camseq_test/labels"), "--config", str(REPO_ROOT / "configs/unet_camseq.yaml"),
                    "--checkpoint", str(REPO_ROOT / "configs/models/camseq_unet_snn.npz"), "--ann-checkpoint",
                    str(REPO_ROOT / "configs/models/camseq_unet_ann.npz"), "--timesteps", "20", "--at", "10",
                    "--levels", "ann", "snn_int"]) == 0
    alone = json.loads(buf.getvalue().strip().splitlines()[-1])
    assert alone["snn_int"] == cs["result"]["snn_int"] and alone["ann"] == cs["result"]["ann"]
    grey = c["table2"]["grey"]
    assert set(grey["rows"]) == {"15", "25", "50"} and grey["images"] == 1
    buf = io.StringIO()
    with redirect_stdout(buf):
        assert cli(["eval-denoise", "--images", grey["source"], "--sigma", "25", "--timesteps", "2", "--levels",
                    "ann", "snn_int"]) == 0
    alone = json.loads(buf.getvalue().strip().splitlines()[-1])
    assert alone == grey["rows"]["25"]
    sec2 = _md_section(md, "## Table 2")
    assert _row(sec2, ["25"])[1:3] == [R.fmt(alone["ann"]["psnr"]), R.fmt(alone["snn_int"]["psnr"])]
    assert "colour" in sec2 and "cbsd68" in sec2
    for f in ("fig4_camseq.png", "fig5_bsd68.png", "fig5_cbsd68.png"):
        assert (out / f).read_bytes()[:4] == b"\x89PNG", f
        assert f"![{f}]({f})" in md
