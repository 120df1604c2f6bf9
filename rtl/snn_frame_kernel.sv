// snn_frame_kernel: the frame engine as a Vitis-style kernel: the AXI4-Lite control block with the register map
// Vitis HLS generates for s_axilite + ap_ctrl_hs (snn_ctrl_axil, docs/ctrl_axil.md: image 0x10, output 0x1c,
// scratch 0x28, weights 0x34, height 0x40, width 0x48) in front of snn_frame_engine's ap_ctrl_hs, and the
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
    output wire                 err,
    `SNN_S_AXIL_PORTS(7, 32),
    `SNN_M_AXI_RD_PORTS(ID_W, ADDR_W, DATA_W),
    `SNN_M_AXI_WR_PORTS(ID_W, ADDR_W, DATA_W)
);
    // image, output, scratch, weights (64 bits), height, width (32 bits): the Vitis HLS argument order
    localparam [6*8-1:0] ARG_W = {8'd32, 8'd32, 8'd64, 8'd64, 8'd64, 8'd64};
    wire [319:0] args;
    wire ap_start, ap_done, ap_idle, ap_ready;

    snn_ctrl_axil #(.ADDR_W(7), .DATA_W(32), .N_ARGS(6), .ARG_W(ARG_W))
        u_ctrl (.clk(clk), .rst(rst), `SNN_S_AXIL_CONNECT, .interrupt(interrupt), .ap_start(ap_start),
                .ap_done(ap_done), .ap_idle(ap_idle), .ap_ready(ap_ready), .args(args));

    snn_frame_engine #(`SNN_FRAME_PASS)
        u_engine (.clk(clk), .rst(rst), .ap_start(ap_start), .ap_done(ap_done), .ap_idle(ap_idle),
                  .ap_ready(ap_ready), .image(args[63:0]), .output_buf(args[127:64]), .scratch(args[191:128]),
                  .weights(args[255:192]), .height(args[287:256]), .width(args[319:288]), .err(err),
                  `SNN_M_AXI_RD_CONNECT, `SNN_M_AXI_WR_CONNECT);
endmodule
