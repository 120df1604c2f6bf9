// faxil_slave: formal property checker of an AXI4-Lite slave (docs/formal.md). It ASSUMES the AXI4-Lite rules on
// what the master drives (AWVALID / WVALID / ARVALID held until READY with address, data and strobes unchanged,
// VALIDs low during reset; BREADY / RREADY free) and ASSERTS them on what the slave drives:
//   a_b_reset, a_r_reset   BVALID / RVALID low in the cycle after a reset cycle
//   a_b_hold, a_r_hold     BVALID / RVALID held until BREADY / RREADY, with BRESP / RDATA, RRESP unchanged
//   a_b_unasked            no B without a write (AW and W) accepted and not yet answered
//   a_r_unasked            no R without a read accepted and not yet answered
//   a_w_pending, a_r_pending   at most F_MAX_PENDING accepted requests wait for their response (none is lost: an
//                          accepted write or read that never got its response would pile up)
// The outputs are the counters (accepted, not yet answered), for a harness' own assertions and invariants.
module faxil_slave #(
    parameter integer ADDR_W        = 7,
    parameter integer DATA_W        = 32,
    parameter integer F_MAX_PENDING = 2
) (
    input  wire                clk,
    input  wire                rst,
    input  wire [ADDR_W-1:0]   awaddr,
    input  wire                awvalid,
    input  wire                awready,
    input  wire [DATA_W-1:0]   wdata,
    input  wire [DATA_W/8-1:0] wstrb,
    input  wire                wvalid,
    input  wire                wready,
    input  wire [1:0]          bresp,
    input  wire                bvalid,
    input  wire                bready,
    input  wire [ADDR_W-1:0]   araddr,
    input  wire                arvalid,
    input  wire                arready,
    input  wire [DATA_W-1:0]   rdata,
    input  wire [1:0]          rresp,
    input  wire                rvalid,
    input  wire                rready,
    output reg                 f_past_valid,
    output reg  [3:0]          f_aw_acc,   // write addresses accepted, not yet answered by B
    output reg  [3:0]          f_w_acc,    // write data accepted, not yet answered by B
    output reg  [3:0]          f_ar_acc    // reads accepted, not yet answered by R
);
    initial f_past_valid = 1'b0;
    always @(posedge clk) f_past_valid <= 1'b1;
    always @(*) if (!f_past_valid) assume(rst);

    // ------------------------------------------------------------------ master side: assumptions
    always @(*) if (rst) assume(!awvalid && !wvalid && !arvalid);
    always @(posedge clk) if (f_past_valid && !$past(rst)) begin
        if ($past(awvalid && !awready)) assume(awvalid && awaddr == $past(awaddr));
        if ($past(wvalid && !wready))   assume(wvalid && wdata == $past(wdata) && wstrb == $past(wstrb));
        if ($past(arvalid && !arready)) assume(arvalid && araddr == $past(araddr));
    end

    // ------------------------------------------------------------------ counters
    wire b_hs = bvalid && bready;
    wire r_hs = rvalid && rready;
    always @(posedge clk) begin
        if (rst) begin
            f_aw_acc <= 4'd0; f_w_acc <= 4'd0; f_ar_acc <= 4'd0;
        end else begin
            f_aw_acc <= f_aw_acc + 4'(awvalid && awready) - 4'(b_hs);
            f_w_acc  <= f_w_acc + 4'(wvalid && wready) - 4'(b_hs);
            f_ar_acc <= f_ar_acc + 4'(arvalid && arready) - 4'(r_hs);
        end
    end

    // ------------------------------------------------------------------ slave side: assertions
    // (the previous cycle in registers, so that each check fails in the cycle of the violation, beside the
    // harness' invariants)
    reg              p_rst, p_bwait, p_rwait;
    reg [1:0]        p_bresp, p_rresp;
    reg [DATA_W-1:0] p_rdata;
    always @(posedge clk) begin
        p_rst   <= rst;
        p_bwait <= bvalid && !bready;
        p_rwait <= rvalid && !rready;
        p_bresp <= bresp;
        p_rresp <= rresp;
        p_rdata <= rdata;
    end
    always @(*) if (f_past_valid) begin
        if (p_rst) begin
            a_b_reset: assert(!bvalid);
            a_r_reset: assert(!rvalid);
        end else begin
            if (p_bwait) begin
                a_b_hold: assert(bvalid && bresp == p_bresp);
            end
            if (p_rwait) begin
                a_r_hold: assert(rvalid && rdata == p_rdata && rresp == p_rresp);
            end
        end
    end
    always @(*) if (f_past_valid) begin
        if (bvalid) begin
            a_b_unasked: assert(f_aw_acc != 4'd0 && f_w_acc != 4'd0);
        end
        if (rvalid) begin
            a_r_unasked: assert(f_ar_acc != 4'd0);
        end
        a_w_pending: assert(f_aw_acc <= 4'(F_MAX_PENDING) && f_w_acc <= 4'(F_MAX_PENDING));
        a_r_pending: assert(f_ar_acc <= 4'(F_MAX_PENDING));
    end
endmodule
