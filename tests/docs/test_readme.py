"""The README is true for the tree: its layout table matches the folders, every `python -m golden` command it shows
is a real subcommand, and the short commands run exactly as written."""
import re
import subprocess
import sys

import pytest

from golden.cli import COMMANDS
from golden.paths import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text()


def layout_rows() -> list[str]:
    section = README.split("## Layout", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+)/` \|", section, re.M)


def tracked_folders() -> set[str]:
    files = subprocess.run(["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
    out = set()
    for f in files.splitlines():
        parts = f.split("/")
        if len(parts) > 1 and not parts[0].startswith("."):
            out.add(parts[0])
            if parts[0] == "golden" and len(parts) > 2:
                out.add("/".join(parts[:2]))
    return out


def test_layout_table_matches_the_tree():
    rows = set(layout_rows())
    folders = tracked_folders()
    # every top-level folder and every golden sub-package is described, and nothing else
    expected = {f for f in folders if "/" not in f or f.startswith("golden/")}
    assert rows == expected, f"README layout table {sorted(rows)} != tree {sorted(expected)}"
    for row in rows:
        assert (REPO_ROOT / row).is_dir(), row


def test_every_documented_subcommand_exists():
    shown = set(re.findall(r"python -m golden ([a-z][a-z-]*)", README))
    assert shown, "the README shows no command"
    assert shown <= set(COMMANDS), sorted(shown - set(COMMANDS))
    assert set(COMMANDS) <= shown, f"subcommands the README does not show: {sorted(set(COMMANDS) - shown)}"


def test_every_make_target_documented_exists():
    out = subprocess.run(["make", "-s", "help"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    targets = {line.split()[0] for line in out.stdout.splitlines() if line and not line.startswith("variables")}
    shown = set(re.findall(r"`make ([a-z]+)", README))
    assert shown <= targets, sorted(shown - targets)


@pytest.mark.parametrize("argv", [["--help"], ["export-net", "--help"], ["sim", "--help"], ["csim", "--help"]])
def test_short_commands_run_as_written(argv):
    proc = subprocess.run([sys.executable, "-m", "golden", *argv], cwd=REPO_ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_export_and_estimate_commands_run(tmp_path):
    """`python -m golden export-net --out DIR --crop Y X H W --timesteps T`, then `estimate --export DIR`."""
    out = tmp_path / "e"
    run = lambda *a: subprocess.run([sys.executable, "-m", "golden", *a], cwd=REPO_ROOT,  # noqa: E731
                                    capture_output=True, text=True)
    proc = run("export-net", "--out", str(out), "--crop", "0", "16", "32", "48", "--timesteps", "2")
    assert proc.returncode == 0, proc.stderr
    assert re.fullmatch(r"EXPORT em_unet_snn -> .*: 27 layers, 32x48 \(HxW\) image from .*, T=2, compare=gt",
                        proc.stdout.strip().splitlines()[-1])
    proc = run("estimate", "--export", str(out), "--out", str(tmp_path / "est"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert re.match(r"ESTIMATE em_unet_snn: frame \d+ cycles .*lanes=8, engines=1, frame engine", lines[-2]), lines[-2]
    assert lines[-1].startswith("FRAME em_unet_snn frame=32x48 ") and "lanes=8" in lines[-1]
