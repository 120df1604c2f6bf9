"""The Makefile's hardware commands describe the model they are given: the export folder is keyed by the content
of the checkpoint, config and image and by CROP and T (two checkpoints that share a file name never share an
export), every hardware target takes the same variables, and the export records its crop origin so that
`sim --labels` aligns a whole-image label by itself."""
import shutil
import subprocess
from argparse import Namespace

import numpy as np
import pytest
from PIL import Image

from golden.backends.rtl.sim import f1_lines, label_origin
from golden.ir.manifest import load_manifest
from golden.export.load import load_network, load_vectors
from golden.paths import REPO_ROOT

MODELS = REPO_ROOT / "configs" / "models"
HARDWARE_TARGETS = ("export", "sim", "csim", "estimate", "synth")


def make_dry(target: str, **variables) -> str:
    args = ["make", "-n", "-s", target] + [f"{k}={v}" for k, v in variables.items()]
    return subprocess.run(args, cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout


def export_dir_of(**variables) -> str:
    line = next(l for l in make_dry("export", **variables).splitlines() if "export-net" in l)
    return line.split("--out ")[1].split()[0]


def test_same_file_name_different_models_never_share_an_export(tmp_path):
    for sub, model in (("a", "em_unet_snn.npz"), ("b", "em_small_unet_snn.npz")):
        (tmp_path / sub).mkdir()
        shutil.copy(MODELS / model, tmp_path / sub / "snn.npz")
    a = export_dir_of(CHECKPOINT=tmp_path / "a" / "snn.npz")
    b = export_dir_of(CHECKPOINT=tmp_path / "b" / "snn.npz")
    assert a != b
    assert export_dir_of(CHECKPOINT=tmp_path / "a" / "snn.npz") == a  # the key is stable
    # CROP and T are part of the key too
    assert len({a, export_dir_of(CHECKPOINT=tmp_path / "a" / "snn.npz", T=3),
                export_dir_of(CHECKPOINT=tmp_path / "a" / "snn.npz", CROP="0 0 32 32")}) == 3


def test_every_hardware_target_takes_the_model_and_lanes(tmp_path):
    shutil.copy(MODELS / "em_small_unet_snn.npz", tmp_path / "snn.npz")
    want = export_dir_of(CHECKPOINT=tmp_path / "snn.npz", LANES=4)
    for target in HARDWARE_TARGETS[1:]:
        text = make_dry(target, CHECKPOINT=tmp_path / "snn.npz", LANES=4)
        cmd = next(l for l in text.splitlines() if f"golden {target}" in l)
        assert f"--export {want}" in cmd, (target, cmd)
        if target != "csim":  # the C-sim's top has no lanes: it computes a layer in one loop nest
            assert "--lanes 4" in cmd, (target, cmd)


def test_the_deployment_configuration_is_the_default_of_synth_and_fast_sim():
    """`make synth` and `make sim FAST=1` build the named deployment configuration (issue 22); LANES given on
    the command line, or DEPLOY=, builds that many lanes instead; the 64x64 `make sim` keeps LANES."""
    def cmd(target, **v):
        return next(l for l in make_dry(target, **v).splitlines() if f"golden {target}" in l)
    assert "--deploy zcu104" in cmd("synth") and "--lanes" not in cmd("synth")
    assert "--deploy zcu104" in cmd("sim", FAST=1)
    assert "--lanes 8" in cmd("sim") and "--deploy" not in cmd("sim")
    assert "--lanes 16" in cmd("synth", LANES=16) and "--deploy" not in cmd("synth", LANES=16)
    assert "--lanes 8" in cmd("sim", FAST=1, DEPLOY="")


def test_label_origin_rule():
    m = {"input": {"height": 16, "width": 32}, "source": {"image": "x.png", "crop": [240, 8]}}
    assert label_origin(m, (512, 512)) == (240, 8)        # a whole-image label: the recorded origin
    assert label_origin(m, (16, 32)) == (0, 0)            # a label cropped like the export
    assert label_origin(m, (512, 512), (1, 2)) == (1, 2)  # --crop wins
    assert label_origin({"input": {"height": 16, "width": 32}}, (512, 512)) == (0, 0)  # an export without source


@pytest.mark.parametrize("origin", [(8, 16), (24, 0)])
def test_sim_labels_align_with_the_recorded_crop(tmp_path, origin):
    """A strip exported at a crop origin is scored against the label rows of that origin without --crop: a label
    that agrees with the golden prediction only inside that region scores F1 = 1 there."""
    from golden.cli import main

    out = tmp_path / "strip"
    y0, x0 = origin
    assert main(["export-net", "--out", str(out), "--crop", str(y0), str(x0), "16", "32", "--timesteps", "2",
                 "--checkpoint", "configs/models/em_small_unet_snn.npz", "--config", "configs/unet_em_small.yaml"]) == 0
    m = load_manifest(out)
    assert m["source"]["crop"] == [y0, x0]
    net = load_network(out, m)
    at = load_vectors(out, m)[f"{net.output_layer.name}.accum"][-1]
    pred = at.argmax(0)
    label = np.zeros((64, 64), np.uint8)              # the whole tile's label: 255 = class 1
    label[y0:y0 + 16, x0:x0 + 32] = np.where(pred == 1, 255, 0)
    label_png = tmp_path / "label.png"
    Image.fromarray(label).save(label_png)
    rtl = tmp_path / "rtl"
    rtl.mkdir()
    np.save(rtl / "frame0.accum.npy", at)
    args = Namespace(labels=str(label_png), crop=None)
    line = f1_lines(args, out, m, net, rtl)[0]
    assert "rtl=1.000000 golden=1.000000" in line and f"at y={y0} x={x0}" in line, line
    # repeating a wrong --crop scores the wrong rows (the check above can fail)
    wrong = f1_lines(Namespace(labels=str(label_png), crop=(y0 + 8, x0)), out, m, net, rtl)[0]
    assert "rtl=1.000000" not in wrong or pred.sum() == 0
