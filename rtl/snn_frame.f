// snn_frame_kernel sources in compile order, relative to rtl/ (headers snn_check.svh, snn_axi_ports.svh,
// snn_frame_pkg.svh via -I rtl).
// Read by golden/backends/rtl/simulate.py (frame_sources), rtl_tb/test_lint.py and golden/backends/rtl/synth.py.
mtif_neuron_rt.sv
snn_fifo.sv
snn_axi_burst.sv
snn_axi_reader.sv
snn_axi_writer.sv
snn_axi_mux.sv
snn_frame_seq.sv
snn_frame_scan.sv
snn_frame_scatter.sv
snn_frame_lane.sv
snn_frame_neuron.sv
snn_frame_packer.sv
snn_frame_wload.sv
snn_frame_wmem.sv
snn_frame_engine.sv
snn_ctrl_axil.sv
snn_frame_kernel.sv
