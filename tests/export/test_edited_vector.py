"""An edited golden vector whose SHA-256 was updated in the manifest is named as edited by `sim` and `csim` (exit 2,
one `error:` line naming the file and the key), before anything is built: the vectors are re-computed by the
model on load (golden.export.load.verify_vectors)."""
import gzip
import hashlib
import json

import pytest
import yaml

from golden.cli import main
from golden.export.network import random_network_export


@pytest.fixture
def edited_export(tmp_path):
    out, _ = random_network_export(tmp_path / "e", seed=3, base=2, depth=1, size=8, timesteps=2)
    index = json.loads((out / "vectors" / "index.json").read_text())["vectors"]
    key = next(k for k in index if k.endswith(".accum"))
    f = out / "vectors" / index[key]["file"]
    raw = bytearray(gzip.decompress(f.read_bytes()))
    raw[0] ^= 1  # one bit of A_t
    f.write_bytes(gzip.compress(bytes(raw)))
    m = yaml.safe_load((out / "manifest.yaml").read_text())
    m["files"][f"vectors/{index[key]['file']}"] = hashlib.sha256(f.read_bytes()).hexdigest()
    (out / "manifest.yaml").write_text(yaml.safe_dump(m, sort_keys=False))
    return out, key, index[key]["file"]


@pytest.mark.parametrize("command", [["sim"], ["csim"]])
def test_edited_vector_is_named_not_simulated(edited_export, tmp_path, capsys, command):
    out, key, name = edited_export
    extra = ["--build", str(tmp_path / "b")] if command == ["csim"] else []
    assert main([*command, "--export", str(out), *extra]) == 2
    err = capsys.readouterr().err
    lines = [l for l in err.splitlines() if l.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert name in lines[0] and key in lines[0] and "edited" in lines[0], lines[0]
    assert not (tmp_path / "b").exists()
