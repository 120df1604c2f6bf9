"""One command line (golden/cli.py): `python -m golden <subcommand>`; usage errors exit 2 with one `error:`
line and no traceback."""
import subprocess
import sys

import pytest

from golden.cli import COMMANDS, build_parser, main
from golden.paths import REPO_ROOT


def golden(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "golden", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=REPO_ROOT)


def one_error_line(text):
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), text
    assert "Traceback" not in text
    return lines[0]


def test_help_lists_every_subcommand():
    proc = golden("--help")
    assert proc.returncode == 0, proc.stderr
    for name, (_, help_) in COMMANDS.items():
        assert name in proc.stdout, name
        assert help_.split(" (")[0][:40] in " ".join(proc.stdout.split()), name
    assert set(COMMANDS) >= {"train", "finetune", "export-net", "eval-seg", "eval-denoise", "csim", "sim",
                             "rtl-config", "synth", "estimate", "report", "bench"}
    assert "export" not in COMMANDS  # the slice's `export` subcommand is retired


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_subcommand_has_help(name, capsys):
    """Each subcommand's module has add_arguments(p) (and run): `<subcommand> --help` exits 0."""
    with pytest.raises(SystemExit) as exc:
        main([name, "--help"])
    assert exc.value.code == 0
    assert f"python -m golden {name}" in capsys.readouterr().out
    import importlib

    mod = importlib.import_module(COMMANDS[name][0])
    assert callable(mod.add_arguments) and callable(getattr(mod, "run_eval" if name.startswith("eval-") else "run"))


def test_only_the_chosen_subcommand_is_imported():
    """`build_parser(only)` adds just that subcommand's arguments; the others are bare."""
    parser = build_parser("csim")
    args = parser.parse_args(["csim", "--export", "x"])
    assert args.export == "x" and args._module == "golden.backends.hls.csim"


@pytest.mark.parametrize("argv, word", [
    (["frobnicate"], "frobnicate"),                       # an unknown subcommand
    ([], "required"),                                     # no subcommand
    (["export-net", "--out", "o", "--bogus"], "--bogus"),  # an unknown option
    (["export-net", "--out", "o", "--timesteps", "x"], "--timesteps"),  # a bad value
    (["csim"], "--export"),                               # a missing required option
])
def test_usage_errors_exit_2_with_one_error_line(argv, word):
    proc = golden(*argv)
    assert proc.returncode == 2, proc.stderr
    line = one_error_line(proc.stderr)
    assert word in line and "python -m golden" in line, line
    assert proc.stdout == ""


def test_usage_errors_in_process(capsys):
    for argv in (["frobnicate"], ["estimate", "--export", "e", "--config", "c"]):  # the latter: mutually exclusive
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
        one_error_line(capsys.readouterr().err)


def test_input_errors_exit_2_with_one_error_line(tmp_path):
    proc = golden("export-net", "--out", str(tmp_path / "o"), "--checkpoint", str(tmp_path / "none.npz"))
    assert proc.returncode == 2
    assert "none.npz" in one_error_line(proc.stderr)
