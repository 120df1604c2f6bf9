"""External-memory traffic of one frame on the frame engine (rtl/snn_frame_kernel.sv), exactly from the memory
layout (golden/ir/frame_memory.py), padding included.

The schedule is layer-major: every layer reads the whole region of each of its sources once per frame (rows of
`cols * record_beats` beats; the input layer reads the image buffer, rows of `record_beats` beats) and writes its
own region once (a spiking layer its spike trains in the scratch buffer, the output layer A_T in the output
buffer). A layer a build splits into passes (golden/backends/rtl/frame_config.py) reads its sources once a pass;
streamed weights (the build's weight buffer) come on top, counted by the caller. So per frame

    read  = image + sum over layers, passes x sum over their sources, of the source's region
    write = sum over spiking layers of their region + the output region

in whole beats of `data_bits` bits. docs/frame_engine.md's formulas (golden/backends/rtl/frame_plan.py) count the
same traffic fully packed (C H W T K / 8 bytes); this counts what the engine moves: channels padded to a power of
two, fields of pow2(K) bits, every record (and image row) padded to whole beats.
"""
from __future__ import annotations

from golden.ir import frame_memory as fm
from golden.ir.network import INPUT, Network


def traffic(net: Network, height: int | None = None, width: int | None = None, data_bits: int = 64,
            passes: dict | None = None) -> dict:
    """Bytes (and beats) read and written in external memory per `height` x `width` frame (default: the network's
    own size), per layer and in total.

    Returns {"height", "width", "data_bits", "beat_bytes",
             "layers": {name: {"sources": [...], "read_bytes", "write_bytes", "region"}},
             "regions": {region name ("input", each spiking layer, the output layer): {"bytes", "reads", "writes"}},
             "read_bytes", "write_bytes", "total_bytes", "read_beats", "write_beats"}
    where a region's `reads` is how many times the frame reads it whole (its consumers; the image: 1) and
    `writes` how many times it is written (1; the image: 0, the host writes it)."""
    passes = passes or {}
    lay = fm.frame_layout(net, height, width, data_bits, passes)
    size = {INPUT: lay.image_bytes, **{name: lay.size(r) for name, r in lay.layers.items()}}
    out = net.output_layer.name
    regions = {name: {"bytes": b, "reads": 0, "writes": 0} for name, b in size.items()}
    regions[out] = {"bytes": lay.output_bytes, "reads": 0, "writes": 0}
    layers = {}
    for l in net.layers:
        read = 0
        for s in l.sources:
            read += passes.get(l.name, 1) * size[s]
            regions[s]["reads"] += passes.get(l.name, 1)
        regions[l.name]["writes"] += 1
        layers[l.name] = {"sources": list(l.sources), "read_bytes": read, "write_bytes": regions[l.name]["bytes"],
                          "region": "output" if l.name == out else "scratch"}
    read = sum(v["read_bytes"] for v in layers.values())
    write = sum(v["write_bytes"] for v in layers.values())
    bb = lay.beat_bytes
    return {"height": lay.height, "width": lay.width, "data_bits": data_bits, "beat_bytes": bb,
            "image_bytes": lay.image_bytes, "scratch_bytes": lay.scratch_bytes, "output_bytes": lay.output_bytes,
            "layers": layers, "regions": regions, "read_bytes": read, "write_bytes": write,
            "total_bytes": read + write, "read_beats": read // bb, "write_beats": write // bb}


def line(t: dict) -> str:
    """One summary line: MB per frame read and written (1 MB = 1e6 bytes)."""
    return (f"TRAFFIC frame={t['height']}x{t['width']} axi={t['data_bits']} ext_read_mb={t['read_bytes'] / 1e6:.3f} "
            f"ext_write_mb={t['write_bytes'] / 1e6:.3f} (image {t['image_bytes']} B, scratch {t['scratch_bytes']} B, "
            f"output {t['output_bytes']} B)")
