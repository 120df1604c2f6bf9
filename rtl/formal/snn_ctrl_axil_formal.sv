// snn_ctrl_axil_formal: the formal harness of snn_ctrl_axil (docs/formal.md), with the frame engine's register map
// (the module's defaults, golden/backends/rtl/ctrl_map.py). Its AXI4-Lite port is watched by faxil_slave (master
// rules assumed, slave rules asserted); the core side (ap_done, ap_idle, ap_ready) is free. One write (AW + W) and
// one read may wait in the block, so F_MAX_PENDING = 2 (one in the AW / W register, one in B; one read in R).
// Induction invariants (i_*): the checker's counters equal what the block's ports show, so k-induction closes with
// no look at its internals: writes accepted and unanswered = !AWREADY (the AW register is full) + BVALID, the same
// for W, reads = RVALID (ARREADY = !RVALID).
`include "snn_axi_ports.svh"
module snn_ctrl_axil_formal #(
    parameter integer ADDR_W = 7,
    parameter integer DATA_W = 32
) (
    input  wire                clk,
    input  wire                rst,
    `SNN_S_AXIL_PORTS(ADDR_W, DATA_W),     // the DUT's port: the inputs free, the outputs its own
    input  wire                ap_done,
    input  wire                ap_idle,
    input  wire                ap_ready,
    input  wire [1023:0]       outs,       // the core's output scalars (free)
    input  wire [15:0]         outs_vld
);
    wire interrupt, ap_start;

    snn_ctrl_axil #(.ADDR_W(ADDR_W), .DATA_W(DATA_W)) dut (
        .clk(clk), .rst(rst), `SNN_S_AXIL_CONNECT, .interrupt(interrupt), .ap_start(ap_start), .ap_done(ap_done),
        .ap_idle(ap_idle), .ap_ready(ap_ready), .args(), .outs(outs), .outs_vld(outs_vld));

    wire       f_past_valid;
    wire [3:0] f_aw_acc, f_w_acc, f_ar_acc;
    faxil_slave #(.ADDR_W(ADDR_W), .DATA_W(DATA_W), .F_MAX_PENDING(2)) u_faxil (
        .clk(clk), .rst(rst), `SNN_S_AXIL_CONNECT, .f_past_valid(f_past_valid), .f_aw_acc(f_aw_acc),
        .f_w_acc(f_w_acc), .f_ar_acc(f_ar_acc));

    always @(*) if (f_past_valid && !rst) begin
        i_aw: assert(f_aw_acc == 4'(!s_axil_awready) + 4'(s_axil_bvalid));
        i_w:  assert(f_w_acc == 4'(!s_axil_wready) + 4'(s_axil_bvalid));
        i_ar: assert(f_ar_acc == 4'(s_axil_rvalid));
    end
endmodule
