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
// The channel rules are faxi_channel.sv's (faxi_addr_channel for AR and AW, faxi_handshake for W, R and B); the port
// names are the masters' (snn_axi_ports.svh), so a harness connects them with SNN_M_AXI_RD_CONNECT / _WR_CONNECT.
// The outputs are the checker's counters, for a harness' own (design-specific) assertions and induction invariants.
`include "faxi_channel.svh"
module faxi_master #(
    // the bus
    parameter integer ID_W = 1, ADDR_W = 16, DATA_W = 64,
    // the master's limits
    parameter integer MAX_BURST = 16, MAX_OUTSTANDING = 2,
    parameter integer F_RD = 1,                                 // check the read half (AR, R)
    parameter integer F_WR = 1,                                 // check the write half (AW, W, B)
    parameter integer F_W_NEEDS_AW = 1,                         // the master sends no W beat before its AW is presented
    // 1: the design is the SLAVE of this bus (snn_axi_mux's client ports): the master rules above are assumed (the
    // client obeys them) and the slave's asserted: a_r_reset / a_b_reset (RVALID / BVALID low in the cycle after a
    // reset cycle), a_r_hold / a_b_hold, a_r_unasked (R only for an accepted AR), a_r_last (RLAST by its ARLEN),
    // a_r_id (in order, its ID), a_b_unasked (B only for an accepted AW whose W ended), a_b_id
    parameter integer F_SLAVE = 0
) (
    input  wire                clk,
    input  wire                rst,           // synchronous, active high, of master and slave
    `FAXI_ADDR_PORTS(m_axi_ar),
    input  wire [ID_W-1:0]     m_axi_rid,
    input  wire [DATA_W-1:0]   m_axi_rdata,
    input  wire [1:0]          m_axi_rresp,
    input  wire                m_axi_rlast,
    input  wire                m_axi_rvalid,
    input  wire                m_axi_rready,
    `FAXI_ADDR_PORTS(m_axi_aw),
    input  wire [DATA_W-1:0]   m_axi_wdata,
    input  wire [DATA_W/8-1:0] m_axi_wstrb,
    input  wire                m_axi_wlast,
    input  wire                m_axi_wvalid,
    input  wire                m_axi_wready,
    input  wire [ID_W-1:0]     m_axi_bid,
    input  wire [1:0]          m_axi_bresp,
    input  wire                m_axi_bvalid,
    input  wire                m_axi_bready,
    output reg                 f_past_valid,  // not the first cycle
    output reg  [3:0]          f_rd_out,      // read bursts accepted (AR) whose RLAST has not come
    output reg  [8:0]          f_rd_beat,     // R beats of the oldest of them received
    output wire [8:0]          f_rd_len0,     // its AxLEN
    output wire [8:0]          f_rd_len1,     // the next one's
    output reg  [3:0]          f_aw_out,      // write bursts accepted (AW) whose B has not come
    output reg  [3:0]          f_wd_out,      // write bursts whose WLAST went and whose B has not come
    output reg  [8:0]          f_w_beat,      // W beats of the burst being sent
    output wire [8:0]          f_w_len        // its AWLEN
);
    localparam integer NOUT = MAX_OUTSTANDING;
    localparam integer QD   = NOUT + 1;       // queue slots (one spare: an overrun is asserted, not lost)

    initial f_past_valid = 1'b0;
    always @(posedge clk) f_past_valid <= 1'b1;
    always @(*) if (!f_past_valid) assume(rst);   // the proof starts with a reset

    wire ar_hs = m_axi_arvalid && m_axi_arready;
    wire r_hs  = m_axi_rvalid && m_axi_rready;
    wire aw_hs = m_axi_awvalid && m_axi_awready;
    wire w_hs  = m_axi_wvalid && m_axi_wready;
    wire b_hs  = m_axi_bvalid && m_axi_bready;

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
                if (m_axi_rlast) begin
                    rq8 = rq8 >> 8; rqi = rqi >> ID_W; rn = rn - 4'd1; f_rd_beat <= 9'd0;
                end else begin
                    f_rd_beat <= f_rd_beat + 9'd1;
                end
            end
            if (ar_hs && rn < 4'(QD)) begin
                rq8[8*rn +: 8] = m_axi_arlen; rqi[ID_W*rn +: ID_W] = m_axi_arid;
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
                wq8[8*wn +: 8] = m_axi_awlen; wqi[ID_W*wn +: ID_W] = m_axi_awid;
            end
            if (aw_hs) wn = wn + 4'd1;
            if (w_hs && m_axi_wlast) wm = wm + 4'd1;
            if (w_hs) f_w_beat <= m_axi_wlast ? 9'd0 : f_w_beat + 9'd1;
            wq_len <= wq8; wq_id <= wqi; f_aw_out <= wn; f_wd_out <= wm;
        end
    end
    // the AWLEN of the burst W is sending: an accepted AW's, or the one on the channel (W ahead of its AW)
    wire       w_has_aw = (f_wd_out < f_aw_out) || (f_wd_out == f_aw_out && m_axi_awvalid);
    assign f_w_len = {1'b0, (f_wd_out < f_aw_out) ? wq_len[8*f_wd_out +: 8] : m_axi_awlen};

    // ------------------------------------------------------------------ slave side: assumptions
    generate if (F_RD != 0 && F_SLAVE == 0) begin : g_rd_assume
        wire r_hold;                                               // RVALID held until RREADY, R unchanged
        faxi_handshake #(.W(DATA_W + 2 + 1 + ID_W)) u_r (
            .clk(clk), .rst(rst), .valid(m_axi_rvalid), .ready(m_axi_rready),
            .payload({m_axi_rdata, m_axi_rresp, m_axi_rlast, m_axi_rid}), .ok_reset(), .ok_hold(r_hold));
        always @(*) begin
            if (rst) assume(!m_axi_rvalid);
            if (f_past_valid) assume(r_hold);
            if (m_axi_rvalid) begin
                assume(f_rd_out != 4'd0);                          // R only for an accepted AR
                assume(m_axi_rlast == (f_rd_beat == f_rd_len0));   // RLAST on the burst's last beat
                assume(m_axi_rid == rq_id[ID_W-1:0]);              // in order, its ID
            end
        end
    end endgenerate
    generate if (F_WR != 0 && F_SLAVE == 0) begin : g_wr_assume
        wire b_hold;                                               // BVALID held until BREADY, B unchanged
        faxi_handshake #(.W(2 + ID_W)) u_b (
            .clk(clk), .rst(rst), .valid(m_axi_bvalid), .ready(m_axi_bready), .payload({m_axi_bresp, m_axi_bid}),
            .ok_reset(), .ok_hold(b_hold));
        always @(*) begin
            if (rst) assume(!m_axi_bvalid);
            if (f_past_valid) assume(b_hold);
            if (m_axi_bvalid) begin
                assume(f_aw_out != 4'd0 && f_wd_out != 4'd0);      // B only for an accepted AW whose W ended
                assume(m_axi_bid == wq_id[ID_W-1:0]);
            end
        end
    end endgenerate

    // ------------------------------------------------------------------ master side: assertions
    generate if (F_RD != 0 && F_SLAVE == 0) begin : g_rd_assert
        wire [6:0] ar_ok;
        faxi_addr_channel #(.ID_W(ID_W), .ADDR_W(ADDR_W), .DATA_W(DATA_W), .MAX_BURST(MAX_BURST)) u_ar (
            .clk(clk), .rst(rst), `FAXI_ADDR_CONNECT(m_axi_ar), .ok(ar_ok));
        always @(*) if (f_past_valid) begin
            `FAXI_ADDR_ASSERTS(ar, ar_ok)
            a_ar_outst: assert(f_rd_out + 4'(m_axi_arvalid) <= 4'(NOUT));
        end
    end endgenerate
    generate if (F_WR != 0 && F_SLAVE == 0) begin : g_wr_assert
        wire [6:0] aw_ok;
        wire       w_reset, w_hold;
        faxi_addr_channel #(.ID_W(ID_W), .ADDR_W(ADDR_W), .DATA_W(DATA_W), .MAX_BURST(MAX_BURST)) u_aw (
            .clk(clk), .rst(rst), `FAXI_ADDR_CONNECT(m_axi_aw), .ok(aw_ok));
        faxi_handshake #(.W(DATA_W + DATA_W / 8 + 1)) u_w (
            .clk(clk), .rst(rst), .valid(m_axi_wvalid), .ready(m_axi_wready),
            .payload({m_axi_wdata, m_axi_wstrb, m_axi_wlast}), .ok_reset(w_reset), .ok_hold(w_hold));
        always @(*) if (f_past_valid) begin
            `FAXI_ADDR_ASSERTS(aw, aw_ok)
            a_aw_outst: assert(f_aw_out + 4'(m_axi_awvalid) <= 4'(NOUT));
            a_w_reset: assert(w_reset);
            a_w_hold:  assert(w_hold);
            if (m_axi_wvalid) begin
                if (F_W_NEEDS_AW != 0) begin
                    a_w_no_aw: assert(w_has_aw);
                end
                a_w_last: assert(m_axi_wlast == (f_w_beat == f_w_len));
            end
        end
    end endgenerate

    // ------------------------------------------------------------------ F_SLAVE: the same rules, the other way
    generate if (F_RD != 0 && F_SLAVE != 0) begin : g_rd_slave
        wire [6:0] ar_ok;
        wire       r_reset, r_hold;
        faxi_addr_channel #(.ID_W(ID_W), .ADDR_W(ADDR_W), .DATA_W(DATA_W), .MAX_BURST(MAX_BURST)) u_ar (
            .clk(clk), .rst(rst), `FAXI_ADDR_CONNECT(m_axi_ar), .ok(ar_ok));
        faxi_handshake #(.W(DATA_W + 2 + 1 + ID_W)) u_r (
            .clk(clk), .rst(rst), .valid(m_axi_rvalid), .ready(m_axi_rready),
            .payload({m_axi_rdata, m_axi_rresp, m_axi_rlast, m_axi_rid}), .ok_reset(r_reset), .ok_hold(r_hold));
        always @(*) begin
            if (rst) assume(!m_axi_arvalid);
            if (f_past_valid) begin
                assume(&ar_ok);
                assume(f_rd_out + 4'(m_axi_arvalid) <= 4'(NOUT));
                a_r_reset: assert(r_reset);
                a_r_hold:  assert(r_hold);
                if (m_axi_rvalid) begin
                    a_r_unasked: assert(f_rd_out != 4'd0);
                    a_r_last:    assert(m_axi_rlast == (f_rd_beat == f_rd_len0));
                    a_r_id:      assert(m_axi_rid == rq_id[ID_W-1:0]);
                end
            end
        end
    end endgenerate
    generate if (F_WR != 0 && F_SLAVE != 0) begin : g_wr_slave
        wire [6:0] aw_ok;
        wire       w_reset, w_hold, b_reset, b_hold;
        faxi_addr_channel #(.ID_W(ID_W), .ADDR_W(ADDR_W), .DATA_W(DATA_W), .MAX_BURST(MAX_BURST)) u_aw (
            .clk(clk), .rst(rst), `FAXI_ADDR_CONNECT(m_axi_aw), .ok(aw_ok));
        faxi_handshake #(.W(DATA_W + DATA_W / 8 + 1)) u_w (
            .clk(clk), .rst(rst), .valid(m_axi_wvalid), .ready(m_axi_wready),
            .payload({m_axi_wdata, m_axi_wstrb, m_axi_wlast}), .ok_reset(w_reset), .ok_hold(w_hold));
        faxi_handshake #(.W(2 + ID_W)) u_b (
            .clk(clk), .rst(rst), .valid(m_axi_bvalid), .ready(m_axi_bready), .payload({m_axi_bresp, m_axi_bid}),
            .ok_reset(b_reset), .ok_hold(b_hold));
        always @(*) begin
            if (rst) assume(!m_axi_awvalid && !m_axi_wvalid);
            if (f_past_valid) begin
                assume(&aw_ok);
                assume(f_aw_out + 4'(m_axi_awvalid) <= 4'(NOUT));
                assume(w_reset && w_hold);
                if (m_axi_wvalid) begin
                    if (F_W_NEEDS_AW != 0) assume(w_has_aw);
                    assume(m_axi_wlast == (f_w_beat == f_w_len));
                end
                a_b_reset: assert(b_reset);
                a_b_hold:  assert(b_hold);
                if (m_axi_bvalid) begin
                    a_b_unasked: assert(f_aw_out != 4'd0 && f_wd_out != 4'd0);
                    a_b_id:      assert(m_axi_bid == wq_id[ID_W-1:0]);
                end
            end
        end
    end endgenerate
endmodule
