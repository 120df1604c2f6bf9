// snn_frame_kernel: the frame engine as a Vitis-style kernel: the AXI4-Lite control block with the register map
// Vitis HLS generates for s_axilite + ap_ctrl_hs (snn_ctrl_axil, docs/ctrl_axil.md: image 0x10, output 0x1c,
// scratch 0x28, weights 0x34, height 0x40, width 0x48, timeout 0x50, status 0x58 with its ap_vld at 0x5c) in front
// of N_ENG snn_frame_engine instances, and one AXI4 master m_axi_*. Every engine parameter passes through.
//
// Several engines (issue 22, docs/deployment.md): engine e computes the column strip e of every layer
// (snn_frame_seq). They start together, wait for each other after every layer (the barrier: the next layer reads
// the neighbours' columns), and a fault of one aborts all; the frame is done when every engine is, with the OR of
// their STATUS. snn_axi_mux puts their AXI masters onto the one m_axi (ID = {engine, engine's ID}). With one
// engine the mux is left out and the master IDs are the engine's.
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
    `SNN_M_AXI_RD_PORTS(ID_W + $clog2(N_ENG), ADDR_W, DATA_W),
    `SNN_M_AXI_WR_PORTS(ID_W + $clog2(N_ENG), ADDR_W, DATA_W)
);
    `SNN_REQUIRE(g_check_eng, N_ENG >= 1 && N_ENG <= 64 && (N_ENG & (N_ENG - 1)) == 0,
                 "Error: N_ENG must be a power of two <= 64 (instance %m)")
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
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_status = ^args[383:352];   // (the status register's copy)
    /* verilator lint_on UNUSEDSIGNAL */

    // ---------------------------------------------------------------- the engines' frame handshake
    wire [N_ENG-1:0]   e_done, e_idle, e_sync, e_fault, e_err, e_stvld;
    wire [4*N_ENG-1:0] e_status;
    reg                busy;            // a frame is running on the engines
    reg  [N_ENG-1:0]   pend;            // engines that have not yet taken its start (one may still clear its band)
    reg  [N_ENG-1:0]   done_seen;       // engines that have finished it
    reg  [3:0]         st_acc;          // the OR of their STATUS so far
    reg                sync_q, pf_q;    // the barrier (every engine finished the layer), some engine's fault
    wire               all_idle = &e_idle;
    wire               e_start  = ap_start && !busy && all_idle;
    wire [N_ENG-1:0]   e_took   = e_stvld & ~e_done;   // an engine's status_vld out of DONE: it took ap_start
    wire               all_done = &(done_seen | e_done);
    reg  [3:0]         st_now;
    integer            k;
    always @* begin
        st_now = st_acc;
        for (k = 0; k < N_ENG; k = k + 1) st_now = st_now | e_status[4*k +: 4];   // 0 outside an engine's DONE
    end
    assign ap_done    = busy && all_done;
    assign ap_ready   = ap_done;
    assign ap_idle    = !busy && all_idle;
    assign status     = ap_done ? st_now : 4'd0;
    assign status_vld = ap_done || e_start;
    assign err        = |e_err;
    always @(posedge clk) begin
        sync_q <= &e_sync;
        pf_q   <= |e_fault;
        if (rst) begin
            busy <= 1'b0; pend <= {N_ENG{1'b0}}; done_seen <= {N_ENG{1'b0}}; st_acc <= 4'd0; sync_q <= 1'b0;
            pf_q <= 1'b0;
        end else if (e_start) begin
            busy <= 1'b1; pend <= {N_ENG{1'b1}}; done_seen <= {N_ENG{1'b0}}; st_acc <= 4'd0;
        end else if (busy) begin
            pend <= pend & ~e_took;
            done_seen <= done_seen | e_done; st_acc <= st_now;
            if (all_done) busy <= 1'b0;
        end
    end

    // ---------------------------------------------------------------- engines, their AXI masters
        wire [N_ENG*(ID_W)-1:0] e_arid;
        wire [N_ENG*(ADDR_W)-1:0] e_araddr;
        wire [N_ENG*(8)-1:0] e_arlen;
        wire [N_ENG*(3)-1:0] e_arsize;
        wire [N_ENG*(2)-1:0] e_arburst;
        wire [N_ENG*(1)-1:0] e_arlock;
        wire [N_ENG*(4)-1:0] e_arcache;
        wire [N_ENG*(3)-1:0] e_arprot;
        wire [N_ENG*(4)-1:0] e_arqos;
        wire [N_ENG*(1)-1:0] e_arvalid;
        wire [N_ENG*(1)-1:0] e_arready;
        wire [N_ENG*(ID_W)-1:0] e_rid;
        wire [N_ENG*(DATA_W)-1:0] e_rdata;
        wire [N_ENG*(2)-1:0] e_rresp;
        wire [N_ENG*(1)-1:0] e_rlast;
        wire [N_ENG*(1)-1:0] e_rvalid;
        wire [N_ENG*(1)-1:0] e_rready;
        wire [N_ENG*(ID_W)-1:0] e_awid;
        wire [N_ENG*(ADDR_W)-1:0] e_awaddr;
        wire [N_ENG*(8)-1:0] e_awlen;
        wire [N_ENG*(3)-1:0] e_awsize;
        wire [N_ENG*(2)-1:0] e_awburst;
        wire [N_ENG*(1)-1:0] e_awlock;
        wire [N_ENG*(4)-1:0] e_awcache;
        wire [N_ENG*(3)-1:0] e_awprot;
        wire [N_ENG*(4)-1:0] e_awqos;
        wire [N_ENG*(1)-1:0] e_awvalid;
        wire [N_ENG*(1)-1:0] e_awready;
        wire [N_ENG*(DATA_W)-1:0] e_wdata;
        wire [N_ENG*(DATA_W/8)-1:0] e_wstrb;
        wire [N_ENG*(1)-1:0] e_wlast;
        wire [N_ENG*(1)-1:0] e_wvalid;
        wire [N_ENG*(1)-1:0] e_wready;
        wire [N_ENG*(ID_W)-1:0] e_bid;
        wire [N_ENG*(2)-1:0] e_bresp;
        wire [N_ENG*(1)-1:0] e_bvalid;
        wire [N_ENG*(1)-1:0] e_bready;
    genvar i;
    generate
        for (i = 0; i < N_ENG; i = i + 1) begin : g_eng
            /* verilator lint_off UNUSEDSIGNAL */
            wire e_ready;   // (ap_done: the kernel's handshake above)
            /* verilator lint_on UNUSEDSIGNAL */
            snn_frame_engine #(`SNN_FRAME_PASS)
                u_engine (.clk(clk), .rst(rst), .ap_start(pend[i]), .ap_done(e_done[i]), .ap_idle(e_idle[i]),
                          .ap_ready(e_ready), .image(args[63:0]), .output_buf(args[127:64]),
                          .scratch(args[191:128]), .weights(args[255:192]), .height(args[287:256]),
                          .width(args[319:288]), .timeout(args[351:320]), .status(e_status[4*i +: 4]),
                          .status_vld(e_stvld[i]), .err(e_err[i]), .sync_out(e_sync[i]), .sync_in(sync_q),
                          .fault(e_fault[i]), .peer_fault(pf_q), .eng_idx(6'(i)),
                          .m_axi_arid(e_arid[i*(ID_W) +: (ID_W)]),
                          .m_axi_araddr(e_araddr[i*(ADDR_W) +: (ADDR_W)]),
                          .m_axi_arlen(e_arlen[i*(8) +: (8)]),
                          .m_axi_arsize(e_arsize[i*(3) +: (3)]),
                          .m_axi_arburst(e_arburst[i*(2) +: (2)]),
                          .m_axi_arlock(e_arlock[i*(1) +: (1)]),
                          .m_axi_arcache(e_arcache[i*(4) +: (4)]),
                          .m_axi_arprot(e_arprot[i*(3) +: (3)]),
                          .m_axi_arqos(e_arqos[i*(4) +: (4)]),
                          .m_axi_arvalid(e_arvalid[i*(1) +: (1)]),
                          .m_axi_arready(e_arready[i*(1) +: (1)]),
                          .m_axi_rid(e_rid[i*(ID_W) +: (ID_W)]),
                          .m_axi_rdata(e_rdata[i*(DATA_W) +: (DATA_W)]),
                          .m_axi_rresp(e_rresp[i*(2) +: (2)]),
                          .m_axi_rlast(e_rlast[i*(1) +: (1)]),
                          .m_axi_rvalid(e_rvalid[i*(1) +: (1)]),
                          .m_axi_rready(e_rready[i*(1) +: (1)]),
                          .m_axi_awid(e_awid[i*(ID_W) +: (ID_W)]),
                          .m_axi_awaddr(e_awaddr[i*(ADDR_W) +: (ADDR_W)]),
                          .m_axi_awlen(e_awlen[i*(8) +: (8)]),
                          .m_axi_awsize(e_awsize[i*(3) +: (3)]),
                          .m_axi_awburst(e_awburst[i*(2) +: (2)]),
                          .m_axi_awlock(e_awlock[i*(1) +: (1)]),
                          .m_axi_awcache(e_awcache[i*(4) +: (4)]),
                          .m_axi_awprot(e_awprot[i*(3) +: (3)]),
                          .m_axi_awqos(e_awqos[i*(4) +: (4)]),
                          .m_axi_awvalid(e_awvalid[i*(1) +: (1)]),
                          .m_axi_awready(e_awready[i*(1) +: (1)]),
                          .m_axi_wdata(e_wdata[i*(DATA_W) +: (DATA_W)]),
                          .m_axi_wstrb(e_wstrb[i*(DATA_W/8) +: (DATA_W/8)]),
                          .m_axi_wlast(e_wlast[i*(1) +: (1)]),
                          .m_axi_wvalid(e_wvalid[i*(1) +: (1)]),
                          .m_axi_wready(e_wready[i*(1) +: (1)]),
                          .m_axi_bid(e_bid[i*(ID_W) +: (ID_W)]),
                          .m_axi_bresp(e_bresp[i*(2) +: (2)]),
                          .m_axi_bvalid(e_bvalid[i*(1) +: (1)]),
                          .m_axi_bready(e_bready[i*(1) +: (1)]));
        end
        if (N_ENG == 1) begin : g_one
            assign {m_axi_arid, m_axi_araddr, m_axi_arlen, m_axi_arsize, m_axi_arburst, m_axi_arlock, m_axi_arcache,
                    m_axi_arprot, m_axi_arqos, m_axi_arvalid} =
                   {e_arid, e_araddr, e_arlen, e_arsize, e_arburst, e_arlock, e_arcache, e_arprot, e_arqos, e_arvalid};
            assign {e_arready, e_rid, e_rdata, e_rresp, e_rlast, e_rvalid} =
                   {m_axi_arready, m_axi_rid, m_axi_rdata, m_axi_rresp, m_axi_rlast, m_axi_rvalid};
            assign m_axi_rready = e_rready;
            assign {m_axi_awid, m_axi_awaddr, m_axi_awlen, m_axi_awsize, m_axi_awburst, m_axi_awlock, m_axi_awcache,
                    m_axi_awprot, m_axi_awqos, m_axi_awvalid, m_axi_wdata, m_axi_wstrb, m_axi_wlast, m_axi_wvalid} =
                   {e_awid, e_awaddr, e_awlen, e_awsize, e_awburst, e_awlock, e_awcache, e_awprot, e_awqos, e_awvalid,
                    e_wdata, e_wstrb, e_wlast, e_wvalid};
            assign {e_awready, e_wready, e_bid, e_bresp, e_bvalid} =
                   {m_axi_awready, m_axi_wready, m_axi_bid, m_axi_bresp, m_axi_bvalid};
            assign m_axi_bready = e_bready;
        end else begin : g_mux
            snn_axi_mux #(.N(N_ENG), .ADDR_W(ADDR_W), .DATA_W(DATA_W), .CID_W(ID_W))
                u_mux (.clk(clk), .rst(rst),
                   .s_axi_arid(e_arid),
                   .s_axi_araddr(e_araddr),
                   .s_axi_arlen(e_arlen),
                   .s_axi_arsize(e_arsize),
                   .s_axi_arburst(e_arburst),
                   .s_axi_arlock(e_arlock),
                   .s_axi_arcache(e_arcache),
                   .s_axi_arprot(e_arprot),
                   .s_axi_arqos(e_arqos),
                   .s_axi_arvalid(e_arvalid),
                   .s_axi_arready(e_arready),
                   .s_axi_rid(e_rid),
                   .s_axi_rdata(e_rdata),
                   .s_axi_rresp(e_rresp),
                   .s_axi_rlast(e_rlast),
                   .s_axi_rvalid(e_rvalid),
                   .s_axi_rready(e_rready),
                   .s_axi_awid(e_awid),
                   .s_axi_awaddr(e_awaddr),
                   .s_axi_awlen(e_awlen),
                   .s_axi_awsize(e_awsize),
                   .s_axi_awburst(e_awburst),
                   .s_axi_awlock(e_awlock),
                   .s_axi_awcache(e_awcache),
                   .s_axi_awprot(e_awprot),
                   .s_axi_awqos(e_awqos),
                   .s_axi_awvalid(e_awvalid),
                   .s_axi_awready(e_awready),
                   .s_axi_wdata(e_wdata),
                   .s_axi_wstrb(e_wstrb),
                   .s_axi_wlast(e_wlast),
                   .s_axi_wvalid(e_wvalid),
                   .s_axi_wready(e_wready),
                   .s_axi_bid(e_bid),
                   .s_axi_bresp(e_bresp),
                   .s_axi_bvalid(e_bvalid),
                   .s_axi_bready(e_bready),
                   `SNN_M_AXI_RD_CONNECT, `SNN_M_AXI_WR_CONNECT);
        end
    endgenerate
endmodule
