"""`python -m golden sim`: its last line on a passing export, and SIM FAIL with the first mismatch in time order."""
import re
import subprocess
import sys

from golden.backends.rtl import simulate as simlib
from golden.export.vectors import write_export_vectors
from rtl_tb.cases import NEGATIVE_CASE
from golden.ir.manifest import load_manifest, load_vectors

def _run(*args):
    proc = subprocess.run([sys.executable, "-m", "golden", "sim", *map(str, args)], capture_output=True, text=True,
                          cwd=simlib.ROOT)
    lines = proc.stdout.strip().splitlines()
    return proc.returncode, lines, proc.stdout + proc.stderr


def test_run_sim_pass_and_fail(tmp_path):
    """A whole-network export runs on snn_engine; the last line carries cycles and the synaptic-event bound."""
    case = NEGATIVE_CASE
    export = case.export()
    m = load_manifest(export)
    t_n, n = m["timesteps"], len(m["layers"])
    values = t_n * sum(l["out_channels"] * l["height"] * l["width"] for l in m["layers"])
    rc, lines, out = _run("--export", export, "--lanes", case.lanes, "--p-idle", 0, "--p-backpressure", 0)
    assert rc == 0, out
    match = re.fullmatch(rf"SIM PASS layers={n} timesteps={t_n} values={values} mismatches=0 "
                         r"cycles=(\d+) bound=(\d+)", lines[-1])
    assert match, out
    assert int(match.group(1)) >= int(match.group(2)) > 0
    assert sum(l.startswith("SIM ") for l in lines) == 1
    assert re.fullmatch(r"membranes: compared \(\d+ values\)", lines[-2]), out

    # corrupt a late layer at step 2 and an early one at step 1: both are found, the earlier step first
    early, late = m["layers"][1]["name"], m["layers"][-2]["name"]
    vec = load_vectors(export)
    vec[f"{late}.spikes"][2, 0, 0, 0] ^= 1
    vec[f"{early}.spikes"][1, 1, 4, 3] ^= 2
    write_export_vectors(tmp_path / "vectors", m, vec)
    rc, lines, out = _run("--export", export, "--lanes", case.lanes, "--vectors", tmp_path / "vectors",
                          "--p-idle", 0.4, "--p-backpressure", 0.3, "--reset-at", "mid")
    assert rc == 1, out
    assert re.fullmatch(rf"SIM FAIL layers={n} timesteps={t_n} values={values} mismatches=2 "
                        r"cycles=\d+ bound=\d+", lines[-1]), out
    first = [l for l in lines if l.startswith("first mismatch:")]
    assert first and re.fullmatch(rf"first mismatch: layer={early} t=1 channel=1 y=4 x=3 expected=\d+ got=\d+",
                                  first[0]), out


def test_run_sim_without_membranes(tmp_path):
    """Golden vectors without membranes (`--vectors` a folder as `export-net --membranes off` writes it): SIM PASS,
    and the line before it says that membranes were not compared."""
    case = NEGATIVE_CASE
    export = case.export()
    m = load_manifest(export)
    vec = {k: v for k, v in load_vectors(export).items() if not k.endswith(".membrane")}
    write_export_vectors(tmp_path / "vectors", m, vec)
    rc, lines, out = _run("--export", export, "--lanes", case.lanes, "--vectors", tmp_path / "vectors")
    assert rc == 0 and lines[-1].startswith("SIM PASS "), out
    assert lines[-2] == "membranes: not compared (the export has no membrane vectors: export-net --membranes off)", out


def test_sim_refuses_bad_input(tmp_path):
    """Bad input is exit 2 with one `error:` line naming the file, not a SIM line."""
    rc, lines, out = _run("--export", tmp_path / "missing")
    assert rc == 2 and "SIM " not in out, out
    assert out.count("error:") == 1 and "manifest.yaml" in out, out
    rc, _, out = _run("--export", NEGATIVE_CASE.export(), "--lanes", 0)
    assert rc == 2 and "--lanes" in out, out
    # a truncated vector file in a --vectors folder: one error line naming the file, before anything is built
    folder = tmp_path / "vectors"
    write_export_vectors(folder, load_manifest(NEGATIVE_CASE.export()), load_vectors(NEGATIVE_CASE.export()))
    bad = folder / "head.accum.gz"
    bad.write_bytes(bad.read_bytes()[:-9])
    rc, lines, out = _run("--export", NEGATIVE_CASE.export(), "--vectors", folder)
    assert rc == 2 and "SIM " not in out, out
    assert out.count("error:") == 1 and "head.accum.gz: truncated" in out, out
