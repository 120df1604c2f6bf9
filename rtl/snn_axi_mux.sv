// snn_axi_mux: N AXI4 masters (clients) onto one AXI4 master port (docs/axi_master.md, "Several engines on one
// master"). Client i's signals are the fields [i*W +: W] of the packed s_axi_* ports (the signal set of
// SNN_M_AXI_RD_PORTS / SNN_M_AXI_WR_PORTS, snn_axi_ports.svh); the master's ID is {client index, client's ID}, so
// MID_W = CID_W + $clog2(N) (N > 1).
//
// AR and AW: a round-robin arbiter per channel. The grant `g` is a one-hot register that stays on one client until
// that client's address handshake; in that cycle (or whenever the granted client has no request) the next grant is
// the first requesting client after the one just granted, cyclically (the client just served comes last). So a
// client that keeps its valid high is granted after at most N-1 grants to others, and one client alone is granted
// back to back. The granted client's address goes (through a one-hot AND-OR mux) into a 2-entry register FIFO (a
// skid buffer) that drives m_axi_ar* / m_axi_aw*: client ready = its grant && the FIFO's registered !full, so no
// combinational path runs from a client's valid to the master's valid or from m_axi_*ready to a client's ready.
// W: AXI4 has no WID, so the W beats follow the order of the granted AWs: each AW handshake pushes the client (one
// hot) into a FIFO of WQ_DEPTH entries (AW is not granted while it is full); once that AW has been accepted on
// m_axi, the head moves into a register that names the client W is taken from, beat by beat, into a 2-entry W FIFO
// that drives m_axi_w*, until WLAST. So W never runs ahead of its AW on the master port. A client's W beats wait
// until its AW has been granted (AXI lets a slave do that; the masters of rtl/ send AW first).
// R and B: a 2-entry register FIFO each (m_axi_rready / m_axi_bready = its registered !full); the head goes to the
// client named by its ID's upper bits, with the lower CID_W bits as the client's ID. A response to an ID no client
// issued (index >= N) would block the channel. Responses are in the order the slave sends them; one client not
// taking its R or B holds up the others' (the masters of rtl/ always take them).
// Added latency: AR/AW 1 cycle (the grant, while another client holds it) + 1 (FIFO); W 1 (FIFO), and a burst's
// first beat is taken from its client 2 cycles after its AW was accepted on m_axi; R and B 1. N = 1: a pass-through (no registers).
// Synchronous active-high rst.
`include "snn_check.svh"
`include "snn_axi_ports.svh"
module snn_axi_mux #(
    parameter integer N        = 2,
    parameter integer ADDR_W   = 64,
    parameter integer DATA_W   = 128,
    parameter integer CID_W    = 1,
    parameter integer MID_W    = CID_W + ((N > 1) ? $clog2(N) : 0),
    parameter integer WQ_DEPTH = 4                       // AWs granted whose W beats are not all through
) (
    input  wire                    clk,
    input  wire                    rst,
    // N client masters (packed)
    input  wire [N*CID_W-1:0]      s_axi_arid,
    input  wire [N*ADDR_W-1:0]     s_axi_araddr,
    input  wire [N*8-1:0]          s_axi_arlen,
    input  wire [N*3-1:0]          s_axi_arsize,
    input  wire [N*2-1:0]          s_axi_arburst,
    input  wire [N-1:0]            s_axi_arlock,
    input  wire [N*4-1:0]          s_axi_arcache,
    input  wire [N*3-1:0]          s_axi_arprot,
    input  wire [N*4-1:0]          s_axi_arqos,
    input  wire [N-1:0]            s_axi_arvalid,
    output wire [N-1:0]            s_axi_arready,
    output wire [N*CID_W-1:0]      s_axi_rid,
    output wire [N*DATA_W-1:0]     s_axi_rdata,
    output wire [N*2-1:0]          s_axi_rresp,
    output wire [N-1:0]            s_axi_rlast,
    output wire [N-1:0]            s_axi_rvalid,
    input  wire [N-1:0]            s_axi_rready,
    input  wire [N*CID_W-1:0]      s_axi_awid,
    input  wire [N*ADDR_W-1:0]     s_axi_awaddr,
    input  wire [N*8-1:0]          s_axi_awlen,
    input  wire [N*3-1:0]          s_axi_awsize,
    input  wire [N*2-1:0]          s_axi_awburst,
    input  wire [N-1:0]            s_axi_awlock,
    input  wire [N*4-1:0]          s_axi_awcache,
    input  wire [N*3-1:0]          s_axi_awprot,
    input  wire [N*4-1:0]          s_axi_awqos,
    input  wire [N-1:0]            s_axi_awvalid,
    output wire [N-1:0]            s_axi_awready,
    input  wire [N*DATA_W-1:0]     s_axi_wdata,
    input  wire [N*DATA_W/8-1:0]   s_axi_wstrb,
    input  wire [N-1:0]            s_axi_wlast,
    input  wire [N-1:0]            s_axi_wvalid,
    output wire [N-1:0]            s_axi_wready,
    output wire [N*CID_W-1:0]      s_axi_bid,
    output wire [N*2-1:0]          s_axi_bresp,
    output wire [N-1:0]            s_axi_bvalid,
    input  wire [N-1:0]            s_axi_bready,
    // the one master
    `SNN_M_AXI_RD_PORTS(MID_W, ADDR_W, DATA_W),
    `SNN_M_AXI_WR_PORTS(MID_W, ADDR_W, DATA_W)
);
    `SNN_REQUIRE(g_check_n, N >= 1 && N <= 256, "Error: N must be in 1..256 (instance %m)")
    `SNN_REQUIRE(g_check_addr_w, ADDR_W >= 12 && ADDR_W <= 64, "Error: ADDR_W must be in 12..64 (instance %m)")
    `SNN_REQUIRE(g_check_data_w, DATA_W == 32 || DATA_W == 64 || DATA_W == 128 || DATA_W == 256 || DATA_W == 512,
                 "Error: DATA_W must be one of 32/64/128/256/512 (instance %m)")
    `SNN_REQUIRE(g_check_cid_w, CID_W >= 1, "Error: CID_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_mid_w, MID_W == CID_W + ((N > 1) ? $clog2(N) : 0),
                 "Error: MID_W must be CID_W + $clog2(N) (instance %m)")
    `SNN_REQUIRE(g_check_wq_depth, WQ_DEPTH >= 1, "Error: WQ_DEPTH must be >= 1 (instance %m)")

    localparam integer SW    = (N > 1) ? $clog2(N) : 1;               // client index bits
    localparam integer STRB  = DATA_W / 8;
    // an address channel's payload: {id, addr, len, size, burst, lock, cache, prot, qos}
    localparam integer AXP_W = CID_W + ADDR_W + 8 + 3 + 2 + 1 + 4 + 3 + 4;
    localparam integer WP_W  = DATA_W + STRB + 1;                     // {data, strb, last}
    localparam integer RP_W  = MID_W + DATA_W + 2 + 1;                // {id, data, resp, last}
    localparam integer BP_W  = MID_W + 2;                             // {id, resp}
    localparam integer AS_W  = $clog2(WQ_DEPTH + 1);

    if (N == 1) begin : g_pass
        assign m_axi_arid = s_axi_arid;       assign m_axi_araddr = s_axi_araddr;   assign m_axi_arlen = s_axi_arlen;
        assign m_axi_arsize = s_axi_arsize;   assign m_axi_arburst = s_axi_arburst; assign m_axi_arlock = s_axi_arlock;
        assign m_axi_arcache = s_axi_arcache; assign m_axi_arprot = s_axi_arprot;   assign m_axi_arqos = s_axi_arqos;
        assign m_axi_arvalid = s_axi_arvalid; assign s_axi_arready = m_axi_arready;
        assign s_axi_rid = m_axi_rid;         assign s_axi_rdata = m_axi_rdata;     assign s_axi_rresp = m_axi_rresp;
        assign s_axi_rlast = m_axi_rlast;     assign s_axi_rvalid = m_axi_rvalid;   assign m_axi_rready = s_axi_rready;
        assign m_axi_awid = s_axi_awid;       assign m_axi_awaddr = s_axi_awaddr;   assign m_axi_awlen = s_axi_awlen;
        assign m_axi_awsize = s_axi_awsize;   assign m_axi_awburst = s_axi_awburst; assign m_axi_awlock = s_axi_awlock;
        assign m_axi_awcache = s_axi_awcache; assign m_axi_awprot = s_axi_awprot;   assign m_axi_awqos = s_axi_awqos;
        assign m_axi_awvalid = s_axi_awvalid; assign s_axi_awready = m_axi_awready;
        assign m_axi_wdata = s_axi_wdata;     assign m_axi_wstrb = s_axi_wstrb;     assign m_axi_wlast = s_axi_wlast;
        assign m_axi_wvalid = s_axi_wvalid;   assign s_axi_wready = m_axi_wready;
        assign s_axi_bid = m_axi_bid;         assign s_axi_bresp = m_axi_bresp;     assign s_axi_bvalid = m_axi_bvalid;
        assign m_axi_bready = s_axi_bready;
        /* verilator lint_off UNUSEDSIGNAL */
        wire unused = &{1'b0, clk, rst};
        /* verilator lint_on UNUSEDSIGNAL */
    end else begin : g_mux
        // ------------------------------------------------------------------ the clients' address payloads
        wire [N*AXP_W-1:0] ar_in, aw_in;
        genvar i;
        for (i = 0; i < N; i = i + 1) begin : g_client
            assign ar_in[i*AXP_W +: AXP_W] = {s_axi_arid[i*CID_W +: CID_W], s_axi_araddr[i*ADDR_W +: ADDR_W],
                s_axi_arlen[i*8 +: 8], s_axi_arsize[i*3 +: 3], s_axi_arburst[i*2 +: 2], s_axi_arlock[i],
                s_axi_arcache[i*4 +: 4], s_axi_arprot[i*3 +: 3], s_axi_arqos[i*4 +: 4]};
            assign aw_in[i*AXP_W +: AXP_W] = {s_axi_awid[i*CID_W +: CID_W], s_axi_awaddr[i*ADDR_W +: ADDR_W],
                s_axi_awlen[i*8 +: 8], s_axi_awsize[i*3 +: 3], s_axi_awburst[i*2 +: 2], s_axi_awlock[i],
                s_axi_awcache[i*4 +: 4], s_axi_awprot[i*3 +: 3], s_axi_awqos[i*4 +: 4]};
        end

        // ------------------------------------------------------------------ AR
        wire             ar_full, ar_empty;
        wire [N-1:0]     ar_grant;
        wire             ar_hs;
        wire [SW+AXP_W-1:0] ar_sel, ar_out;
        /* verilator lint_off UNUSEDSIGNAL */
        wire [1:0]       ar_count;
        /* verilator lint_on UNUSEDSIGNAL */
        assign s_axi_arready = ar_grant & {N{!ar_full}};
        snn_fifo #(.WIDTH(SW + AXP_W), .DEPTH(2)) u_ar (
            .clk(clk), .rst(rst), .push(ar_hs), .din(ar_sel), .pop(m_axi_arvalid && m_axi_arready), .dout(ar_out),
            .empty(ar_empty), .full(ar_full), .count(ar_count));
        assign m_axi_arvalid = !ar_empty;
        assign {m_axi_arid, m_axi_araddr, m_axi_arlen, m_axi_arsize, m_axi_arburst, m_axi_arlock, m_axi_arcache,
                m_axi_arprot, m_axi_arqos} = ar_out;

        // ------------------------------------------------------------------ AW, and the W order queue
        wire             aw_full, aw_empty, wq_full, wq_empty;
        wire [N-1:0]     aw_grant, wq_head;
        wire             aw_hs;
        wire [SW+AXP_W-1:0] aw_sel, aw_out;
        /* verilator lint_off UNUSEDSIGNAL */
        wire [1:0]       aw_count;
        wire [$clog2(WQ_DEPTH + 1)-1:0] wq_count;
        /* verilator lint_on UNUSEDSIGNAL */
        wire             aw_take = !aw_full && !wq_full;
        assign s_axi_awready = aw_grant & {N{aw_take}};
        snn_fifo #(.WIDTH(SW + AXP_W), .DEPTH(2)) u_aw (
            .clk(clk), .rst(rst), .push(aw_hs), .din(aw_sel), .pop(m_axi_awvalid && m_axi_awready), .dout(aw_out),
            .empty(aw_empty), .full(aw_full), .count(aw_count));
        assign m_axi_awvalid = !aw_empty;
        assign {m_axi_awid, m_axi_awaddr, m_axi_awlen, m_axi_awsize, m_axi_awburst, m_axi_awlock, m_axi_awcache,
                m_axi_awprot, m_axi_awqos} = aw_out;

        // W: from the client at the head of the order queue (one hot)
        wire             w_full, w_empty;
        wire [WP_W-1:0]  w_out;
        /* verilator lint_off UNUSEDSIGNAL */
        wire [1:0]       w_count;
        /* verilator lint_on UNUSEDSIGNAL */
        // (the head is copied into a register, w_pick, so that the W path starts at a register: one hot, 0 while
        // no AW waits for its beats)
        reg  [N-1:0]     w_pick;
        reg              w_busy;
        reg  [WP_W-1:0]  w_sel;
        reg              w_valid;
        integer          k;
        always @(*) begin
            w_sel = {WP_W{1'b0}};
            w_valid = 1'b0;
            for (k = 0; k < N; k = k + 1) begin
                w_sel = w_sel | ({WP_W{w_pick[k]}} & {s_axi_wdata[k*DATA_W +: DATA_W], s_axi_wstrb[k*STRB +: STRB],
                                                      s_axi_wlast[k]});
                w_valid = w_valid | (w_pick[k] & s_axi_wvalid[k]);
            end
        end
        wire             w_hs = w_valid && !w_full;
        wire             w_next = !w_busy || (w_hs && w_sel[0]);     // the burst ends (WLAST) or none is going
        // a burst's W starts only once its AW was accepted on m_axi (`aw_sent`: AWs accepted there whose W burst
        // has not started), so W never runs ahead of its AW on the master port
        reg  [AS_W-1:0]  aw_sent;
        wire             w_start = w_next && !wq_empty && aw_sent != {AS_W{1'b0}};
        assign s_axi_wready = w_pick & {N{!w_full}};
        snn_fifo #(.WIDTH(N), .DEPTH(WQ_DEPTH)) u_wq (
            .clk(clk), .rst(rst), .push(aw_hs), .din(aw_grant), .pop(w_start), .dout(wq_head),
            .empty(wq_empty), .full(wq_full), .count(wq_count));
        always @(posedge clk) begin
            if (rst) begin
                w_pick  <= {N{1'b0}};
                w_busy  <= 1'b0;
                aw_sent <= {AS_W{1'b0}};
            end else begin
                if (w_next) begin
                    w_pick <= wq_head & {N{w_start}};
                    w_busy <= w_start;
                end
                aw_sent <= aw_sent + AS_W'(m_axi_awvalid && m_axi_awready)
                                   - AS_W'(w_start);
            end
        end
        snn_fifo #(.WIDTH(WP_W), .DEPTH(2)) u_w (
            .clk(clk), .rst(rst), .push(w_hs), .din(w_sel), .pop(m_axi_wvalid && m_axi_wready), .dout(w_out),
            .empty(w_empty), .full(w_full), .count(w_count));
        assign m_axi_wvalid = !w_empty;
        assign {m_axi_wdata, m_axi_wstrb, m_axi_wlast} = w_out;

        // ------------------------------------------------------------------ the round-robin arbiters (0: AR, 1: AW)
        // `grant` (one hot, a register) names the client whose request is taken (`hs`: its valid while `take`);
        // `sel` is that client's {index, payload} (a one-hot AND-OR mux). The grant moves when the granted client
        // hands its request over, or while it has none: to the first valid client after the granted one,
        // cyclically (the granted one last); it stays where it is while no client is valid.
        wire [2*N-1:0]       x_valid = {s_axi_awvalid, s_axi_arvalid};
        wire [2*N*AXP_W-1:0] x_payload = {aw_in, ar_in};
        wire [1:0]           x_take = {aw_take, !ar_full};
        wire [2*N-1:0]       x_grant;
        wire [1:0]           x_hs;
        wire [2*(SW+AXP_W)-1:0] x_sel;
        genvar c;
        for (c = 0; c < 2; c = c + 1) begin : g_arb
            wire [N-1:0]     valid = x_valid[c*N +: N];
            reg  [N-1:0]     grant;
            reg  [N-1:0]     above;          // the clients after the granted one (a thermometer mask)
            wire             cur = |(grant & valid);
            // the first valid client above the grant, else the first valid one (x & -x: the lowest set bit of x)
            wire [N-1:0]     req_hi = valid & above;
            wire [N-1:0]     req    = (|req_hi) ? req_hi : valid;
            wire [N-1:0]     neg    = ~req + 1'b1;
            wire [N-1:0]     first  = req & neg;
            wire [N-1:0]     ge     = req | neg;              // the bits from the first set one up
            always @(posedge clk) begin
                if (rst) begin
                    grant <= {1'b1, {(N-1){1'b0}}};           // (client N-1: client 0 comes first)
                    above <= {N{1'b0}};
                end else if ((!cur || x_hs[c]) && |valid) begin
                    grant <= first;
                    above <= ge & ~first;
                end
            end
            reg [SW+AXP_W-1:0] sel;
            integer          j;
            always @(*) begin
                sel = {(SW + AXP_W){1'b0}};
                for (j = 0; j < N; j = j + 1)
                    sel = sel | ({(SW + AXP_W){grant[j]}} & {SW'(j), x_payload[(c*N + j)*AXP_W +: AXP_W]});
            end
            assign x_hs[c] = cur && x_take[c];
            assign x_grant[c*N +: N] = grant;
            assign x_sel[c*(SW+AXP_W) +: SW+AXP_W] = sel;
        end
        assign ar_grant = x_grant[0 +: N];
        assign aw_grant = x_grant[N +: N];
        assign ar_hs = x_hs[0];
        assign aw_hs = x_hs[1];
        assign ar_sel = x_sel[0 +: SW+AXP_W];
        assign aw_sel = x_sel[SW+AXP_W +: SW+AXP_W];

        // ------------------------------------------------------------------ R and B: routed by the ID's upper bits
        wire             r_full, r_empty, b_full, b_empty;
        wire [RP_W-1:0]  r_out;
        wire [BP_W-1:0]  b_out;
        /* verilator lint_off UNUSEDSIGNAL */
        wire [1:0]       r_count, b_count;
        /* verilator lint_on UNUSEDSIGNAL */
        wire [SW-1:0]    r_to = r_out[RP_W-1 -: SW];
        wire [SW-1:0]    b_to = b_out[BP_W-1 -: SW];
        wire [N-1:0]     r_dst, b_dst;
        for (i = 0; i < N; i = i + 1) begin : g_route
            assign r_dst[i] = !r_empty && r_to == SW'(i);
            assign b_dst[i] = !b_empty && b_to == SW'(i);
            assign s_axi_rid[i*CID_W +: CID_W]    = r_out[DATA_W + 3 +: CID_W];
            assign s_axi_rdata[i*DATA_W +: DATA_W] = r_out[3 +: DATA_W];
            assign s_axi_rresp[i*2 +: 2]           = r_out[2:1];
            assign s_axi_rlast[i]                  = r_out[0];
            assign s_axi_bid[i*CID_W +: CID_W]    = b_out[2 +: CID_W];
            assign s_axi_bresp[i*2 +: 2]           = b_out[1:0];
        end
        assign s_axi_rvalid = r_dst;
        assign s_axi_bvalid = b_dst;
        assign m_axi_rready = !r_full;
        assign m_axi_bready = !b_full;
        snn_fifo #(.WIDTH(RP_W), .DEPTH(2)) u_r (
            .clk(clk), .rst(rst), .push(m_axi_rvalid && m_axi_rready), .pop(|(r_dst & s_axi_rready)),
            .din({m_axi_rid, m_axi_rdata, m_axi_rresp, m_axi_rlast}), .dout(r_out),
            .empty(r_empty), .full(r_full), .count(r_count));
        snn_fifo #(.WIDTH(BP_W), .DEPTH(2)) u_b (
            .clk(clk), .rst(rst), .push(m_axi_bvalid && m_axi_bready), .pop(|(b_dst & s_axi_bready)),
            .din({m_axi_bid, m_axi_bresp}), .dout(b_out), .empty(b_empty), .full(b_full), .count(b_count));
    end
endmodule
