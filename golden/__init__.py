"""Golden models of the Spiking-UNet hardware reference: float (torch) and integer (numpy, the contract).

The package in layers. A module imports its own layer and the layers above it in this list, never one below
(tests/test_architecture.py checks every import, top-level or inside a function, with `ast`); nothing imports
rtl_tb:

1. base utilities, importable by all: golden.errors, golden.paths, golden.atomic (atomic writes, sha256),
   golden.runtime, golden.data (8-bit images);
2. golden.contract: the integer contract's number formats and worst-case bounds (quant), the integer model
   (intmodel) and its fast exact twin (fastmodel); it reads layers through a Protocol, never the IR;
3. golden.ir: the Network / Layer data classes and their structural checks, the manifest's format and its
   parsing (ir/manifest.py), the frame memory layout, the verification coverage; it asks a layer's kind through
   golden/ir/registry.py, which the kinds fill;
4. golden.kinds: one class per layer kind (input_conv, spiking_conv, pool, upconv, output) with its
   quantisation, bound, integer semantics, HLS header and call, frame-descriptor fields and cost estimates;
   nothing outside it compares a kind's name;
5. golden.model: the float U-Net (torch), its conversion to the float SNN, training and fine-tuning, and its
   checkpoints (golden/model/checkpoint.py: every .npz / .pt read and write); its ops (unet.Op) map to the
   kinds through golden.kinds.from_float;
6. golden.importer: a torch model's graph -> the float U-Net's layer list;
7. golden.export: float model -> IR (quantise by the kinds) -> the export's files (writer, snn_params.h,
   golden vectors), and back (export/load.py: load_network, load_layers, load_vectors, re-deriving what the
   writers wrote);
8. golden.backends: hls/ (C-sim, the generated top) and rtl/ (frame engine descriptors, simulation,
   synthesis), reading an export;
9. golden.analysis, golden.cli, golden.__main__ and golden.model.evaluate (eval-seg / eval-denoise, which
   score the integer model too): benches, reports, the command line.
"""
