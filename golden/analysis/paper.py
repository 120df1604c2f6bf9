"""Helpers of `make report` (golden/analysis/report.py): the paper's reported numbers, operation counts for the energy
estimate of Table 5, firing rates, the activation-vs-spike-rate data of Figure 3, the plots and the Markdown.

Everything that runs a network uses the project's own code (golden/model/convert.py `simulate`, golden/model/finetune.py
`evaluate`, golden/export/network.py for the integer SNN); this module only counts, formats and draws.

Energy (paper §4.4.3, eq. 13, Table 5): SNN FLOPs = #spikes (every spike of every neuron layer, all thresholds,
summed over the T steps, one AC of 0.9 pJ each) + the MACs of the input layer (static coding: the first conv
runs once on the image, 4.6 pJ each); the ANN's FLOPs are all its MACs at 4.6 pJ. The paper's own Table 5
numbers satisfy exactly this split (2.92e8 FLOPs, of which ~1.13e8 input-layer MACs for a 256x256x3 image into
64 channels: 1.13e8 * 4.6 pJ + 1.79e8 * 0.9 pJ = 6.98e-4 J). Because a spike really costs one accumulate per
synapse it reaches, the report also gives, as our own addition, the synaptic-operation count sum(spikes x
fan-out) (fan-out: k*k*C_out of each consumer conv, 9*C_out of an upconv, 1 of a pool; borders ignored).
"""
from __future__ import annotations

import math

import numpy as np
import torch
from torch.utils.data import Dataset

from golden.model.unet import INPUT, Op, UNet

E_MAC_PJ = 4.6   # Horowitz 2014, as the paper (§4.4.3)
E_AC_PJ = 0.9

# ------------------------------------------------------------------------------------------------ the paper
# The numbers the paper reports (Li et al., "Deep Multi-Threshold Spiking-UNet for Image Processing",
# arXiv:2307.10974, Tables 1-5), typed here once. None of them is measured by this project.
PAPER = {
    "source": "Li et al., Deep Multi-Threshold Spiking-UNet for Image Processing (arXiv:2307.10974), as reported",
    "table1_em": {  # EM (ISBI 2012), T = 50; DT = direct training, FT = converted + fine-tuned
        "T": 50,
        "unet": {"f1": 0.948, "jaccard": 0.902, "acc": 0.918},
        "mt_dt": {"f1": 0.897, "jaccard": 0.813, "acc": 0.828},
        "mt_ft": {"f1": 0.947, "jaccard": 0.900, "acc": 0.917},
        "ml_ft": {"f1": 0.914, "jaccard": 0.842, "acc": 0.865},
        "rs_ft": {"f1": 0.942, "jaccard": 0.890, "acc": 0.909},
    },
    "table1_camseq_miou": {"T": 20, "unet": 0.620, "mt_dt": 0.081, "mt_ft": 0.651},
    "table2_bsd68": {  # BSD68 grey, T = 10
        "T": 10,
        "psnr": {"unet": {15: 31.02, 25: 28.61, 50: 25.72}, "mt_dt": {15: 25.75, 25: 25.06, 50: 22.76},
                 "mt_ft": {15: 31.08, 25: 28.72, 50: 25.86}},
        "ssim": {"unet": {15: 0.868, 25: 0.799, 50: 0.684}, "mt_dt": {15: 0.757, 25: 0.694, 50: 0.524},
                 "mt_ft": {15: 0.869, 25: 0.802, 50: 0.692}},
    },
    # Table 3 (CamSeq01, mIoU). Our text copy of the paper lost the check marks; it keeps, per row, T, mIoU
    # and how many of the four columns LW / CW / MT / FT carry a cross. The text of §4.4.1 pins two rows:
    # T=1000 without FT: 0.592 without MT, 0.623 with MT; T=20 CW + MT + FT: 0.651 (the best).
    "table3_camseq": [
        {"T": 1000, "crosses": 3, "miou": 0.592, "known": "no FT, IF (no MT)"},
        {"T": 1000, "crosses": 2, "miou": 0.623, "known": "no FT, MT"},
        {"T": 20, "crosses": 3, "miou": 0.002, "known": ""},
        {"T": 20, "crosses": 2, "miou": 0.272, "known": ""},
        {"T": 20, "crosses": 2, "miou": 0.144, "known": ""},
        {"T": 20, "crosses": 1, "miou": 0.199, "known": "one normalisation + MT + FT: LW (CW is the last row)"},
        {"T": 20, "crosses": 2, "miou": 0.603, "known": ""},
        {"T": 20, "crosses": 1, "miou": 0.651, "known": "CW + MT + FT"},
    ],
    # Table 4 (CamSeq01, CW normalisation; T = 20 and fine-tuned as in Table 3's best row, which equals 0.651)
    "table4_camseq": [
        {"thresholds": [2.0], "miou": 0.214},
        {"thresholds": [1.0], "miou": 0.199},
        {"thresholds": [0.5], "miou": 0.306},
        {"thresholds": [1.0, 0.5], "miou": 0.325},
        {"thresholds": [2.0, 1.0], "miou": 0.363},
        {"thresholds": [2.0, 1.0, 0.5], "miou": 0.412},
        {"thresholds": [2.0, 1.0, 0.5, 0.25], "miou": 0.651},
        {"thresholds": [2.0, 1.0, 0.5, 0.25, 0.125], "miou": 0.651},
    ],
    "table5_camseq": {  # per image, CamSeq01 256x256 RGB, paper-size U-Net (64..1024 channels)
        "unet": {"miou": 0.620, "flops": 6.55e10, "energy_j": 3.01e-1},
        "snn": {"miou": 0.651, "flops": 2.92e8, "energy_j": 6.98e-4},
    },
}

THRESHOLD_SETS = ((2.0,), (1.0,), (0.5,), (1.0, 0.5), (2.0, 1.0), (2.0, 1.0, 0.5), (2.0, 1.0, 0.5, 0.25),
                  (2.0, 1.0, 0.5, 0.25, 0.125))


# ------------------------------------------------------------------------------------------------ data

class CenterCrop(Dataset):
    """The first `limit` items of `dataset`, centre-cropped to `crop` x `crop` (image and, if spatial, target)."""

    def __init__(self, dataset, crop: int | None = None, limit: int | None = None):
        self.dataset, self.crop = dataset, crop
        self.n = len(dataset) if not limit else min(int(limit), len(dataset))

    def __len__(self) -> int:
        return self.n

    def _cut(self, t: torch.Tensor) -> torch.Tensor:
        h, w = t.shape[-2:]
        c = self.crop
        if not c or (h <= c and w <= c):
            return t
        ch, cw = min(c, h), min(c, w)
        y, x = (h - ch) // 2, (w - cw) // 2
        return t[..., y:y + ch, x:x + cw].contiguous()

    def __getitem__(self, i: int):
        if i >= self.n:
            raise IndexError(i)
        x, y = self.dataset[i]
        return self._cut(x), (self._cut(y) if y.dim() >= 2 else y)


# ------------------------------------------------------------------------------------------------ counting

def layer_shapes(specs, in_channels: int, h: int, w: int) -> dict[str, tuple[int, int, int]]:
    """Output shape (C, H, W) of every layer of a layer list for an h x w input (no forward pass needed)."""
    shapes = {INPUT: (in_channels, h, w)}
    for layer in specs:
        _, hh, ww = shapes[layer.sources[0]]
        if layer.kind == Op.POOL:
            hh, ww = hh // 2, ww // 2
        elif layer.kind == Op.UPCONV:
            hh, ww = hh * 2, ww * 2
        shapes[layer.name] = (layer.out_channels, hh, ww)
    return shapes


def ann_macs(specs, in_channels: int, h: int, w: int) -> dict[str, int]:
    """Multiply-accumulates per layer with parameters for one h x w image (pool and concat: none)."""
    shapes = layer_shapes(specs, in_channels, h, w)
    macs = {}
    for layer in specs:
        if not layer.has_params:
            continue
        if layer.kind == Op.UPCONV:  # every input pixel is scattered to a 3x3 window of every output channel
            c, hh, ww = shapes[layer.sources[0]]
            macs[layer.name] = c * hh * ww * layer.out_channels * 9
        else:
            c, hh, ww = shapes[layer.name]
            macs[layer.name] = c * hh * ww * layer.in_channels * layer.kernel ** 2
    return macs


def neurons(specs, in_channels: int, h: int, w: int) -> dict[str, int]:
    """Neurons per spiking layer (C * H * W) for one h x w image."""
    shapes = layer_shapes(specs, in_channels, h, w)
    return {l.name: int(np.prod(shapes[l.name])) for l in specs if l.spiking}


def fan_out(specs) -> dict[str, int]:
    """Synaptic accumulates one spike of each spiking layer triggers (its consumers, concats looked through)."""
    concat_parts = {l.name: l.sources for l in specs if l.kind == Op.CONCAT}
    fo = {l.name: 0 for l in specs if l.spiking}
    for l in specs:
        if l.kind == Op.CONCAT:
            continue
        for s in l.sources:
            for src in concat_parts.get(s, (s,)):
                if src == INPUT:
                    continue
                if l.kind == Op.POOL:
                    fo[src] += 1
                elif l.kind == Op.UPCONV:
                    fo[src] += 9 * l.out_channels
                else:
                    fo[src] += l.kernel ** 2 * l.out_channels
    return fo


def firing_rates(model: UNet, spikes_per_image: dict[str, float], h: int, w: int, timesteps: int) -> list[dict]:
    """Per spiking layer: neurons, spikes per image, spikes per neuron per step."""
    n = neurons(model.specs, model.in_channels, h, w)
    return [{"layer": l.name, "kind": l.kind, "neurons": n[l.name],
             "spikes_per_image": float(spikes_per_image[l.name]),
             "rate": float(spikes_per_image[l.name]) / (n[l.name] * timesteps)}
            for l in model.specs if l.spiking]


def energy(model: UNet, spikes_per_image: dict[str, float], h: int, w: int) -> dict:
    """Table 5 for one h x w image: ANN MACs at 4.6 pJ vs SNN #spikes at 0.9 pJ + input-layer MACs at 4.6 pJ."""
    macs = ann_macs(model.specs, model.in_channels, h, w)
    first = model.specs[0].name
    spikes = float(sum(spikes_per_image.values()))
    fo = fan_out(model.specs)
    syn = float(sum(spikes_per_image[k] * fo[k] for k in spikes_per_image))
    ann_macs_total = float(sum(macs.values()))
    ann_j = ann_macs_total * E_MAC_PJ * 1e-12
    snn_flops = spikes + macs[first]
    snn_j = (spikes * E_AC_PJ + macs[first] * E_MAC_PJ) * 1e-12
    syn_j = (syn * E_AC_PJ + macs[first] * E_MAC_PJ) * 1e-12
    return {"image": [h, w], "ann_macs": ann_macs_total, "ann_energy_j": ann_j,
            "snn_spikes": spikes, "snn_input_layer_macs": float(macs[first]), "snn_flops": snn_flops,
            "snn_energy_j": snn_j, "ratio_ann_over_snn": ann_j / snn_j if snn_j else math.inf,
            "snn_synaptic_ops": syn, "snn_energy_synaptic_j": syn_j,
            "ratio_ann_over_snn_synaptic": ann_j / syn_j if syn_j else math.inf,
            "e_mac_pj": E_MAC_PJ, "e_ac_pj": E_AC_PJ}


# ------------------------------------------------------------------------------------------------ Figure 3

def skip_layers(model: UNet) -> list[str]:
    """The convs that read a concat (the layers 'after skip connections' of Fig. 3), deepest first."""
    kinds = {l.name: l.kind for l in model.specs}
    return [l.name for l in model.specs if l.kind == Op.CONV and kinds.get(l.sources[0]) == Op.CONCAT]


def linearity(x: np.ndarray, y: np.ndarray) -> dict:
    """How well spike rate y follows the normalised ANN activation x: Pearson r, least-squares slope of y on x
    through 0, RMS deviation from y = x."""
    x, y = np.asarray(x, np.float64).ravel(), np.asarray(y, np.float64).ravel()
    r = float(np.corrcoef(x, y)[0, 1]) if x.std() > 0 and y.std() > 0 else float("nan")
    sxx = float(np.dot(x, x))
    return {"pearson": r, "slope": float(np.dot(x, y) / sxx) if sxx else float("nan"),
            "rmse_identity": float(np.sqrt(np.mean((y - x) ** 2))), "points": int(x.size)}


# ------------------------------------------------------------------------------------------------ plots

def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_fig3(path, data: dict, max_points: int, seed: int = 0) -> None:
    """data[layer] = {"parts": {name: acts}, "ann": a/lambda, "layer_wise": rate, "connection_wise": rate}."""
    plt = _plt()
    layers = list(data)
    fig, axes = plt.subplots(3, len(layers), figsize=(3.2 * len(layers), 9.0), squeeze=False)
    rng = np.random.default_rng(seed)
    for j, name in enumerate(layers):
        d = data[name]
        ax = axes[0, j]
        for part, acts in d["parts"].items():
            a = acts[acts > 0]
            if a.size:
                ax.hist(a, bins=50, alpha=0.6, label=part, log=True)
        ax.set_title(f"{name}: ANN input parts")
        ax.set_xlabel("ANN activation (>0)")
        ax.legend(fontsize=7)
        x = d["ann"]
        idx = rng.choice(x.size, size=min(max_points, x.size), replace=False)
        for i, method in enumerate(("layer_wise", "connection_wise")):
            ax = axes[i + 1, j]
            y = d[method]
            ax.scatter(x[idx], y[idx], s=2, alpha=0.4)
            hi = max(float(x.max()), float(y.max()), 1e-6)
            ax.plot([0, hi], [0, hi], "r--", lw=0.8)
            st = d["stats"][method]
            ax.set_title(f"{name} {method.replace('_', '-')}\nr={st['pearson']:.3f} slope={st['slope']:.2f}",
                         fontsize=9)
            ax.set_xlabel("ANN activation / lambda")
            ax.set_ylabel("SNN rate (sum th*s / T)")
    fig.suptitle("Fig. 3 (ours): ANN activation vs SNN spike rate after skip connections")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_rates(path, rates: list[dict], title: str) -> None:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(max(6.0, 0.35 * len(rates)), 3.8))
    ax.bar(range(len(rates)), [r["rate"] for r in rates],
           color=["C0" if r["kind"] == Op.CONV else "C1" if r["kind"] == Op.POOL else "C2" for r in rates])
    ax.set_xticks(range(len(rates)), [r["layer"] for r in rates], rotation=70, fontsize=8)
    ax.set_ylabel("spikes / neuron / step")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


# ------------------------------------------------------------------------------------------------ Markdown

def fmt(v, digits: int = 4) -> str:
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return str(int(v))
    v = float(v)
    if math.isnan(v):
        return "nan"
    if v != 0 and (abs(v) >= 1e5 or abs(v) < 1e-3):
        return f"{v:.3e}"
    if abs(v) >= 100:
        return f"{v:.1f}"
    return f"{v:.{digits}f}"


def md_table(headers: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for r in rows:
        out.append("| " + " | ".join(fmt(c) for c in r) + " |")
    return "\n".join(out)
