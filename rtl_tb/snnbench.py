"""cocotb side shared by the RTL benches: the settings of the export-driven unit bench (tb_mtif_neuron.py) from the
environment, its JSON summary, value() (a signal as an unsigned int, None while it is not 0/1), and the random
pause generator every AXI bench installs (tb_frame_engine.py, tb_snn_axi_reader.py, tb_snn_axi_writer.py,
tb_snn_ctrl_axil.py).

Environment (set by golden/backends/rtl/simulate.py from rtl_tb/cases.py; nothing is hard-coded):

  SNN_EXPORT   export directory (manifest.yaml, vectors/)       SNN_VECTORS  vectors folder (default: the export's)
  SNN_MANIFEST_JSON  the manifest as golden.ir.manifest.load_manifest returned it (else it is loaded here)
  SNN_LAYER    manifest layer a unit bench checks               SNN_SEED     random seed for the stimuli
  SNN_RESULT   where to write the JSON summary (values compared, mismatches, the first mismatch)
"""
from __future__ import annotations

import contextlib
import json
import os
import random
from dataclasses import dataclass
from pathlib import Path

from cocotb.types import Logic


@contextlib.contextmanager
def summarised(tb):
    """The body of a bench test: an exception counts as a mismatch (its text in the summary's `error`), and the
    summary (`tb.write_summary()`) is written whatever happens."""
    try:
        yield
    except Exception as exc:
        tb.summary["error"] = f"{type(exc).__name__}: {exc}"
        tb.summary["mismatches"] += 1
        raise
    finally:
        tb.write_summary()


def value(sig) -> int | None:
    """A signal's value as an unsigned int, None while it is not 0/1 everywhere (Icarus before the reset)."""
    v = sig.value
    try:
        return int(v) if isinstance(v, Logic) else v.to_unsigned()
    except ValueError:
        return None


def pauses(rng: random.Random, p: float):
    """A cocotbext-axi pause generator: True (idle / not ready) with probability p in each cycle."""
    while True:
        yield rng.random() < p


@dataclass
class Settings:
    export: Path
    manifest: dict
    vectors: dict
    layer: str | None
    seed: int
    result: Path | None

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ
        export = Path(env["SNN_EXPORT"])
        if env.get("SNN_MANIFEST_JSON"):  # golden.ir.manifest.load_manifest's result, from simlib.simulate
            manifest = json.loads(Path(env["SNN_MANIFEST_JSON"]).read_text())
        else:
            from golden.ir.manifest import load_manifest

            manifest = load_manifest(export)
        # the golden vectors (contract §8) through the one loader; SNN_VECTORS: another folder of that format
        from golden.export.load import load_vectors

        vectors = load_vectors(export, manifest, env.get("SNN_VECTORS") or None)
        result = env.get("SNN_RESULT")
        return cls(export=export, manifest=manifest, vectors=vectors, layer=env.get("SNN_LAYER") or None,
                   seed=int(env.get("SNN_SEED", "1")), result=Path(result) if result else None)

    @property
    def K(self) -> int:
        return len(self.manifest["thresholds_log2"])

    @property
    def T(self) -> int:
        return self.manifest["timesteps"]

    def layer_entry(self, name: str) -> dict:
        for entry in self.manifest["layers"]:
            if entry["name"] == name:
                return entry
        raise KeyError(f"manifest has no layer {name!r}")


def write_summary(settings: Settings, summary: dict) -> None:
    if settings.result is not None:
        settings.result.write_text(json.dumps(summary, indent=1))
