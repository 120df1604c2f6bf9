"""The integer contract at the speed of a float forward: the same numbers as golden.contract.intmodel, computed
in torch with each layer in the cheapest float type that is exact for it (docs/contract.md §9).

Why it is exact. Every accumulator of a layer is a sum of integer products whose magnitudes add up to at most
the layer's §7 bound B (bias included). Any partial sum, in any order, is then an integer of magnitude <= B,
and every integer below 2^24 (float32) or 2^53 (float64) is a float, so a sum of exact products computed in any
order, with or without fused multiply-add, never rounds. That holds for direct summation and GEMM, not for
Winograd or FFT convolutions (their transforms produce non-integers): `exact_backend` pins what torch may use
(oneDNN's direct algorithm, which PyTorch requests explicitly; NNPACK off; IEEE fp32 math, no TF32/bf16;
on CUDA cuDNN off, so im2col + cuBLAS GEMM), and `FastModel` checks every layer once against the int64
reference on random full-range inputs before it runs. The membrane and the output accumulator stay below
T * Imax (§7), so they use the same rule. Layers whose bound reaches 2^53 fall back to int64.

The neuron: with power-of-two thresholds 2^(j+K-1) .. 2^j that halve from one to the next (the usual 2, 1,
0.5, 0.25), the coarse-to-fine cascade of §4 fires exactly the binary digits of clamp(V - d, 0, 2^(j+K) - 1)
above bit j (d = 1 for "gt", 0 for "ge"): m = clamp(floor((V - d) / 2^j), 0, 2^K - 1) is the spike magnitude
in units of the finest threshold and V - m * 2^j the membrane after the reset. Three tensor passes instead of
four compare-subtract rounds; other threshold sets run the cascade as written.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np
import torch

from golden.contract import intmodel
from golden.contract.quant import spike_magnitude_max

FLOAT32_EXACT = 2**24   # every integer of smaller magnitude is a float32
FLOAT64_EXACT = 2**53
SCHEDULES = ("auto", "step", "layer")
# auto: layer-major while all spike maps of all T steps fit in this. Measured on the committed model (T = 10):
# layer-major is 1.6x faster at 64x64 and 1.4x at 128x128 (fewer, larger convolutions), even at 256x256, and
# 5-10% slower at 512x512, where its 840 MB of maps no longer stay in cache.
LAYER_MAJOR_BYTES = 256 << 20


def exact_dtype(bound: int) -> torch.dtype:
    """The cheapest torch type in which every integer of magnitude <= bound, and every sum of such, is exact."""
    if bound < FLOAT32_EXACT:
        return torch.float32
    if bound < FLOAT64_EXACT:
        return torch.float64
    return torch.int64


@contextlib.contextmanager
def exact_backend(device: torch.device):
    """Only algorithms that sum exact products: no Winograd/FFT (NNPACK, cuDNN), no reduced-precision fp32."""
    saved = []
    mkldnn_conv = getattr(torch.backends.mkldnn, "conv", None)
    if mkldnn_conv is not None and getattr(mkldnn_conv, "fp32_precision", "none") not in ("none", "ieee"):
        saved.append((mkldnn_conv, "fp32_precision", mkldnn_conv.fp32_precision))
        mkldnn_conv.fp32_precision = "ieee"
    if device.type == "cuda":
        saved += [(torch.backends.cudnn, "enabled", torch.backends.cudnn.enabled),
                  (torch.backends.cuda.matmul, "allow_tf32", torch.backends.cuda.matmul.allow_tf32)]
        torch.backends.cudnn.enabled = False
        torch.backends.cuda.matmul.allow_tf32 = False
    try:
        with torch.backends.nnpack.flags(enabled=False), torch.no_grad():
            yield
    finally:
        for obj, attr, value in reversed(saved):
            setattr(obj, attr, value)


@dataclass
class _Plan:
    """One layer, compiled: its tensors, the types of its accumulator and membrane, its neuron's form."""

    layer: object
    acc_dtype: torch.dtype       # accumulator (conv) type, from the §7 bound
    state_dtype: torch.dtype     # membrane / output accumulator type, from T * Imax
    weight: torch.Tensor | None  # torch layout, acc_dtype
    bias: torch.Tensor | None
    thresholds: tuple[int, ...]
    shifts: tuple[int, ...]      # log2(th_i / th_min): a spike of threshold i is worth 2^shift_i
    closed_form: bool            # thresholds halve from one to the next (see the module docstring)


class FastModel:
    """The integer model of a network (a Network, or its layers in order) for `timesteps` steps.

    `outputs(images)` runs a batch of 8-bit images and returns the output layer's A_t (int64) at the requested
    steps; `vectors(image)` returns exactly what golden.contract.intmodel.run returns (the golden vectors).
    """

    def __init__(self, layers, exponents, compare: str, timesteps: int, device: str | torch.device = "cpu",
                 self_check: bool = True, schedule: str = "auto"):
        if compare not in ("gt", "ge"):
            raise ValueError(f"compare must be 'gt' or 'ge', not {compare!r}")
        if schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, not {schedule!r}")
        self.schedule = schedule
        if timesteps < 1:
            raise ValueError(f"timesteps must be >= 1, got {timesteps}")
        self.layers = list(getattr(layers, "layers", layers))
        self.exponents, self.compare, self.timesteps = list(exponents), compare, int(timesteps)
        self.device = torch.device(device)
        self.plans = [self._plan(layer) for layer in self.layers]
        self.area = {"input": 1.0}  # each layer's output pixels per input pixel (a pool: 1/4, an upconv: 4x)
        for layer in self.layers:
            oh, ow = layer.spec.out_size(1024, 1024)
            self.area[layer.name] = self.area[layer.sources[0]] * oh * ow / 1024**2
        if self_check:
            with exact_backend(self.device):
                for plan in self.plans:
                    self._check_exact(plan)

    # ------------------------------------------------------------------ compilation
    def _plan(self, layer) -> _Plan:
        spec = layer.spec
        acc_bound, current_bound = spec.bounds(layer.weight, layer.bias, layer.input_shift, self.exponents)
        acc_dtype = exact_dtype(acc_bound)
        state_dtype = exact_dtype(self.timesteps * current_bound)
        weight = bias = None
        if spec.has_params and not spec.reads_image and acc_dtype != torch.int64:
            weight = spec.torch_weight(layer.weight).to(self.device, acc_dtype)
            bias = torch.from_numpy(np.asarray(layer.bias, dtype=np.float64)).to(self.device, acc_dtype)
        ths = tuple(int(t) for t in layer.thresholds_int)
        closed = bool(ths) and all(a == 2 * b for a, b in zip(ths, ths[1:])) and ths[-1] & (ths[-1] - 1) == 0
        shifts = tuple(int(t // ths[-1]).bit_length() - 1 for t in ths) if ths else ()
        return _Plan(layer, acc_dtype, state_dtype, weight, bias, ths, shifts, closed)

    def _check_exact(self, plan: _Plan) -> None:
        """The layer's accumulate here equals the int64 reference on random inputs of full range (every spike
        magnitude from 0 to all thresholds firing): a backend that rounds would be caught before any run."""
        layer = plan.layer
        if layer.spec.reads_image or plan.acc_dtype == torch.int64:  # the reference itself runs those
            return
        rng = np.random.default_rng(0)
        m_max = spike_magnitude_max(self.exponents)
        x = rng.integers(0, m_max + 1, size=(1, layer.in_channels, 6, 6))
        x[0, :, :3, :3] = m_max  # a saturated corner: the largest sums
        ref = layer.spec.accumulate(layer, x[0].astype(np.int64))
        got = self._accumulate(plan, torch.from_numpy(x).to(self.device, plan.acc_dtype))
        if not np.array_equal(got[0].cpu().numpy().astype(np.int64), ref):
            raise intmodel.ContractViolation(
                f"layer {layer.name}: the {plan.acc_dtype} accumulate of this torch backend differs from the int64 "
                "reference (a non-exact convolution algorithm?); run with the reference model")

    def _accumulate(self, plan: _Plan, x: torch.Tensor) -> torch.Tensor:
        layer = plan.layer
        if plan.acc_dtype == torch.int64:  # beyond 2^53: the int64 numpy reference, image by image
            arr = x.cpu().numpy().astype(np.int64)
            out = np.stack([layer.spec.accumulate(layer, a) for a in arr])
            return torch.from_numpy(out).to(self.device)
        return layer.spec.torch_accumulate(layer, x, plan.weight, plan.bias)

    # ------------------------------------------------------------------ one run
    def _runner(self, images: np.ndarray):
        """Step-major (_run) or layer-major (_run_layers): `auto` takes layer-major when every spike map of the
        frame for all T steps fits LAYER_MAJOR_BYTES (it keeps them; step-major keeps one step)."""
        if self.schedule == "auto":
            pixels = int(np.prod(images.shape[2:])) * len(images)
            per_step = pixels * sum(l.out_channels * self.area[l.name] for l in self.layers)
            layer_major = per_step * self.timesteps * 4 <= LAYER_MAJOR_BYTES
            return self._run_layers if layer_major else self._run
        return self._run_layers if self.schedule == "layer" else self._run

    def _static_current(self, plan: _Plan, images: np.ndarray, sink) -> torch.Tensor:
        """The input layer's current (static coding, §3): once per frame, by the reference (a single conv)."""
        current = np.stack([intmodel.static_current(plan.layer, im) for im in images])
        static = torch.from_numpy(current).to(self.device, plan.state_dtype)
        sink(0, plan, "current", static)
        return static

    def _current(self, plan: _Plan, inputs: dict[str, torch.Tensor], check: bool) -> torch.Tensor:
        """A spiking-input layer's current from its sources' magnitudes (concatenated in order), in the layer's
        membrane type; the batch dimension may hold images and time steps alike."""
        layer = plan.layer
        parts = [inputs[s].to(plan.acc_dtype) for s in layer.sources]
        current = self._accumulate(plan, parts[0] if len(parts) == 1 else torch.cat(parts, dim=1))
        if check:
            _check(current, layer, "acc_bits")
        return current.to(plan.state_dtype)

    def _accumulate_output(self, plan: _Plan, state: dict, t: int, current: torch.Tensor, sink, check: bool):
        """The output layer: A_t = A_(t-1) + I_t (§6)."""
        acc = state.get(plan.layer.name)
        acc = current.clone() if acc is None else acc.add_(current)
        state[plan.layer.name] = acc
        if check:
            _check(acc, plan.layer, "membrane_bits")
        sink(t, plan, "accum", acc)

    def _run(self, images: np.ndarray, sink, check: bool) -> None:
        """Runs a batch [N][C][H][W] of 8-bit images for T steps; calls sink(t, plan, key, tensor) with each
        layer's spike magnitudes ("magnitude"), membrane ("membrane", after the step), static current
        ("current", at t = 0) and the output layer's running sum ("accum")."""
        with exact_backend(self.device):
            state: dict[str, torch.Tensor] = {}
            static = {p.layer.name: self._static_current(p, images, sink) for p in self.plans
                      if p.layer.spec.reads_image}
            for t in range(self.timesteps):
                magnitudes: dict[str, torch.Tensor] = {}
                for plan in self.plans:
                    layer = plan.layer
                    current = static.get(layer.name)
                    if current is None:
                        current = self._current(plan, magnitudes, check)
                    if not layer.spec.has_neuron:
                        self._accumulate_output(plan, state, t, current, sink, check)
                        continue
                    magnitudes[layer.name] = self._neuron(plan, state, current, check)
                    sink(t, plan, "magnitude", magnitudes[layer.name])
                    sink(t, plan, "membrane", state[layer.name])

    def _run_layers(self, images: np.ndarray, sink, check: bool) -> None:
        """The same run, layer-major: each layer's accumulate takes all T steps of its inputs as one batch
        [T*N][C][H][W] (known once its sources have run all T steps), then its neuron runs the T steps in order.
        Same arithmetic, same results, fewer and larger convolutions; needs every kept map for all T."""
        T, n = self.timesteps, len(images)
        last_read = {s: i for i, plan in enumerate(self.plans) for s in plan.layer.sources}
        with exact_backend(self.device):
            state: dict[str, torch.Tensor] = {}
            maps: dict[str, torch.Tensor] = {}  # layer -> its spike magnitudes of all T steps, [T*N][C][H][W]
            for i, plan in enumerate(self.plans):
                layer = plan.layer
                if layer.spec.reads_image:
                    static = self._static_current(plan, images, sink)
                    steps = [static] * T
                else:
                    current = self._current(plan, maps, check)
                    steps = current.view(T, n, *current.shape[1:])
                for s in layer.sources:
                    if last_read.get(s) == i:
                        maps.pop(s, None)  # no later layer reads it
                if not layer.spec.has_neuron:
                    for t in range(T):
                        self._accumulate_output(plan, state, t, steps[t], sink, check)
                    continue
                out = None
                for t in range(T):
                    m = self._neuron(plan, state, steps[t], check)
                    if out is None:
                        out = m.new_empty((T * n,) + tuple(m.shape[1:]))
                    out[t * n : (t + 1) * n] = m
                    sink(t, plan, "magnitude", m)
                    sink(t, plan, "membrane", state[layer.name])
                del state[layer.name]  # its membranes are done with
                maps[layer.name] = out

    def _neuron(self, plan: _Plan, state: dict, current: torch.Tensor, check: bool) -> torch.Tensor:
        """One MT-IF update (§4) of the membrane kept in `state` as u = V - d (d = 1 for "gt", 0 for "ge": then
        both rules are u >= TH); returns the spike magnitudes in units of the finest threshold."""
        name = plan.layer.name
        d = 1 if self.compare == "gt" else 0
        u = state.get(name)
        if u is None:
            u = current - d
            state[name] = u
        else:
            u.add_(current)
        if check:
            _check(u, plan.layer, "membrane_bits", offset=d)  # right after integration
        return fire(u, plan.thresholds, plan.shifts, plan.closed_form)

    # ------------------------------------------------------------------ public
    def outputs(self, images: np.ndarray, at=None) -> dict[int, np.ndarray]:
        """A_t of the output layer (int64 [N][O][H][W]) for t in `at` (1-based step counts; default: T only)."""
        images = _batch(images)
        want = {self.timesteps} if at is None else {int(t) for t in at}
        if not want or min(want) < 1 or max(want) > self.timesteps:
            raise ValueError(f"steps must lie in 1..{self.timesteps}, got {sorted(want)}")
        got: dict[int, np.ndarray] = {}

        def sink(t, plan, key, value):
            if key == "accum" and t + 1 in want:
                got[t + 1] = value.cpu().numpy().astype(np.int64)

        self._runner(images)(images, sink, check=False)
        return got

    def vectors(self, image: np.ndarray, record_membranes: bool = True, check: bool = True) -> dict[str, np.ndarray]:
        """The golden vectors of one image, equal to golden.contract.intmodel.run (§8)."""
        image = np.asarray(image)
        if image.ndim == 2:
            image = image[None]
        out: dict[str, np.ndarray] = {"input": image.astype(np.uint8)}
        T = self.timesteps
        word_of = {}  # spike magnitude -> spike word (bit i = threshold i), per threshold set

        def sink(t, plan, key, value):
            name = plan.layer.name
            if key == "current":
                out[f"{name}.current"] = value[0].cpu().numpy().astype(np.int64)
                return
            if key == "membrane" and not record_membranes:
                return
            arr = value[0].cpu().numpy()
            if key == "magnitude":
                lut = word_of.get(plan.shifts)
                if lut is None:
                    lut = word_of[plan.shifts] = _word_table(plan.shifts)
                arr, key = lut[arr.astype(np.uint8 if len(lut) <= 256 else np.int64)], "spikes"
            elif key == "membrane":
                arr = arr.astype(np.int64) + (1 if self.compare == "gt" else 0)
            else:
                arr = arr.astype(np.int64)
            full = out.get(f"{name}.{key}")
            if full is None:
                full = out[f"{name}.{key}"] = np.zeros((T,) + arr.shape, dtype=arr.dtype)
            full[t] = arr

        self._runner(image[None])(image[None], sink, check)
        return out


def fire(u: torch.Tensor, thresholds, shifts, closed_form: bool) -> torch.Tensor:
    """The cascade of §4 on the integrated membrane u (in place), with the rule u >= TH (u = V - 1 for "gt");
    returns the spike magnitudes sum_i s_i 2^shift_i. `closed_form`: the thresholds halve (module docstring)."""
    if closed_form:
        th_min = thresholds[-1]
        if u.dtype == torch.int64:
            m = torch.div(u, th_min, rounding_mode="floor")
        else:  # u / 2^j is exact in a float; floor_ is cheaper than a floor division
            m = torch.mul(u, 1.0 / th_min).floor_()
        m.clamp_(0, (1 << len(thresholds)) - 1)
        u.add_(m, alpha=-th_min)
        return m
    m = torch.zeros_like(u)
    for th, shift in zip(thresholds, shifts):
        fired = (u >= th).to(u.dtype)
        u.add_(fired, alpha=-th)
        m.add_(fired, alpha=1 << shift)
    return m


def _word_table(shifts: tuple[int, ...]) -> np.ndarray:
    """uint8 table: spike magnitude (units of the finest threshold) -> spike word. With distinct power-of-two
    thresholds fired at most once each, the magnitude determines the word; unreachable entries stay 0."""
    table = np.zeros(sum(1 << s for s in shifts) + 1, dtype=np.uint8)
    for word in range(1 << len(shifts)):
        table[sum(1 << s for i, s in enumerate(shifts) if word >> i & 1)] = word
    return table


def _batch(images) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim == 2:
        images = images[None, None]
    elif images.ndim == 3:
        images = images[None]
    if images.ndim != 4:
        raise ValueError(f"images must be [N][C][H][W] (or [C][H][W]), got shape {images.shape}")
    return images


def _check(values: torch.Tensor, layer, width: str, offset: int = 0) -> None:
    """values + offset fit the layer's manifest width (one pass: aminmax)."""
    bits = layer.widths.get(width)
    if bits is None or values.numel() == 0:
        return
    lo, hi = (int(v) + offset for v in torch.aminmax(values))
    if lo < -(1 << (bits - 1)) or hi > (1 << (bits - 1)) - 1:
        raise intmodel.ContractViolation(
            f"layer {layer.name}: a value in [{lo}, {hi}] does not fit {width}={bits}")

