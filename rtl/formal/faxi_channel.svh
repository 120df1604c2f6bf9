// faxi_channel.svh: the pieces the AXI4 master harnesses share (docs/formal.md), written once.
//   FAXI_PROOF_PARAMS       the parameters of the master proofs (snn_axi_reader_formal, snn_axi_writer_formal)
//   FAXI_ADDR_PORTS(c)      one address channel (c: m_axi_ar or m_axi_aw) as checker inputs: id .. qos, valid, ready
//   FAXI_ADDR_CONNECT(c)    its connection to a faxi_addr_channel
//   FAXI_ADDR_ASSERTS(c, ok)  the labelled assertions (a_<c>_reset .. a_<c>_4k, c: ar or aw) of a faxi_addr_channel's
//                           verdicts ok (bit order as in faxi_channel.sv)
//   FAXI_RD_OFF, FAXI_WR_OFF  faxi_master's read / write half tied off (the half its F_RD / F_WR leaves unchecked)
`ifndef FAXI_CHANNEL_SVH
`define FAXI_CHANNEL_SVH
`define FAXI_PROOF_PARAMS \
    parameter integer ADDR_W          = 13, /* >= 12: bit 12 is a second 4 KiB page (the 4 KiB rule is exercised) */ \
    parameter integer DATA_W          = 64, \
    parameter integer ID_W            = 1, \
    parameter integer LEN_W           = 6, \
    parameter integer MAX_BURST       = 4, \
    parameter integer CMD_DEPTH       = 2, \
    parameter integer MAX_OUTSTANDING = 2
`define FAXI_ADDR_PORTS(c) \
    input  wire [ID_W-1:0]     c``id, \
    input  wire [ADDR_W-1:0]   c``addr, \
    input  wire [7:0]          c``len, \
    input  wire [2:0]          c``size, \
    input  wire [1:0]          c``burst, \
    input  wire                c``lock, \
    input  wire [3:0]          c``cache, \
    input  wire [2:0]          c``prot, \
    input  wire [3:0]          c``qos, \
    input  wire                c``valid, \
    input  wire                c``ready
`define FAXI_ADDR_CONNECT(c) \
    .id(c``id), .addr(c``addr), .len(c``len), .size(c``size), .burst(c``burst), .lock(c``lock), .cache(c``cache), \
    .prot(c``prot), .qos(c``qos), .valid(c``valid), .ready(c``ready)
`define FAXI_ADDR_ASSERTS(c, ok) \
    a_``c``_reset:  assert(ok[6]); \
    a_``c``_hold:   assert(ok[5]); \
    a_``c``_incr:   assert(ok[4]); \
    a_``c``_size:   assert(ok[3]); \
    a_``c``_align:  assert(ok[2]); \
    a_``c``_maxlen: assert(ok[1]); \
    a_``c``_4k:     assert(ok[0]);
`define FAXI_RD_OFF \
    .m_axi_arid('0), .m_axi_araddr('0), .m_axi_arlen(8'd0), .m_axi_arsize(3'd0), .m_axi_arburst(2'd0), \
    .m_axi_arlock(1'b0), .m_axi_arcache(4'd0), .m_axi_arprot(3'd0), .m_axi_arqos(4'd0), .m_axi_arvalid(1'b0), \
    .m_axi_arready(1'b0), .m_axi_rid('0), .m_axi_rdata('0), .m_axi_rresp(2'd0), .m_axi_rlast(1'b0), \
    .m_axi_rvalid(1'b0), .m_axi_rready(1'b0)
`define FAXI_WR_OFF \
    .m_axi_awid('0), .m_axi_awaddr('0), .m_axi_awlen(8'd0), .m_axi_awsize(3'd0), .m_axi_awburst(2'd0), \
    .m_axi_awlock(1'b0), .m_axi_awcache(4'd0), .m_axi_awprot(3'd0), .m_axi_awqos(4'd0), .m_axi_awvalid(1'b0), \
    .m_axi_awready(1'b0), .m_axi_wdata('0), .m_axi_wstrb('0), .m_axi_wlast(1'b0), .m_axi_wvalid(1'b0), \
    .m_axi_wready(1'b0), .m_axi_bid('0), .m_axi_bresp(2'd0), .m_axi_bvalid(1'b0), .m_axi_bready(1'b0)
`endif
