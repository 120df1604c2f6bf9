// snn_frame_scan: turns the rows a layer reads from external memory into events (docs/frame_engine.md).
//
// For input row iy = 0 .. h_in-1 it emits a START(iy) marker, then for each source (1 or 2, a concat) the row's
// beats in memory order, then an END(iy) marker. A beat holds DATA_W / FB fields: spike words (FB = pow2(K)
// bits, field f of a record = step f >> cl, channel f & (c_pad-1)) or image bytes (field f of a row = pixel
// f >> cl, channel f & (c_pad-1)). Every nonzero field of a real (step, channel, pixel) becomes one event, lowest
// field first: one cycle per event, one cycle for a beat without any. Padding fields are skipped even when the
// host left garbage there. The event carries the spike magnitude (contract §3: sum_i s_i << (e_i - e_min)) or
// the pixel, the step, the global input channel (source 1 after source 0's channels) and the pixel column. A source
// laid out in passes (np > 1) has np row segments of w_in sub-records; segment p holds channels p << cl ...
//
// Timing (issue 22): which fields of a beat are real does not depend on its data, so it is computed for the next
// beat (from the beat index, source and segment it will have) and registered when a beat is taken (real_q), with
// that beat's first field's step / pixel (xt_q) and global channel (c_q). A beat's search is then: nonzero test,
// the registered mask, the lowest live field; the event's step / pixel and channel are the registered bases plus
// the picked field's offset within the beat (pick >> cl, pick & (2^cl - 1): exact, the beat starts on a multiple
// of its field count). Same events, same order, one a cycle, as before.
`include "snn_check.svh"
module snn_frame_scan #(
    parameter integer DATA_W = 64,
    parameter integer K      = 4,
    parameter integer FB     = 4,                                  // pow2(K): bits of a spike field in memory
    parameter integer T      = 10,
    parameter integer VAL_W  = 8,
    parameter integer X_W    = 10,
    parameter integer Y_W    = 16,
    parameter integer C_W    = 8,
    parameter integer RB_W   = 8,
    parameter [K*8-1:0] SPIKE_SHIFT = {8'd0, 8'd1, 8'd2, 8'd3}     // e_i - e_min at [8i +: 8]
) (
    input  wire              clk,
    input  wire              rst,
    input  wire              start,                 // one pulse per layer, with the layer fields below stable
    input  wire              is_image,
    input  wire              two_src,
    input  wire [Y_W-1:0]    h_in,
    input  wire [X_W-1:0]    w_in,
    input  wire [RB_W-1:0]   rb0, rb1,              // beats per record (image: beats per row)
    input  wire [3:0]        cl0, cl1,              // log2 of the channels of a (sub-)record of each source
    input  wire [C_W-1:0]    np0, np1,              // row segments (passes) of each source's layout
    input  wire [C_W-1:0]    c0, c1,                // channels of each source
    input  wire              in_valid,
    output wire              in_ready,
    input  wire [DATA_W-1:0] in_data,
    output reg               ev_valid,
    input  wire              ev_full,
    output reg  [1:0]        ev_type,               // 0 data, 1 START, 2 END
    output reg  [Y_W-1:0]    ev_y,
    output reg  [X_W-1:0]    ev_x,
    output reg  [T_W-1:0]    ev_t,
    output reg  [C_W-1:0]    ev_c,
    output reg  [VAL_W-1:0]  ev_val,
    output wire              busy
);
    localparam integer T_W   = (T > 1) ? $clog2(T) : 1;
    localparam integer NF    = DATA_W / FB;         // spike fields per beat
    localparam integer NB    = DATA_W / 8;          // image bytes per beat
    localparam integer NFMAX = (NF > NB) ? NF : NB;
    localparam integer FI_W  = $clog2(NFMAX);
    localparam integer F_W   = RB_W + FI_W + 1;     // a field's index in its record (or image row)
    `SNN_REQUIRE(g_check_fb, FB >= K && (FB & (FB - 1)) == 0 && FB <= 8, "Error: FB must be pow2(K) <= 8 (instance %m)")
    `SNN_REQUIRE(g_check_dw, DATA_W % 8 == 0 && DATA_W >= 32, "Error: DATA_W must be a multiple of 8, >= 32 (instance %m)")

    localparam [1:0] S_IDLE = 2'd0, S_START = 2'd1, S_BEATS = 2'd2, S_END = 2'd3;
    reg [1:0]      state;
    reg [Y_W-1:0]  iy;
    reg            src;                             // source being read
    reg [X_W-1:0]  x;                               // record (pixel) of the beat, spike sources
    reg [RB_W-1:0] bi;                              // beat within the record (image: within the row)
    reg [C_W-1:0]  seg;                             // row segment (pass) of a source laid out in passes
    reg [NFMAX-1:0] taken;                          // fields of the current beat already emitted
    assign busy = (state != S_IDLE);

    wire [RB_W-1:0] rb = src ? rb1 : rb0;
    wire [3:0]      ccl = src ? cl1 : cl0;        // (the current beat's; cl: the next beat's)
    wire [C_W-1:0]  ns = src ? np1 : np0;

    wire last_beat_of_record = (bi == rb - 1'b1);
    wire last_x              = (x == w_in - 1'b1);
    wire last_beat_of_row    = is_image ? last_beat_of_record
                             : (last_beat_of_record && last_x && (seg == ns - 1'b1));

    // the beat after this one (or the first of a row at START): its beat index, source and segment
    reg [RB_W-1:0] nbi;
    reg            nsrc;
    reg [C_W-1:0]  nseg;
    always @* begin
        nbi = {RB_W{1'b0}}; nsrc = 1'b0; nseg = {C_W{1'b0}};
        if (state == S_BEATS) begin
            nsrc = src; nseg = seg;
            if (last_beat_of_row) nsrc = 1'b1;            // (the second source, or the row ends)
            else if (last_beat_of_record && last_x && !is_image) nseg = seg + 1'b1;
            else if (!last_beat_of_record) nbi = bi + 1'b1;
            if (last_beat_of_row) nseg = {C_W{1'b0}};
        end
    end
    wire [3:0]      cl    = nsrc ? cl1 : cl0;
    wire [C_W-1:0]  ncs   = nsrc ? c1 : c0;
    wire [C_W-1:0]  cseg  = is_image ? {C_W{1'b0}} : C_W'(nseg << cl);   // the segment's first channel

    // the fields of the next beat that are real (step or pixel, channel), registered with the beat's first field
    // f0 = bi * fields a beat split at the record's channel bits: field i is step / pixel (f0 >> cl) + (i >> cl),
    // channel (f0 & (2^cl - 1)) + (i & (2^cl - 1)) (one of the two terms is 0)
    reg [NFMAX-1:0] nreal;
    reg [F_W-1:0]   f, f0;
    integer i;
    always @* begin
        nreal = {NFMAX{1'b0}};
        f0 = is_image ? F_W'(nbi) * F_W'(NB) : F_W'(nbi) * F_W'(NF);
        for (i = 0; i < NFMAX; i = i + 1) begin
            f = f0 + F_W'(i);
            if (is_image) begin
                if (i < NB) nreal[i] = ((f >> cl) < F_W'(w_in)) && ((f & ((F_W'(1) << cl) - 1'b1)) < F_W'(ncs));
            end else begin
                if (i < NF) nreal[i] = ((f >> cl) < F_W'(T))
                                       && ((F_W'(cseg) + (f & ((F_W'(1) << cl) - 1'b1))) < F_W'(ncs));
            end
        end
    end
    localparam integer XT_W = (X_W > T_W) ? X_W : T_W;
    reg [NFMAX-1:0] real_q;                         // the current beat's real fields
    reg [XT_W-1:0]  xt_q;                           // its first field's step (pixel, image)
    reg [C_W-1:0]   c_q;                            // its first field's global channel

    // the fields of the current beat that are events: nonzero and real
    reg [NFMAX-1:0] live;
    always @* begin
        live = {NFMAX{1'b0}};
        for (i = 0; i < NFMAX; i = i + 1)
            if (is_image) begin if (i < NB) live[i] = (in_data[8*i +: 8] != 8'd0); end
            else begin if (i < NF) live[i] = (in_data[FB*i +: FB] != {FB{1'b0}}); end
        live = live & real_q & ~taken;
    end

    // lowest live field, and whether it is the last one of the beat
    reg [FI_W-1:0] pick;
    reg            any;
    always @* begin
        pick = {FI_W{1'b0}};
        any = 1'b0;
        for (i = NFMAX - 1; i >= 0; i = i - 1)
            if (live[i]) begin pick = FI_W'(i); any = 1'b1; end
    end
    wire [NFMAX-1:0] live_rest = live & (live - 1'b1);    // without its lowest bit
    wire             in_beats  = (state == S_BEATS) && in_valid;
    wire             emit      = in_beats && any && !ev_full;
    wire             pop       = in_beats && !ev_full && (live_rest == {NFMAX{1'b0}});
    assign in_ready = pop;
    wire             nbeat     = (state != S_BEATS) || pop;    // the next beat's fields are wanted

    // the picked field's value: the magnitude of a spike word, or the pixel
    reg  [VAL_W-1:0] mag;
    reg  [FB-1:0]    word;
    integer k;
    always @* begin
        word = in_data[FB*pick +: FB];
        mag = {VAL_W{1'b0}};
        for (k = 0; k < K; k = k + 1)
            if (word[k]) mag = mag + (VAL_W'(1) << SPIKE_SHIFT[8*k +: 8]);
        if (is_image) mag = VAL_W'(in_data[8*pick +: 8]);
    end
    /* verilator lint_off UNUSEDSIGNAL */
    wire [FI_W:0]   pmask   = ((FI_W+1)'(1) << ccl) - 1'b1;
    wire [FI_W-1:0] pick_hi = pick >> ccl;                 // (the field's step / pixel within the beat)
    wire [FI_W-1:0] pick_lo = pick & pmask[FI_W-1:0];       // (its channel within the beat's first)
    /* verilator lint_on UNUSEDSIGNAL */


    always @(posedge clk) begin
        if (nbeat) begin
            real_q <= nreal;
            xt_q <= XT_W'(f0 >> cl);
            c_q <= C_W'(f0 & ((F_W'(1) << cl) - 1'b1)) + cseg + (nsrc ? c0 : {C_W{1'b0}});
        end
    end

    always @(posedge clk) begin
        ev_valid <= 1'b0;
        if (rst) begin
            state <= S_IDLE; taken <= {NFMAX{1'b0}};
        end else begin
            case (state)
                S_IDLE: if (start) begin
                    state <= S_START; iy <= {Y_W{1'b0}};
                end
                S_START: if (!ev_full) begin
                    ev_valid <= 1'b1; ev_type <= 2'd1; ev_y <= iy;
                    state <= S_BEATS; src <= 1'b0; x <= {X_W{1'b0}}; bi <= {RB_W{1'b0}}; taken <= {NFMAX{1'b0}};
                    seg <= {C_W{1'b0}};
                end
                S_BEATS: begin
                    if (emit) begin
                        ev_valid <= 1'b1; ev_type <= 2'd0; ev_y <= iy;
                        ev_x <= is_image ? X_W'(xt_q + XT_W'(pick_hi)) : x;
                        ev_t <= is_image ? {T_W{1'b0}} : T_W'(xt_q + XT_W'(pick_hi));
                        ev_c <= c_q + C_W'(pick_lo);
                        ev_val <= mag;
                        taken[pick] <= 1'b1;
                    end
                    if (pop) begin
                        taken <= {NFMAX{1'b0}};
                        if (last_beat_of_row) begin
                            bi <= {RB_W{1'b0}}; x <= {X_W{1'b0}}; seg <= {C_W{1'b0}};
                            if (two_src && !src) src <= 1'b1;
                            else state <= S_END;
                        end else if (last_beat_of_record && last_x && !is_image) begin
                            bi <= {RB_W{1'b0}}; x <= {X_W{1'b0}}; seg <= seg + 1'b1;
                        end else if (last_beat_of_record) begin
                            bi <= {RB_W{1'b0}}; x <= x + 1'b1;
                        end else bi <= bi + 1'b1;
                    end
                end
                S_END: if (!ev_full) begin
                    ev_valid <= 1'b1; ev_type <= 2'd2; ev_y <= iy;
                    if (iy == h_in - 1'b1) state <= S_IDLE;
                    else begin iy <= iy + 1'b1; state <= S_START; end
                end
            endcase
        end
    end
endmodule
