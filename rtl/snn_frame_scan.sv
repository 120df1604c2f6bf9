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
// Timing (issue 22). Which fields of a beat are real, and the step / pixel and channel of its first field, do not
// depend on its data, so a walker (G0) runs ahead of the data and sends one descriptor per marker or beat through
// four stages (G1 the first field's index, G2 its step and channel, G3 how many steps and channels are left,
// saturated at a beat's field count, G4 their thermometer codes and from them the real-field mask) into a
// descriptor FIFO; credits keep the FIFO from overflowing.
// The data side registers each beat with its live fields (P: nonzero and real), then S emits the lowest live
// field a cycle, holding it one-hot with the rest so that every step is one carry chain from a register, and
// the input's ready depends only on registers. Events leave through two registers (E1: the picked field; E2: its
// step / pixel and channel added to the bases), so the engine keeps places free in the event FIFO for them.
// Same events, same order, one a cycle, as before; the latency grows by a few cycles a layer.
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
    input  wire              ev_full,               // stop: the event FIFO keeps room for the 2 events in flight here
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
    localparam integer LNF   = $clog2(NF);
    localparam integer LNB   = $clog2(NB);
    localparam integer FI_W  = $clog2(NFMAX);
    localparam integer F_W   = RB_W + FI_W + 1;     // a field's index in its record (or image row)
    localparam integer NR_W  = FI_W + 1;            // steps / channels left in a beat, saturated at NFMAX
    localparam integer XT_W  = (X_W > T_W) ? X_W : T_W;
    localparam integer DQ_DEPTH = 8;                // credits: a descriptor's round trip (issue to pop) is 7 cycles
    localparam integer CR_W  = $clog2(DQ_DEPTH + 1);
    `SNN_REQUIRE(g_check_fb, FB >= K && (FB & (FB - 1)) == 0 && FB <= 8, "Error: FB must be pow2(K) <= 8 (instance %m)")
    `SNN_REQUIRE(g_check_dw, DATA_W >= 32 && (DATA_W & (DATA_W - 1)) == 0,
                 "Error: DATA_W must be a power of two >= 32 (instance %m)")

    localparam [1:0] D_BEAT = 2'd0, D_START = 2'd1, D_END = 2'd2;   // descriptor kinds = event types

    // ---------------------------------------------------------------- G0: the walk over markers and beats
    localparam [1:0] S_IDLE = 2'd0, S_START = 2'd1, S_BEATS = 2'd2, S_END = 2'd3;
    reg [1:0]      state;
    reg [Y_W-1:0]  iy, yleft;
    reg            src;                             // source being read
    reg [X_W-1:0]  x, xleft;                        // record (pixel) of the beat, spike sources
    reg [RB_W-1:0] bi, bleft;                       // beat within the record (image: within the row)
    reg [C_W-1:0]  seg, sleft;                      // row segment (pass) of a source laid out in passes
    reg [CR_W-1:0] credit;                          // free places in the descriptor FIFO, G1..G3 counted

    // down-counters make the last-beat tests a zero test of a register
    wire lrec = (bleft == {RB_W{1'b0}});
    wire lx   = (xleft == {X_W{1'b0}});
    wire lseg = (sleft == {C_W{1'b0}});
    wire lrow = is_image ? lrec : (lrec && lx && lseg);
    wire issue = (state != S_IDLE) && (credit != {CR_W{1'b0}});
    wire dq_pop;

    always @(posedge clk) begin
        if (rst) begin
            state <= S_IDLE; credit <= CR_W'(DQ_DEPTH);
        end else begin
            credit <= credit - CR_W'(issue) + CR_W'(dq_pop);
            case (state)
                S_IDLE: if (start) begin
                    state <= S_START; iy <= {Y_W{1'b0}}; yleft <= h_in - 1'b1;
                end
                S_START: if (issue) begin
                    state <= S_BEATS; src <= 1'b0;
                    bi <= {RB_W{1'b0}}; bleft <= rb0 - 1'b1; x <= {X_W{1'b0}}; xleft <= w_in - 1'b1;
                    seg <= {C_W{1'b0}}; sleft <= np0 - 1'b1;
                end
                S_BEATS: if (issue) begin
                    if (lrow) begin
                        if (two_src && !src) begin
                            src <= 1'b1;
                            bi <= {RB_W{1'b0}}; bleft <= rb1 - 1'b1; x <= {X_W{1'b0}}; xleft <= w_in - 1'b1;
                            seg <= {C_W{1'b0}}; sleft <= np1 - 1'b1;
                        end else state <= S_END;
                    end else if (lrec && lx && !is_image) begin
                        bi <= {RB_W{1'b0}}; bleft <= (src ? rb1 : rb0) - 1'b1; x <= {X_W{1'b0}};
                        xleft <= w_in - 1'b1; seg <= seg + 1'b1; sleft <= sleft - 1'b1;
                    end else if (lrec) begin
                        bi <= {RB_W{1'b0}}; bleft <= (src ? rb1 : rb0) - 1'b1; x <= x + 1'b1; xleft <= xleft - 1'b1;
                    end else begin
                        bi <= bi + 1'b1; bleft <= bleft - 1'b1;
                    end
                end
                S_END: if (issue) begin
                    if (yleft == {Y_W{1'b0}}) state <= S_IDLE;
                    else begin iy <= iy + 1'b1; yleft <= yleft - 1'b1; state <= S_START; end
                end
                default: state <= S_IDLE;
            endcase
        end
    end

    // ---------------------------------------------------------------- G1: the beat's first field f0 = bi * fields
    // (field i of the beat is step / pixel (f0 >> cl) + (i >> cl), channel (f0 & (2^cl - 1)) + (i & (2^cl - 1)),
    // one of the two terms 0: a beat starts on a multiple of its field count, a power of two)
    reg            g1_v, g1_src;
    reg [1:0]      g1_kind;
    reg [Y_W-1:0]  g1_y;
    reg [X_W-1:0]  g1_x;
    reg [RB_W-1:0] g1_bi;
    reg [C_W-1:0]  g1_seg;
    always @(posedge clk) begin
        g1_v <= !rst && issue;
        g1_kind <= (state == S_START) ? D_START : (state == S_END) ? D_END : D_BEAT;
        g1_y <= iy; g1_x <= x; g1_bi <= bi; g1_seg <= seg; g1_src <= src;
    end
    wire [3:0]     g1_cl   = g1_src ? cl1 : cl0;
    wire [F_W-1:0] g1_mask = (F_W'(1) << g1_cl) - 1'b1;
    wire [F_W-1:0] g1_f0   = F_W'(g1_bi) << (is_image ? LNB : LNF);

    // ---------------------------------------------------------------- G2: first field's step / pixel and channel
    reg            g2_v, g2_src;
    reg [1:0]      g2_kind;
    reg [Y_W-1:0]  g2_y;
    reg [X_W-1:0]  g2_x;
    reg [3:0]      g2_cl;
    reg [F_W-1:0]  g2_xt;                           // step (image: pixel) of the beat's first field
    reg [F_W-1:0]  g2_ch;                           // its channel within its source
    reg [F_W-1:0]  g2_tlim, g2_clim;                // the steps (image: pixels) and channels of the source
    always @(posedge clk) begin
        g2_v <= !rst && g1_v;
        g2_kind <= g1_kind; g2_y <= g1_y; g2_x <= g1_x; g2_cl <= g1_cl; g2_src <= g1_src;
        g2_xt <= g1_f0 >> g1_cl;
        g2_ch <= (g1_f0 & g1_mask) + (is_image ? {F_W{1'b0}} : (F_W'(g1_seg) << g1_cl));
        g2_tlim <= is_image ? F_W'(w_in) : F_W'(T);
        g2_clim <= F_W'(g1_src ? c1 : c0);
    end

    // ---------------------------------------------------------------- G3: steps and channels left in the beat
    // lim - v, 0 when v >= lim, at most NFMAX (a beat has no more fields)
    function automatic [NR_W-1:0] left_sat(input [F_W-1:0] lim, input [F_W-1:0] v);
        reg [F_W-1:0] d;
        begin
            d = lim - v;
            left_sat = (v >= lim) ? {NR_W{1'b0}} : (d > F_W'(NFMAX)) ? NR_W'(NFMAX) : NR_W'(d);
        end
    endfunction
    reg            g3_v;
    reg [1:0]      g3_kind;
    reg [Y_W-1:0]  g3_y;
    reg [X_W-1:0]  g3_x;
    reg [3:0]      g3_cl;
    reg [XT_W-1:0] g3_xt;
    reg [C_W-1:0]  g3_c;                            // the first field's global channel
    reg [NR_W-1:0] g3_tleft, g3_cleft;
    always @(posedge clk) begin
        g3_v <= !rst && g2_v;
        g3_kind <= g2_kind; g3_y <= g2_y; g3_x <= g2_x; g3_cl <= g2_cl;
        g3_xt <= XT_W'(g2_xt);
        g3_c <= C_W'(g2_ch) + (g2_src ? c0 : {C_W{1'b0}});
        g3_tleft <= left_sat(g2_tlim, g2_xt);      // (the limits registered in G2: no choice ahead of the
        g3_cleft <= left_sat(g2_clim, g2_ch);      // subtraction)
    end

    // ---------------------------------------------------------------- G4: thermometers of the steps / channels left
    // field i is real when i < the beat's fields, (i >> cl) < steps left and (i & (2^cl - 1)) < channels left: the
    // two tests are bits of thermometer codes, picked by cl (a mux, no comparator in the path)
    reg            g4_v;
    reg [1:0]      g4_kind;
    reg [Y_W-1:0]  g4_y;
    reg [X_W-1:0]  g4_x;
    reg [3:0]      g4_cl;
    reg [XT_W-1:0] g4_xt;
    reg [C_W-1:0]  g4_c;
    reg [NFMAX-1:0] g4_tth, g4_cth;                // bit j: j < steps left, j < channels left
    always @(posedge clk) begin
        g4_v <= !rst && g3_v;
        g4_kind <= g3_kind; g4_y <= g3_y; g4_x <= g3_x; g4_cl <= g3_cl; g4_xt <= g3_xt; g4_c <= g3_c;
        g4_tth <= ~({NFMAX{1'b1}} << g3_tleft);
        g4_cth <= ~({NFMAX{1'b1}} << g3_cleft);
    end
    reg [NFMAX-1:0] g4_real;
    reg [FI_W-1:0]  fi_hi, fi_lo;
    integer i;
    always @* begin
        g4_real = {NFMAX{1'b0}};
        for (i = 0; i < NFMAX; i = i + 1) begin
            fi_hi = FI_W'(i) >> g4_cl;
            fi_lo = FI_W'(i) & ((FI_W'(1) << g4_cl) - 1'b1);   // (all ones once 2^cl >= the fields)
            g4_real[i] = (i < (is_image ? NB : NF)) && g4_tth[fi_hi] && g4_cth[fi_lo];
        end
    end

    // ---------------------------------------------------------------- the descriptor FIFO
    localparam integer DQ_W = 2 + Y_W + X_W + 4 + XT_W + C_W + NFMAX;
    wire [DQ_W-1:0] dq;
    wire            dq_empty;
    wire [CR_W-1:0] dq_count;                       // (the head register's word too: busy counts it)
    /* verilator lint_off PINCONNECTEMPTY */
    snn_fifo #(.WIDTH(DQ_W), .DEPTH(DQ_DEPTH), .OUT_REG(1))        // (a registered head: the beat's take tests it)
        u_dq (.clk(clk), .rst(rst), .push(g4_v), .din({g4_kind, g4_y, g4_x, g4_cl, g4_xt, g4_c, g4_real}),
              .pop(dq_pop), .dout(dq), .empty(dq_empty), .full(), .count(dq_count));
    /* verilator lint_on PINCONNECTEMPTY */
    wire [1:0]       h_kind;
    wire [Y_W-1:0]   h_y;
    wire [X_W-1:0]   h_x;
    wire [3:0]       h_cl;
    wire [XT_W-1:0]  h_xt;
    wire [C_W-1:0]   h_c;
    wire [NFMAX-1:0] h_real;
    assign {h_kind, h_y, h_x, h_cl, h_xt, h_c, h_real} = dq;

    // ---------------------------------------------------------------- P: the beat and its live fields
    reg              p_v, s_v;
    reg  [1:0]       p_kind, s_kind;
    reg  [Y_W-1:0]   p_y, s_y;
    reg  [X_W-1:0]   p_x, s_x;
    reg  [3:0]       p_cl, s_cl;
    reg  [XT_W-1:0]  p_xt, s_xt;
    reg  [C_W-1:0]   p_c, s_c;
    reg  [DATA_W-1:0] p_data, s_data;
    reg  [NFMAX-1:0] p_live;
    reg  [NFMAX-1:0] s_oh, s_rest;                  // S: the field to emit (one-hot) and the live ones after it
    reg              s_any;                         // S: the beat has a live field

    // at most one bit of m set: a tree of (any, two or more) pairs, log2(NFMAX) levels (no carry chain, no serial
    // chain for the synthesis to rebalance)
    function automatic le1(input [NFMAX-1:0] m);
        integer lv, k;
        reg [NFMAX-1:0] any, two;
        begin
            any = m; two = {NFMAX{1'b0}};
            for (lv = 1; lv < NFMAX; lv = lv * 2)
                for (k = 0; k + lv < NFMAX; k = k + 2 * lv) begin
                    two[k] = two[k] | two[k + lv] | (any[k] & any[k + lv]);
                    any[k] = any[k] | any[k + lv];
                end
            le1 = !two[0];
        end
    endfunction
    reg  s_last;                                    // S emits its last field (s_rest == 0), a register
    wire s_go   = s_v && !ev_full;                  // S emits (or passes an empty beat) this cycle
    wire s_free = !s_v || (s_go && s_last);
    wire p_to_s = p_v && s_free;
    wire p_free = !p_v || s_free;
    wire h_beat = !dq_empty && (h_kind == D_BEAT);
    wire take_beat = p_free && h_beat && in_valid;
    wire take_mark = p_free && !dq_empty && (h_kind != D_BEAT);
    assign in_ready = take_beat;
    assign dq_pop = take_beat || take_mark;

    reg [NFMAX-1:0] in_live;
    always @* begin
        in_live = {NFMAX{1'b0}};
        for (i = 0; i < NFMAX; i = i + 1)
            if (is_image) begin if (i < NB) in_live[i] = (in_data[8*i +: 8] != 8'd0); end
            else begin if (i < NF) in_live[i] = (in_data[FB*i +: FB] != {FB{1'b0}}); end
        in_live = in_live & h_real;
    end

    always @(posedge clk) begin
        if (rst) p_v <= 1'b0;
        else if (p_free) p_v <= take_beat || take_mark;
        if (p_free) begin
            p_kind <= h_kind; p_y <= h_y; p_x <= h_x; p_cl <= h_cl; p_xt <= h_xt; p_c <= h_c;
            p_data <= in_data; p_live <= take_beat ? in_live : {NFMAX{1'b0}};
        end
    end

    // ---------------------------------------------------------------- S: one live field a cycle, lowest first
    always @(posedge clk) begin
        if (rst) s_v <= 1'b0;
        else if (s_free) s_v <= p_to_s;
        if (s_free) begin
            s_kind <= p_kind; s_y <= p_y; s_x <= p_x; s_cl <= p_cl; s_xt <= p_xt; s_c <= p_c; s_data <= p_data;
            s_oh <= p_live & (~p_live + 1'b1); s_rest <= p_live & (p_live - 1'b1); s_any <= (p_live != {NFMAX{1'b0}});
            s_last <= (p_kind != D_BEAT) || le1(p_live);
        end else if (s_go) begin
            s_oh <= s_rest & (~s_rest + 1'b1); s_rest <= s_rest & (s_rest - 1'b1);
            s_last <= (s_kind != D_BEAT) || le1(s_rest);
        end
    end

    // the picked field's index and value (the magnitude of a spike word, or the pixel): AND-OR over the one-hot
    // field, no priority chain
    function automatic [VAL_W-1:0] spike_mag(input [FB-1:0] w);
        integer b;
        begin
            spike_mag = {VAL_W{1'b0}};
            for (b = 0; b < K; b = b + 1) spike_mag = spike_mag | ({VAL_W{w[b]}} & (VAL_W'(1) << SPIKE_SHIFT[8*b +: 8]));
        end
    endfunction
    reg  [FI_W-1:0]  pick;
    reg  [VAL_W-1:0] mag;
    always @* begin
        pick = {FI_W{1'b0}};
        mag = {VAL_W{1'b0}};
        for (i = 0; i < NFMAX; i = i + 1) begin
            pick = pick | ({FI_W{s_oh[i]}} & FI_W'(i));
            if (i < NB) mag = mag | ({VAL_W{s_oh[i] && is_image}} & VAL_W'(s_data[8*i +: 8]));
            if (i < NF) mag = mag | ({VAL_W{s_oh[i] && !is_image}} & spike_mag(s_data[FB*i +: FB]));
        end
    end

    // ---------------------------------------------------------------- E1, E2: the event
    reg              e1_v;
    reg  [1:0]       e1_type;
    reg  [Y_W-1:0]   e1_y;
    reg  [X_W-1:0]   e1_x;
    reg  [XT_W-1:0]  e1_xt;
    reg  [C_W-1:0]   e1_c;
    /* verilator lint_off UNUSEDSIGNAL */
    reg  [FI_W-1:0]  e1_hi, e1_lo;                  // the field's step / pixel in the beat, its channel after the first
    /* verilator lint_on UNUSEDSIGNAL */
    reg  [VAL_W-1:0] e1_val;
    reg  [FI_W-1:0]  pmask;                         // the channel bits of a field index: 2^cl - 1 (a thermometer)
    integer n;
    always @* for (n = 0; n < FI_W; n = n + 1) pmask[n] = 4'(n) < s_cl;
    always @(posedge clk) begin
        e1_v <= !rst && s_go && (s_kind != D_BEAT || s_any);
        e1_type <= s_kind; e1_y <= s_y; e1_x <= s_x; e1_xt <= s_xt; e1_c <= s_c;
        e1_hi <= pick >> s_cl; e1_lo <= pick & pmask; e1_val <= mag;
    end
    wire [XT_W-1:0] e1_at   = e1_xt + XT_W'(e1_hi);
    always @(posedge clk) begin
        ev_valid <= !rst && e1_v;
        ev_type <= e1_type; ev_y <= e1_y;
        ev_x <= is_image ? X_W'(e1_at) : e1_x;
        ev_t <= is_image ? {T_W{1'b0}} : T_W'(e1_at);
        ev_c <= e1_c + C_W'(e1_lo);
        ev_val <= e1_val;
    end
    assign busy = (state != S_IDLE) || g1_v || g2_v || g3_v || g4_v || dq_count != {CR_W{1'b0}} || p_v || s_v || e1_v ||
                  ev_valid;
endmodule
