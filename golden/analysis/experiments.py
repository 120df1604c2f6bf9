"""The experiments behind `python -m golden report` (golden/analysis/report.py): loading the ANN, Algorithm-1
fine-tuning with the report's batches, the main configuration's float and integer runs, Figure 3's data."""
from __future__ import annotations



import numpy as np
import torch
from tqdm import tqdm

from golden.analysis import paper as R
from golden.model import metrics
from golden.model.convert import simulate
from golden.model.evaluate import Runner
from golden.model.finetune import finetune_step
from golden.model.unet import UNet, pad_to_multiple


# ------------------------------------------------------------------------------------------------ loading

# ------------------------------------------------------------------------------------------------ running

def finetune(snn: UNet, train_set, steps: int, batch: int, lr: float, T: int, thresholds, compare: str,
             ignore, seed: int, desc: str, progress: bool) -> dict:
    """Algorithm-1 fine-tuning, batches as in golden.model.finetune's CLI (epoch 1000 of the training set)."""
    torch.manual_seed(seed)
    opt = torch.optim.Adam(snn.parameters(), lr=lr)
    if hasattr(train_set, "set_epoch"):
        train_set.set_epoch(1000)
    losses = []
    for step in tqdm(range(steps), desc=desc, unit="step", leave=False, disable=not progress):
        idx = range(step * batch, (step + 1) * batch)
        xb = torch.stack([train_set[i % len(train_set)][0] for i in idx])
        yb = torch.stack([train_set[i % len(train_set)][1] for i in idx])
        losses.append(finetune_step(snn, opt, xb, yb, T, thresholds, compare, ignore if ignore is not None else -100))
    snn.eval()
    return {"T": T, "steps": steps, "batch": batch, "lr": lr, "loss_first": losses[0], "loss_last": losses[-1],
            "loss_last5_mean": float(np.mean(losses[-5:]))}


def seg_scores(preds: list[np.ndarray], targets: list[np.ndarray], classes: int, ignore) -> dict:
    """Pooled over all pixels, as golden.model.finetune.evaluate."""
    r = metrics.segmentation_scores(np.concatenate([a.ravel() for a in preds]),
                                    np.concatenate([a.ravel() for a in targets]), classes, ignore)
    return {k: round(float(v), 5) for k, v in r.items()}


def main_run(snn: UNet, val, T: int, thresholds, compare: str, classes: int, ignore, with_int: bool,
             progress: bool) -> dict:
    """The main configuration image by image: float SNN (with spike counts) and the integer SNN at T."""
    runner = Runner(None, snn, T, thresholds, compare, ("snn_int",)) if with_int else None
    preds = {"snn_float": [], "snn_int": []}
    targets, spikes = [], {}
    agree, total, max_diff = 0, 0, 0.0
    size = None
    for i in tqdm(range(len(val)), desc=f"main SNN + int T={T}", unit="img", leave=False, disable=not progress):
        x, y = val[i]
        xp, (h, w) = pad_to_multiple(x[None], snn.multiple)
        size = tuple(xp.shape[-2:]) if size is None else size
        if tuple(xp.shape[-2:]) != size:
            raise ValueError("the energy estimate needs validation images of one size: pass --crop")
        r = simulate(snn, xp.to(next(snn.parameters()).dtype), T, thresholds, compare, count_spikes=True)
        for k, v in r.spike_counts.items():
            spikes[k] = spikes.get(k, 0.0) + v
        out_f = r.output[0, :, :h, :w].double().numpy()
        preds["snn_float"].append(out_f.argmax(0))
        targets.append(y.numpy())
        if runner is not None:
            u8 = np.round(x.numpy().astype(np.float64) * 255).astype(np.uint8)
            out_i = runner(u8)["snn_int"]
            preds["snn_int"].append(out_i.argmax(0))
            agree += int((out_i.argmax(0) == out_f.argmax(0)).sum())
            total += out_f.shape[1] * out_f.shape[2]
            max_diff = max(max_diff, float(np.abs(out_i - out_f).max()))
    n = len(val)
    res = {"T": T, "images": n, "size": list(size), "spikes_per_image": {k: v / n for k, v in spikes.items()},
           "snn_float": seg_scores(preds["snn_float"], targets, classes, ignore)}
    if runner is not None:
        res["snn_int"] = seg_scores(preds["snn_int"], targets, classes, ignore)
        res["int_float_pixel_agreement"] = agree / total
        res["int_float_max_abs_output_diff"] = max_diff
    return res


@torch.no_grad()
def fig3_data(ann: UNet, snns: dict, lambdas: dict, x: torch.Tensor, T: int, thresholds, compare: str) -> dict:
    """Per conv after a skip connection: its concat parts' ANN activations, a/lambda and both SNN rates."""
    layers = R.skip_layers(ann)
    acts = ann.activations(x)
    specs = {l.name: l for l in ann.specs}
    data = {n: {"parts": {p: acts[p].numpy().ravel() for p in specs[specs[n].sources[0]].sources},
                "ann": (acts[n] / lambdas[n]).numpy().ravel(), "stats": {}} for n in layers}
    for method, snn in snns.items():
        r = simulate(snn, x, T, thresholds, compare, record_flows=True)
        for n in layers:
            data[n][method] = (r.flow_out[n] / T).numpy().ravel()
            data[n]["stats"][method] = R.linearity(data[n]["ann"], data[n][method])
    return data


def int_seg_eval(snn: UNet, dataset, Ts, thresholds, compare: str, classes: int, ignore, progress: bool = False,
                 desc: str = "int SNN") -> dict:
    """{str(T): scores} of the integer SNN (golden.contract.fastmodel, the hardware's arithmetic) at every T of
    Ts from one run to max(Ts): the dynamics do not depend on T, so A_t / t at each t is the T = t output."""
    Ts = sorted({int(t) for t in Ts})
    runner = Runner(None, snn, Ts[-1], thresholds, compare, ("snn_int",), snapshots=Ts)
    preds: dict[int, list] = {T: [] for T in Ts}
    targets = []
    for i in tqdm(range(len(dataset)), desc=desc, unit="img", leave=False, disable=not progress):
        x, y = dataset[i]
        u8 = np.round(x.numpy().astype(np.float64) * 255).astype(np.uint8)  # the items are u8 / 255: exact
        outs = runner.run_batch(u8[None])["snn_int"]
        for T in Ts:
            preds[T].append(outs[T][0].argmax(0))
        targets.append(y.numpy())
    return {str(T): seg_scores(preds[T], targets, classes, ignore) for T in Ts}
