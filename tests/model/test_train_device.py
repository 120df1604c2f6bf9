"""`python -m golden train --device`: cpu by default, cuda only when asked for and present, auto picks."""
import pytest
import torch

from golden.cli import main
from golden.model.train import resolve_device


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA device is present: --device cuda would train")
def test_train_device_cuda_without_gpu_is_one_line_exit_2(tmp_path, capsys):
    out = tmp_path / "run"
    rc = main(["train", "--config", "configs/unet_em_small.yaml", "--out", str(out), "--device", "cuda"])
    assert rc == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --device cuda:") and "no CUDA device" in err[0], err
    assert not out.exists()  # refused before the run folder is made or set aside


def test_train_device_choices(capsys):
    assert resolve_device("cpu") == "cpu"
    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(SystemExit) as exc:  # argparse: not a choice
        main(["train", "--config", "configs/unet_em_small.yaml", "--out", "unused", "--device", "tpu"])
    assert exc.value.code == 2 and "--device" in capsys.readouterr().err
