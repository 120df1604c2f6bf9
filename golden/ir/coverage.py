"""Verification coverage: which nonzero weights and biases took part in at least one compared accumulate.

A weight w[o][ky][kx][c] takes part when, at some step, input channel c is nonzero at a position whose tap
(ky, kx) lands inside the output (golden/kinds `exercised`); a bias takes part in every compared run of its
layer. A verification run feeds each layer its stimulus (the image run: the golden spikes of its sources; the
layer-isolated probe runs of `golden sim --coverage` / `golden csim --coverage`: drive layers whose every
threshold fires everywhere at t = 0, golden/export/probe.py) and compares every output; a weight no run exercised could be wrong unseen.
"""
from __future__ import annotations

import numpy as np

from golden.ir.network import Network


class Coverage:
    def __init__(self, net: Network):
        self.net = net
        self.hit = {l.name: np.zeros(l.weight.shape, dtype=bool) for l in net.layers if l.spec.has_params}
        self.biases_run: set[str] = set()

    def add_layer_run(self, name: str, steps) -> None:
        """One compared run of layer `name` on `steps`, its inputs [C][H][W] (sources concatenated) per step."""
        layer = self.net.layer(name)
        self.biases_run.add(name)
        if not layer.spec.has_params:
            return
        for x in steps:
            taps = layer.spec.exercised(np.asarray(x) != 0, layer.kernel)  # [ky][kx][C]
            self.hit[name] |= taps[None]

    def add_layer_inputs(self, name: str, inputs: list[np.ndarray]) -> None:
        """A run of layer `name` fed `inputs`, one array per source: the image [C][H][W] for the input layer,
        else spike words [T][C][H][W] (concatenated along channels at each step, §3)."""
        if self.net.layer(name).spec.reads_image:
            self.add_layer_run(name, inputs[:1])
        else:
            self.add_layer_run(name, (np.concatenate([x[t] for x in inputs]) for t in range(self.net.timesteps)))

    def add_network_run(self, vectors: dict) -> None:
        """The image run: each layer fed its sources' golden spikes (the image for the input layer)."""
        for l in self.net.layers:
            self.add_layer_inputs(l.name, [vectors["input"] if s == "input" else vectors[f"{s}.spikes"]
                                           for s in l.sources])

    def summary(self) -> dict:
        w_hit = w_all = b_hit = b_all = 0
        per_layer = {}
        for l in self.net.layers:
            if not l.spec.has_params:
                continue
            nz = l.weight != 0
            hit = int((self.hit[l.name] & nz).sum())
            w_hit, w_all = w_hit + hit, w_all + int(nz.sum())
            nb = int((l.bias != 0).sum())
            b_all += nb
            b_hit += nb if l.name in self.biases_run else 0
            per_layer[l.name] = {"weights": hit, "nonzero_weights": int(nz.sum())}
        return {"weights": w_hit, "nonzero_weights": w_all, "biases": b_hit, "nonzero_biases": b_all,
                "per_layer": per_layer}


def line(s: dict, note: str = "") -> str:
    """`COVERAGE weights=1.000 biases=1.000 (N of N nonzero weights, M of M nonzero biases...)`."""
    w = s["weights"] / s["nonzero_weights"] if s["nonzero_weights"] else 1.0
    b = s["biases"] / s["nonzero_biases"] if s["nonzero_biases"] else 1.0
    return (f"COVERAGE weights={w:.3f} biases={b:.3f} ({s['weights']} of {s['nonzero_weights']} nonzero weights, "
            f"{s['biases']} of {s['nonzero_biases']} nonzero biases{note})")
