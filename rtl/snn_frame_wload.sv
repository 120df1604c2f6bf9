// snn_frame_wload: fills the weight buffer of a streamed-weights build with one pass's words from the reader
// (golden/backends/rtl/frame_config.py, frame_weights.bin): WPB words to a beat (word i at [WORD_W*i +: WORD_W])
// or one word over BPW beats, little-endian. One word is written a cycle; `start` with the pass's word count, `done`
// once they are all written (the last beat may hold fewer than WPB).
`include "snn_check.svh"
module snn_frame_wload #(
    // beat, weight word, words a beat, beats a word, address
    parameter integer DATA_W = 64, WORD_W = 64, WPB = 1, BPW = 1, WA_W = 10
) (
    input  wire              clk,
    input  wire              rst,
    input  wire              start,
    input  wire [WA_W:0]     words,
    output wire              done,
    input  wire              in_valid,
    output wire              in_ready,
    input  wire [DATA_W-1:0] in_data,
    output reg               we,
    output reg  [WA_W-1:0]   waddr,
    output reg  [WORD_W-1:0] wdata
);
    `SNN_REQUIRE(g_check_pack, (WPB == 1 || BPW == 1) && WPB >= 1 && BPW >= 1 && WPB * WORD_W <= DATA_W * BPW,
                 "Error: WPB and BPW must describe the packing: one of them 1, WPB * WORD_W <= DATA_W * BPW (instance %m)")
    localparam integer IDX_W = (WPB > BPW) ? $clog2(WPB + 1) : $clog2(BPW + 1);
    localparam integer ACC_W = DATA_W * BPW;

    reg [WA_W:0]     left;          // words still to write
    reg              left_nz;       // left != 0, a register: the reader's pop (its FIFO's enables) follows in_ready
    reg [ACC_W-1:0]  held;          // the beat (or the beats of one word)
    reg              full;          // `held` holds data to emit
    reg [IDX_W-1:0]  idx;           // next word within the beat, or beats collected
    assign done = !left_nz && !full;
    assign in_ready = !full && left_nz;

    always @(posedge clk) begin
        we <= 1'b0;
        if (rst) begin
            left <= {(WA_W+1){1'b0}}; left_nz <= 1'b0; full <= 1'b0; idx <= {IDX_W{1'b0}};
        end else if (start) begin
            left <= words; left_nz <= words != {(WA_W+1){1'b0}}; full <= 1'b0; idx <= {IDX_W{1'b0}}; waddr <= {WA_W{1'b0}} - 1'b1;
        end else if (BPW > 1) begin
            if (in_valid && in_ready) begin
                held <= ACC_W'({in_data, held} >> DATA_W);
                if (idx == IDX_W'(BPW - 1)) begin full <= 1'b1; idx <= {IDX_W{1'b0}}; end
                else idx <= idx + 1'b1;
            end
            if (full) begin
                we <= 1'b1; waddr <= waddr + 1'b1; wdata <= WORD_W'(held); left <= left - 1'b1; full <= 1'b0;
                left_nz <= left != {{WA_W{1'b0}}, 1'b1};
            end
        end else begin
            if (in_valid && in_ready) begin held <= ACC_W'(in_data); full <= 1'b1; idx <= {IDX_W{1'b0}}; end
            if (full) begin
                we <= 1'b1; waddr <= waddr + 1'b1; wdata <= WORD_W'(held >> (WORD_W * idx)); left <= left - 1'b1;
                left_nz <= left != {{WA_W{1'b0}}, 1'b1};
                if (idx == IDX_W'(WPB - 1) || left == {{WA_W{1'b0}}, 1'b1}) begin full <= 1'b0; idx <= {IDX_W{1'b0}}; end
                else idx <= idx + 1'b1;
            end
        end
    end
endmodule
