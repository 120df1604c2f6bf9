"""`python -m golden synth` on the frame kernel (golden/backends/rtl/synth.py): the SYNTH numbers from a canned yosys
`stat` block (no yosys), the one-line errors of bad arguments, and one real synth_xilinx -family xcup of a tiny
random network (skipped without yosys); its accumulator band moves from LUTRAM into block RAM when --max-width
grows (checked with the memory mapping alone, which takes seconds)."""
import json
import shutil
import subprocess
import sys

import pytest

from golden.backends.rtl import synth
from golden.backends.rtl.frame_config import build_frame_config
from golden.export.load import load_network
from golden.paths import REPO_ROOT

HAVE_YOSYS = shutil.which("yosys") is not None

STAT = """
15.53. Executing CHECK pass (checking for obvious problems).
Found and reported 0 problems.

16. Printing statistics.

=== snn_frame_kernel ===

   Number of wires:               7768
   Number of wire bits:          43303
   Number of public wires:         999
   Number of public wire bits:   13517
   Number of memories:               0
   Number of memory bits:            0
   Number of processes:              0
   Number of cells:              14031
     BUFG                            1
     CARRY4                        835
     DSP48E2                        18
     FDCE                            5
     FDRE                         3188
     FDSE                           23
     IBUF                          133
     INV                           269
     LUT1                          141
     LUT2                         2308
     LUT3                         1173
     LUT4                         1057
     LUT5                         1126
     LUT6                         1698
     MUXF7                         937
     MUXF8                         348
     OBUF                          301
     RAM32M16                      259
     RAM64M8                        10
     RAM64X1D                        4
     RAMB18E2                        3
     RAMB36E2                        7
     SRLC32E                         2
     URAM288                         2

   Estimated number of LCs:       5093

End of script. Logfile hash: 51f5d1c398, CPU: user 59.72s system 0.63s, MEM: 587.96 MB peak
"""


def golden(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "golden", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=REPO_ROOT)


def one_error_line(proc) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = [l for l in (proc.stdout + proc.stderr).splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def test_stat_block_to_synth_numbers():
    cells = synth.parse_stat("an earlier stat, ignored\nPrinting statistics.\n   LUT1 99999\n" + STAT, synth.FRAME_TOP)
    assert cells["LUT1"] == 141 and cells["URAM288"] == 2 and "Number" not in " ".join(cells)
    r = synth.frame_counts(cells)
    assert r["lut"] == 141 + 2308 + 1173 + 1057 + 1126 + 1698
    assert r["ff"] == 5 + 3188 + 23
    assert (r["bram18"], r["bram36"], r["uram"], r["dsp"]) == (3, 7, 2, 18)
    assert r["lutram"] == 259 + 10 + 4 + 2
    assert r["lutram_luts"] == 8 * 259 + 8 * 10 + 2 * 4 + 1 * 2
    line = synth.synth_line(r, 512, 8)
    assert line == ("SYNTH lut=7503 ff=3216 bram18=3 bram36=7 uram=2 dsp=18 max_width=512 lanes=8 engines=1 "
                    "fits_xczu7ev=yes")
    assert synth.parse_synth_line(line) == {"lut": 7503, "ff": 3216, "bram18": 3, "bram36": 7, "uram": 2,
                                            "dsp": 18, "max_width": 512, "lanes": 8, "fits_xczu7ev": True}
    with pytest.raises(ValueError):
        synth.parse_synth_line("SYNTH lut=1")


def test_parse_stat_design_hierarchy():
    """Several engines keep the hierarchy: the totals of the design hierarchy block count every instance."""
    log = ("Printing statistics.\n=== snn_frame_engine ===\n   Number of cells 10\n     LUT6 7\n     URAM288 1\n"
           "=== snn_frame_kernel ===\n   Number of cells 3\n     LUT6 3\n"
           "=== design hierarchy ===\n   snn_frame_kernel 1\n     snn_frame_engine 4\n"
           "   Number of cells 43\n     LUT6 31\n     URAM288 4\n")
    assert synth.parse_stat(log, synth.FRAME_TOP) == {"LUT6": 31, "URAM288": 4}


def test_module_luts_of_a_kept_hierarchy():
    """LUTs by module: one instance with its submodules, instances multiplied down the tree."""
    log = ("Printing statistics.\n"
           "=== $paramod$ab12\\leaf ===\n   Number of cells 2\n     LUT4 2\n     FDRE 5\n"
           "=== $paramod$cd34\\mid ===\n   Number of cells 9\n     LUT6 4\n     LUT2 1\n"
           "=== other ===\n   Number of cells 1\n     LUT3 1\n"
           "=== top ===\n   Number of cells 3\n     LUT6 3\n"
           "=== design hierarchy ===\n   top 1\n     $paramod$cd34\\mid 4\n       $paramod$ab12\\leaf 3\n"
           "     other 2\n\n   Number of cells 63\n     LUT6 31\n")
    assert synth.module_luts(log) == [("top", 1, 3 + 4 * (5 + 3 * 2) + 2 * 1), ("mid", 4, 5 + 3 * 2),
                                      ("leaf", 12, 2), ("other", 2, 1)]
    assert synth.module_luts("Printing statistics.\n=== top ===\n     LUT6 3\n") == []   # flattened


@pytest.mark.parametrize("change, fits", [
    ({}, True),
    ({"bram36": 311, "bram18": 2}, True),        # 311 + ceil(2 / 2) = 312
    ({"bram36": 311, "bram18": 3}, False),       # 311 + ceil(3 / 2) = 313
    ({"uram": 97}, False),
    ({"dsp": 1729}, False),
    ({"lut": 230_400 - 100, "lutram_luts": 100}, True),
    ({"lut": 230_400 - 100, "lutram_luts": 101}, False),   # LUTs used as memory count against the LUTs
])
def test_fits_xczu7ev_rule(change, fits):
    r = {"lut": 1000, "lutram_luts": 0, "bram18": 0, "bram36": 0, "uram": 0, "dsp": 0, **change}
    assert synth.fits_xczu7ev(r) is fits


def test_memory_mapping_from_log():
    log = ("using FF mapping for memory snn_frame_kernel.u_engine.brom\n"
           "mapping memory snn_frame_kernel.u_engine.wrom via $__XILINX_BLOCKRAM_SDP_\n"
           "mapping memory snn_frame_kernel.u_engine.g_lane[0].u_lane.g_bank[0].mem via $__XILINX_URAM_\n")
    assert synth.mapped_to_ff(log) == ["snn_frame_kernel.u_engine.brom"]
    assert synth.memory_mapping(log) == {"snn_frame_kernel.u_engine.brom": "FF",
                                         "snn_frame_kernel.u_engine.wrom": "BLOCKRAM_SDP",
                                         "snn_frame_kernel.u_engine.g_lane[0].u_lane.g_bank[0].mem": "URAM"}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from golden.export.network import random_network_export

    out = tmp_path_factory.mktemp("synth") / "tiny"
    random_network_export(out, seed=1, base=4, depth=1, size=8, timesteps=2)
    return out


@pytest.mark.parametrize("extra, option", [
    (["--lanes", "3"], "--lanes 3"),
    (["--lanes", "0"], "--lanes 0"),
    (["--lanes", "4", "8"], "unrecognized arguments: 8"),  # one build, one lane count
    (["--lanes", "32"], "--lanes 32"),            # 32 lanes x 4 field bits > 64 data bits
    (["--max-width", "15"], "--max-width 15"),    # depth 1: a multiple of 2
    (["--max-width", "0"], "--max-width 0"),
    (["--data-bits", "96"], "--data-bits"),
])
def test_bad_arguments_one_line(tiny, extra, option):
    args = ["synth", "--export", str(tiny), "--lanes", "4", "--max-width", "16"] + extra
    assert option in one_error_line(golden(*args))


def test_missing_export_one_line(tmp_path):
    line = one_error_line(golden("synth", "--export", str(tmp_path / "nothing"), "--lanes", "4"))
    assert "--export" in line and "nothing" in line
    (tmp_path / "empty").mkdir()
    assert "--export" in one_error_line(golden("synth", "--export", str(tmp_path / "empty"), "--lanes", "4"))


@pytest.fixture(scope="module")
def synth_w16(tiny):
    """One full synth_xilinx -family xcup -uram of the tiny network through the CLI, P = 4, --max-width 16 (about a
    minute of yosys)."""
    proc = golden("synth", "--export", str(tiny), "--lanes", "4", "--max-width", "16")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc.stdout.strip().splitlines()


@pytest.mark.skipif(not HAVE_YOSYS, reason="yosys not installed")
def test_real_synthesis_of_a_tiny_network(synth_w16):
    small = synth.parse_synth_line(synth_w16[-1])
    assert (small["max_width"], small["lanes"]) == (16, 4)
    assert small["lut"] > 0 and small["ff"] > 0
    assert min(small["bram18"], small["bram36"], small["uram"], small["dsp"]) >= 0
    assert small["fits_xczu7ev"]
    assert any(l.startswith("elapsed: ") and l.endswith(" s") for l in synth_w16)
    report = json.loads((synth.OUT / "report.json").read_text())
    entry = report["frame-unet_rand_s1-p4-w16"]
    assert entry["line"] == synth_w16[-1] and entry["params"]["W_MAX"] == 16 and entry["lutram"] > 0
    assert (synth.OUT / "frame-unet_rand_s1-p4-w16.log").is_file()
    assert "| frame-unet_rand_s1-p4-w16 |" in (synth.OUT / "report.md").read_text()


@pytest.mark.skipif(not HAVE_YOSYS, reason="yosys not installed")
def test_wider_frames_put_the_band_in_block_ram(tiny, synth_w16, tmp_path):
    """The memory mapping alone (synth.memory_script, seconds) gives the full flow's block RAM at --max-width 16;
    at 256 the accumulator band's banks (4 slots x P / LG words of LG lanes; 512 words each instead of 32) leave
    LUTRAM for block RAM."""
    small = synth.parse_synth_line(synth_w16[-1])
    net = load_network(tiny)
    runs = {}
    for w in (16, 256):
        cfg = build_frame_config(net, 4, tmp_path / f"cfg{w}", max_width=w)
        runs[w] = synth.synth_frame(cfg.params, tmp_path / f"mem{w}.log", memories_only=True)
    assert all(runs[16][k] == small[k] for k in ("bram18", "bram36", "uram")), (runs[16], small)
    bands = {w: {m: how for m, how in r["memories"].items() if ".u_lane.g_bank[" in m} for w, r in runs.items()}
    n_banks = 4 * (4 // cfg.params["LG"])
    assert len(bands[16]) == len(bands[256]) == n_banks
    assert all(how.startswith("LUTRAM") for how in bands[16].values()), bands[16]
    assert all(how.startswith("BLOCKRAM") for how in bands[256].values()), bands[256]
    bram = {w: r["bram18"] + 2 * r["bram36"] for w, r in runs.items()}
    assert bram[256] >= bram[16] + n_banks and runs[256]["lutram"] < runs[16]["lutram"], runs


@pytest.mark.skipif(not HAVE_YOSYS, reason="yosys not installed")
def test_yosys_failure_is_one_line_exit_2(tiny, monkeypatch, capsys):
    """A yosys that fails (here: an unknown command instead of the flow) is one `error:` line and exit 2."""
    from golden.cli import main

    monkeypatch.setattr(synth, "frame_script", lambda params, uram=True: "no_such_yosys_command\n")
    assert main(["synth", "--export", str(tiny), "--lanes", "4", "--max-width", "16"]) == 2
    out = capsys.readouterr()
    err = [l for l in (out.out + out.err).splitlines() if l.strip()]
    assert len(err) == 1 and err[0].startswith("error: yosys failed") and "no_such_yosys_command" in err[0], err
