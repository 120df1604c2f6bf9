// faxi_master: formal property checker of an AXI4 master (in the style of ZipCPU's faxi_master, written for this
// project; docs/formal.md). It only watches the bus: it ASSERTS the AXI4 rules on what the master drives (AR, AW, W,
// RREADY/BREADY through the counters) and ASSUMES the AXI4 rules on what the slave drives (AxREADY, R, WREADY, B),
// so a proof covers every slave behaviour the spec allows: any stalls, R only for an accepted AR with RLAST on the
// last beat of its burst, B only for a burst whose AW was accepted and whose W ended, slave VALIDs (and payload)
// held until READY. One ID per transfer queue, responses in order (the masters here use one ID).
//
// Master rules asserted (each assertion has a label, which the proof prints when it fails):
//   a_*_reset      AxVALID / WVALID low in the cycle after a reset cycle (and so for as long as rst stays high)
//   a_*_hold       AxVALID / WVALID held until READY, with the payload unchanged
//   a_*_incr, a_*_size, a_*_align   INCR bursts of full-width, aligned beats
//   a_*_maxlen     AxLEN + 1 <= MAX_BURST
//   a_*_4k         no burst crosses a 4 KiB boundary
//   a_*_outst      bursts in flight (accepted and unanswered, plus the one on the channel) <= MAX_OUTSTANDING
//   a_w_no_aw      (F_W_NEEDS_AW) no W beat without an AW for it presented or accepted, and W at most one burst
//                  ahead of AW
//   a_w_last       WLAST exactly on the last beat of each burst (the AWLEN of the burst it belongs to)
// The outputs are the checker's counters, for a harness' own (design-specific) assertions and induction invariants.
module faxi_master #(
    parameter integer ID_W            = 1,
    parameter integer ADDR_W          = 16,
    parameter integer DATA_W          = 64,
    parameter integer MAX_BURST       = 16,
    parameter integer MAX_OUTSTANDING = 2,
    parameter integer F_RD            = 1,    // check the read half (AR, R)
    parameter integer F_WR            = 1,    // check the write half (AW, W, B)
    parameter integer F_W_NEEDS_AW    = 1     // the master sends no W beat before its AW is presented
) (
    input  wire              clk,
    input  wire              rst,             // synchronous, active high, of master and slave
    input  wire [ID_W-1:0]   arid,
    input  wire [ADDR_W-1:0] araddr,
    input  wire [7:0]        arlen,
    input  wire [2:0]        arsize,
    input  wire [1:0]        arburst,
    input  wire              arlock,
    input  wire [3:0]        arcache,
    input  wire [2:0]        arprot,
    input  wire [3:0]        arqos,
    input  wire              arvalid,
    input  wire              arready,
    input  wire [ID_W-1:0]   rid,
    input  wire [DATA_W-1:0] rdata,
    input  wire [1:0]        rresp,
    input  wire              rlast,
    input  wire              rvalid,
    input  wire              rready,
    input  wire [ID_W-1:0]   awid,
    input  wire [ADDR_W-1:0] awaddr,
    input  wire [7:0]        awlen,
    input  wire [2:0]        awsize,
    input  wire [1:0]        awburst,
    input  wire              awlock,
    input  wire [3:0]        awcache,
    input  wire [2:0]        awprot,
    input  wire [3:0]        awqos,
    input  wire              awvalid,
    input  wire              awready,
    input  wire [DATA_W-1:0] wdata,
    input  wire [DATA_W/8-1:0] wstrb,
    input  wire              wlast,
    input  wire              wvalid,
    input  wire              wready,
    input  wire [ID_W-1:0]   bid,
    input  wire [1:0]        bresp,
    input  wire              bvalid,
    input  wire              bready,
    output reg               f_past_valid,    // not the first cycle
    output reg  [3:0]        f_rd_out,        // read bursts accepted (AR) whose RLAST has not come
    output reg  [8:0]        f_rd_beat,       // R beats of the oldest of them received
    output wire [8:0]        f_rd_len0,       // its AxLEN
    output wire [8:0]        f_rd_len1,       // the next one's
    output reg  [3:0]        f_aw_out,        // write bursts accepted (AW) whose B has not come
    output reg  [3:0]        f_wd_out,        // write bursts whose WLAST went and whose B has not come
    output reg  [8:0]        f_w_beat,        // W beats of the burst being sent
    output wire [8:0]        f_w_len          // its AWLEN
);
    localparam integer SIZE = $clog2(DATA_W / 8);
    localparam integer NOUT = MAX_OUTSTANDING;
    localparam integer QD   = NOUT + 1;       // queue slots (one spare: an overrun is asserted, not lost)

    initial f_past_valid = 1'b0;
    always @(posedge clk) f_past_valid <= 1'b1;
    always @(*) if (!f_past_valid) assume(rst);   // the proof starts with a reset

    wire ar_hs = arvalid && arready;
    wire r_hs  = rvalid && rready;
    wire aw_hs = awvalid && awready;
    wire w_hs  = wvalid && wready;
    wire b_hs  = bvalid && bready;

    // ------------------------------------------------------------------ the burst queues (oldest in slot 0)
    reg [8*QD-1:0]    rq_len, wq_len;
    reg [ID_W*QD-1:0] rq_id, wq_id;
    reg [8*QD-1:0]    rq8, wq8;           // (the next queues, built in the blocks below)
    reg [ID_W*QD-1:0] rqi, wqi;
    reg [3:0]         rn, wn, wm;
    assign f_rd_len0 = {1'b0, rq_len[7:0]};
    assign f_rd_len1 = {1'b0, rq_len[15:8]};
    always @(posedge clk) begin
        if (rst) begin
            f_rd_out <= 4'd0; f_rd_beat <= 9'd0;
        end else begin
            rn = f_rd_out; rq8 = rq_len; rqi = rq_id;
            if (r_hs) begin
                if (rlast) begin
                    rq8 = rq8 >> 8; rqi = rqi >> ID_W; rn = rn - 4'd1; f_rd_beat <= 9'd0;
                end else begin
                    f_rd_beat <= f_rd_beat + 9'd1;
                end
            end
            if (ar_hs && rn < 4'(QD)) begin
                rq8[8*rn +: 8] = arlen; rqi[ID_W*rn +: ID_W] = arid;
            end
            if (ar_hs) rn = rn + 4'd1;
            rq_len <= rq8; rq_id <= rqi; f_rd_out <= rn;
        end
    end
    always @(posedge clk) begin
        if (rst) begin
            f_aw_out <= 4'd0; f_wd_out <= 4'd0; f_w_beat <= 9'd0;
        end else begin
            wn = f_aw_out; wm = f_wd_out; wq8 = wq_len; wqi = wq_id;
            if (b_hs) begin
                wq8 = wq8 >> 8; wqi = wqi >> ID_W; wn = wn - 4'd1; wm = wm - 4'd1;
            end
            if (aw_hs && wn < 4'(QD)) begin
                wq8[8*wn +: 8] = awlen; wqi[ID_W*wn +: ID_W] = awid;
            end
            if (aw_hs) wn = wn + 4'd1;
            if (w_hs && wlast) wm = wm + 4'd1;
            if (w_hs) f_w_beat <= wlast ? 9'd0 : f_w_beat + 9'd1;
            wq_len <= wq8; wq_id <= wqi; f_aw_out <= wn; f_wd_out <= wm;
        end
    end
    // the AWLEN of the burst W is sending: an accepted AW's, or the one on the channel (W ahead of its AW)
    wire       w_has_aw = (f_wd_out < f_aw_out) || (f_wd_out == f_aw_out && awvalid);
    assign f_w_len = {1'b0, (f_wd_out < f_aw_out) ? wq_len[8*f_wd_out +: 8] : awlen};

    // ------------------------------------------------------------------ slave side: assumptions
    generate if (F_RD != 0) begin : g_rd_assume
        always @(*) begin
            if (rst) assume(!rvalid);
            if (rvalid) begin
                assume(f_rd_out != 4'd0);                          // R only for an accepted AR
                assume(rlast == (f_rd_beat == f_rd_len0));         // RLAST on the burst's last beat
                assume(rid == rq_id[ID_W-1:0]);                    // in order, its ID
            end
        end
        always @(posedge clk) if (f_past_valid && !$past(rst) && $past(rvalid && !rready)) begin
            assume(rvalid);                                        // held until RREADY, unchanged
            assume(rdata == $past(rdata) && rresp == $past(rresp) && rlast == $past(rlast) && rid == $past(rid));
        end
    end endgenerate
    generate if (F_WR != 0) begin : g_wr_assume
        always @(*) begin
            if (rst) assume(!bvalid);
            if (bvalid) begin
                assume(f_aw_out != 4'd0 && f_wd_out != 4'd0);      // B only for an accepted AW whose W ended
                assume(bid == wq_id[ID_W-1:0]);
            end
        end
        always @(posedge clk) if (f_past_valid && !$past(rst) && $past(bvalid && !bready)) begin
            assume(bvalid);
            assume(bresp == $past(bresp) && bid == $past(bid));
        end
    end endgenerate

    // ------------------------------------------------------------------ master side: assertions
    generate if (F_RD != 0) begin : g_rd_assert
        wire [12:0] ar_end = {1'b0, araddr[11:0]} + ({5'd0, arlen} + 13'd1 << SIZE);
        always @(posedge clk) if (f_past_valid) begin
            if ($past(rst)) begin
                a_ar_reset: assert(!arvalid);
            end else if ($past(arvalid && !arready)) begin
                a_ar_hold: assert(arvalid && araddr == $past(araddr) && arlen == $past(arlen) &&
                                  arsize == $past(arsize) && arburst == $past(arburst) && arid == $past(arid) &&
                                  arlock == $past(arlock) && arcache == $past(arcache) &&
                                  arprot == $past(arprot) && arqos == $past(arqos));
            end
        end
        always @(*) if (f_past_valid && arvalid) begin
            a_ar_incr:   assert(arburst == 2'b01);
            a_ar_size:   assert(arsize == 3'(SIZE));
            a_ar_align:  assert(araddr[SIZE-1:0] == '0);
            a_ar_maxlen: assert({1'b0, arlen} + 9'd1 <= 9'(MAX_BURST));
            a_ar_4k:     assert(ar_end <= 13'd4096);
        end
        always @(*) if (f_past_valid) begin
            a_ar_outst: assert(f_rd_out + 4'(arvalid) <= 4'(NOUT));
        end
    end endgenerate
    generate if (F_WR != 0) begin : g_wr_assert
        wire [12:0] aw_end = {1'b0, awaddr[11:0]} + ({5'd0, awlen} + 13'd1 << SIZE);
        always @(posedge clk) if (f_past_valid) begin
            if ($past(rst)) begin
                a_aw_reset: assert(!awvalid);
                a_w_reset:  assert(!wvalid);
            end else begin
                if ($past(awvalid && !awready)) begin
                    a_aw_hold: assert(awvalid && awaddr == $past(awaddr) && awlen == $past(awlen) &&
                                      awsize == $past(awsize) && awburst == $past(awburst) && awid == $past(awid) &&
                                      awlock == $past(awlock) && awcache == $past(awcache) &&
                                      awprot == $past(awprot) && awqos == $past(awqos));
                end
                if ($past(wvalid && !wready)) begin
                    a_w_hold: assert(wvalid && wdata == $past(wdata) && wstrb == $past(wstrb) &&
                                     wlast == $past(wlast));
                end
            end
        end
        always @(*) if (f_past_valid && awvalid) begin
            a_aw_incr:   assert(awburst == 2'b01);
            a_aw_size:   assert(awsize == 3'(SIZE));
            a_aw_align:  assert(awaddr[SIZE-1:0] == '0);
            a_aw_maxlen: assert({1'b0, awlen} + 9'd1 <= 9'(MAX_BURST));
            a_aw_4k:     assert(aw_end <= 13'd4096);
        end
        always @(*) if (f_past_valid) begin
            a_aw_outst: assert(f_aw_out + 4'(awvalid) <= 4'(NOUT));
            if (wvalid) begin
                if (F_W_NEEDS_AW != 0) begin
                    a_w_no_aw: assert(w_has_aw);
                end
                a_w_last: assert(wlast == (f_w_beat == f_w_len));
            end
        end
    end endgenerate
endmodule
