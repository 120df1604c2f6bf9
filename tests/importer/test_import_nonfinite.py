"""import-torch is not NaN-blind (issue 23, item 6): a NaN / Inf weight in the state dict or the module is refused
naming the file and the field; the output comparison refuses non-finite outputs and a NaN difference (max() over
NaN used to give 0: "imports exactly", exit 0); --help says the model file's Python runs."""
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from golden.cli import main
from golden.importer.build import UnsupportedModel, import_module, verify
from golden.paths import REPO_ROOT

MODELS = Path(__file__).parent / "models"
sys.path.insert(0, str(MODELS))
torch.set_num_threads(1)

from classic_unet import ClassicUNet  # noqa: E402

ARGS = ["--class", "ClassicUNet", "--init-args", '{"fnum": 4}', "--forward-args", '{"input_type": "original"}',
        "--input-shape", "1", "16", "16"]


def _error_line(capsys, *words):
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    for w in words:
        assert w in lines[0], (w, lines[0])


def _module():
    torch.manual_seed(0)
    return ClassicUNet(fnum=4)


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_state_dict_with_a_non_finite_weight_refused(tmp_path, capsys, value):
    module = _module()
    state = module.state_dict()
    key = next(k for k in state if k.endswith("weight"))
    state[key] = state[key].clone()
    state[key].view(-1)[3] = value
    torch.save(state, tmp_path / "w.pt")
    out = tmp_path / "ann.npz"
    assert main(["import-torch", "--model-file", str(MODELS / "classic_unet.py"), *ARGS,
                 "--state-dict", str(tmp_path / "w.pt"), "--out", str(out)]) == 2
    _error_line(capsys, str(tmp_path / "w.pt"), f"field {key} holds NaN or Inf")
    assert not out.exists() and not out.with_suffix(".import.json").exists()


def test_verify_is_not_nan_blind():
    module = _module()
    r = import_module(module, (1, 16, 16), {"input_type": "original"}, tracer="fx")
    assert r.max_abs_diff == 0
    with torch.no_grad():  # the module (not the imported copy) turns NaN: its output is NaN
        next(p for p in module.parameters()).view(-1)[0] = float("nan")
    with pytest.raises(UnsupportedModel, match="the module's output holds NaN or Inf"):
        verify(module, r.model, (1, 16, 16), {"input_type": "original"})
    clean = _module()
    with torch.no_grad():  # the imported network turns NaN
        next(p for p in r.model.parameters()).view(-1)[0] = float("nan")
    with pytest.raises(UnsupportedModel, match="the imported network's output holds NaN or Inf"):
        verify(clean, r.model, (1, 16, 16), {"input_type": "original"})


def test_import_refuses_a_module_with_nan_weights():
    module = _module()
    with torch.no_grad():
        next(p for p in module.parameters()).view(-1)[0] = float("nan")
    with pytest.raises(UnsupportedModel, match="NaN or Inf"):
        import_module(module, (1, 16, 16), {"input_type": "original"}, tracer="fx")


def test_help_says_the_model_file_runs():
    proc = subprocess.run([sys.executable, "-m", "golden", "import-torch", "--help"], capture_output=True, text=True,
                          cwd=REPO_ROOT)
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    assert "it is imported, which runs its Python code" in text and "only import files you trust" in text
