// snn_engine sources in compile order, relative to rtl/ (headers: snn_check.svh, snn_engine_pkg.svh, via -I rtl).
// Read by rtl_tb/simlib.py (engine_sources), rtl_tb/test_lint.py, rtl_tb/test_icarus.py and scripts/synth.py.
mtif_neuron_rt.sv
snn_fifo.sv
snn_sequencer.sv
snn_scanner.sv
snn_scatter.sv
snn_lane.sv
snn_neuron_phase.sv
snn_engine.sv
