"""The integer slice tracks the float slice within the quantisation error the contract predicts (real EM data).

Layer 1 (static coding): per neuron |I_int - I_float| <= e1 = 2^-(F+G+1) (sum of the 9*C pixels + 1) + 2^-(F+1)
(weight and bias rounding of §2, then the rounded >>> G). With a constant current, reset by subtraction gives
S_T = T*I - V_T with V_T in [0, th_min] (or saturation at sum(th) in both models), so the emitted totals obey
|S_int - S_float| <= T*e1 + th_min.
Layer 2 (spiking conv) is fed the same input spikes in both models, so only weight/bias rounding differs:
|dI_t| <= e2_t = 2^-(F+1) (sum of input spike magnitudes m_t over the 3x3xC window + 1), and
|S_int - S_float| <= sum_t e2_t + th_min.
"""
import numpy as np
import pytest
import torch

from golden.config import load_config, resolve
from golden.data import crop, em_slice_paths, load_u8
from golden.export import export_slice
from golden.manifest import load_layers, load_vectors
from golden.neuron import MTIFNeuron
from golden.quant import spike_magnitude, spike_value
from golden.slice import float_snn, load_checkpoint, normalise

ROOT = resolve(".")


def window_sum(x):
    """Sum over the zero-padded 3x3 window and all channels: [C][H][W] -> [H][W]."""
    xp = np.pad(np.asarray(x, dtype=np.float64).sum(0), 1)
    h, w = xp.shape[0] - 2, xp.shape[1] - 2
    return sum(xp[ky:ky + h, kx:kx + w] for ky in range(3) for kx in range(3))


def real_crops(em_root):
    img = load_u8(em_slice_paths([21])[0][0], 1)
    return [crop(img, 100, 300, 32), crop(img, 400, 40, 32)]


@pytest.mark.parametrize("which", [0, 1])
def test_integer_slice_tracks_float_slice_on_real_em(em_root, tmp_path, which):
    cfg = load_config(ROOT / "configs/em_slice.yaml")
    arrays, lambdas = load_checkpoint(resolve(cfg["checkpoint"]))
    image = real_crops(em_root)[which]
    out, m = export_slice(cfg, arrays, lambdas, image, tmp_path / "e")
    vec, layers = load_vectors(out), load_layers(out)
    exps, t_steps = m["thresholds_log2"], m["timesteps"]
    th_min = 2.0 ** min(exps)
    normalised = normalise(arrays, lambdas)
    fl = float_snn(normalised, image, t_steps, [2.0**e for e in exps], m["compare"])

    # layer 1: current, then emitted totals
    f1, g = layers[0].frac_bits, layers[0].input_shift
    e1 = 2.0 ** -(f1 + g + 1) * (window_sum(image) + 1) + 2.0 ** -(f1 + 1)
    d_current = np.abs(vec["conv1.current"] / 2.0**f1 - fl["conv1.current"])
    assert np.all(d_current <= e1[None]), d_current.max()
    s_int = spike_value(vec["conv1.spikes"], exps).sum(0)
    s_flt = sum((fl["conv1.spikes"][:, i] * 2.0**e) for i, e in enumerate(exps)).sum(0)
    assert np.all(np.abs(s_int - s_flt) <= t_steps * e1[None] + th_min)

    # layer 2: float neuron driven by the integer layer-1 spikes
    f2 = layers[1].frac_bits
    w2, b2 = (torch.from_numpy(np.asarray(a, dtype=np.float64)) for a in normalised["conv2"])
    neuron = MTIFNeuron([2.0**e for e in exps], m["compare"])
    s_flt2, bound2 = 0.0, 0.0
    for t in range(t_steps):
        o1 = torch.from_numpy(spike_value(vec["conv1.spikes"][t], exps))[None]
        spikes = neuron(torch.nn.functional.conv2d(o1, w2, b2, padding=1))[:, 0].numpy()
        s_flt2 = s_flt2 + sum(spikes[i] * 2.0**e for i, e in enumerate(exps))
        bound2 = bound2 + 2.0 ** -(f2 + 1) * (window_sum(spike_magnitude(vec["conv1.spikes"][t], exps)) + 1)
    s_int2 = spike_value(vec["conv2.spikes"], exps).sum(0)
    assert np.all(np.abs(s_int2 - s_flt2) <= bound2[None] + th_min)
    # and the spike trains agree almost everywhere: the quantisation is fine enough to matter little
    assert np.mean(np.abs(s_int2 - s_flt2)) < 0.05 * t_steps


def test_float_slice_end_to_end_agrees_in_rate(em_root, tmp_path):
    """Whole float SNN (its own layer-1 spikes) vs integer SNN: mean rate difference stays small."""
    cfg = load_config(ROOT / "configs/em_slice.yaml")
    arrays, lambdas = load_checkpoint(resolve(cfg["checkpoint"]))
    image = real_crops(em_root)[0]
    out, m = export_slice(cfg, arrays, lambdas, image, tmp_path / "e")
    exps = m["thresholds_log2"]
    fl = float_snn(normalise(arrays, lambdas), image, m["timesteps"], [2.0**e for e in exps], m["compare"])
    s_int = spike_value(load_vectors(out)["conv2.spikes"], exps).sum(0) / m["timesteps"]
    s_flt = sum(fl["conv2.spikes"][:, i] * 2.0**e for i, e in enumerate(exps)).sum(0) / m["timesteps"]
    assert np.mean(np.abs(s_int - s_flt)) < 0.02
