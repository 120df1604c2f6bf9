// faxil_slave: formal property checker of an AXI4-Lite slave (docs/formal.md). It ASSUMES the AXI4-Lite rules on
// what the master drives (AWVALID / WVALID / ARVALID held until READY with address, data and strobes unchanged,
// VALIDs low during reset; BREADY / RREADY free) and ASSERTS them on what the slave drives:
//   a_b_reset, a_r_reset   BVALID / RVALID low in the cycle after a reset cycle
//   a_b_hold, a_r_hold     BVALID / RVALID held until BREADY / RREADY, with BRESP / RDATA, RRESP unchanged
//   a_b_unasked            no B without a write (AW and W) accepted and not yet answered
//   a_r_unasked            no R without a read accepted and not yet answered
//   a_w_pending, a_r_pending   at most F_MAX_PENDING accepted requests wait for their response (none is lost: an
//                          accepted write or read that never got its response would pile up)
// The VALID / READY rules are faxi_channel.sv's faxi_handshake (one per channel); the port names are the block's
// (snn_axi_ports.svh), so a harness connects them with SNN_S_AXIL_CONNECT.
// The outputs are the counters (accepted, not yet answered), for a harness' own assertions and invariants.
module faxil_slave #(
    parameter integer ADDR_W        = 7,
    parameter integer DATA_W        = 32,
    parameter integer F_MAX_PENDING = 2
) (
    input  wire                clk,
    input  wire                rst,
    input  wire [ADDR_W-1:0]   s_axil_awaddr,
    input  wire                s_axil_awvalid,
    input  wire                s_axil_awready,
    input  wire [DATA_W-1:0]   s_axil_wdata,
    input  wire [DATA_W/8-1:0] s_axil_wstrb,
    input  wire                s_axil_wvalid,
    input  wire                s_axil_wready,
    input  wire [1:0]          s_axil_bresp,
    input  wire                s_axil_bvalid,
    input  wire                s_axil_bready,
    input  wire [ADDR_W-1:0]   s_axil_araddr,
    input  wire                s_axil_arvalid,
    input  wire                s_axil_arready,
    input  wire [DATA_W-1:0]   s_axil_rdata,
    input  wire [1:0]          s_axil_rresp,
    input  wire                s_axil_rvalid,
    input  wire                s_axil_rready,
    output reg                 f_past_valid,
    output reg  [3:0]          f_aw_acc,   // write addresses accepted, not yet answered by B
    output reg  [3:0]          f_w_acc,    // write data accepted, not yet answered by B
    output reg  [3:0]          f_ar_acc    // reads accepted, not yet answered by R
);
    initial f_past_valid = 1'b0;
    always @(posedge clk) f_past_valid <= 1'b1;
    always @(*) if (!f_past_valid) assume(rst);

    // ------------------------------------------------------------------ the channels' VALID / READY rules
    wire aw_hold, w_hold, ar_hold, b_reset, b_hold, r_reset, r_hold;
    faxi_handshake #(.W(ADDR_W)) u_aw (.clk(clk), .rst(rst), .valid(s_axil_awvalid), .ready(s_axil_awready),
                                       .payload(s_axil_awaddr), .ok_reset(), .ok_hold(aw_hold));
    faxi_handshake #(.W(DATA_W + DATA_W / 8)) u_w (.clk(clk), .rst(rst), .valid(s_axil_wvalid),
                                       .ready(s_axil_wready), .payload({s_axil_wdata, s_axil_wstrb}), .ok_reset(),
                                       .ok_hold(w_hold));
    faxi_handshake #(.W(ADDR_W)) u_ar (.clk(clk), .rst(rst), .valid(s_axil_arvalid), .ready(s_axil_arready),
                                       .payload(s_axil_araddr), .ok_reset(), .ok_hold(ar_hold));
    faxi_handshake #(.W(2)) u_b (.clk(clk), .rst(rst), .valid(s_axil_bvalid), .ready(s_axil_bready),
                                 .payload(s_axil_bresp), .ok_reset(b_reset), .ok_hold(b_hold));
    faxi_handshake #(.W(DATA_W + 2)) u_r (.clk(clk), .rst(rst), .valid(s_axil_rvalid), .ready(s_axil_rready),
                                          .payload({s_axil_rdata, s_axil_rresp}), .ok_reset(r_reset),
                                          .ok_hold(r_hold));

    // ------------------------------------------------------------------ master side: assumptions
    always @(*) begin
        if (rst) assume(!s_axil_awvalid && !s_axil_wvalid && !s_axil_arvalid);
        if (f_past_valid) assume(aw_hold && w_hold && ar_hold);
    end

    // ------------------------------------------------------------------ counters
    wire b_hs = s_axil_bvalid && s_axil_bready;
    wire r_hs = s_axil_rvalid && s_axil_rready;
    always @(posedge clk) begin
        if (rst) begin
            f_aw_acc <= 4'd0; f_w_acc <= 4'd0; f_ar_acc <= 4'd0;
        end else begin
            f_aw_acc <= f_aw_acc + 4'(s_axil_awvalid && s_axil_awready) - 4'(b_hs);
            f_w_acc  <= f_w_acc + 4'(s_axil_wvalid && s_axil_wready) - 4'(b_hs);
            f_ar_acc <= f_ar_acc + 4'(s_axil_arvalid && s_axil_arready) - 4'(r_hs);
        end
    end

    // ------------------------------------------------------------------ slave side: assertions
    always @(*) if (f_past_valid) begin
        a_b_reset: assert(b_reset);
        a_r_reset: assert(r_reset);
        a_b_hold:  assert(b_hold);
        a_r_hold:  assert(r_hold);
        if (s_axil_bvalid) begin
            a_b_unasked: assert(f_aw_acc != 4'd0 && f_w_acc != 4'd0);
        end
        if (s_axil_rvalid) begin
            a_r_unasked: assert(f_ar_acc != 4'd0);
        end
        a_w_pending: assert(f_aw_acc <= 4'(F_MAX_PENDING) && f_w_acc <= 4'(F_MAX_PENDING));
        a_r_pending: assert(f_ar_acc <= 4'(F_MAX_PENDING));
    end
endmodule
