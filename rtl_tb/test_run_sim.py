"""`python -m golden sim` on the frame engine: its last line on a passing export, SIM FAIL with the first mismatch,
the F1 line of `--labels`, `--fast`, and bad input."""
import re
import subprocess
import sys

from golden.backends.rtl import simulate as simlib
from golden.export.vectors import write_export_vectors
from rtl_tb.cases import sim_export
from golden.ir.manifest import load_manifest
from golden.export.load import load_vectors

def _run(*args):
    proc = subprocess.run([sys.executable, "-m", "golden", "sim", *map(str, args)], capture_output=True, text=True,
                          cwd=simlib.ROOT)
    lines = proc.stdout.strip().splitlines()
    return proc.returncode, lines, proc.stdout + proc.stderr


def test_sim_refuses_bad_input(tmp_path):
    """Bad input is exit 2 with one `error:` line naming the file, not a SIM line."""
    rc, lines, out = _run("--export", tmp_path / "missing")
    assert rc == 2 and "SIM " not in out, out
    assert out.count("error:") == 1 and "manifest.yaml" in out, out
    rc, _, out = _run("--export", sim_export(), "--lanes", 0)
    assert rc == 2 and "--lanes" in out, out
    # --max-width below the export's width: refused before anything is built (the engine would refuse the frame
    # with STATUS bit 3 at run time), one error line, exit 2 (issue 23)
    width = load_manifest(sim_export())["input"]["width"]
    rc, _, out = _run("--export", sim_export(), "--max-width", width // 2)
    assert rc == 2 and "SIM " not in out and "RTL sim:" not in out, out
    assert out.count("error:") == 1 and f"--max-width {width // 2} is below the export's width {width}" in out, out
    # a truncated vector file in a --vectors folder: one error line naming the file, before anything is built
    folder = tmp_path / "vectors"
    write_export_vectors(folder, load_manifest(sim_export()), load_vectors(sim_export()))
    bad = folder / "head.accum.gz"
    bad.write_bytes(bad.read_bytes()[:-9])
    rc, lines, out = _run("--export", sim_export(), "--vectors", folder)
    assert rc == 2 and "SIM " not in out, out
    assert out.count("error:") == 1 and "head.accum.gz: truncated" in out, out


def test_run_sim_frame_engine(tmp_path):
    """The frame engine (default): SIM PASS with every spike word and A_T counted, the F1 line of --labels (the
    RTL's own output against a label, next to the golden model's), and SIM FAIL naming the corrupted value."""
    import numpy as np
    from PIL import Image

    export = sim_export()
    m = load_manifest(export)
    t_n, n = m["timesteps"], len(m["layers"])
    spiking = [l for l in m["layers"] if l["kind"] != "output"]
    head = m["layers"][-1]
    values = t_n * sum(l["out_channels"] * l["height"] * l["width"] for l in spiking) + \
        head["out_channels"] * head["height"] * head["width"]
    h, w = m["input"]["height"], m["input"]["width"]
    label = tmp_path / "label.png"
    Image.fromarray((np.arange(h * w).reshape(h, w) % 3 == 0).astype(np.uint8) * 255).save(label)
    rc, lines, out = _run("--export", export, "--lanes", 4, "--labels", label, "--p-pause", 0.3, "--reset-at", "mid")
    assert rc == 0, out
    assert re.fullmatch(rf"SIM PASS layers={n} timesteps={t_n} values={values} mismatches=0 cycles=(\d+) bound=(\d+)",
                        lines[-1]), out
    f1 = [l for l in lines if l.startswith("F1 ")]
    assert len(f1) == 1 and re.fullmatch(r"F1 frame0: rtl=(\d\.\d{6}) golden=\1 same_predictions=yes \(label .*\)",
                                         f1[0]), out
    vec = load_vectors(export)
    late = m["layers"][-2]["name"]
    vec[f"{late}.spikes"][2, 0, 1, 3] ^= 1
    write_export_vectors(tmp_path / "vectors", m, vec)
    rc, lines, out = _run("--export", export, "--lanes", 4, "--vectors", tmp_path / "vectors")
    assert rc == 1, out
    assert re.fullmatch(rf"SIM FAIL layers={n} timesteps={t_n} values={values} mismatches=1 cycles=\d+ bound=\d+",
                        lines[-1]), out
    assert any(re.fullmatch(rf"first mismatch: frame frame0 \({h}x{w}\) {late} t=2, c=0, y=1, x=3: rtl \d+ golden \d+ "
                            r"\(1 differ\)", l) for l in lines), out


def test_run_sim_fast_bench(tmp_path):
    """`--fast` (rtl_tb/frame_fast_tb.sv: verilator --binary, behavioural AXI memory): the same SIM line as the
    cocotb bench, the same values counted, and SIM FAIL on a corrupted golden value."""
    export = sim_export()
    m = load_manifest(export)
    t_n, n = m["timesteps"], len(m["layers"])
    head = m["layers"][-1]
    values = t_n * sum(l["out_channels"] * l["height"] * l["width"] for l in m["layers"][:-1]) + \
        head["out_channels"] * head["height"] * head["width"]
    rc, lines, out = _run("--export", export, "--lanes", 4, "--fast")
    assert rc == 0, out
    assert re.fullmatch(rf"SIM PASS layers={n} timesteps={t_n} values={values} mismatches=0 cycles=\d+ bound=\d+",
                        lines[-1]), out
    vec = load_vectors(export)
    vec[f"{m['layers'][1]['name']}.spikes"][1, 0, 2, 2] ^= 1
    write_export_vectors(tmp_path / "vectors", m, vec)
    rc, lines, out = _run("--export", export, "--lanes", 4, "--fast", "--vectors", tmp_path / "vectors")
    assert rc == 1 and lines[-1].startswith(f"SIM FAIL layers={n} ") and "mismatches=1 " in lines[-1], out


def test_run_sim_membrane_trace(tmp_path):
    """`--trace`: the neuron stage's membrane trace (+snn_trace, simulation only) is compared membrane by membrane
    with the export's membrane vectors; a corrupted golden membrane is found, named by layer, step, channel and
    pixel, and fails the run."""
    export = sim_export()
    m = load_manifest(export)
    n, t_n = len(m["layers"]), m["timesteps"]
    rc, lines, out = _run("--export", export, "--lanes", 4, "--trace", "--p-pause", 0.2)
    assert rc == 0 and lines[-1].startswith(f"SIM PASS layers={n} "), out
    # every membrane of every layer at every step, and A_t of the head
    count = t_n * sum(l["out_channels"] * l["height"] * l["width"] for l in m["layers"])
    assert re.fullmatch(rf"membranes: {count} compared from the trace \S+membranes\.trace, 0 mismatches \(all equal\)",
                        lines[-2]), out
    vec = load_vectors(export)
    layer = m["layers"][2]["name"]
    vec[f"{layer}.membrane"][1, 1, 2, 3] += 1
    write_export_vectors(tmp_path / "vectors", m, vec)
    rc, lines, out = _run("--export", export, "--lanes", 4, "--trace", "--vectors", tmp_path / "vectors")
    assert rc == 1 and lines[-1].startswith(f"SIM FAIL layers={n} "), out
    assert any(re.fullmatch(rf"first mismatch: membrane {layer} t=1 c=1 y=2 x=3: rtl -?\d+ golden -?\d+", l)
               for l in lines), out
