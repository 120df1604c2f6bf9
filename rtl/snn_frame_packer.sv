// snn_frame_packer: chunks of 2^ch_log bits (spike fields of one step and group, or A_T words) -> DATA_W-bit
// beats, lowest bits first, each record padded with zeros to a whole beat (golden/ir/frame_memory.py). Chunk and
// beat sizes are powers of two and records start on a beat, so a chunk never straddles a beat unless it is wider
// than one, in which case it leaves as several beats.
//
// Pipelined (issue 22): ch_ready, out_valid and out_data are registers. A chunk is taken into the head register
// (or, while the head waits, a skid register: ch_ready is "the skid is empty"), its low bits repeated across a
// beat on the way in, so that placing it at the fill position is an AND with that slot's bits, not a shift. The
// chunks of a beat all have one size (one layer's records), so the slot is the fill position's bits above
// ch_log. A beat goes to the output register when its last slot is filled or the record ends; a chunk wider than
// a beat leaves one beat a cycle. One chunk a cycle at full rate.
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
    `SNN_REQUIRE(g_check_w, DATA_W >= 2 && (DATA_W & (DATA_W - 1)) == 0 && (CH_W & (CH_W - 1)) == 0,
                 "Error: DATA_W and CH_W must be powers of two (instance %m)")
    localparam integer HW  = (CH_W > DATA_W) ? CH_W : DATA_W;    // a chunk as held
    localparam integer NB  = HW / DATA_W;                        // beats of the widest chunk
    localparam integer NB_W = (NB > 1) ? $clog2(NB) : 1;
    localparam integer LD  = $clog2(DATA_W);                     // log2 of a beat's bits

    // ---------------------------------------------------------------- the chunk in: head and skid
    // below a beat, bit b of the held low word is chunk bit b mod 2^ch_log (the chunk repeated)
    reg [DATA_W-1:0] rep;
    integer b;
    always @* begin
        for (b = 0; b < DATA_W; b = b + 1) rep[b] = ch_data[b % CH_W];
        for (b = 0; b < DATA_W; b = b + 1)
            if (ch_log < 4'(LD)) rep[b] = ch_data[b & ((1 << ch_log) - 1)];
    end
    wire [HW-1:0] in_w = HW'(rep) | ((HW > DATA_W) ? (HW'(ch_data) & ~HW'({DATA_W{1'b1}})) : {HW{1'b0}});

    reg              hv, sv;               // head, skid valid
    reg [HW-1:0]     hd, sd;
    reg [3:0]        hlog, slog;
    reg              heor, seor;
    assign ch_ready = !sv;
    wire take = ch_valid && !sv;

    // ---------------------------------------------------------------- the beat being filled, the output
    reg [DATA_W-1:0] acc;                  // the slots filled so far
    reg [LD-1:0]     pos;                  // the fill position (bits), a multiple of the chunk's size
    reg [NB_W-1:0]   bk;                   // a wide chunk: the beat of it that goes next
    reg              ov;
    reg [DATA_W-1:0] od;
    assign out_valid = ov;
    assign out_data  = od;

    wire narrow = hlog <= 4'(LD);           // the chunk fits a beat
    // the slot of the fill position: bits b with (b ^ pos) >> hlog == 0
    reg [DATA_W-1:0] slot;
    always @* for (b = 0; b < DATA_W; b = b + 1) slot[b] = ((LD'(b) ^ pos) >> hlog) == {LD{1'b0}};
    wire [DATA_W-1:0] beat = acc | (hd[DATA_W-1:0] & slot);
    // the last slot of the beat: pos + 2^hlog == DATA_W; a wide chunk's last beat: bk == 2^(hlog - LD) - 1
    // (2^n - 1 as n ones, not a subtraction)
    reg [LD-1:0]   low;
    reg [NB_W-1:0] bk_last;
    integer i;
    always @* begin
        for (i = 0; i < LD; i = i + 1) low[i] = 4'(i) < hlog;
        for (i = 0; i < NB_W; i = i + 1) bk_last[i] = 4'(i + LD) < hlog;
    end
    wire full = ((pos | low) == {LD{1'b1}}) || hlog >= 4'(LD);
    wire last_bk = bk == bk_last;
    wire adv  = hv && (!ov || out_ready);  // the head moves on this cycle (a beat of it, or all of it)
    wire emit = adv && (!narrow || full || heor);
    wire done = adv && (narrow || last_bk); // the head is used up
    /* verilator lint_off WIDTHEXPAND */
    wire [DATA_W-1:0] slice = hd[DATA_W*bk +: DATA_W];
    /* verilator lint_on WIDTHEXPAND */

    always @(posedge clk) begin
        if (rst) begin
            hv <= 1'b0; sv <= 1'b0; ov <= 1'b0; acc <= {DATA_W{1'b0}}; pos <= {LD{1'b0}}; bk <= {NB_W{1'b0}};
        end else begin
            // head and skid
            if (done) begin
                if (sv) begin hd <= sd; hlog <= slog; heor <= seor; sv <= 1'b0; end
                else if (take) begin hd <= in_w; hlog <= ch_log; heor <= ch_eor; end
                else hv <= 1'b0;
            end else if (take) begin
                if (!hv) begin hd <= in_w; hlog <= ch_log; heor <= ch_eor; hv <= 1'b1; end
                else begin sd <= in_w; slog <= ch_log; seor <= ch_eor; sv <= 1'b1; end
            end
            // the beat
            if (adv && narrow) begin
                acc <= (full || heor) ? {DATA_W{1'b0}} : beat;
                pos <= (full || heor) ? {LD{1'b0}} : pos + (LD'(1) << hlog);
            end
            if (adv && !narrow) bk <= last_bk ? {NB_W{1'b0}} : bk + 1'b1;
            if (emit) begin
                ov <= 1'b1;
                od <= narrow ? beat : slice;
            end else if (out_ready) ov <= 1'b0;
        end
    end
endmodule
