"""cocotb benches of the layer units and the top, against the golden vectors of an export (contract §3-§5).

tb_input_conv  : snn_input_conv fed with the golden image, checks <layer>.spikes at every step.
tb_spiking_conv: snn_spiking_conv fed with the golden spikes of its source layer, checks <layer>.spikes.
tb_slice_top   : snn_slice_top fed with the image; checks conv2 at the output and conv1 at the observation tap,
                 i.e. both layers' spikes at every time step from one simulation.
Every bench also checks <layer>.membrane (the m_vmem port: each beat's membranes after the step).
The three modules are thin wrappers that pick one of the coroutines below (cocotb loads tests per module).
"""
from __future__ import annotations

import snnbench as bench


def _first_layer(settings: bench.Settings, kind: str) -> str:
    names = [l["name"] for l in settings.manifest["layers"] if l["kind"] == kind]
    if not names:
        raise ValueError(f"the manifest has no {kind} layer")
    return names[0]


def _checker(s: bench.Settings, name: str) -> bench.SpikeChecker:
    """Spike words and membranes (after each step) of layer `name`, against its golden vectors."""
    return bench.SpikeChecker(name, s.vectors[f"{name}.spikes"], s.K, s.frames,
                              membranes=s.vectors[f"{name}.membrane"],
                              mem_bits=s.layer_entry(name)["membrane_bits"])


async def input_conv(dut) -> None:
    s = bench.Settings.from_env()
    name = s.layer or _first_layer(s, "input_conv")
    entry = s.layer_entry(name)
    image = s.vectors["input"]
    _, h, w = image.shape
    checker = _checker(s, name)
    per_frame = (9 + s.T) * h * w + 100
    dut._log.info("layer %s (%s): %dx%d, %d -> %d channels, T=%d, K=%d, compare=%s", name, entry["kind"], h, w,
                  entry["in_channels"], entry["out_channels"], s.T, s.K, s.manifest["compare"])
    await bench.run_streams(dut, s, bench.image_beats(image) * s.frames,
                            [bench.Sink(checker, dut.m_valid, dut.m_ready, dut.m_data, dut.m_vmem)],
                            bench.cycle_budget(s, per_frame))


async def spiking_conv(dut) -> None:
    s = bench.Settings.from_env()
    name = s.layer or _first_layer(s, "spiking_conv")
    entry = s.layer_entry(name)
    source = s.vectors[f"{entry['sources'][0]}.spikes"]  # golden spikes of the source layer, same time step (§3)
    t_n, _, h, w = source.shape
    checker = _checker(s, name)
    per_frame = 11 * t_n * h * w + 100
    dut._log.info("layer %s (%s) fed with golden %s spikes: %dx%d, %d -> %d channels, T=%d, K=%d, compare=%s",
                  name, entry["kind"], entry["sources"][0], h, w, entry["in_channels"], entry["out_channels"], s.T, s.K,
                  s.manifest["compare"])
    await bench.run_streams(dut, s, bench.spike_beats(source, s.K) * s.frames,
                            [bench.Sink(checker, dut.m_valid, dut.m_ready, dut.m_data, dut.m_vmem)],
                            bench.cycle_budget(s, per_frame))


async def slice_top(dut) -> None:
    s = bench.Settings.from_env()
    l1, l2 = (l["name"] for l in s.manifest["layers"])
    image = s.vectors["input"]
    _, h, w = image.shape
    sinks = [
        bench.Sink(_checker(s, l1), dut.c1_valid, dut.c1_ready, dut.c1_data, dut.c1_vmem, drive=False),
        bench.Sink(_checker(s, l2), dut.m_valid, dut.m_ready, dut.m_data, dut.m_vmem),
    ]
    per_frame = 9 * h * w + 11 * s.T * h * w + 100
    dut._log.info("slice %s -> %s: %dx%d, T=%d, K=%d, compare=%s", l1, l2, h, w, s.T, s.K, s.manifest["compare"])
    await bench.run_streams(dut, s, bench.image_beats(image) * s.frames, sinks, bench.cycle_budget(s, per_frame))
