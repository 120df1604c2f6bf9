// snn_axi_reader_formal: the formal harness of snn_axi_reader (docs/formal.md). The DUT with small parameters, its
// AXI port watched by faxi_master (AXI4 master rules asserted, slave rules assumed); the command and dout sides are
// free inputs (any commands, any back-pressure). Design-specific assertions:
//   a_rd_rready  RREADY is high whenever a read burst is in flight (the credit scheme: every beat in flight has a
//                place in the data FIFO, so no R beat is ever refused and none is lost)
`include "snn_axi_ports.svh"
`include "faxi_channel.svh"
module snn_axi_reader_formal #(
    `FAXI_PROOF_PARAMS
) (
    `SNN_AXI_CMD_PORTS,
    input  wire                halt,         // any halt sequence (error handling)
    output wire                dout_valid,
    input  wire                dout_ready,
    output wire [DATA_W-1:0]   dout_data,
    output wire                dout_last,
    `SNN_M_AXI_RD_PORTS(ID_W, ADDR_W, DATA_W) // the DUT's port: the inputs free, the outputs its own
);
    wire busy, err;
    snn_axi_reader #(`SNN_AXI_MASTER_PASS, .MAX_OUTSTANDING(MAX_OUTSTANDING)) dut (
        `SNN_AXI_CMD_CONNECT, .halt(halt), .inflight(), .dout_valid(dout_valid), .dout_ready(dout_ready),
        .dout_data(dout_data), .dout_last(dout_last), .busy(busy), .err(err), `SNN_M_AXI_RD_CONNECT);

    wire       f_past_valid;
    wire [3:0] f_rd_out;
    faxi_master #(.ID_W(ID_W), .ADDR_W(ADDR_W), .DATA_W(DATA_W), .MAX_BURST(MAX_BURST),
                  .MAX_OUTSTANDING(MAX_OUTSTANDING), .F_RD(1), .F_WR(0)) u_faxi (
        .clk(clk), .rst(rst), `SNN_M_AXI_RD_CONNECT, `FAXI_WR_OFF, .f_past_valid(f_past_valid),
        .f_rd_out(f_rd_out), .f_rd_beat(), .f_rd_len0(), .f_rd_len1(), .f_aw_out(), .f_wd_out(), .f_w_beat(),
        .f_w_len());

    always @(*) if (f_past_valid && f_rd_out != 4'd0) begin
        a_rd_rready: assert(m_axi_rready);
    end
endmodule
