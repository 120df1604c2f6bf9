"""Golden vectors on disk (docs/contract.md §8): a folder with one gzip file per key and `index.json`.

Each file is the gzip (zlib level 1 when written) of raw little-endian data in one of three encodings:

  image_beats  the image as §5 image beats: per pixel in raster order one beat of C * bits bits, channel c in bits
               [bits*c + bits-1 : bits*c] (bits = pixel_bits = 8: channel c is byte c); unpacked uint8 [C][H][W]
  spike_beats  spike words as §5 stream beats: per time step, per pixel in raster order one beat of C * K bits,
               channel c in bits [K*c + K-1 : K*c], stored as ceil(C*K/8) little-endian bytes whose unused high
               bits are 0; unpacked uint8 [T][C][H][W]
  int          two's complement integers, little-endian, the narrowest of int8/16/32/64 that holds `bits` signed
               bits, in C order of `shape`; unpacked int64

`index.json` names, for every key, its file (relative to the folder), encoding, stored dtype (`uint8` for the
beat encodings), shape (of the unpacked array), bits (pixel_bits, K, or the manifest width) and, for the beat
encodings, beat_bytes; nothing is inferred from a file name. Packing and unpacking are vectorised (numpy), one
time step at a time, so memory stays at a few times one step's data.

Readers refuse a file that is not a complete gzip stream of exactly the size its index entry gives (ManifestError,
naming the file). The exporter's folder is <export>/vectors, whose files the manifest hashes
(golden/export/load.py load_vectors checks every entry against the manifest's layers); the probe networks'
exports (golden/export/probe.py) are written by the same writer.
"""
from __future__ import annotations

import json
import zlib
from pathlib import Path

import numpy as np

from golden import kinds
from golden.atomic import write_chunks, write_text
from golden.errors import ManifestError
from golden.ir.manifest import VECTORS_INDEX

INDEX = VECTORS_INDEX  # golden/ir/manifest.py: the manifest names the index among its files
FORMAT = "snn-golden-vectors"
VERSION = 1
LEVEL = 1  # zlib level when writing: fast, and spike beats are mostly zero bytes
ENCODINGS = ("image_beats", "spike_beats", "int")
INT_DTYPES = ("int8", "int16", "int32", "int64")
CHUNK_BEATS = 1 << 21  # beats packed / unpacked at once inside one time step


# ------------------------------------------------------------------------------------------------ encodings


def int_dtype(bits: int) -> str:
    """The narrowest of int8/16/32/64 that holds `bits` signed bits."""
    for name in INT_DTYPES:
        if bits <= np.dtype(name).itemsize * 8:
            return name
    raise ValueError(f"{bits} bits do not fit int64")


def beat_bytes(channels: int, bits: int) -> int:
    """Bytes of one §5 beat of `channels` fields of `bits` bits: ceil(C * bits / 8)."""
    return -(-channels * bits // 8)


def _pack_rows(w: np.ndarray, bits: int) -> np.ndarray:
    """[N][C] words (uint8, < 2^bits) -> [N][ceil(C*bits/8)] bytes, field c at bits [bits*c + bits-1 : bits*c]."""
    n, c = w.shape
    nb = beat_bytes(c, bits)
    if 8 % bits == 0:  # 1, 2, 4, 8 bits: whole fields per byte
        per = 8 // bits
        padded = np.zeros((n, nb * per), dtype=np.uint8)
        padded[:, :c] = w
        groups = padded.reshape(n, nb, per)
        out = groups[:, :, 0].copy()
        for j in range(1, per):
            out |= groups[:, :, j] << np.uint8(bits * j)
        return out
    flat = np.zeros((n, nb * 8), dtype=np.uint8)
    flat[:, : c * bits] = ((w[:, :, None] >> np.arange(bits, dtype=np.uint8)) & 1).reshape(n, c * bits)
    return np.packbits(flat, axis=1, bitorder="little")


def _unpack_rows(b: np.ndarray, c: int, bits: int) -> tuple[np.ndarray, bool]:
    """Inverse of _pack_rows: ([N][C] uint8 words, whether every unused high bit of every beat is 0)."""
    n, nb = b.shape
    if 8 % bits == 0:
        per, mask = 8 // bits, np.uint8((1 << bits) - 1)
        flat = np.empty((n, nb, per), dtype=np.uint8)
        for j in range(per):
            flat[:, :, j] = (b >> np.uint8(bits * j)) & mask
        flat = flat.reshape(n, nb * per)
        return flat[:, :c], not flat[:, c:].any()
    flat = np.unpackbits(b, axis=1, bitorder="little")
    fields = flat[:, : c * bits].reshape(n, c, bits)
    words = np.zeros((n, c), dtype=np.uint8)
    for i in range(bits):
        words |= fields[:, :, i] << np.uint8(i)
    return words, not flat[:, c * bits :].any()


def _leading(shape) -> int:
    return int(np.prod(shape[:-3], dtype=np.int64))


def iter_beats(words: np.ndarray, bits: int):
    """Spike words or pixels [..][C][H][W] -> the §5 beats as bytes, one chunk per leading index (time step):
    per pixel in raster order ceil(C*bits/8) little-endian bytes."""
    words = np.asarray(words)
    if words.ndim < 3:
        raise ValueError(f"beats need an array [..][C][H][W], got shape {words.shape}")
    if words.size and (words.min() < 0 or words.max() >= (1 << bits)):
        raise ValueError(f"values in [{words.min()}, {words.max()}] are not {bits}-bit words")
    c, h, w = words.shape[-3:]
    for frame in words.reshape((-1, c, h, w)):
        rows = frame.reshape(c, h * w).T  # [pixel][channel], raster order
        for start in range(0, h * w, CHUNK_BEATS):
            yield _pack_rows(rows[start : start + CHUNK_BEATS].astype(np.uint8), bits).tobytes()


def pack_beats(words: np.ndarray, bits: int) -> bytes:
    return b"".join(iter_beats(words, bits))


def unpack_beats(data, shape, bits: int) -> np.ndarray:
    """§5 beats (bytes) -> uint8 words of `shape` [..][C][H][W]; ValueError if the size is wrong or an unused
    high bit of a beat is set."""
    shape = tuple(int(s) for s in shape)
    c, h, w = shape[-3:]
    nb = beat_bytes(c, bits)
    raw = np.frombuffer(data, dtype=np.uint8)
    lead = _leading(shape)
    if raw.size != lead * h * w * nb:
        raise ValueError(f"holds {raw.size} bytes, shape {list(shape)} in {nb}-byte beats needs {lead * h * w * nb}")
    beats = raw.reshape(lead, h * w, nb)
    out = np.empty((lead, c, h * w), dtype=np.uint8)
    for i in range(lead):
        for start in range(0, h * w, CHUNK_BEATS):
            words, clean = _unpack_rows(beats[i, start : start + CHUNK_BEATS], c, bits)
            if not clean:
                raise ValueError(f"a beat of step/frame {i} has a nonzero bit above its {c} x {bits}-bit fields")
            out[i, :, start : start + CHUNK_BEATS] = words.T
    return out.reshape(shape)


def iter_ints(values: np.ndarray, bits: int):
    """Integers of `bits` signed bits -> little-endian int8/16/32/64 bytes in C order, one chunk per leading
    index."""
    values = np.asarray(values)
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    if values.size and (values.min() < lo or values.max() > hi):
        raise ValueError(f"values in [{values.min()}, {values.max()}] do not fit {bits} signed bits")
    dt = np.dtype(int_dtype(bits)).newbyteorder("<")
    for part in (values.reshape((-1,) + values.shape[-3:]) if values.ndim > 3 else [values]):
        yield np.ascontiguousarray(part, dtype=dt).tobytes()


def unpack_ints(data, shape, dtype: str) -> np.ndarray:
    shape = tuple(int(s) for s in shape)
    dt = np.dtype(dtype).newbyteorder("<")
    n = int(np.prod(shape, dtype=np.int64))
    if len(data) != n * dt.itemsize:
        raise ValueError(f"holds {len(data)} bytes, shape {list(shape)} of {dtype} needs {n * dt.itemsize}")
    return np.frombuffer(data, dtype=dt).astype(np.int64).reshape(shape)


def raw_bytes(spec: dict) -> int:
    """Bytes of an entry's data before compression."""
    shape = spec["shape"]
    if spec["encoding"] == "int":
        return int(np.prod(shape, dtype=np.int64)) * np.dtype(spec["dtype"]).itemsize
    return _leading(shape) * shape[-2] * shape[-1] * spec["beat_bytes"]


# ------------------------------------------------------------------------------------- specs of an export


def image_spec(channels: int, height: int, width: int, pixel_bits: int = 8) -> dict:
    return {"encoding": "image_beats", "dtype": "uint8", "shape": [channels, height, width], "bits": pixel_bits,
            "beat_bytes": beat_bytes(channels, pixel_bits)}


def spike_spec(timesteps: int, channels: int, height: int, width: int, k: int) -> dict:
    return {"encoding": "spike_beats", "dtype": "uint8", "shape": [timesteps, channels, height, width], "bits": k,
            "beat_bytes": beat_bytes(channels, k)}


def int_spec(shape, bits: int) -> dict:
    return {"encoding": "int", "dtype": int_dtype(bits), "shape": [int(s) for s in shape], "bits": bits}


def spec_of(manifest: dict, key: str) -> dict | None:
    """The index entry (less `file`) that vector `key` has in an export of `manifest`, or None if the export has
    no such vector: `input`, `<input layer>.current`, `<spiking layer>.spikes|.membrane`, `<output>.accum`."""
    t_n, k = manifest["timesteps"], len(manifest["thresholds_log2"])
    inp = manifest["input"]
    if key == "input":
        return image_spec(inp["channels"], inp["height"], inp["width"], inp["pixel_bits"])
    name, _, what = key.rpartition(".")
    layer = next((l for l in manifest["layers"] if l["name"] == name), None)
    if layer is None:
        return None
    spec = kinds.get(layer["kind"])
    chw = (layer["out_channels"], layer["height"], layer["width"])
    if what == "current" and spec.reads_image:
        return int_spec(chw, layer["current_bits"])
    if what == "spikes" and spec.has_neuron:
        return spike_spec(t_n, *chw, k)
    if (what == "membrane" and spec.has_neuron) or (what == "accum" and not spec.has_neuron):
        return int_spec((t_n,) + chw, layer["membrane_bits"])
    return None


def export_keys(manifest: dict, membranes: bool = True) -> list[str]:
    """The vectors of an export, in file order: input; per layer current (input layer), spikes, membrane (when
    recorded) or accum (output layer)."""
    keys = ["input"]
    for l in manifest["layers"]:
        spec = kinds.get(l["kind"])
        if spec.reads_image:
            keys.append(f"{l['name']}.current")
        if spec.has_neuron:
            keys += [f"{l['name']}.spikes"] + ([f"{l['name']}.membrane"] if membranes else [])
        else:
            keys.append(f"{l['name']}.accum")
    return keys


def has_membranes(manifest: dict, keys) -> bool:
    """Whether a set of vector keys is an export's with membranes or without; ValueError if it is neither."""
    keys = set(keys)
    for membranes in (True, False):
        if keys == set(export_keys(manifest, membranes)):
            return membranes
    full = set(export_keys(manifest, True))
    missing, extra = sorted(set(export_keys(manifest, False)) - keys), sorted(keys - full)
    partial = sorted(k for k in full - keys if k.endswith(".membrane"))
    raise ValueError("not the vectors of this network: "
                     + "; ".join(s for s in (f"missing {missing}" if missing else "",
                                             f"unknown {extra}" if extra else "",
                                             f"membranes of some layers only (missing {partial})"
                                             if partial and not missing and not extra else "") if s))


# ----------------------------------------------------------------------------------------------- writing


def _gzip_chunks(chunks, counter: list[int]):
    comp = zlib.compressobj(LEVEL, zlib.DEFLATED, 31)  # wbits 31: a gzip stream (mtime 0: reproducible bytes)
    for raw in chunks:
        counter[0] += len(raw)
        out = comp.compress(raw)
        if out:
            yield out
    yield comp.flush()


def write_vectors(folder: str | Path, arrays: dict[str, np.ndarray], specs: dict[str, dict]) -> dict[str, dict]:
    """Write arrays[key] for every key of `specs` (in its order) as `<folder>/<key>.gz` in the spec's encoding,
    then `<folder>/index.json`. Returns the index entries, each with `raw_bytes` and `gz_bytes` added."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    index, sizes = {}, {}
    for key, spec in specs.items():
        arr = np.asarray(arrays[key])
        if list(arr.shape) != list(spec["shape"]):
            raise ValueError(f"vector {key}: shape {list(arr.shape)}, expected {spec['shape']}")
        chunks = iter_ints(arr, spec["bits"]) if spec["encoding"] == "int" else iter_beats(arr, spec["bits"])
        name = f"{key}.gz"
        counter = [0]
        try:
            write_chunks(folder / name, _gzip_chunks(chunks, counter))
        except ValueError as exc:
            raise ValueError(f"vector {key}: {exc}") from None
        index[key] = {"file": name, **spec}
        sizes[key] = {"raw_bytes": counter[0], "gz_bytes": (folder / name).stat().st_size}
    head = json.dumps({"format": FORMAT, "version": VERSION})[:-1]
    lines = [f" {json.dumps(k)}: {json.dumps(v)}" for k, v in index.items()]  # one entry a line
    write_text(folder / INDEX, head + ', "vectors": {\n' + ",\n".join(lines) + "\n}}\n")
    return {k: {**v, **sizes[k]} for k, v in index.items()}


def write_export_vectors(folder: str | Path, manifest: dict, vectors: dict[str, np.ndarray]) -> dict[str, dict]:
    """The golden vectors of an export of `manifest` (every key of export_keys, with or without membranes)."""
    membranes = has_membranes(manifest, vectors)
    return write_vectors(folder, vectors, {k: spec_of(manifest, k) for k in export_keys(manifest, membranes)})


# ----------------------------------------------------------------------------------------------- reading


def read_index(folder: str | Path) -> dict[str, dict]:
    """index.json of a vectors folder, every entry checked for form (ManifestError naming the file and field)."""
    path = Path(folder) / INDEX
    if not path.is_file():
        raise ManifestError(f"{path}: missing (re-run the export)")
    try:
        doc = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("version") != VERSION:
        raise ManifestError(f"{path}: field format/version must be {FORMAT!r}/{VERSION} (re-run the export)")
    entries = doc.get("vectors")
    if not isinstance(entries, dict) or not entries:
        raise ManifestError(f"{path}: field vectors must be a non-empty mapping")
    for key, e in entries.items():
        where = f"{path}: field vectors.{key}"
        if not isinstance(e, dict):
            raise ManifestError(f"{where} must be a mapping")
        for field, kind in (("file", str), ("encoding", str), ("dtype", str), ("shape", list), ("bits", int)):
            if field not in e or not isinstance(e[field], kind) or isinstance(e[field], bool):
                raise ManifestError(f"{where}.{field} is missing or not a {kind.__name__}")
        if Path(e["file"]).name != e["file"] or e["file"] in (".", "..", INDEX):
            raise ManifestError(f"{where}.file={e['file']!r} must be a file name in the folder")
        shape = e["shape"]
        if len(shape) < 3 or any(not isinstance(s, int) or isinstance(s, bool) or s < 1 for s in shape):
            raise ManifestError(f"{where}.shape={shape} must be >= 3 positive integers ([..][C][H][W])")
        if e["encoding"] == "int":
            if not 2 <= e["bits"] <= 64 or e["dtype"] != int_dtype(e["bits"]):
                raise ManifestError(f"{where}.dtype={e['dtype']!r} must be the narrowest of {INT_DTYPES} for "
                                    f"bits={e['bits']} (2..64)")
        elif e["encoding"] in ENCODINGS:
            if not 1 <= e["bits"] <= 8 or e["dtype"] != "uint8":
                raise ManifestError(f"{where}: a beat encoding needs dtype 'uint8' and bits 1..8")
            if e.get("beat_bytes") != beat_bytes(shape[-3], e["bits"]):
                raise ManifestError(f"{where}.beat_bytes={e.get('beat_bytes')!r} must be ceil(C*bits/8) = "
                                    f"{beat_bytes(shape[-3], e['bits'])}")
        else:
            raise ManifestError(f"{where}.encoding={e['encoding']!r} must be one of {ENCODINGS}")
    return entries


def read_gz(path: Path, expected: int) -> bytes:
    """The content of a one-member gzip file that must hold exactly `expected` bytes (ManifestError otherwise)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ManifestError(f"{path}: missing (named in {INDEX}; re-run the export)") from None
    except OSError as exc:
        raise ManifestError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    d = zlib.decompressobj(31)
    try:
        raw = d.decompress(data, expected + 1)
    except zlib.error as exc:
        raise ManifestError(f"{path}: not a valid gzip file ({exc}; re-run the export)") from None
    if len(raw) > expected:
        raise ManifestError(f"{path}: holds more than the {expected} bytes its {INDEX} entry gives")
    if not d.eof:
        raise ManifestError(f"{path}: truncated: the gzip stream ends after {len(raw)} of {expected} bytes, "
                            "before its end marker (re-run the export)")
    if d.unused_data:
        raise ManifestError(f"{path}: {len(d.unused_data)} bytes after the end of the gzip stream")
    if len(raw) != expected:
        raise ManifestError(f"{path}: holds {len(raw)} bytes, its {INDEX} entry gives {expected}")
    return raw


def read_entry(folder: Path, key: str, entry: dict) -> np.ndarray:
    path = folder / entry["file"]
    raw = read_gz(path, raw_bytes(entry))
    try:
        if entry["encoding"] == "int":
            arr = unpack_ints(raw, entry["shape"], entry["dtype"])
            lo, hi = -(1 << (entry["bits"] - 1)), (1 << (entry["bits"] - 1)) - 1
            if arr.size and (arr.min() < lo or arr.max() > hi):
                raise ValueError(f"values in [{arr.min()}, {arr.max()}] do not fit bits={entry['bits']}")
            return arr
        return unpack_beats(raw, entry["shape"], entry["bits"])
    except ValueError as exc:
        raise ManifestError(f"{path}: {exc} ({key})") from None


def read_vectors(folder: str | Path, expect=None) -> dict[str, np.ndarray]:
    """Every vector of a folder, unpacked (uint8 words / pixels, int64 values) in index order. `expect(key)`
    (optional) gives the entry each key must have (less `file`), None for a key that does not belong."""
    folder = Path(folder)
    entries = read_index(folder)
    if expect is not None:
        for key, e in entries.items():
            want = expect(key)
            if want is None:
                raise ManifestError(f"{folder / INDEX}: field vectors.{key}: no such vector in this export")
            for field, value in want.items():
                if e.get(field) != value:
                    raise ManifestError(f"{folder / INDEX}: field vectors.{key}.{field}={e.get(field)!r}, the "
                                        f"manifest gives {value!r}")
    return {key: read_entry(folder, key, e) for key, e in entries.items()}
