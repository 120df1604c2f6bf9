"""Conversion, float SNN and spiking-flow fine-tuning of the U-Net (golden/model/convert.py, golden/model/finetune.py)."""
import numpy as np
import pytest
import torch

from golden.model.convert import (IF_THRESHOLDS, calibrate, input_scales, normalise, percentile, simulate)
from golden.model.finetune import finetune_step, flow_forward, snn_loss
from golden.model.unet import UNet

torch.set_num_threads(1)


def tiny(task="segmentation", seed=0, base=4, depth=2, in_ch=1):
    torch.manual_seed(seed)
    out = 2 if task == "segmentation" else in_ch
    m = UNet(in_ch, out, base=base, depth=depth, task=task).double()
    # push the skip and up parts to very different scales, as in a trained U-Net (paper Fig. 3)
    with torch.no_grad():
        m.layers["enc1b"].weight.mul_(3.0)
        m.layers["up1"].weight.mul_(0.3)
    return m


def images(n=2, size=32, seed=1, ch=1):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, ch, size, size, generator=g, dtype=torch.float64)


def test_calibration_percentile_with_zeros():
    m, x = tiny(), images()
    lam = calibrate(m, x)
    with torch.no_grad():
        acts = m.activations(x)
    for name in ("enc1a", "mid_b", "up1", "cat1", "dec1b"):
        assert lam[name] == pytest.approx(np.percentile(acts[name].numpy().ravel(), 99.9))
    assert lam["pool1"] == lam["enc1b"] and lam["pool2"] == lam["enc2b"]  # unit-gain pool neuron
    assert percentile(torch.tensor([0.0] * 999 + [1.0])) < 1.0            # zeros count
    assert "head" not in lam


def test_dead_layer_lambda_is_one():
    m, x = tiny(), images()
    with torch.no_grad():
        m.layers["enc2a"].weight.zero_()
        m.layers["enc2a"].bias.fill_(-1.0)
    assert calibrate(m, x)["enc2a"] == 1.0


def test_connection_wise_preserves_the_ann_exactly():
    """Normalised ANN (ReLU neurons): a_l / lambda_l at every neuron layer and the same head output."""
    m, x = tiny(), images()
    lam = calibrate(m, x)
    snn = normalise(m, lam, "connection_wise")
    a, b = m.activations(x), snn.activations(x)
    for layer in m.specs:
        if layer.spiking:
            torch.testing.assert_close(b[layer.name], a[layer.name] / lam[layer.name], rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(snn(x), m(x), rtol=1e-12, atol=1e-12)


def test_layer_wise_does_not_preserve_when_parts_differ():
    m, x = tiny(), images()
    lam = calibrate(m, x)
    assert abs(lam["enc1b"] - lam["up1"]) > 0.1 * lam["cat1"]
    lw = normalise(m, lam, "layer_wise")
    assert (lw(x) - m(x)).abs().max() > 1e-3


def test_concat_scaling_hits_every_channel():
    """Guard against the authors' bug (slice start:end-1 leaves the last channel of each part unscaled)."""
    m = tiny(base=3)
    rng = np.random.default_rng(0)
    lam = {l.name: float(rng.uniform(0.5, 4.0)) for l in m.specs if l.kind in ("conv", "upconv", "concat")}
    for l in m.specs:
        if l.kind == "pool":
            lam[l.name] = lam[l.sources[0]]
    snn = normalise(m, lam, "connection_wise")
    specs = {l.name: l for l in m.specs}
    checked = 0
    for layer in m.specs:
        if not layer.has_params:
            continue
        src = layer.sources[0]
        ratio = (snn.layers[layer.name].weight / m.layers[layer.name].weight).detach()
        lam_out = 1.0 if layer.kind == "head" else lam[layer.name]
        axis = 0 if layer.kind == "upconv" else 1
        per_channel = ratio.transpose(0, axis).reshape(ratio.shape[axis], -1)
        if src != "input" and specs[src].kind == "concat":
            want = []
            for part, n in zip(specs[src].sources, specs[src].parts):
                want += [lam[part] / lam_out] * n
            checked += 1
        else:
            want = [(1.0 if src == "input" else lam[src]) / lam_out] * per_channel.shape[0]
        want = torch.tensor(want, dtype=torch.float64)
        torch.testing.assert_close(per_channel, want[:, None].expand_as(per_channel), rtol=1e-12, atol=0)
        torch.testing.assert_close(snn.layers[layer.name].bias, m.layers[layer.name].bias / lam_out)
    assert checked == m.depth
    # both parts' last channels explicitly
    s = input_scales(m, lam, "connection_wise")["dec1a"]
    assert s[specs["cat1"].parts[0] - 1] == lam["enc1b"] and s[-1] == lam["up1"]


@pytest.mark.parametrize("task", ["segmentation", "denoising"])
def test_snn_approaches_ann_with_t(task):
    m, x = tiny(task), images(seed=3)
    lam = calibrate(m, x)
    snn = normalise(m, lam, "connection_wise")
    with torch.no_grad():
        ref = m(x)
    bias = m.layers["head"].bias.detach().view(1, -1, 1, 1)
    sig = (ref - bias).norm()
    r = simulate(snn, x, 256, snapshots=(4, 16, 64, 256))
    errs = [float((r.outputs_at[t] - ref).norm() / sig) for t in (4, 16, 64, 256)]
    assert all(a > b for a, b in zip(errs, errs[1:])), errs
    assert errs[-1] < 0.02, errs
    corr = np.corrcoef(r.output.numpy().ravel(), ref.numpy().ravel())[0, 1]
    assert corr > 0.999


def test_snapshots_equal_shorter_runs_and_same_step_propagation():
    m, x = tiny(), images()
    snn = normalise(m, calibrate(m, x), "connection_wise")
    long = simulate(snn, x, 12, snapshots=(5,))
    torch.testing.assert_close(long.outputs_at[5], simulate(snn, x, 5).output, rtol=0, atol=0)
    # a layer reads its source's spikes of the same step: after one step the output already differs from bias
    one = simulate(snn, x, 1).output
    assert (one - snn.layers["head"].bias.view(1, -1, 1, 1)).abs().max() > 0


def test_if_baseline_and_ge_compare_run():
    m, x = tiny(), images()
    snn = normalise(m, calibrate(m, x), "connection_wise")
    with torch.no_grad():
        ref = m(x)
    for th, cmp in ((IF_THRESHOLDS, "gt"), ((2.0, 1.0, 0.5, 0.25), "ge")):
        out = simulate(snn, x, 120, thresholds=th, compare=cmp).output
        assert float((out - ref).abs().max()) < 0.1


def test_flow_forward_value_is_the_snn_output():
    m, x = tiny(), images()
    snn = normalise(m, calibrate(m, x), "connection_wise")
    r = simulate(snn, x, 7, record_flows=True)
    out = flow_forward(snn, x, r.flow_in, r.flow_out, 7)
    torch.testing.assert_close(out, r.output, rtol=1e-10, atol=1e-10)
    out.sum().backward()
    assert all(p.grad is not None for p in snn.parameters())


@pytest.mark.parametrize("task", ["segmentation", "denoising"])
def test_one_finetune_step_reduces_the_loss(task):
    m = tiny(task, seed=5)
    x = images(n=2, seed=6)
    if task == "segmentation":
        target = (torch.nn.functional.avg_pool2d(x, 3, 1, 1)[:, 0] > 0.5).long()
    else:
        target = x.clone()
        x = (x + 0.1 * torch.randn(x.shape, generator=torch.Generator().manual_seed(7), dtype=x.dtype))
    snn = normalise(m, calibrate(m, x), "connection_wise")
    T = 6
    before = snn_loss(snn, x, target, T)
    opt = torch.optim.SGD(snn.parameters(), lr=0.05)
    step_loss = finetune_step(snn, opt, x, target, T)
    assert step_loss == pytest.approx(before, rel=1e-9)
    after = snn_loss(snn, x, target, T)
    assert after < before, (before, after)


def test_save_npz_without_pickle(tmp_path):
    import json

    from golden.model.checkpoint import save_npz

    m, x = tiny(), images()
    lam = calibrate(m, x)
    snn = normalise(m, lam, "connection_wise")
    save_npz(tmp_path / "snn.npz", snn, lam, "connection_wise")
    with np.load(tmp_path / "snn.npz", allow_pickle=False) as z:
        assert float(z["lambda.up1"]) == lam["up1"] and str(z["normalisation"]) == "connection_wise"
        np.testing.assert_array_equal(z["layers.dec1a.weight"], snn.layers["dec1a"].weight.detach().numpy())
        assert [d["name"] for d in json.loads(str(z["specs_json"]))] == [l.name for l in m.specs]
        assert int(z["arch.depth"]) == 2


def test_calibration_target_scales_every_lambda():
    """target maps the percentile to that many threshold units: lambda = percentile / target, 'full' = the sum
    of the thresholds (3.75 for the MT neuron, 1 for IF); bad targets are refused."""
    from golden.model.convert import MT_THRESHOLDS, calibration_target

    m, x = tiny(), images()
    paper = calibrate(m, x)
    full = calibrate(m, x, target="full")
    two = calibrate(m, x, target=2)
    assert set(full) == set(paper) == set(two)
    for name, v in paper.items():
        assert full[name] == v / sum(MT_THRESHOLDS) and two[name] == v / 2
    assert calibrate(m, x, target="full", thresholds=IF_THRESHOLDS) == paper
    assert calibration_target("full", (2.0, 1.0)) == 3.0
    for bad in (0, -1.0, float("inf"), float("nan"), True, "half", None):
        with pytest.raises(ValueError, match="calibration target"):
            calibration_target(bad)


def test_full_scale_target_is_closer_to_the_ann_at_small_t():
    """With the paper's target the 99.9th percentile fires one threshold unit, so most activations use only the
    0.25 steps; mapped to the full range (3.75) the same rates are resolved 3.75x finer at the same T."""
    errs = {}
    for target in (1.0, "full"):
        e = []
        for seed in range(3):
            m, x = tiny("denoising", seed=seed), images(seed=10 + seed)
            snn = normalise(m, calibrate(m, x, target=target), "connection_wise")
            with torch.no_grad():
                ref = m(x)
            e.append(float((simulate(snn, x, 10).output - ref).norm() / ref.norm()))
        errs[target] = float(np.mean(e))
    assert errs["full"] < 0.7 * errs[1.0], errs


@pytest.mark.parametrize("bad", ["0", "-1", "inf", "nan", "half"])
def test_finetune_refuses_a_bad_calibration_target(bad, capsys, tmp_path):
    from golden.cli import main

    rc = main(["finetune", "--config", "configs/unet_bsd_small.yaml", "--ckpt", "configs/models/bsd_unet_ann.npz",
               "--out", str(tmp_path / "o"), "--calibration-target", bad])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and err.startswith("error: --calibration-target") and bad in err
    assert not (tmp_path / "o").exists()


def test_finetune_sigma_calibrates_on_crops_at_that_noise_level(tmp_path, capsys):
    """`finetune --sigma S`: the calibration crops (and validation) carry noise of sigma S only, so a noisier
    calibration gives larger lambdas in the noise-predicting layers; --sigma is for denoisers and finite."""
    import json

    from golden.cli import main
    from golden.paths import data_root

    if not (data_root() / "train400").is_dir():
        pytest.skip("train400 not under the data root")
    lams = {}
    for sig in (15, 50):
        out = tmp_path / f"s{sig}"
        assert main(["finetune", "--config", "configs/unet_bsd.yaml", "--ckpt", "configs/models/bsd_unet_ann.npz",
                     "--out", str(out), "--method", "connection_wise", "--sigma", str(sig), "--no-pre-eval"]) == 0
        rep = json.loads((out / "finetune.json").read_text())
        assert rep["sigma"] == sig and rep["calibration_target"] == "full"
        lams[sig] = rep["lambdas"]
    assert lams[50]["dec1b"] > 1.5 * lams[15]["dec1b"], (lams[15]["dec1b"], lams[50]["dec1b"])
    capsys.readouterr()
    assert main(["finetune", "--config", "configs/unet_em.yaml", "--ckpt", "configs/models/em_unet_ann.npz",
                 "--out", str(tmp_path / "x"), "--sigma", "25"]) == 2
    assert "--sigma: configs/unet_em.yaml: field task is segmentation, not denoising" in capsys.readouterr().err
    assert main(["finetune", "--config", "configs/unet_bsd.yaml", "--ckpt", "configs/models/bsd_unet_ann.npz",
                 "--out", str(tmp_path / "x"), "--sigma", "nan"]) == 2
    assert capsys.readouterr().err.startswith("error: --sigma must be a finite noise level")
    assert not (tmp_path / "x").exists()
