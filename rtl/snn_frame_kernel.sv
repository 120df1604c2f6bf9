// snn_frame_kernel: the frame engine as a Vitis-style kernel: the AXI4-Lite control block with the register map
// Vitis HLS generates for s_axilite + ap_ctrl_hs (snn_ctrl_axil, docs/ctrl_axil.md: image 0x10, output 0x1c,
// scratch 0x28, weights 0x34, height 0x40, width 0x48, timeout 0x50, status 0x58 with its ap_vld at 0x5c) in front of snn_frame_engine's ap_ctrl_hs, and the
// engine's AXI4 master m_axi_*. Every engine parameter passes through (see snn_frame_engine).
`include "snn_check.svh"
`include "snn_axi_ports.svh"
`include "snn_frame_params.svh"
module snn_frame_kernel #(
    `SNN_FRAME_PARAMS                      // (snn_frame_params.svh)
) (
    input  wire                 clk,
    input  wire                 rst,
    output wire                 interrupt,
    output wire                 err,             // the running / last frame's STATUS is not 0
    `SNN_S_AXIL_PORTS(7, 32),
    `SNN_M_AXI_RD_PORTS(ID_W, ADDR_W, DATA_W),
    `SNN_M_AXI_WR_PORTS(ID_W, ADDR_W, DATA_W)
);
    // image, output, scratch, weights (64 bits), height, width, timeout (32 bits), status (32 bits, an output
    // scalar): the Vitis HLS argument order (golden/backends/rtl/ctrl_map.py ENGINE_ARGS, issue 23)
    localparam [8*8-1:0] ARG_W = {8'd32, 8'd32, 8'd32, 8'd32, 8'd64, 8'd64, 8'd64, 8'd64};
    wire [383:0] args;
    wire ap_start, ap_done, ap_idle, ap_ready, status_vld;
    wire [3:0] status;

    snn_ctrl_axil #(.ADDR_W(7), .DATA_W(32), .N_ARGS(8), .ARG_W(ARG_W), .ARG_OUT(8'h80),
                    .ARG_INIT({64'd0, 64'd1048576, 384'd0}))
        u_ctrl (.clk(clk), .rst(rst), `SNN_S_AXIL_CONNECT, .interrupt(interrupt), .ap_start(ap_start),
                .ap_done(ap_done), .ap_idle(ap_idle), .ap_ready(ap_ready), .args(args),
                .outs({28'd0, status, 352'd0}), .outs_vld({status_vld, 7'd0}));

    snn_frame_engine #(`SNN_FRAME_PASS)
        u_engine (.clk(clk), .rst(rst), .ap_start(ap_start), .ap_done(ap_done), .ap_idle(ap_idle),
                  .ap_ready(ap_ready), .image(args[63:0]), .output_buf(args[127:64]), .scratch(args[191:128]),
                  .weights(args[255:192]), .height(args[287:256]), .width(args[319:288]),
                  .timeout(args[351:320]), .status(status), .status_vld(status_vld), .err(err),
                  `SNN_M_AXI_RD_CONNECT, `SNN_M_AXI_WR_CONNECT);
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_status = ^args[383:352];   // (the status register's copy)
    /* verilator lint_on UNUSEDSIGNAL */
endmodule
