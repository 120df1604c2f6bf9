"""Number formats of the integer contract (docs/contract.md §2, §7): rounding, widths, worst-case bounds."""
from __future__ import annotations

import numpy as np


def quantize(x, frac_bits: int) -> np.ndarray:
    """q(x, f) = floor(x * 2^f + 0.5): round half up, in float64 (contract §2)."""
    scaled = np.asarray(x, dtype=np.float64) * np.float64(2.0) ** frac_bits
    if not np.all(np.isfinite(scaled)):
        raise ValueError("cannot quantise a non-finite value")
    if np.any(np.abs(scaled) >= 2.0**62):
        raise ValueError("value too large to quantise into 64 bits")
    return np.floor(scaled + 0.5).astype(np.int64)


def signed_bits(bound: int) -> int:
    """Smallest two's complement width holding every integer in [-bound, bound] (at least 2)."""
    bound = int(bound)
    if bound < 0:
        raise ValueError("bound must be non-negative")
    return max(2, bound.bit_length() + 1)


def fits(values, bits: int) -> bool:
    v = np.asarray(values, dtype=np.int64)
    if v.size == 0:
        return True
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return bool(v.min() >= lo and v.max() <= hi)


def hex_lines(values, bits: int) -> str:
    """Two's complement hex words of `bits` width (<= 64), ceil(bits/4) digits, one per line (for $readmemh);
    vectorised: a ROM image of half a million weights in milliseconds."""
    v = np.asarray(values, dtype=np.int64).ravel()
    if not fits(v, bits):
        raise ValueError(f"value does not fit {bits} signed bits")
    digits = (bits + 3) // 4
    u = v.astype(np.uint64) & np.uint64((1 << bits) - 1)
    nibbles = (u[:, None] >> (np.uint64(4) * np.arange(digits - 1, -1, -1, dtype=np.uint64))) & np.uint64(15)
    chars = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)[nibbles.astype(np.int64)]
    out = np.empty((len(v), digits + 1), dtype=np.uint8)
    out[:, :digits], out[:, digits] = chars, ord("\n")
    return out.tobytes().decode("ascii")


def to_hex_words(values, bits: int) -> list[str]:
    """Two's complement hex words of `bits` width, ceil(bits/4) digits (for $readmemh)."""
    return hex_lines(values, bits).splitlines()


def spike_magnitude(words: np.ndarray, exponents) -> np.ndarray:
    """Integer value of spike words in units of 2^e_min: sum_i bit_i << (e_i - e_min) (contract §3)."""
    e_min = min(exponents)
    words = np.asarray(words, dtype=np.int64)
    out = np.zeros_like(words)
    for i, e in enumerate(exponents):
        out += ((words >> i) & 1) << (e - e_min)
    return out


def spike_value(words: np.ndarray, exponents) -> np.ndarray:
    """Real value (normalised units) carried by spike words: sum_i bit_i * 2^e_i."""
    return spike_magnitude(words, exponents).astype(np.float64) * 2.0 ** min(exponents)


MAX_FRAC_BITS = 24

# The largest time window T any command or file accepts (export-net, eval-seg / eval-denoise --timesteps and --at,
# finetune --timesteps and --eval-T, a config's snn.timesteps, a checkpoint's snn.timesteps, a manifest's
# timesteps). The paper runs T = 10..40; run time and golden-vector size grow linearly with T, so a typo such as
# --timesteps 100000 is refused at once instead of running for hours.
MAX_TIMESTEPS = 1024


def timesteps_problem(value) -> str | None:
    """Why `value` is not a usable T (an integer in 1..MAX_TIMESTEPS), or None."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        return f"must be an integer, got {value!r}"
    if not 1 <= value <= MAX_TIMESTEPS:
        return f"must be in 1..{MAX_TIMESTEPS} (MAX_TIMESTEPS, golden/contract/quant.py), got {value}"
    return None


def auto_frac_bits(max_abs: float, bits: int, offset: int, lowest: int) -> int:
    """Largest f in [lowest, MAX_FRAC_BITS] with max_abs * 2^(f + offset) <= 2^(bits-1) - 1, so the largest
    weight uses the whole signed width (contract §2: per-layer formats)."""
    if max_abs <= 0:
        return lowest
    f = int(np.floor(np.log2((2 ** (bits - 1) - 1) / max_abs))) - offset
    return int(min(max(f, lowest), MAX_FRAC_BITS))


def spike_magnitude_max(exps) -> int:
    """The largest spike magnitude (units of 2^e_min): every threshold fires."""
    return sum(1 << (e - min(exps)) for e in exps)


def worst_case(bias: np.ndarray, weight: np.ndarray, magnitude: int) -> int:
    """max_o (|b[o]| + magnitude * sum |w[o]|) (§7), in Python integers: exact at any size, never wraps."""
    w = np.abs(weight.reshape(len(weight), -1)).astype(object)
    sums = w.sum(axis=1) if w.shape[1] else [0] * len(weight)
    return max(abs(int(bo)) + magnitude * int(s) for bo, s in zip(bias, sums))


def widths_of(weight: np.ndarray, bias: np.ndarray, acc_bound: int, current_bound: int, timesteps: int) -> dict:
    """The five widths of §7 of one layer."""
    return {
        "weight_bits": signed_bits(int(np.abs(weight).max()) if weight.size else 0),
        "bias_bits": signed_bits(int(np.abs(bias).max()) if bias.size else 0),
        "acc_bits": signed_bits(acc_bound),
        "current_bits": signed_bits(current_bound),
        "membrane_bits": signed_bits(timesteps * current_bound),  # the output layer's accumulator too
    }
