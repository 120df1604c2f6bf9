// snn_frame_scatter: turns each event into accumulate ops on the P lanes (docs/frame_engine.md, "Scatter").
//
// An event (input pixel (iy, ix), step t, input channel c, value v) adds w[o][ky][kx][c] * v to output
// (oy, ox) of every tap: 3x3 conv oy = iy + 1 - ky (contract §3), transposed conv oy = 2 iy + ky - 1, 1x1 conv
// and pool the pixel itself (pool: (iy/2, ix/2), channel c only, weight 1). Lane l = (sub-lane s, lane o) takes
// tap j*S + s of op j and output channel g*CO + o; op (g, j) reads weight word wbase + (c*G + g)*J + j. Ops
// whose taps all fall outside the map are skipped. The accumulator band keeps output row oy in slot oy mod 4,
// [x][t][g] within the slot. Two event registers (decoded, issuing) keep one op per cycle across events.
//
// Strips (several engines, snn_frame_seq): event columns count from the first column read; xoff moves them onto
// this engine's strip, and taps outside [0, w_out) are dropped like those outside the map.
//
// Markers: START(iy) waits until the neuron phase has emptied the slots row iy writes (rows_done >= the highest
// row it touches - 3); END(iy) announces the output rows that row iy completed (rows_ready), a cycle after its
// last op, when that op's write has landed.
`include "snn_check.svh"
module snn_frame_scatter #(
    parameter integer P = 8,                                    // lanes
    // column, row, step and channel counters
    parameter integer X_W = 10, Y_W = 16, T_W = 4, C_W = 8,
    // spike value, band offset, weight address, group
    parameter integer VAL_W = 8, OFF_W = 12, WA_W = 10, G_W = 4
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
    output reg  [P*2-1:0]     op_slot,        // lane l's slot at [2l +: 2]
    output reg  [P*OFF_W-1:0] op_off,         // lane l's offset in its slot
    output reg  [WA_W-1:0]    op_waddr,
    output reg  [VAL_W-1:0]   op_val,
    output reg                op_unit,        // pool: the weight is 1
    output wire               idle
);
    /* verilator lint_off UNUSEDPARAM */
    `include "snn_frame_pkg.svh"   // (each module uses some of its fields)
    /* verilator lint_on UNUSEDPARAM */
    localparam integer LP = (P > 1) ? $clog2(P) : 1;
    `SNN_REQUIRE(g_check_p, P >= 1 && (P & (P - 1)) == 0, "Error: P must be a power of two (instance %m)")

    // ---------------------------------------------------------------- decode (FIFO head -> d_*)
    wire        is_pool = (kind == 3'(KIND_POOL));
    wire        is_up   = (kind == 3'(KIND_UPCONV));
    wire        k3      = (ntaps == 4'd9);
    reg  signed [Y_W+1:0] oy [0:2];
    reg  signed [X_W+2:0] ox [0:2];
    integer q;
    always @* begin
        for (q = 0; q < 3; q = q + 1) begin
            // ky = q: 3x3 conv oy = iy + 1 - ky, transposed oy = 2 iy + ky - 1; 1-tap kernels use q = 1
            if (is_up) begin
                oy[q] = $signed({1'b0, ev_y, 1'b0}) + (Y_W+2)'(q) - (Y_W+2)'(1);
                ox[q] = $signed({2'b0, ev_x, 1'b0}) + (X_W+3)'(q) - (X_W+3)'(1) + (X_W+3)'(xoff);
            end else if (is_pool) begin
                oy[q] = $signed({3'b0, ev_y[Y_W-1:1]}); ox[q] = $signed({4'b0, ev_x[X_W-1:1]}) + (X_W+3)'(xoff);
            end else begin
                oy[q] = $signed({2'b0, ev_y}) + (Y_W+2)'(1) - (Y_W+2)'(q);
                ox[q] = $signed({3'b0, ev_x}) + (X_W+3)'(1) - (X_W+3)'(q) + (X_W+3)'(xoff);
            end
        end
    end

    reg               d_valid, d_marker;
    reg  [1:0]        d_type;
    reg  [Y_W-1:0]    d_y;
    reg  [2:0]        d_rv, d_cv;                   // row / column of tap index valid
    reg  [5:0]        d_slot;                       // slot of ky at [2ky +: 2]
    reg  [3*OFF_W-1:0] d_col;                       // column base of kx
    reg  [OFF_W-1:0]  d_tg;                         // t*G (+ the pool's group)
    reg  [WA_W-1:0]   d_cbase;
    reg  [VAL_W-1:0]  d_val;
    reg  [LP-1:0]     d_plane;                      // pool: the one lane
    reg  [8:0]        d_jmask;                      // ops with at least one tap inside

    // tap k of the kernel -> (ky, kx); a 1-tap kernel is the centre
    function automatic [3:0] tap_yx(input [7:0] k, input is3);
        tap_yx = !is3 ? 4'b0101 : (k < 3) ? {2'd0, 2'(k)} : (k < 6) ? {2'd1, 2'(k - 3)} : {2'd2, 2'(k - 6)};
    endfunction

    // which ops j have a tap inside the map
    reg [8:0] jm;
    reg [2:0] rv, cv;
    reg [7:0] kk;
    reg [3:0] yx;
    integer j, s;
    always @* begin
        for (q = 0; q < 3; q = q + 1) begin
            rv[q] = (oy[q] >= 0) && (oy[q] < $signed({2'b0, h_out}));
            cv[q] = (ox[q] >= 0) && (ox[q] < $signed({2'b0, w_out}));
        end
        jm = 9'd0;
        for (j = 0; j < 9; j = j + 1)
            for (s = 0; s < P; s = s + 1) begin
                kk = (8'(j) << sl) + 8'(s);
                yx = tap_yx(kk, k3);
                if (j < 32'(j_ops) && s < (1 << sl) && kk < 8'(ntaps) && rv[yx[3:2]] && cv[yx[1:0]]) jm[j] = 1'b1;
            end
    end

    // ---------------------------------------------------------------- issue state
    reg               i_valid;                      // i_* = the event being issued
    reg  [2:0]        i_rv, i_cv;
    reg  [5:0]        i_slot;
    reg  [3*OFF_W-1:0] i_col;
    reg  [OFF_W-1:0]  i_tg;
    reg  [VAL_W-1:0]  i_val;
    reg  [LP-1:0]     i_plane;
    reg  [8:0]        i_jmask, i_left;              // ops of this group still to issue
    reg  [G_W:0]      i_g;
    reg  [WA_W-1:0]   i_gbase;                      // cbase + g*J

    reg [3:0] jn;                                   // next op of the group
    always @* begin
        jn = 4'd0;
        for (q = 8; q >= 0; q = q - 1) if (i_left[q]) jn = 4'(q);
    end
    wire [8:0] left_after = i_left & ~(9'd1 << jn);
    wire       last_op    = (left_after == 9'd0) && (is_pool || i_g == groups - 1'b1);
    wire       i_free     = !i_valid || last_op;    // takes the next event this cycle

    // markers are handled in the decode register
    wire [Y_W+1:0] top_row = is_up ? {1'b0, d_y, 1'b1} : is_pool ? {3'b0, d_y[Y_W-1:1]}
                           : k3 ? {2'b0, d_y} + 1'b1 : {2'b0, d_y};
    wire gate_ok   = ({1'b0, rows_done} + (Y_W+2)'(3)) >= top_row;
    wire d_go      = d_valid && (d_marker ? (d_type == 2'd1 ? gate_ok : !i_valid) : i_free);
    wire d_take    = !d_valid || d_go;
    assign ev_pop  = !ev_empty && d_take;
    assign idle    = !d_valid && !i_valid && ev_empty;

    // a pool (depthwise) event belongs to one channel: outside the pass's channels it has nothing to do
    wire [C_W-1:0] c_rel   = ev_c - chan_base;
    wire           in_pass = !is_pool || ev_type != 2'd0
                             || (ev_c >= chan_base && (c_rel >> col) < C_W'(groups));
    always @(posedge clk) begin
        if (rst) begin
            d_valid <= 1'b0;
        end else if (d_take) begin
            d_valid <= !ev_empty && in_pass;
            d_marker <= (ev_type != 2'd0); d_type <= ev_type; d_y <= ev_y;
            d_rv <= rv; d_cv <= cv;
            for (q = 0; q < 3; q = q + 1) begin
                d_slot[2*q +: 2] <= oy[q][1:0];
                d_col[OFF_W*q +: OFF_W] <= OFF_W'(ox[q]) * sx;
            end
            d_tg <= OFF_W'(ev_t) * OFF_W'(groups) + (is_pool ? OFF_W'(c_rel >> col) : {OFF_W{1'b0}});
            d_cbase <= wbase + WA_W'(ev_c) * gj;
            d_val <= ev_val;
            d_plane <= LP'(ev_c & ((C_W'(1) << col) - 1'b1));
            d_jmask <= is_pool ? 9'd1 : jm;
        end
    end

    // rows the finished input row completes (END marker)
    reg  end_pulse;
    reg  [Y_W-1:0] end_y;
    always @(posedge clk) begin
        if (rst || start) begin
            rows_ready <= {(Y_W+1){1'b0}}; end_pulse <= 1'b0;
        end else begin
            end_pulse <= d_go && d_marker && d_type == 2'd2;
            end_y <= d_y;
            if (end_pulse) begin
                if (end_y == h_in - 1'b1) rows_ready <= {1'b0, h_out};
                else if (is_up) rows_ready <= {end_y, 1'b1};                 // rows 0 .. 2 iy
                else if (is_pool) begin if (end_y[0]) rows_ready <= {1'b0, 1'b0, end_y[Y_W-1:1]} + 1'b1; end
                else if (k3) rows_ready <= {1'b0, end_y};                     // rows 0 .. iy - 1
                else rows_ready <= {1'b0, end_y} + 1'b1;
            end
        end
    end

    // issue: one op per cycle
    // lane l's tap and whether it accumulates, for the op being issued
    reg [7:0]   lk [0:P-1];
    reg [3:0]   lyx [0:P-1];
    reg [P-1:0] lon;
    integer l;
    always @* begin
        for (l = 0; l < P; l = l + 1) begin
            lk[l] = (8'(jn) << sl) + 8'(l >> col);
            lyx[l] = tap_yx(lk[l], k3);
            lon[l] = (lk[l] < 8'(ntaps)) && i_rv[lyx[l][3:2]] && i_cv[lyx[l][1:0]]
                     && (is_pool ? (LP'(l) == i_plane)
                                 : ((l >> col) < (1 << sl))
                                   && (chan_base + (C_W'(i_g) << col) + C_W'(l & ((1 << col) - 1)) < c_out));
        end
    end
    always @(posedge clk) begin
        op_valid <= 1'b0;
        if (rst) begin
            i_valid <= 1'b0;
        end else begin
            if (i_valid) begin
                op_valid <= 1'b1;
                op_waddr <= i_gbase + WA_W'(jn);
                op_val <= i_val;
                op_unit <= is_pool;
                for (l = 0; l < P; l = l + 1) begin
                    op_slot[2*l +: 2] <= i_slot[2*lyx[l][3:2] +: 2];
                    op_off[OFF_W*l +: OFF_W] <= i_col[OFF_W*lyx[l][1:0] +: OFF_W] + i_tg
                                                + (is_pool ? {OFF_W{1'b0}} : OFF_W'(i_g));
                end
                op_lane <= lon;
                if (left_after != 9'd0) i_left <= left_after;
                else begin i_left <= i_jmask; i_g <= i_g + 1'b1; i_gbase <= i_gbase + WA_W'(j_ops); end
            end
            if (i_free) begin
                i_valid <= d_valid && !d_marker && d_go;
                i_rv <= d_rv; i_cv <= d_cv; i_slot <= d_slot; i_col <= d_col; i_tg <= d_tg;
                i_gbase <= d_cbase; i_val <= d_val; i_plane <= d_plane;
                i_jmask <= d_jmask; i_left <= d_jmask; i_g <= {(G_W+1){1'b0}};
            end
        end
    end
endmodule
