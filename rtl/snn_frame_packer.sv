// snn_frame_packer: chunks of 2^ch_log bits (spike fields of one step and group, or A_T words) -> DATA_W-bit
// beats, lowest bits first, each record padded with zeros to a whole beat (golden/ir/frame_memory.py). Chunk and
// beat sizes are powers of two and records start on a beat, so a chunk never straddles a beat unless it is wider
// than one, in which case it leaves as several beats.
`include "snn_check.svh"
module snn_frame_packer #(
    parameter integer DATA_W = 64,
    parameter integer CH_W   = 256
) (
    input  wire              clk,
    input  wire              rst,
    input  wire              ch_valid,
    output wire              ch_ready,
    input  wire [CH_W-1:0]   ch_data,
    input  wire [3:0]        ch_log,
    input  wire              ch_eor,
    output wire              out_valid,
    input  wire              out_ready,
    output wire [DATA_W-1:0] out_data
);
    `SNN_REQUIRE(g_check_w, (DATA_W & (DATA_W - 1)) == 0 && (CH_W & (CH_W - 1)) == 0,
                 "Error: DATA_W and CH_W must be powers of two (instance %m)")
    localparam integer BUF_W = (CH_W > DATA_W) ? CH_W : DATA_W;
    localparam integer FILL_W = $clog2(BUF_W + 1) + 1;

    reg [BUF_W-1:0]  buf_q;
    reg [FILL_W-1:0] fill;          // bits held
    reg              pad;           // the held bits end a record: send them even if the beat is not full
    wire [FILL_W-1:0] n = FILL_W'(1) << ch_log;
    wire full_beat = (fill >= FILL_W'(DATA_W)) || (pad && fill != 0);
    assign out_valid = full_beat;
    assign out_data  = buf_q[DATA_W-1:0];
    wire send = out_valid && out_ready;
    // what is left after this cycle's beat; a chunk goes in while that is less than a beat, so a beat leaves
    // and a chunk arrives in the same cycle (one chunk per cycle at full rate)
    wire [FILL_W-1:0] fill_s = !send ? fill : (fill > FILL_W'(DATA_W)) ? fill - FILL_W'(DATA_W) : {FILL_W{1'b0}};
    wire              pad_s  = (send && fill <= FILL_W'(DATA_W)) ? 1'b0 : pad;
    wire [BUF_W-1:0]  buf_s  = send ? BUF_W'(buf_q >> DATA_W) : buf_q;
    assign ch_ready = (fill_s < FILL_W'(DATA_W)) && !pad_s;
    wire take = ch_valid && ch_ready;

    always @(posedge clk) begin
        if (rst) begin
            fill <= {FILL_W{1'b0}}; pad <= 1'b0; buf_q <= {BUF_W{1'b0}};
        end else if (take) begin
            buf_q <= buf_s | (BUF_W'(ch_data & ((CH_W'(1) << n) - 1'b1)) << fill_s);
            fill <= fill_s + n;
            pad <= ch_eor;
        end else begin
            buf_q <= buf_s; fill <= fill_s; pad <= pad_s;
        end
    end
endmodule
