// snn_axi_writer_formal: the formal harness of snn_axi_writer (docs/formal.md). The DUT with small parameters, its
// AXI port watched by faxi_master (AXI4 master rules asserted, slave rules assumed); the command and din sides are
// free inputs (any commands, any data, any gaps). Design-specific assertions:
//   a_wr_bready   BREADY is always high: every B is taken in the cycle it comes (none is lost or stalled)
//   a_wr_buffered a W beat goes out only when a din beat is buffered for it (the writer issues an AW only once all
//                 its beats are in the data FIFO, so W never sends a beat it does not have)
`include "snn_axi_ports.svh"
`include "faxi_channel.svh"
module snn_axi_writer_formal #(
    `FAXI_PROOF_PARAMS
) (
    `SNN_AXI_CMD_PORTS,
    input  wire                halt,         // any halt sequence (error handling)
    input  wire                din_valid,
    output wire                din_ready,
    input  wire [DATA_W-1:0]   din_data,
    `SNN_M_AXI_WR_PORTS(ID_W, ADDR_W, DATA_W) // the DUT's port: the inputs free, the outputs its own
);
    wire idle, err;
    snn_axi_writer #(`SNN_AXI_MASTER_PASS, .MAX_OUTSTANDING(MAX_OUTSTANDING)) dut (
        `SNN_AXI_CMD_CONNECT, .halt(halt), .inflight(), .din_valid(din_valid), .din_ready(din_ready),
        .din_data(din_data), .idle(idle), .err(err), `SNN_M_AXI_WR_CONNECT);

    wire f_past_valid;
    faxi_master #(.ID_W(ID_W), .ADDR_W(ADDR_W), .DATA_W(DATA_W), .MAX_BURST(MAX_BURST),
                  .MAX_OUTSTANDING(MAX_OUTSTANDING), .F_RD(0), .F_WR(1)) u_faxi (
        .clk(clk), .rst(rst), `FAXI_RD_OFF, `SNN_M_AXI_WR_CONNECT, .f_past_valid(f_past_valid), .f_rd_out(),
        .f_rd_beat(), .f_rd_len0(), .f_rd_len1(), .f_aw_out(), .f_wd_out(), .f_w_beat(), .f_w_len());

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
