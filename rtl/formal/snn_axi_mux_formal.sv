// snn_axi_mux_formal: the formal harness of snn_axi_mux (docs/formal.md), N = 2 clients. Each client port is
// watched by a faxi_master with F_SLAVE = 1: the client's AXI4 master rules are assumed (any legal client: its
// requests, W beats and stalls free within the rules, at most MAX_OUTSTANDING bursts of its own) and the mux's
// slave rules asserted (a_r_* / a_b_*: R and B only for that client's own accepted bursts, in order, its ID, RLAST by
// its ARLEN, held until taken). The master port is watched by a faxi_master (F_SLAVE = 0): the mux's master rules
// asserted (a_ar_* / a_aw_* / a_w_*: requests held, legal, at most N * MAX_OUTSTANDING in flight, W after its AW
// and in AW order with WLAST by the AWLEN) and any legal slave assumed. Together: whatever the clients and the slave
// do within AXI4, the responses reach the client that asked, and the W beats follow the granted AWs.
`include "snn_axi_ports.svh"
`include "faxi_channel.svh"
module snn_axi_mux_formal #(
    parameter integer N               = 2,
    parameter integer ADDR_W          = 13,
    parameter integer DATA_W          = 32,
    parameter integer CID_W           = 1,
    parameter integer MID_W           = CID_W + 1,
    parameter integer MAX_BURST       = 4,
    parameter integer MAX_OUTSTANDING = 2      // per client
) (
    input  wire                    clk,
    input  wire                    rst,
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
    `SNN_M_AXI_RD_PORTS(MID_W, ADDR_W, DATA_W),
    `SNN_M_AXI_WR_PORTS(MID_W, ADDR_W, DATA_W)
);
    snn_axi_mux #(.N(N), .ADDR_W(ADDR_W), .DATA_W(DATA_W), .CID_W(CID_W), .MID_W(MID_W)) dut (
        .clk(clk), .rst(rst),
        .s_axi_arid(s_axi_arid), .s_axi_araddr(s_axi_araddr), .s_axi_arlen(s_axi_arlen), .s_axi_arsize(s_axi_arsize),
        .s_axi_arburst(s_axi_arburst), .s_axi_arlock(s_axi_arlock), .s_axi_arcache(s_axi_arcache),
        .s_axi_arprot(s_axi_arprot), .s_axi_arqos(s_axi_arqos), .s_axi_arvalid(s_axi_arvalid),
        .s_axi_arready(s_axi_arready), .s_axi_rid(s_axi_rid), .s_axi_rdata(s_axi_rdata), .s_axi_rresp(s_axi_rresp),
        .s_axi_rlast(s_axi_rlast), .s_axi_rvalid(s_axi_rvalid), .s_axi_rready(s_axi_rready),
        .s_axi_awid(s_axi_awid), .s_axi_awaddr(s_axi_awaddr), .s_axi_awlen(s_axi_awlen), .s_axi_awsize(s_axi_awsize),
        .s_axi_awburst(s_axi_awburst), .s_axi_awlock(s_axi_awlock), .s_axi_awcache(s_axi_awcache),
        .s_axi_awprot(s_axi_awprot), .s_axi_awqos(s_axi_awqos), .s_axi_awvalid(s_axi_awvalid),
        .s_axi_awready(s_axi_awready), .s_axi_wdata(s_axi_wdata), .s_axi_wstrb(s_axi_wstrb),
        .s_axi_wlast(s_axi_wlast), .s_axi_wvalid(s_axi_wvalid), .s_axi_wready(s_axi_wready),
        .s_axi_bid(s_axi_bid), .s_axi_bresp(s_axi_bresp), .s_axi_bvalid(s_axi_bvalid), .s_axi_bready(s_axi_bready),
        `SNN_M_AXI_RD_CONNECT, `SNN_M_AXI_WR_CONNECT);

    // the master port: the mux is an AXI4 master
    faxi_master #(.ID_W(MID_W), .ADDR_W(ADDR_W), .DATA_W(DATA_W), .MAX_BURST(MAX_BURST),
                  .MAX_OUTSTANDING(N * MAX_OUTSTANDING)) u_faxi_m (
        .clk(clk), .rst(rst), `SNN_M_AXI_RD_CONNECT, `SNN_M_AXI_WR_CONNECT, .f_past_valid(), .f_rd_out(),
        .f_rd_beat(), .f_rd_len0(), .f_rd_len1(), .f_aw_out(), .f_wd_out(), .f_w_beat(), .f_w_len());

    // each client port: the mux is its AXI4 slave
    genvar i;
    for (i = 0; i < N; i = i + 1) begin : g_client
        faxi_master #(.ID_W(CID_W), .ADDR_W(ADDR_W), .DATA_W(DATA_W), .MAX_BURST(MAX_BURST),
                      .MAX_OUTSTANDING(MAX_OUTSTANDING), .F_SLAVE(1)) u_faxi_s (
            .clk(clk), .rst(rst),
            .m_axi_arid(s_axi_arid[i*CID_W +: CID_W]), .m_axi_araddr(s_axi_araddr[i*ADDR_W +: ADDR_W]),
            .m_axi_arlen(s_axi_arlen[i*8 +: 8]), .m_axi_arsize(s_axi_arsize[i*3 +: 3]),
            .m_axi_arburst(s_axi_arburst[i*2 +: 2]), .m_axi_arlock(s_axi_arlock[i]),
            .m_axi_arcache(s_axi_arcache[i*4 +: 4]), .m_axi_arprot(s_axi_arprot[i*3 +: 3]),
            .m_axi_arqos(s_axi_arqos[i*4 +: 4]), .m_axi_arvalid(s_axi_arvalid[i]), .m_axi_arready(s_axi_arready[i]),
            .m_axi_rid(s_axi_rid[i*CID_W +: CID_W]), .m_axi_rdata(s_axi_rdata[i*DATA_W +: DATA_W]),
            .m_axi_rresp(s_axi_rresp[i*2 +: 2]), .m_axi_rlast(s_axi_rlast[i]), .m_axi_rvalid(s_axi_rvalid[i]),
            .m_axi_rready(s_axi_rready[i]),
            .m_axi_awid(s_axi_awid[i*CID_W +: CID_W]), .m_axi_awaddr(s_axi_awaddr[i*ADDR_W +: ADDR_W]),
            .m_axi_awlen(s_axi_awlen[i*8 +: 8]), .m_axi_awsize(s_axi_awsize[i*3 +: 3]),
            .m_axi_awburst(s_axi_awburst[i*2 +: 2]), .m_axi_awlock(s_axi_awlock[i]),
            .m_axi_awcache(s_axi_awcache[i*4 +: 4]), .m_axi_awprot(s_axi_awprot[i*3 +: 3]),
            .m_axi_awqos(s_axi_awqos[i*4 +: 4]), .m_axi_awvalid(s_axi_awvalid[i]), .m_axi_awready(s_axi_awready[i]),
            .m_axi_wdata(s_axi_wdata[i*DATA_W +: DATA_W]), .m_axi_wstrb(s_axi_wstrb[i*DATA_W/8 +: DATA_W/8]),
            .m_axi_wlast(s_axi_wlast[i]), .m_axi_wvalid(s_axi_wvalid[i]), .m_axi_wready(s_axi_wready[i]),
            .m_axi_bid(s_axi_bid[i*CID_W +: CID_W]), .m_axi_bresp(s_axi_bresp[i*2 +: 2]),
            .m_axi_bvalid(s_axi_bvalid[i]), .m_axi_bready(s_axi_bready[i]),
            .f_past_valid(), .f_rd_out(), .f_rd_beat(), .f_rd_len0(), .f_rd_len1(), .f_aw_out(), .f_wd_out(),
            .f_w_beat(), .f_w_len());
    end
endmodule
