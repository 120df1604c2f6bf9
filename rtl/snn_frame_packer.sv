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
    // (an AND-OR over ch_log's one-hot decode with constant indices: two levels of logic, no mask arithmetic and no
    // priority chain between the chunk FIFO's head and the head register)
    reg [DATA_W-1:0] rep;
    reg [LD-1:0]     lg_oh;                // ch_log == r, r < LD
    integer b, r;
    always @* begin
        for (r = 0; r < LD; r = r + 1) lg_oh[r] = (ch_log == 4'(r));
        for (b = 0; b < DATA_W; b = b + 1) begin
            rep[b] = !(|lg_oh) && ch_data[b % CH_W];
            for (r = 0; r < LD; r = r + 1) rep[b] = rep[b] | (lg_oh[r] && ch_data[(b % (1 << r)) % CH_W]);
        end
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

    // the head's size, decoded when it is loaded (registers): it fits a beat, or fills one; its size mask
    reg              narrow, wide;
    reg [LD-1:0]     low;                  // bits below hlog
    reg [NB_W-1:0]   bk_last;              // a wide chunk's last beat: 2^(hlog - LD) - 1, as ones
    task automatic load_head(input [HW-1:0] d, input [3:0] lg, input eor);
        integer n;
        begin
            hd <= d; hlog <= lg; heor <= eor;
            narrow <= lg <= 4'(LD); wide <= lg >= 4'(LD);
            for (n = 0; n < LD; n = n + 1) low[n] <= 4'(n) < lg;
            for (n = 0; n < NB_W; n = n + 1) bk_last[n] <= 4'(n + LD) < lg;
        end
    endtask
    // the slot of the fill position: bits b with (b ^ pos) >> hlog == 0, i.e. equal to pos above the chunk's size
    // (low, a register: a masked compare, no shifter behind hlog)
    reg [DATA_W-1:0] slot;
    always @* for (b = 0; b < DATA_W; b = b + 1) slot[b] = ((LD'(b) ^ pos) & ~low) == {LD{1'b0}};
    wire [DATA_W-1:0] beat = acc | (hd[DATA_W-1:0] & slot);
    // the last slot of the beat: pos + 2^hlog == DATA_W
    wire full = ((pos | low) == {LD{1'b1}}) || wide;
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
                if (sv) begin load_head(sd, slog, seor); sv <= 1'b0; end
                else if (take) load_head(in_w, ch_log, ch_eor);
                else hv <= 1'b0;
            end else if (take) begin
                if (!hv) begin load_head(in_w, ch_log, ch_eor); hv <= 1'b1; end
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
