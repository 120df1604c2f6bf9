// faxi_channel: the rules of one AXI VALID / READY channel, shared by the checkers faxi_master and faxil_slave
// (docs/formal.md). The modules only compute verdicts (1: the rule holds); the checker asserts or assumes them under
// its own labels, and only once its f_past_valid is high (the first cycle has no previous one).
//
// faxi_handshake: ok_reset  VALID low in the cycle after a reset cycle
//                 ok_hold   VALID, once up and not taken by READY (in a cycle that was not a reset), stays up with the
//                           payload unchanged
module faxi_handshake #(
    parameter integer W = 1                  // payload bits
) (
    input  wire         clk,
    input  wire         rst,
    input  wire         valid,
    input  wire         ready,
    input  wire [W-1:0] payload,
    output wire         ok_reset,
    output wire         ok_hold
);
    // the previous cycle in registers, so that a violation fails in its own cycle
    reg         p_rst, p_wait;
    reg [W-1:0] p_payload;
    always @(posedge clk) begin
        p_rst     <= rst;
        p_wait    <= valid && !ready;
        p_payload <= payload;
    end
    assign ok_reset = !p_rst || !valid;
    assign ok_hold  = p_rst || !p_wait || (valid && payload == p_payload);
endmodule

// faxi_addr_channel: an AXI4 master's AR or AW channel. ok = {reset, hold, incr, size, align, maxlen, 4k}:
//   reset, hold  (faxi_handshake) with the whole payload: id, addr, len, size, burst, lock, cache, prot, qos
//   incr, size, align   INCR bursts of full-width (log2(DATA_W/8)), beat-aligned beats
//   maxlen       AxLEN + 1 <= MAX_BURST
//   4k           no burst crosses a 4 KiB boundary
module faxi_addr_channel #(
    // the bus and the longest burst
    parameter integer ID_W = 1, ADDR_W = 16, DATA_W = 64, MAX_BURST = 16
) (
    input  wire              clk,
    input  wire              rst,
    input  wire [ID_W-1:0]   id,
    input  wire [ADDR_W-1:0] addr,
    input  wire [7:0]        len,
    input  wire [2:0]        size,
    input  wire [1:0]        burst,
    input  wire              lock,
    input  wire [3:0]        cache,
    input  wire [2:0]        prot,
    input  wire [3:0]        qos,
    input  wire              valid,
    input  wire              ready,
    output wire [6:0]        ok
);
    localparam integer SIZE = $clog2(DATA_W / 8);
    wire        ok_reset, ok_hold;
    wire [12:0] last_end = {1'b0, addr[11:0]} + ({5'd0, len} + 13'd1 << SIZE);
    faxi_handshake #(.W(ID_W + ADDR_W + 8 + 3 + 2 + 1 + 4 + 3 + 4)) u_hs (
        .clk(clk), .rst(rst), .valid(valid), .ready(ready),
        .payload({id, addr, len, size, burst, lock, cache, prot, qos}), .ok_reset(ok_reset), .ok_hold(ok_hold));
    assign ok = {ok_reset, ok_hold,
                 !valid || burst == 2'b01,
                 !valid || size == 3'(SIZE),
                 !valid || addr[SIZE-1:0] == '0,
                 !valid || {1'b0, len} + 9'd1 <= 9'(MAX_BURST),
                 !valid || last_end <= 13'd4096};
endmodule
