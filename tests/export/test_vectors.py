"""Golden vectors on disk (docs/contract.md §8, golden/export/vectors.py): §5 beats and narrow integers, gzip,
an index; packing round trips for any K and channel count, the exact bit layout of a beat, sizes, corrupt and
truncated files refused naming the file, and exports with and without membranes."""
import gzip
import json
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from golden.cli import main
from golden.errors import ManifestError
from golden.export import vectors as vio
from golden.export.command import MEMBRANES_AUTO_PIXELS, record_membranes
from golden.export.load import load_manifest, load_network, load_vectors


def reference_beats(words: np.ndarray, bits: int) -> bytes:
    """§5 by the letter, one Python integer per beat: channel c at bits [bits*c + bits-1 : bits*c]."""
    c, h, w = words.shape[-3:]
    nb = -(-c * bits // 8)
    out = bytearray()
    for frame in words.reshape(-1, c, h, w):
        for y in range(h):
            for x in range(w):
                beat = sum(int(frame[ch, y, x]) << (bits * ch) for ch in range(c))
                out += beat.to_bytes(nb, "little")
    return bytes(out)


@st.composite
def word_arrays(draw, bits=None):
    k = draw(st.sampled_from([1, 2, 3, 4])) if bits is None else bits
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 11)), draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    kind = draw(st.sampled_from(["random", "ones", "zeros", "sparse"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if kind == "ones":
        words = np.full(shape, (1 << k) - 1, dtype=np.uint8)
    elif kind == "zeros":
        words = np.zeros(shape, dtype=np.uint8)
    else:
        words = rng.integers(0, 1 << k, size=shape).astype(np.uint8)
        if kind == "sparse":
            words *= rng.random(shape) < 0.1
    return k, words


@settings(max_examples=300, deadline=None)
@given(case=word_arrays())
def test_spike_beats_round_trip_and_layout(case):
    """K = 1..4, C = 1..11 (C*K often not a multiple of 8), all-ones, zeros, random and sparse words."""
    k, words = case
    data = vio.pack_beats(words, k)
    c, h, w = words.shape[1:]
    assert len(data) == words.shape[0] * h * w * -(-c * k // 8)
    assert data == reference_beats(words, k)
    back = vio.unpack_beats(data, words.shape, k)
    assert back.dtype == np.uint8 and np.array_equal(back, words)


@settings(max_examples=100, deadline=None)
@given(case=st.integers(5, 8).flatmap(lambda b: word_arrays(bits=b)))
def test_wider_fields_and_image_beats(case):
    """5..8-bit fields (8: the §5 image beats, channel c in byte c) through the same packer."""
    k, words = case
    data = vio.pack_beats(words, k)
    assert data == reference_beats(words, k)
    if k == 8:
        assert data == np.ascontiguousarray(words.transpose(0, 2, 3, 1)).tobytes()
    assert np.array_equal(vio.unpack_beats(data, words.shape, k), words)


def test_beats_refuse_bad_words_sizes_and_padding():
    with pytest.raises(ValueError, match="not 2-bit words"):
        vio.pack_beats(np.full((1, 3, 2, 2), 4, np.uint8), 2)
    words = np.ones((2, 3, 2, 2), np.uint8)  # C*K = 6 bits: the top 2 bits of each beat are unused
    data = bytearray(vio.pack_beats(words, 2))
    with pytest.raises(ValueError, match=r"holds 7 bytes, shape \[2, 3, 2, 2\] in 1-byte beats needs 8"):
        vio.unpack_beats(bytes(data[:-1]), words.shape, 2)
    data[5] |= 0x80
    with pytest.raises(ValueError, match="nonzero bit above its 3 x 2-bit fields"):
        vio.unpack_beats(bytes(data), words.shape, 2)


@settings(max_examples=200, deadline=None)
@given(bits=st.integers(2, 62), data=st.data())
def test_ints_round_trip_in_the_narrowest_dtype(bits, data):
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    shape = tuple(data.draw(st.lists(st.integers(1, 4), min_size=3, max_size=4)))
    n = int(np.prod(shape))
    values = np.array(data.draw(st.lists(st.integers(lo, hi), min_size=n, max_size=n)), dtype=np.int64)
    values[: min(2, n)] = [lo, hi][: min(2, n)]  # both extremes
    values = values.reshape(shape)
    raw = b"".join(vio.iter_ints(values, bits))
    dtype = vio.int_dtype(bits)
    assert dtype == next(d for d in ("int8", "int16", "int32", "int64") if bits <= np.dtype(d).itemsize * 8)
    assert len(raw) == n * np.dtype(dtype).itemsize
    assert raw == values.astype(np.dtype(dtype).newbyteorder("<")).tobytes()
    back = vio.unpack_ints(raw, shape, dtype)
    assert back.dtype == np.int64 and np.array_equal(back, values)
    with pytest.raises(ValueError, match=f"do not fit {bits} signed bits"):
        b"".join(vio.iter_ints(values.ravel()[:1].reshape(1, 1, 1) * 0 + hi + 1, bits))


def test_packing_is_vectorised():
    """8 M spike words (T = 4, 16 channels, 256x512, K = 4) pack and unpack in well under a second each here;
    the bound is loose for a busy machine (200 M words of a 512x512 slice are 25 times this)."""
    words = np.random.default_rng(0).integers(0, 16, size=(4, 16, 256, 512)).astype(np.uint8)
    t0 = time.perf_counter()
    data = vio.pack_beats(words, 4)
    t1 = time.perf_counter()
    back = vio.unpack_beats(data, words.shape, 4)
    t2 = time.perf_counter()
    assert np.array_equal(back, words)
    assert t1 - t0 < 5 and t2 - t1 < 5, (t1 - t0, t2 - t1)


def test_folder_round_trip_and_index(tmp_path):
    rng = np.random.default_rng(1)
    arrays = {"img": rng.integers(0, 256, size=(3, 4, 5)).astype(np.uint8),
              "s": rng.integers(0, 8, size=(2, 5, 4, 5)).astype(np.uint8),
              "v": rng.integers(-(1 << 20), 1 << 20, size=(2, 5, 4, 5))}
    specs = {"img": vio.image_spec(3, 4, 5), "s": vio.spike_spec(2, 5, 4, 5, 3), "v": vio.int_spec((2, 5, 4, 5), 21)}
    written = vio.write_vectors(tmp_path / "v", arrays, specs)
    assert written["s"]["raw_bytes"] == 2 * 4 * 5 * 2 and written["v"]["raw_bytes"] == 200 * 4
    index = json.loads((tmp_path / "v" / "index.json").read_text())
    assert index["format"] == vio.FORMAT and index["version"] == vio.VERSION
    assert index["vectors"]["v"] == {"file": "v.gz", "encoding": "int", "dtype": "int32", "shape": [2, 5, 4, 5],
                                     "bits": 21}
    assert index["vectors"]["s"]["beat_bytes"] == 2 and index["vectors"]["img"]["beat_bytes"] == 3
    # plain gzip of raw little-endian data: any gzip reader can read it
    assert gzip.decompress((tmp_path / "v" / "s.gz").read_bytes()) == vio.pack_beats(arrays["s"], 3)
    back = vio.read_vectors(tmp_path / "v")
    assert list(back) == list(arrays)
    for k in arrays:
        assert back[k].dtype == (np.int64 if k == "v" else np.uint8) and np.array_equal(back[k], arrays[k]), k
    # reproducible bytes: the same arrays give the same files
    vio.write_vectors(tmp_path / "w", arrays, specs)
    for k in arrays:
        assert (tmp_path / "v" / f"{k}.gz").read_bytes() == (tmp_path / "w" / f"{k}.gz").read_bytes()


def test_broken_files_are_refused_naming_the_file(tmp_path):
    arrays = {"s": np.ones((3, 5, 6, 7), np.uint8)}
    folder = tmp_path / "v"
    f = folder / "s.gz"

    def refused(pattern):
        with pytest.raises(ManifestError, match=pattern) as err:
            vio.read_vectors(folder)
        assert "\n" not in str(err.value)

    def fresh():
        vio.write_vectors(folder, arrays, {"s": vio.spike_spec(3, 5, 6, 7, 4)})
        return f.read_bytes()

    good = fresh()
    f.write_bytes(good[: len(good) // 2])
    refused(r"v/s\.gz: truncated: the gzip stream ends")
    f.write_bytes(good[:-3])  # only the trailer cut
    refused(r"v/s\.gz: truncated")
    f.write_bytes(b"not gzip at all")
    refused(r"v/s\.gz: not a valid gzip file")
    f.write_bytes(good + b"junk")
    refused(r"v/s\.gz: 4 bytes after the end of the gzip stream")
    f.write_bytes(gzip.compress(b"\0" * 10))
    refused(r"v/s\.gz: holds 10 bytes, its index.json entry gives 378")
    f.write_bytes(gzip.compress(b"\0" * 1000))
    refused(r"v/s\.gz: holds more than the 378 bytes")
    bad = bytearray(good)
    bad[-6] ^= 1  # the CRC-32 / length trailer
    f.write_bytes(bytes(bad))
    refused(r"v/s\.gz: not a valid gzip file .*incorrect")
    f.unlink()
    refused(r"v/s\.gz: missing")
    fresh()
    idx = folder / "index.json"
    text = idx.read_text()
    for edit, pattern in ((text.replace('"beat_bytes": 3', '"beat_bytes": 4'), r"vectors\.s\.beat_bytes=4"),
                          (text.replace('"spike_beats"', '"words"'), r"vectors\.s\.encoding='words'"),
                          (text.replace('"s.gz"', '"../s.gz"'), r"vectors\.s\.file='\.\./s\.gz'"),
                          (text[:-5], r"index\.json: not valid JSON")):
        idx.write_text(edit)
        refused(pattern)


# ------------------------------------------------------------------------------------------------- exports


def test_export_files_sizes_and_index(default_export):
    """The default model's 64x64 export at T = 4: one gzip file per key and index.json under vectors/, every one
    hashed by the manifest; a spikes file holds exactly ceil(C*K/8)*H*W*T bytes before compression, and less
    after; the loader returns what the integer model gives (uint8 words and pixels, int64 values)."""
    m = load_manifest(default_export)
    t_n, k = m["timesteps"], len(m["thresholds_log2"])
    index = vio.read_index(default_export / "vectors")
    assert list(index) == vio.export_keys(m, membranes=True)  # 64x64 <= 256x256: --membranes auto records them
    assert not (default_export / "vectors.npz").exists() and not list(default_export.glob("vectors/*.txt"))
    listed = {f for f in m["files"] if f.startswith("vectors/")}
    assert listed == {"vectors/index.json"} | {f"vectors/{e['file']}" for e in index.values()}
    assert {f"vectors/{p.name}" for p in (default_export / "vectors").iterdir()} == listed
    for l in m["layers"]:
        if l["kind"] == "output":
            assert index[f"{l['name']}.accum"]["dtype"] == vio.int_dtype(l["membrane_bits"])
            continue
        e = index[f"{l['name']}.spikes"]
        bound = -(-l["out_channels"] * k // 8) * l["height"] * l["width"] * t_n
        raw = gzip.decompress((default_export / "vectors" / e["file"]).read_bytes())
        assert len(raw) <= bound and len(raw) == bound
        assert (default_export / "vectors" / e["file"]).stat().st_size < bound
        assert index[f"{l['name']}.membrane"]["dtype"] == vio.int_dtype(l["membrane_bits"])
    enc1a = m["layers"][0]
    assert index[f"{enc1a['name']}.current"]["dtype"] == vio.int_dtype(enc1a["current_bits"])
    vec = load_vectors(default_export)
    assert vec["input"].dtype == np.uint8 and vec["input"].shape == (1, 64, 64)
    assert all(v.dtype == (np.uint8 if key == "input" or key.endswith(".spikes") else np.int64)
               for key, v in vec.items())


def test_membranes_option(tmp_path, capsys):
    assert record_membranes("auto", 256, 256) and not record_membranes("auto", 256, 257)
    assert not record_membranes("auto", 512, 512) and record_membranes("on", 512, 512)
    assert not record_membranes("off", 8, 8) and MEMBRANES_AUTO_PIXELS == 65536
    outs = {}
    for mode in ("off", "on"):
        out = tmp_path / mode
        assert main(["export-net", "--out", str(out), "--crop", "0", "0", "16", "32", "--timesteps", "2",
                     "--membranes", mode]) == 0
        lines = capsys.readouterr().out.strip().splitlines()
        assert lines[-1].startswith("EXPORT ") and lines[-2].startswith("VECTORS "), lines
        assert lines[-2].endswith(f"membranes {'recorded' if mode == 'on' else 'not recorded'} (--membranes {mode})")
        outs[mode] = load_vectors(out)
        load_network(out)
    m = load_manifest(tmp_path / "off")
    assert list(outs["off"]) == vio.export_keys(m, membranes=False)
    assert list(outs["on"]) == vio.export_keys(m, membranes=True)
    for key, v in outs["off"].items():  # the same run, less the membranes
        assert np.array_equal(v, outs["on"][key]), key
    with pytest.raises(SystemExit):
        main(["export-net", "--out", str(tmp_path / "x"), "--membranes", "maybe"])


def test_loader_checks_entries_against_the_manifest(small_export, export_copy, rehash):
    """A self-consistent export (hashes updated) whose index disagrees with the manifest, whose vectors mix
    membranes of some layers only, or whose vector file is truncated: refused naming the file (the CLI: exit 2,
    one error line, before anything is built)."""
    src, m = small_export
    d = export_copy(src, "shape")
    idx = d / "vectors" / "index.json"
    idx.write_text(idx.read_text().replace('"shape": [3, 2, 8, 8]', '"shape": [3, 2, 4, 16]', 1))
    rehash(d)
    with pytest.raises(ManifestError, match=r"index\.json: field vectors\.mid_a\.spikes\.shape=\[3, 2, 4, 16\], the "
                                            r"manifest gives \[3, 2, 8, 8\]"):
        load_vectors(d)
    d = export_copy(src, "partial")
    vec = load_vectors(src)
    specs = {k: vio.spec_of(m, k) for k in vio.export_keys(m) if k != "mid_b.membrane"}
    vio.write_vectors(d / "vectors", vec, specs)
    (d / "vectors" / "mid_b.membrane.gz").unlink()
    import yaml

    doc = yaml.safe_load((d / "manifest.yaml").read_text())
    del doc["files"]["vectors/mid_b.membrane.gz"]
    (d / "manifest.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    rehash(d)
    with pytest.raises(ManifestError, match=r"index\.json: .*membranes of some layers only"):
        load_vectors(d)
    with pytest.raises(ValueError, match="membranes of some layers only"):
        vio.write_export_vectors(d / "again", m, {k: vec[k] for k in specs})


def test_truncated_vector_file_is_one_error_line(small_export, export_copy, rehash, tmp_path, capsys):
    d = export_copy(small_export[0], "trunc")
    f = d / "vectors" / "mid_b.spikes.gz"
    f.write_bytes(f.read_bytes()[:-12])
    rehash(d)  # the hashes agree: the gzip check has to find it
    with pytest.raises(ManifestError, match=r"vectors/mid_b\.spikes\.gz: truncated"):
        load_vectors(d)
    assert main(["csim", "--export", str(d), "--build", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    lines = [l for l in err.splitlines() if l.startswith("error:")]
    assert len(lines) == 1 and "mid_b.spikes.gz: truncated" in lines[0] and "Traceback" not in err, err
    assert not (tmp_path / "b" / "csim").exists()
