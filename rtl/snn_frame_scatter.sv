// snn_frame_scatter: turns each event into accumulate ops on the P lanes (docs/frame_engine.md, "Scatter").
//
// An event (input pixel (iy, ix), step t, input channel c, value v) adds w[o][ky][kx][c] * v to output
// (oy, ox) of every tap: 3x3 conv oy = iy + 1 - ky (contract §3), transposed conv oy = 2 iy + ky - 1, 1x1 conv
// and pool the pixel itself (pool: (iy/2, ix/2), channel c only, weight 1). Lane l = (sub-lane s, lane o) takes
// tap j*S + s of op j and output channel g*CO + o; op (g, j) reads weight word wbase + (c*G + g)*J + j. Ops
// whose taps all fall outside the map are skipped. The accumulator band keeps output row oy in slot oy mod 4,
// [x][t][g] within the slot.
//
// Strips (several engines, snn_frame_seq): event columns count from the first column read; xoff moves them onto
// this engine's strip, and taps outside [0, w_out) are dropped like those outside the map.
//
// Pipelined for the clock (issue 22), one op a cycle throughout, each stage holding while the next is full:
//   E  the FIFO head, registered, with the output rows and columns of the three kernel rows / columns
//   D  decode: which of those are inside the map (and the strip), the taps
//      inside, the ops with a tap inside (jmask), x * sx (the column's band offset, one multiplier), t * G and the
//      weight base c * GJ
//   I  issue: the loop over groups g and ops j (the lowest op left of jmask), one op a cycle; the band offsets of
//      the three kernel columns and t*G + g are kept as sums, so nothing is multiplied here
//   P  each lane's tap index, and the three kernel columns' band offsets + t*G + g
//   Q  each lane's tap (ky, kx) and whether it accumulates
//   R  each lane's slot and offset picked by its tap: op_* registered (stage A of snn_frame_lane)
// Markers: START(iy) waits in D until the neuron phase has emptied the slots row iy writes (rows_done >= the
// highest row it touches - 3); END(iy) waits in D until I, P, Q and R are empty, then announces the output rows that
// row iy completed (rows_ready) LANE_LAT + 1 cycles later, once its last op's write has landed in the band
// (LANE_LAT: snn_frame_lane's cycles from stage A to the write).
`include "snn_check.svh"
module snn_frame_scatter #(
    parameter integer P = 8,                                    // lanes
    // column, row, step and channel counters
    parameter integer X_W = 10, Y_W = 16, T_W = 4, C_W = 8,
    // spike value, band offset, weight address, group
    parameter integer VAL_W = 8, OFF_W = 12, WA_W = 10, G_W = 4,
    parameter integer LANE_LAT = 3,                             // snn_frame_lane: stage A to the band write
    parameter integer LG = 1                                    // lanes a band word (snn_frame_lane): op_gany
) (
    input  wire               clk,
    input  wire               rst,
    input  wire               start,          // layer start: resets rows_ready
    // layer fields
    input  wire [2:0]         kind,
    input  wire [Y_W-1:0]     h_in,
    input  wire [Y_W-1:0]     h_out,
    input  wire [X_W:0]       w_out,          // this engine's strip of output columns
    input  wire signed [X_W+1:0] xoff,        // the strip column of read column 0's own output (snn_frame_seq)
    input  wire [OFF_W-1:0]   sx,             // T * G: one output pixel in a slot
    input  wire [G_W:0]       groups,
    input  wire [3:0]         j_ops,
    input  wire [2:0]         sl,             // log2 S
    input  wire [3:0]         col,            // log2 CO
    input  wire [3:0]         ntaps,
    input  wire [C_W-1:0]     c_out,
    input  wire [C_W-1:0]     chan_base,      // the pass's first output channel
    input  wire [WA_W-1:0]    gj,
    input  wire [WA_W-1:0]    wbase,
    // events (FWFT FIFO head)
    input  wire               ev_empty,
    output wire               ev_pop,
    input  wire [1:0]         ev_type,
    input  wire [Y_W-1:0]     ev_y,
    input  wire [X_W-1:0]     ev_x,
    input  wire [T_W-1:0]     ev_t,
    input  wire [C_W-1:0]     ev_c,
    input  wire [VAL_W-1:0]   ev_val,
    // neuron phase progress
    input  wire [Y_W:0]       rows_done,
    output reg  [Y_W:0]       rows_ready,
    // ops to the lanes (stage A)
    output reg                op_valid,
    output reg  [P-1:0]       op_lane,        // lanes that accumulate
    output reg  [P/LG-1:0]    op_gany,        // per band word (LG lanes): some of its lanes accumulate (op_valid too)
    output reg  [P*2-1:0]     op_slot,        // lane l's slot at [2l +: 2]
    output reg  [P*OFF_W-1:0] op_off,         // lane l's offset in its slot
    output wire               w_rd,           // the op's weight read, a stage ahead of op_valid (the weights reach
    output wire [WA_W-1:0]    w_addr,         // the lanes a stage earlier: their product has registers both sides)
    output reg  [VAL_W-1:0]   op_val,
    output reg                op_unit,        // pool: the weight is 1
    output wire               idle
);
    /* verilator lint_off UNUSEDPARAM */
    `include "snn_frame_pkg.svh"   // (each module uses some of its fields)
    /* verilator lint_on UNUSEDPARAM */
    localparam integer LP = (P > 1) ? $clog2(P) : 1;
    `SNN_REQUIRE(g_check_p, P >= 1 && (P & (P - 1)) == 0, "Error: P must be a power of two (instance %m)")
    `SNN_REQUIRE(g_check_lat, LANE_LAT >= 1 && LANE_LAT <= 8, "Error: LANE_LAT must be 1 .. 8 (instance %m)")
    `SNN_REQUIRE(g_check_lg, LG >= 1 && P % LG == 0, "Error: LG must divide P (instance %m)")

    // the layer's decodes and per-lane constants, registered: kind, ntaps, col and sl are set long before start
    // (snn_frame_engine registers them from the descriptor), so no decode sits in front of the wide stages
    reg         is_pool, is_up, k3;
    reg  [P-1:0] l_sub;                               // lane l's sub-lane l >> col is one of the 2^sl in use
    reg  [7:0]  l_hi [0:P-1];                         // l >> col: lane l's sub-lane (its tap offset)
    reg  signed [C_W+1:0] l_ch [0:P-1];               // l mod 2^col: lane l's channel within its group
    integer lc;
    always @(posedge clk) begin
        is_pool <= (kind == 3'(KIND_POOL)); is_up <= (kind == 3'(KIND_UPCONV)); k3 <= (ntaps == 4'd9);
        for (lc = 0; lc < P; lc = lc + 1) begin
            l_sub[lc] <= (lc >> col) < (1 << sl);
            l_hi[lc]  <= 8'(lc >> col);
            l_ch[lc]  <= (C_W+2)'(lc & ((1 << col) - 1));
        end
    end

    // tap k of the kernel -> (ky, kx); a 1-tap kernel is the centre
    function automatic [3:0] tap_yx(input [7:0] k, input is3);
        tap_yx = !is3 ? 4'b0101 : (k < 3) ? {2'd0, 2'(k)} : (k < 6) ? {2'd1, 2'(k - 3)} : {2'd2, 2'(k - 6)};
    endfunction

    // ---------------------------------------------------------------- E: the FIFO head, registered
    // with the output rows and columns of the three kernel rows / columns (ky, kx = q) and the gate's row
    reg               e_valid;
    reg  [1:0]        e_type;
    reg  [Y_W-1:0]    e_y;
    reg  [T_W-1:0]    e_t;
    reg  [C_W-1:0]    e_c;
    reg  [VAL_W-1:0]  e_val;
    reg  signed [Y_W+1:0] oy [0:2];
    reg  signed [X_W+2:0] ox [0:2];
    reg  [X_W:0]      xm;                             // the column whose band offset is multiplied: ix, 2 ix, ix / 2
    reg  [Y_W+1:0]    top_row;                        // the highest output row the event's row writes
    wire              d_take;                         // D takes E's word this cycle
    wire              e_take = !e_valid || d_take;
    // a pool (depthwise) event belongs to one channel: outside the pass's channels it has nothing to do
    wire [C_W-1:0]    c_rel   = ev_c - chan_base;
    wire              in_pass = !is_pool || ev_type != 2'd0 || (ev_c >= chan_base && (c_rel >> col) < C_W'(groups));
    assign ev_pop = !ev_empty && e_take;
    integer q;
    // at most one / two bits of x set (logic, not an adder): a mask's ops left after its lowest goes
    function automatic [1:0] le12(input [8:0] x);    // {at most 2, at most 1}
        integer k;
        reg ge1, ge2, ge3;                           // at least 1, 2, 3 bits so far
        begin
            ge1 = 1'b0; ge2 = 1'b0; ge3 = 1'b0;
            for (k = 0; k < 9; k = k + 1) begin
                ge3 = ge3 | (ge2 & x[k]); ge2 = ge2 | (ge1 & x[k]); ge1 = ge1 | x[k];
            end
            le12 = {!ge3, !ge2};
        end
    endfunction
    always @(posedge clk) begin
        if (rst) e_valid <= 1'b0;
        else if (e_take) begin
            e_valid <= !ev_empty && in_pass;
            e_type <= ev_type; e_y <= ev_y; e_t <= ev_t; e_c <= ev_c; e_val <= ev_val;
            for (q = 0; q < 3; q = q + 1) begin
                // ky = q: 3x3 conv oy = iy + 1 - ky, transposed oy = 2 iy + ky - 1; 1-tap kernels use q = 1
                if (is_up) begin
                    oy[q] <= $signed({1'b0, ev_y, 1'b0}) + (Y_W+2)'(q) - (Y_W+2)'(1);
                    ox[q] <= $signed({2'b0, ev_x, 1'b0}) + (X_W+3)'(q) - (X_W+3)'(1) + (X_W+3)'(xoff);
                end else if (is_pool) begin
                    oy[q] <= $signed({3'b0, ev_y[Y_W-1:1]}); ox[q] <= $signed({4'b0, ev_x[X_W-1:1]}) + (X_W+3)'(xoff);
                end else begin
                    oy[q] <= $signed({2'b0, ev_y}) + (Y_W+2)'(1) - (Y_W+2)'(q);
                    ox[q] <= $signed({3'b0, ev_x}) + (X_W+3)'(1) - (X_W+3)'(q) + (X_W+3)'(xoff);
                end
            end
            xm <= is_up ? {ev_x, 1'b0} : is_pool ? {2'b0, ev_x[X_W-1:1]} : {1'b0, ev_x};
            top_row <= is_up ? {1'b0, ev_y, 1'b1} : is_pool ? {3'b0, ev_y[Y_W-1:1]}
                     : k3 ? {2'b0, ev_y} + 1'b1 : {2'b0, ev_y};
        end
    end

    // t * G as shifts and adds of G (t has T_W bits, a few): logic, not a DSP block
    function automatic [OFF_W-1:0] tg_mul(input [T_W-1:0] tt, input [OFF_W-1:0] gg);
        integer bi;
        begin
            tg_mul = {OFF_W{1'b0}};
            for (bi = 0; bi < T_W; bi = bi + 1) if (tt[bi]) tg_mul = tg_mul + (gg << bi);
        end
    endfunction

    // ---------------------------------------------------------------- D: decode E's event
    wire              e_marker = (e_type != 2'd0);
    wire [C_W-1:0]    e_rel    = e_c - chan_base;    // pool: the channel within the pass
    // which taps, and which ops j, have a tap inside the map
    reg [2:0] rv, cv;
    reg [8:0] tin, jm;
    reg [7:0] kk;
    reg [3:0] yx;
    integer j, s, k;
    always @* begin
        for (q = 0; q < 3; q = q + 1) begin
            rv[q] = (oy[q] >= 0) && (oy[q] < $signed({2'b0, h_out}));
            cv[q] = (ox[q] >= 0) && (ox[q] < $signed({2'b0, w_out}));
        end
        for (k = 0; k < 9; k = k + 1) begin
            yx = tap_yx(8'(k), k3);
            tin[k] = (k < 32'(ntaps)) && rv[yx[3:2]] && cv[yx[1:0]];
        end
        jm = 9'd0;
        for (j = 0; j < 9; j = j + 1)
            for (s = 0; s < P; s = s + 1) begin
                kk = (8'(j) << sl) + 8'(s);
                if (j < 32'(j_ops) && s < (1 << sl) && kk < 8'd9 && tin[kk[3:0]]) jm[j] = 1'b1;
            end
    end
    // the gate of a START marker: the neuron phase has emptied the slots the row writes
    // (registered: cleared while E takes a new word, so it always belongs to the marker in E; rows_done only grows)
    reg            gate_ok;
    always @(posedge clk) gate_ok <= !e_take && (({1'b0, rows_done} + (Y_W+2)'(3)) >= top_row);
    // D's outputs: I takes a data event when it is free, a marker goes when its condition holds
    reg               d_valid;
    reg  [2:0]        d_rv, d_cv;
    reg  [8:0]        d_tin, d_jmask;
    /* verilator lint_off UNUSEDSIGNAL */
    wire [1:0]        d_le12 = le12(d_jmask);
    /* verilator lint_on UNUSEDSIGNAL */
    wire              d_le1 = d_le12[0];                                 // at most one op
    reg  [5:0]        d_slot;                         // slot of ky at [2ky +: 2]
    reg  [OFF_W-1:0]  d_xs;                           // xm * sx
    reg  [OFF_W-1:0]  d_tg, d_tp;                     // t*G, the pool's group: added into I
    reg  [WA_W-1:0]   d_cw;                           // e_c * gj: added to the pass's weight base into I
    // (the products are registered alone, the sums made on the way into I: on an ECP5 a multiplier is a DSP block
    // far from the logic, and a product with an adder behind it missed 8 ns)
    reg  [VAL_W-1:0]  d_val;
    reg  [LP-1:0]     d_plane;                        // pool: the one lane
    reg  [Y_W-1:0]    end_y;
    wire              i_free;                         // I takes D's event this cycle
    wire              ip_empty;                       // I and P hold no op
    wire              e_go   = e_valid && (!e_marker || (e_type == 2'd1 ? gate_ok : ip_empty && !d_valid));
    assign d_take = e_go && (!d_valid || i_free);
    reg  [LANE_LAT:0] end_sr;                         // END: rows_ready once the last op's write has landed
    always @(posedge clk) begin
        if (rst || start) begin
            d_valid <= 1'b0; end_sr <= {(LANE_LAT+1){1'b0}};
        end else begin
            if (i_free) d_valid <= 1'b0;
            end_sr <= {end_sr[LANE_LAT-1:0], 1'b0};
            if (d_take) begin
                d_valid <= !e_marker;
                if (e_marker && e_type == 2'd2) begin end_sr[0] <= 1'b1; end_y <= e_y; end
            end
        end
        if (d_take && !e_marker) begin
            d_rv <= rv; d_cv <= cv; d_tin <= tin;
            for (q = 0; q < 3; q = q + 1) d_slot[2*q +: 2] <= oy[q][1:0];
            d_xs <= OFF_W'(xm) * sx;
            d_tg <= tg_mul(e_t, OFF_W'(groups));
            d_tp <= is_pool ? OFF_W'(e_rel >> col) : {OFF_W{1'b0}};
            d_cw <= WA_W'(e_c) * gj;
            d_val <= e_val;
            d_plane <= LP'(e_c & ((C_W'(1) << col) - 1'b1));
            d_jmask <= is_pool ? 9'd1 : jm;
        end
    end
    // the band offset of kernel column q (ox = xm + cq for this kind, xm * sx in d_xs): cq * sx
    wire signed [X_W+2:0] cq [0:2];
    assign cq[0] = is_up ? (X_W+3)'(xoff) - (X_W+3)'(1) : is_pool ? (X_W+3)'(xoff) : (X_W+3)'(xoff) + (X_W+3)'(1);
    assign cq[1] = (X_W+3)'(xoff);
    assign cq[2] = is_up ? (X_W+3)'(xoff) + (X_W+3)'(1) : (X_W+3)'(xoff) - (X_W+3)'(1);
    // per layer: cq * sx, over two cycles (xoff and sx are the layer's, set before start; the first event comes
    // many cycles after start, through the scanner's pipeline)
    reg  [OFF_W-1:0] cq_r [0:2];
    reg  [OFF_W-1:0] cq_sx [0:2];
    always @(posedge clk) for (q = 0; q < 3; q = q + 1) begin cq_r[q] <= OFF_W'(cq[q]); cq_sx[q] <= cq_r[q] * sx; end

    // rows the finished input row completes (END marker)
    wire end_pulse = end_sr[LANE_LAT];
    always @(posedge clk) begin
        if (rst || start) begin
            rows_ready <= {(Y_W+1){1'b0}};
        end else if (end_pulse) begin
            if (end_y == h_in - 1'b1) rows_ready <= {1'b0, h_out};
            else if (is_up) rows_ready <= {end_y, 1'b1};                 // rows 0 .. 2 iy
            else if (is_pool) begin if (end_y[0]) rows_ready <= {1'b0, 1'b0, end_y[Y_W-1:1]} + 1'b1; end
            else if (k3) rows_ready <= {1'b0, end_y};                     // rows 0 .. iy - 1
            else rows_ready <= {1'b0, end_y} + 1'b1;
        end
    end

    // ---------------------------------------------------------------- I: one op a cycle
    reg               i_valid;
    reg  [2:0]        i_rv, i_cv;
    reg  [8:0]        i_tin;
    reg  [5:0]        i_slot;
    reg  [3*OFF_W-1:0] i_col;                         // band offset of kernel column q
    reg  [OFF_W-1:0]  i_tgg;                          // t*G + g (pool: + its group)
    reg  [VAL_W-1:0]  i_val;
    reg  [LP-1:0]     i_plane;
    reg  [8:0]        i_jmask, i_left;                // ops of this group still to issue
    reg  [G_W:0]      i_g;
    reg  signed [C_W+1:0] i_room;                     // c_out - (the group's first channel): lanes o < room exist
    reg  [WA_W-1:0]   i_gbase;                        // cbase + g*J
    wire [8:0] low       = i_left & (~i_left + 9'd1); // the lowest op left (one-hot)
    wire [8:0] left_after = i_left & ~low;
    /* verilator lint_off UNUSEDSIGNAL */
    wire [1:0] i_le12     = le12(i_left);
    /* verilator lint_on UNUSEDSIGNAL */
    // registered: i_left has at most one op left, i_g is the last group (the ready chain starts at registers)
    reg        i_le1, i_jle1, i_lastg;
    wire       last_op    = i_le1 && (is_pool || i_lastg);
    assign     i_free     = !i_valid || last_op;
    reg  [3:0] jn;
    always @* begin
        jn = 4'd0;
        for (q = 0; q < 9; q = q + 1) if (low[q]) jn = 4'(q);
    end
    // P: the op's context
    reg               p_valid, p_unit;
    reg               q_valid, q_unit;                // Q (below)
    reg  [4*P-1:0]    q_lk;
    reg  [P-1:0]      q_lkok, q_roomok;
    reg  [8:0]        q_tin;
    reg  [LP-1:0]     q_plane;
    reg  [5:0]        q_slot;
    reg  [3*OFF_W-1:0] q_off;
    reg  [VAL_W-1:0]  q_val;
    reg  [WA_W-1:0]   q_waddr;
    reg               r_valid, r_unit;                // R (below)
    reg  [4*P-1:0]    r_yx;
    reg  [P-1:0]      r_lane;
    reg  [5:0]        r_slot;
    reg  [3*OFF_W-1:0] r_off;
    reg  [VAL_W-1:0]  r_val;
    reg  [WA_W-1:0]   r_waddr;
    reg  [3:0]        p_jn;
    reg  [2:0]        p_rv, p_cv;
    reg  [8:0]        p_tin;
    reg  [5:0]        p_slot;
    reg  [3*OFF_W-1:0] p_col;
    reg  [OFF_W-1:0]  p_tgg;
    reg  [VAL_W-1:0]  p_val;
    reg  [LP-1:0]     p_plane;
    reg  signed [C_W+1:0] p_room;
    reg  [WA_W-1:0]   p_waddr;
    assign ip_empty = !i_valid && !p_valid && !q_valid && !r_valid;
    assign idle     = !e_valid && !d_valid && ip_empty && ev_empty && end_sr == {(LANE_LAT+1){1'b0}};
    always @(posedge clk) begin
        p_valid <= 1'b0;
        if (rst || start) begin
            i_valid <= 1'b0;
        end else begin
            if (i_valid) begin
                p_valid <= 1'b1;
                p_jn <= jn; p_rv <= i_rv; p_cv <= i_cv; p_tin <= i_tin; p_slot <= i_slot; p_col <= i_col;
                p_tgg <= i_tgg; p_val <= i_val; p_plane <= i_plane; p_room <= i_room;
                p_waddr <= i_gbase + WA_W'(jn); p_unit <= is_pool;
                if (!i_le1) begin
                    i_left <= left_after; i_le1 <= i_le12[1];
                end else begin
                    i_left <= i_jmask; i_le1 <= i_jle1; i_lastg <= (i_g + (G_W+1)'(2)) == groups;
                    i_g <= i_g + 1'b1; i_gbase <= i_gbase + WA_W'(j_ops);
                    i_tgg <= i_tgg + 1'b1; i_room <= i_room - $signed((C_W+2)'(1) << col);
                end
            end
            if (i_free) begin
                i_valid <= d_valid;
                i_rv <= d_rv; i_cv <= d_cv; i_tin <= d_tin; i_slot <= d_slot;
                for (q = 0; q < 3; q = q + 1) i_col[OFF_W*q +: OFF_W] <= d_xs + cq_sx[q];
                i_tgg <= d_tg + d_tp; i_val <= d_val; i_plane <= d_plane;
                i_jmask <= d_jmask; i_left <= d_jmask; i_g <= {(G_W+1){1'b0}}; i_gbase <= wbase + d_cw;
                i_le1 <= d_le1; i_jle1 <= d_le1; i_lastg <= groups == (G_W+1)'(1);
                i_room <= $signed({2'b0, c_out}) - $signed({2'b0, chan_base});
            end
        end
    end

    // ---------------------------------------------------------------- P, Q: per lane, then the op registers
    // P: lane l's tap index (op j, sub-lane l >> col); the three kernel columns' band offsets + t*G + g
    integer l;
    reg [7:0] lk [0:P-1];
    always @* for (l = 0; l < P; l = l + 1) lk[l] = (8'(p_jn) << sl) + l_hi[l];
    always @(posedge clk) begin
        q_valid <= !rst && p_valid;
        for (l = 0; l < P; l = l + 1) begin
            q_lk[4*l +: 4] <= lk[l][3:0];
            q_lkok[l] <= lk[l] < 8'd9;
            q_roomok[l] <= l_ch[l] < p_room;             // (the lane's channel exists)
        end
        for (q = 0; q < 3; q = q + 1) q_off[OFF_W*q +: OFF_W] <= p_col[OFF_W*q +: OFF_W] + p_tgg;
        q_tin <= p_tin; q_plane <= p_plane;
        q_slot <= p_slot; q_val <= p_val; q_waddr <= p_waddr; q_unit <= p_unit;
    end
    // Q: the tap's (ky, kx) and whether the lane accumulates
    reg [3:0]   lyx [0:P-1];
    reg [P-1:0] lon;
    always @* begin
        for (l = 0; l < P; l = l + 1) begin
            lyx[l] = tap_yx({4'd0, q_lk[4*l +: 4]}, k3);
            lon[l] = q_lkok[l] && q_tin[q_lk[4*l +: 4]]
                     && (is_pool ? (LP'(l) == q_plane)
                                 : l_sub[l] && q_roomok[l]);
        end
    end
    always @(posedge clk) begin
        r_valid <= !rst && q_valid;
        for (l = 0; l < P; l = l + 1) r_yx[4*l +: 4] <= lyx[l];
        r_lane <= lon; r_slot <= q_slot; r_off <= q_off; r_val <= q_val; r_waddr <= q_waddr; r_unit <= q_unit;
    end
    assign w_rd   = r_valid;
    assign w_addr = r_waddr;
    // the op registers (stage A of snn_frame_lane): each lane's slot and offset by its tap
    always @(posedge clk) begin
        op_valid <= !rst && r_valid;
        op_val <= r_val;
        op_unit <= r_unit;
        op_lane <= r_lane;
        for (l = 0; l < P / LG; l = l + 1) op_gany[l] <= !rst && r_valid && (r_lane[LG*l +: LG] != {LG{1'b0}});
        for (l = 0; l < P; l = l + 1) begin
            op_slot[2*l +: 2] <= r_slot[2*r_yx[4*l+2 +: 2] +: 2];
            op_off[OFF_W*l +: OFF_W] <= r_off[OFF_W*r_yx[4*l +: 2] +: OFF_W];
        end
    end
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused = ^{p_rv, p_cv, xm};   // (the taps inside, p_tin, already say it; xm: OFF_W may be narrower)
    /* verilator lint_on UNUSEDSIGNAL */
endmodule
