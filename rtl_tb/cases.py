"""Every bench case, in one place: named, frozen dataclasses (test_frame_engine, test_icarus, test_lint, test_run_sim
and the bench scripts read them from here).

FrameCase: the external-memory frame engine on a random U-Net export or the committed default model.
CtrlCase: snn_ctrl_axil (the AXI4-Lite control block) with an argument list (names, widths) and an address width
(None: the fewest the map needs), the bench's seed and the probability of a pause cycle on each AXI channel.
AxiCase: snn_axi_reader / snn_axi_writer with their HDL parameters and the bench's settings.
NeuronCase: mtif_neuron with the thresholds / widths of one layer of a small random network export, so K and the
compare rule are whatever the case says (random_network_export takes thresholds_log2 of any length K).
Every HDL parameter is derived from the export (golden/backends/rtl/simulate.py, frame_config.py); nothing is
copied by hand.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from golden import kinds
from golden.backends.rtl import ctrl_map
from golden.backends.rtl import simulate as simlib


def sim_export() -> Path:
    """The small random U-Net (depth 2, 8x8, T = 3, membranes recorded) that the `golden sim` checks run
    (test_run_sim.py, test_coverage.py), cached under build/sim/exports."""
    return simlib.network_export("net-d2b2s8t3-gt-p2", seed=1, base=2, depth=2, size=8, timesteps=3,
                                 thresholds_log2=(1, 0, -1, -2), compare="gt", task="segmentation")


@dataclass(frozen=True)
class NeuronCase:
    name: str
    thresholds_log2: tuple[int, ...]
    compare: str
    seed: int = 0
    layer: str | None = None        # None: the spiking layer with the widest membrane
    stim_seed: int = 7

    @property
    def K(self) -> int:
        return len(self.thresholds_log2)

    def export(self) -> Path:
        return simlib.network_export(f"neuron-{self.name}", seed=self.seed, base=2, depth=1, size=8, timesteps=2,
                                     thresholds_log2=tuple(self.thresholds_log2), compare=self.compare)

    def layer_of(self, manifest: dict) -> str:
        if self.layer is not None:
            return self.layer
        spiking = [l for l in manifest["layers"] if kinds.get(l["kind"]).has_neuron]
        return max(spiking, key=lambda l: l["membrane_bits"])["name"]

    def env(self, export: Path, manifest: dict) -> dict:
        return {"SNN_EXPORT": export, "SNN_LAYER": self.layer_of(manifest), "SNN_SEED": self.stim_seed}


# mtif_neuron: K = 1..4 x both compare rules (K = 3 with a gap in the exponents).
NEURON_CASES = {c.name: c for c in [
    NeuronCase(f"k{len(th)}_{cmp}", th, cmp, seed=20 + len(th))
    for th in ((0,), (0, -1), (1, 0, -2), (1, 0, -1, -2)) for cmp in ("gt", "ge")
]}
ICARUS_NEURON_CASE = NEURON_CASES["k2_ge"]


@dataclass(frozen=True)
class CtrlCase:
    name: str
    args: tuple[tuple[str, int], ...]   # (name, width) in register-map order
    addr_w: int | None = None           # None: golden.backends.rtl.ctrl_map.min_addr_w(args)
    seed: int = 1
    p_pause: float = 0.3                # probability of a pause cycle on each of the five AXI channels

    def params(self) -> dict:
        return ctrl_map.hdl_params(self.args, self.addr_w)

    def env(self) -> dict:
        return {"SNN_CTRL_ARGS": ",".join(f"{n}:{w}" for n, w in self.args), "SNN_SEED": self.seed,
                "SNN_P_PAUSE": self.p_pause}


# snn_ctrl_axil: the frame engine's arguments at the smallest address width (7); a mixed list (widths 1..64, one
# of 33 bits) in a 4 KiB window; a single 32-bit argument at the smallest possible map (5 address bits) and
# heavier pauses.
CTRL_CASES = {c.name: c for c in [
    CtrlCase("engine-a7", ctrl_map.ENGINE_ARGS),
    CtrlCase("mixed-a12", (("count", 32), ("mode", 8), ("base", 64), ("size", 17), ("mask", 33), ("flag", 1)),
             addr_w=12, seed=2),
    CtrlCase("one-a5", (("n", 32),), addr_w=5, seed=3, p_pause=0.5),
]}
ICARUS_CTRL_CASE = CTRL_CASES["engine-a7"]


@dataclass(frozen=True)
class AxiCase:
    """snn_axi_reader / snn_axi_writer (docs/axi_master.md) with their HDL parameters, and the bench's seed,
    pause probability on each AXI channel (p_pause), dout back-pressure / din idle probability (p_stall), number
    of random commands and their longest length in beats."""
    name: str
    data_w: int = 64
    max_burst: int = 16
    max_outstanding: int = 4
    addr_w: int = 64
    len_w: int = 24
    cmd_depth: int = 4
    seed: int = 1
    p_pause: float = 0.3
    p_stall: float = 0.3
    n_cmds: int = 30
    max_beats: int = 300
    out_reg: int = 0          # snn_axi_reader only: registers behind its data FIFO (snn_fifo OUT_REG)

    def params(self) -> dict:
        p = {"ADDR_W": self.addr_w, "DATA_W": self.data_w, "LEN_W": self.len_w, "MAX_BURST": self.max_burst,
             "MAX_OUTSTANDING": self.max_outstanding, "CMD_DEPTH": self.cmd_depth}
        return {**p, "OUT_REG": self.out_reg} if self.out_reg else p

    def env(self) -> dict:
        return {"SNN_SEED": self.seed, "SNN_P_PAUSE": self.p_pause, "SNN_P_STALL": self.p_stall,
                "SNN_N_CMDS": self.n_cmds, "SNN_MAX_BEATS": self.max_beats, "SNN_MAX_BURST": self.max_burst,
                "SNN_MAX_OUTSTANDING": self.max_outstanding}

    def replace(self, **changes) -> "AxiCase":
        return AxiCase(**{**asdict(self), **changes})


# snn_axi_reader / snn_axi_writer: 64-bit data with 16-beat bursts, 2 in flight, heavy dout back-pressure / din
# idle (the reader's data FIFO fills: only the credits keep RREADY high); 128-bit with 256-beat bursts (a
# whole 4 KiB page), 2 in flight; 256-bit with MAX_BURST 256, capped at the 128-beat page, serialised (1 in
# flight); single-beat bursts, 8 in flight, a 40-bit address, a one-command queue, heavier pauses.
AXI_CASES = {c.name: c for c in [
    AxiCase("d64-b16-o2", data_w=64, max_burst=16, max_outstanding=2, p_stall=0.6),
    AxiCase("d128-b256-o2", data_w=128, max_burst=256, max_outstanding=2, seed=2),
    AxiCase("d256-b256-o1", data_w=256, max_burst=256, max_outstanding=1, seed=3, len_w=12),
    AxiCase("d64-b1-o8", data_w=64, max_burst=1, max_outstanding=8, addr_w=40, cmd_depth=1, seed=4, p_pause=0.5,
            p_stall=0.5, max_beats=120),
]}
# the reader as the frame engine uses it: its data FIFO's head two registers behind the RAM (snn_fifo OUT_REG = 2)
READER_OUT_REG_CASE = AxiCase("d128-b16-o4-outreg2", data_w=128, max_burst=16, max_outstanding=4, seed=5, p_stall=0.5,
                              out_reg=2)
ICARUS_AXI_CASE = AXI_CASES["d64-b16-o2"].replace(name="d64-b16-o2-icarus", n_cmds=8, max_beats=100)
# the faulty-RTL checks (test_snn_axi.py MUTANTS): several bursts in flight, fewer commands
AXI_MUTANT_CASE = AXI_CASES["d64-b16-o2"].replace(name="d64-b16-o2-mutants", n_cmds=15, max_beats=150)


@dataclass(frozen=True)
class FrameCase:
    """The external-memory frame engine (rtl/snn_frame_kernel.sv) on a random U-Net export (model "random",
    random_network_export with the fields below) or the committed default model ("default": its 64x64 tile), with
    P lanes, an AXI data width, burst settings, the frames run back to back (height, width; the default model:
    its own tile), a first frame cut by a reset (reset_mid) and the pause probability on every AXI channel."""
    name: str
    lanes: int
    frames: tuple[tuple[int, int], ...] = ((16, 16),)
    seed: int = 0
    base: int = 4
    depth: int = 2
    timesteps: int = 4
    thresholds_log2: tuple[int, ...] = (1, 0, -1, -2)
    compare: str = "gt"
    task: str = "segmentation"
    in_channels: int = 1
    data_bits: int = 64
    max_burst: int = 16
    max_outstanding: int = 4
    p_pause: float = 0.3
    reset_mid: bool = False
    bench_seed: int = 1
    model: str = "random"
    pause_cycles: int = 0           # pauses only in the first that many cycles of each frame (0: all of it)
    weights: str = "rom"            # "rom": on chip; "stream": loaded per pass from the weight buffer
    group_pass: int | None = None   # output groups per pass (None: all with "rom", 1 with "stream")
    engines: int = 1                # engines on column strips (snn_frame_kernel N_ENG, issue 22)

    def export(self) -> Path:
        if self.model == "default":
            return simlib.default_network_export()
        return simlib.network_export(
            f"frame-{self.name}", seed=self.seed, base=self.base, depth=self.depth, size=16,
            timesteps=self.timesteps, thresholds_log2=tuple(self.thresholds_log2), compare=self.compare,
            task=self.task, in_channels=self.in_channels, record_membranes=False)

    def replace(self, **changes) -> "FrameCase":
        return FrameCase(**{**asdict(self), **changes})


FRAME_CASES = {c.name: c for c in [
    # non-square frames of three sizes back to back after a frame cut by a reset; image rows padded (W = 20, 80)
    FrameCase("d2-p4-sizes", lanes=4, frames=((48, 80), (16, 20), (32, 16)), reset_mid=True),
    # more lanes than channels (taps spread over sub-lanes), 128-bit AXI, a 512-wide row
    FrameCase("d2-p16-w512", lanes=16, frames=((16, 512), (16, 16)), data_bits=128, seed=1, p_pause=0.2),
    # ge, three thresholds, 256-bit AXI, long bursts, two outstanding
    FrameCase("d2-ge-k3-p8-d256", lanes=8, frames=((32, 24),), thresholds_log2=(1, 0, -1), compare="ge",
              data_bits=256, max_burst=64, max_outstanding=2, seed=2),
    # RGB (4 bytes a pixel), two thresholds (2-bit fields), depth 1, two lanes, one-beat bursts
    FrameCase("d1-rgb-k2-p2", lanes=2, frames=((16, 24),), depth=1, in_channels=3, thresholds_log2=(0, -1),
              max_burst=1, max_outstanding=8, seed=3, task="denoising"),
    # five thresholds (8-bit fields), P * 8 = 64 bits: a whole beat per chunk
    FrameCase("d2-k5-p8", lanes=8, frames=((16, 32),), thresholds_log2=(1, 0, -1, -2, -3), seed=4),
    # streamed weights: one pass per output group, every pass re-reading its sources; two sizes
    FrameCase("d2-p4-stream", lanes=4, frames=((16, 32), (16, 16)), weights="stream", group_pass=1, seed=5),
    # weights on chip, layers split into passes (pass-major layout); 16 lanes, words over two beats when streamed
    FrameCase("d2-p4-rom-passes", lanes=4, frames=((16, 24),), group_pass=1, seed=6),
    FrameCase("d2-p16-stream", lanes=16, frames=((16, 16),), weights="stream", base=8, seed=7, p_pause=0.2),
    # several engines on column strips (issue 22): halos, the layer barrier, the AXI mux; two engines with a
    # reset mid-frame and three sizes; four engines, streamed weights in passes (sources read a segment at a time)
    FrameCase("d2-e2-p4-sizes", lanes=4, engines=2, frames=((16, 40), (8, 16), (16, 8)), reset_mid=True, seed=8),
    FrameCase("d2-e4-p8-stream", lanes=8, engines=4, frames=((8, 64), (16, 32)), data_bits=128, weights="stream",
              group_pass=1, base=8, seed=9, p_pause=0.2),
    # the committed default model (27 layers, T = 10) on its 64x64 EM tile
    FrameCase("default-p8", lanes=8, model="default", p_pause=0.2, pause_cycles=300_000),
]}
# Icarus (rtl_tb/test_icarus.py): the whole kernel, 4-state, on a small network (depth 1, T = 2) on two lanes, with
# a first frame cut by a reset and random pauses on every AXI channel
ICARUS_FRAME_CASE = FrameCase("d1-p2-icarus", lanes=2, frames=((8, 12), (8, 8)), depth=1, base=2, timesteps=2,
                              reset_mid=True, seed=11)
FRAME_MUTANT_CASE = FRAME_CASES["d2-p4-sizes"].replace(name="d2-p4-mutants", frames=((16, 20),), reset_mid=False)
FRAME_ENGINE_MUTANT_CASE = FRAME_CASES["d2-e2-p4-sizes"].replace(name="d2-e2-mutants", frames=((16, 24),),
                                                                  reset_mid=False)


def mutated_frame_sources(folder: str, name: str, file: str, line: str, fault: str) -> tuple[str, ...]:
    """The frame engine's source list with rtl/<file> replaced by a copy whose one `line` reads `fault` (a mutant
    the benches must catch), written to build/sim/<folder>/<name>/."""
    from golden.backends.rtl.frame_sim import frame_sources

    src = (simlib.RTL_DIR / file).read_text()
    assert src.count(line) == 1, f"the mutant's line is not (once) in rtl/{file}: {line}"
    mutant = simlib.SIM_ROOT / folder / name / file
    mutant.parent.mkdir(parents=True, exist_ok=True)
    mutant.write_text(src.replace(line, fault))
    return tuple(str(mutant) if s == file else s for s in frame_sources())
