// snn_axi_writer_formal: the formal harness of snn_axi_writer (docs/formal.md). The DUT with small parameters, its
// AXI port watched by faxi_master (AXI4 master rules asserted, slave rules assumed); the command and din sides are
// free inputs (any commands, any data, any gaps). Design-specific assertions:
//   a_wr_bready   BREADY is always high: every B is taken in the cycle it comes (none is lost or stalled)
//   a_wr_buffered a W beat goes out only when a din beat is buffered for it (the writer issues an AW only once all
//                 its beats are in the data FIFO, so W never sends a beat it does not have)
`include "snn_axi_ports.svh"
module snn_axi_writer_formal #(
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
    input  wire              din_valid,
    input  wire [DATA_W-1:0] din_data,
    input  wire              m_axi_awready,
    input  wire              m_axi_wready,
    input  wire [ID_W-1:0]   m_axi_bid,
    input  wire [1:0]        m_axi_bresp,
    input  wire              m_axi_bvalid
);
    wire                din_ready, idle, err;
    wire [ID_W-1:0]     m_axi_awid;
    wire [ADDR_W-1:0]   m_axi_awaddr;
    wire [7:0]          m_axi_awlen;
    wire [2:0]          m_axi_awsize, m_axi_awprot;
    wire [1:0]          m_axi_awburst;
    wire                m_axi_awlock, m_axi_awvalid, m_axi_wlast, m_axi_wvalid, m_axi_bready;
    wire [3:0]          m_axi_awcache, m_axi_awqos;
    wire [DATA_W-1:0]   m_axi_wdata;
    wire [DATA_W/8-1:0] m_axi_wstrb;

    snn_axi_writer #(`SNN_AXI_MASTER_PASS, .MAX_OUTSTANDING(MAX_OUTSTANDING)) dut (
        `SNN_AXI_CMD_CONNECT, .halt(halt), .inflight(), .din_valid(din_valid), .din_ready(din_ready),
        .din_data(din_data), .idle(idle),
        .err(err), `SNN_M_AXI_WR_CONNECT);

    wire       f_past_valid;
    wire [3:0] f_rd_out, f_aw_out, f_wd_out;
    wire [8:0] f_rd_beat, f_rd_len0, f_rd_len1, f_w_beat, f_w_len;
    faxi_master #(.ID_W(ID_W), .ADDR_W(ADDR_W), .DATA_W(DATA_W), .MAX_BURST(MAX_BURST),
                  .MAX_OUTSTANDING(MAX_OUTSTANDING), .F_RD(0), .F_WR(1)) u_faxi (
        .clk(clk), .rst(rst),
        .arid('0), .araddr('0), .arlen(8'd0), .arsize(3'd0), .arburst(2'd0), .arlock(1'b0), .arcache(4'd0),
        .arprot(3'd0), .arqos(4'd0), .arvalid(1'b0), .arready(1'b0), .rid('0), .rdata('0), .rresp(2'd0),
        .rlast(1'b0), .rvalid(1'b0), .rready(1'b0),
        .awid(m_axi_awid), .awaddr(m_axi_awaddr), .awlen(m_axi_awlen), .awsize(m_axi_awsize),
        .awburst(m_axi_awburst), .awlock(m_axi_awlock), .awcache(m_axi_awcache), .awprot(m_axi_awprot),
        .awqos(m_axi_awqos), .awvalid(m_axi_awvalid), .awready(m_axi_awready), .wdata(m_axi_wdata),
        .wstrb(m_axi_wstrb), .wlast(m_axi_wlast), .wvalid(m_axi_wvalid), .wready(m_axi_wready), .bid(m_axi_bid),
        .bresp(m_axi_bresp), .bvalid(m_axi_bvalid), .bready(m_axi_bready),
        .f_past_valid(f_past_valid), .f_rd_out(f_rd_out), .f_rd_beat(f_rd_beat), .f_rd_len0(f_rd_len0),
        .f_rd_len1(f_rd_len1), .f_aw_out(f_aw_out), .f_wd_out(f_wd_out), .f_w_beat(f_w_beat), .f_w_len(f_w_len));


    // din beats buffered and not yet sent on W
    reg [7:0] f_buf;
    always @(posedge clk) begin
        if (rst) f_buf <= 8'd0;
        else     f_buf <= f_buf + 8'(din_valid && din_ready) - 8'(m_axi_wvalid && m_axi_wready);
    end
    always @(*) if (f_past_valid) begin
        a_wr_bready: assert(m_axi_bready);
        if (m_axi_wvalid) begin
            a_wr_buffered: assert(f_buf != 8'd0);
        end
    end
endmodule
