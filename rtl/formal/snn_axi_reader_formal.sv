// snn_axi_reader_formal: the formal harness of snn_axi_reader (docs/formal.md). The DUT with small parameters, its
// AXI port watched by faxi_master (AXI4 master rules asserted, slave rules assumed); the command and dout sides are
// free inputs (any commands, any back-pressure). Design-specific assertions:
//   a_rd_rready  RREADY is high whenever a read burst is in flight (the credit scheme: every beat in flight has a
//                place in the data FIFO, so no R beat is ever refused and none is lost)
`include "snn_axi_ports.svh"
module snn_axi_reader_formal #(
    parameter integer ADDR_W          = 13,   // >= 12: bit 12 is a second 4 KiB page, so the 4 KiB rule is exercised
    parameter integer DATA_W          = 64,
    parameter integer ID_W            = 1,
    parameter integer LEN_W           = 6,
    parameter integer MAX_BURST       = 4,
    parameter integer CMD_DEPTH       = 2,
    parameter integer MAX_OUTSTANDING = 2
) (
    `SNN_AXI_CMD_PORTS,
    input  wire              halt,           // any halt sequence (error handling)
    input  wire              dout_ready,
    input  wire              m_axi_arready,
    input  wire [ID_W-1:0]   m_axi_rid,
    input  wire [DATA_W-1:0] m_axi_rdata,
    input  wire [1:0]        m_axi_rresp,
    input  wire              m_axi_rlast,
    input  wire              m_axi_rvalid
);
    wire              dout_valid, dout_last, busy, err;
    wire [DATA_W-1:0] dout_data;
    wire [ID_W-1:0]   m_axi_arid;
    wire [ADDR_W-1:0] m_axi_araddr;
    wire [7:0]        m_axi_arlen;
    wire [2:0]        m_axi_arsize, m_axi_arprot;
    wire [1:0]        m_axi_arburst;
    wire              m_axi_arlock, m_axi_arvalid, m_axi_rready;
    wire [3:0]        m_axi_arcache, m_axi_arqos;

    snn_axi_reader #(`SNN_AXI_MASTER_PASS, .MAX_OUTSTANDING(MAX_OUTSTANDING)) dut (
        `SNN_AXI_CMD_CONNECT, .halt(halt), .inflight(), .dout_valid(dout_valid), .dout_ready(dout_ready),
        .dout_data(dout_data),
        .dout_last(dout_last), .busy(busy), .err(err), `SNN_M_AXI_RD_CONNECT);

    wire       f_past_valid;
    wire [3:0] f_rd_out, f_aw_out, f_wd_out;
    wire [8:0] f_rd_beat, f_rd_len0, f_rd_len1, f_w_beat, f_w_len;
    faxi_master #(.ID_W(ID_W), .ADDR_W(ADDR_W), .DATA_W(DATA_W), .MAX_BURST(MAX_BURST),
                  .MAX_OUTSTANDING(MAX_OUTSTANDING), .F_RD(1), .F_WR(0)) u_faxi (
        .clk(clk), .rst(rst),
        .arid(m_axi_arid), .araddr(m_axi_araddr), .arlen(m_axi_arlen), .arsize(m_axi_arsize),
        .arburst(m_axi_arburst), .arlock(m_axi_arlock), .arcache(m_axi_arcache), .arprot(m_axi_arprot),
        .arqos(m_axi_arqos), .arvalid(m_axi_arvalid), .arready(m_axi_arready), .rid(m_axi_rid),
        .rdata(m_axi_rdata), .rresp(m_axi_rresp), .rlast(m_axi_rlast), .rvalid(m_axi_rvalid),
        .rready(m_axi_rready),
        .awid('0), .awaddr('0), .awlen(8'd0), .awsize(3'd0), .awburst(2'd0), .awlock(1'b0), .awcache(4'd0),
        .awprot(3'd0), .awqos(4'd0), .awvalid(1'b0), .awready(1'b0), .wdata('0), .wstrb('0), .wlast(1'b0),
        .wvalid(1'b0), .wready(1'b0), .bid('0), .bresp(2'd0), .bvalid(1'b0), .bready(1'b0),
        .f_past_valid(f_past_valid), .f_rd_out(f_rd_out), .f_rd_beat(f_rd_beat), .f_rd_len0(f_rd_len0),
        .f_rd_len1(f_rd_len1), .f_aw_out(f_aw_out), .f_wd_out(f_wd_out), .f_w_beat(f_w_beat), .f_w_len(f_w_len));

    always @(*) if (f_past_valid && f_rd_out != 4'd0) begin
        a_rd_rready: assert(m_axi_rready);
    end
endmodule
