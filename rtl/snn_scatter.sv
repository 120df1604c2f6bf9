// snn_scatter: the accumulate side of snn_engine's SCATTER phase (docs/rtl_engine.md, contract §3).
//
// It pops one event (input value at (y, x) of input channel c) and walks, for each output channel group g (P
// lanes) and each kernel tap (ky, kx) whose output lands inside the output map, one read-modify-write of the P
// accumulators at that output (stage A: accumulator and weight addresses; stage B, in snn_lane: the add):
//   conv / output: output (y + 1 - ky, x + 1 - kx) (3x3, padding 1) or (y, x) (1x1)
//   upconv       : output (2y + ky - 1, 2x + kx - 1) (transposed conv k3 s2 p1 op1, a scatter by definition)
//   pool         : output (y/2, x/2), group and lane of channel c only, adds magnitude << shamt (sb_pool_add)
// It pops the next event in the cycle of the last op, so events stream at one op per cycle. The accumulator RAM
// reads synchronously, so an op that reads the accumulator the previous op writes gets the previous sum through
// a one-entry bypass (byp_hit).
`include "snn_check.svh"
module snn_scatter #(
    parameter integer P         = 2,
    parameter integer K         = 4,
    parameter integer ACC_W     = 20,
    parameter integer WB        = 8,
    parameter integer C_W       = 6,
    parameter integer G_W       = 4,
    parameter integer XY_W      = 5,
    parameter integer ACC_DEPTH = 512,
    parameter integer W_DEPTH   = 4096,
    parameter [K*8-1:0] SPIKE_SHIFT = {8'd0, 8'd1, 8'd2, 8'd3},   // e_i - e_min at [8i +: 8]
    parameter WEIGHT_FILE       = "weights.mem"
) (
    input  wire                   clk,
    input  wire                   rst,
    input  wire                   is_pool,
    input  wire                   is_up,
    input  wire                   k3,          // 3x3 kernel (else 1x1)
    input  wire [XY_W-1:0]        ih_last,
    input  wire [XY_W-1:0]        iw_last,
    input  wire [G_W-1:0]         g_last,
    input  wire [SH_W-1:0]        oyl,         // log2 of the padded output height / width
    input  wire [SH_W-1:0]        oxl,
    input  wire [SH_W-1:0]        tl,          // weight address: slots per (channel, group), channel stride
    input  wire [SH_W-1:0]        gtl,
    input  wire [W_AW-1:0]        wbase,
    input  wire [SH_W-1:0]        shamt,       // pool: F + e_min - 2
    input  wire                   ev_valid,    // event FIFO head (first word fall-through)
    input  wire [EV_W-1:0]        ev_data,
    output wire                   ev_pop,
    output reg                    busy,        // stage A holds an event
    output wire [ACC_AW-1:0]      acc_raddr,   // stage A: the accumulators to read
    output reg                    sb_valid,    // stage B: add at sb_addr
    output reg  [ACC_AW-1:0]      sb_addr,
    output reg  [EVENT_VAL_W-1:0] sb_val,      // the event value (pixel byte or spike word)
    output reg  [LANE_W-1:0]      sb_cl,       // pool: the only lane that adds
    output wire [ACC_W-1:0]       sb_pool_add, // pool: what it adds
    output reg                    byp_hit,     // stage B reads the sum stage B wrote the cycle before
    output wire [P*WB-1:0]        w_q          // stage B: the P weights of the op
);
/* verilator lint_off UNUSEDPARAM */
`include "snn_engine_pkg.svh"
/* verilator lint_on UNUSEDPARAM */
    `SNN_REQUIRE(g_check_p, P >= 1, "Error: P must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_k, K >= 1 && K <= EVENT_VAL_W, "Error: K must be in 1..8 (instance %m)")
    `SNN_REQUIRE(g_check_acc_w, ACC_W >= 1, "Error: ACC_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_wb, WB >= 1, "Error: WB must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_c_w, C_W >= 1, "Error: C_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_g_w, G_W >= 1, "Error: G_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_xy_w, XY_W >= 1, "Error: XY_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_acc_depth, ACC_DEPTH >= 1, "Error: ACC_DEPTH must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_w_depth, W_DEPTH >= 1, "Error: W_DEPTH must be >= 1 (instance %m)")

    localparam integer LANE_W = (P > 1) ? $clog2(P) : 1;
    localparam integer ACC_AW = (ACC_DEPTH > 1) ? $clog2(ACC_DEPTH) : 1;
    localparam integer W_AW   = (W_DEPTH > 1) ? $clog2(W_DEPTH) : 1;
    localparam integer EV_W   = C_W + G_W + LANE_W + 2 * XY_W + EVENT_VAL_W;

    // the head event, unpacked ({channel, group, lane, y, x, value}, snn_scanner)
    wire [C_W-1:0]         p_cglob = ev_data[EV_W-1 -: C_W];
    wire [G_W-1:0]         p_cg    = ev_data[EV_W-C_W-1 -: G_W];
    wire [LANE_W-1:0]      p_cl    = ev_data[EV_W-C_W-G_W-1 -: LANE_W];
    wire [XY_W-1:0]        p_y     = ev_data[EVENT_VAL_W+2*XY_W-1 -: XY_W];
    wire [XY_W-1:0]        p_x     = ev_data[EVENT_VAL_W+XY_W-1 -: XY_W];
    wire [EVENT_VAL_W-1:0] p_val   = ev_data[EVENT_VAL_W-1:0];

    // tap ranges of an event at (y, x): taps whose output lies inside the image (§3 padding / scatter bounds).
    // (The functions take every signal they read as an argument: a continuous assignment is re-evaluated only
    // when its operands change, so a function must not read module signals behind the simulator's back.)
    function automatic [3:0] tap_range(input [XY_W-1:0] c, input [XY_W-1:0] c_last, input a_pool, input a_up,
                                       input a_k3);
        reg [1:0] lo, hi;
        begin
            if (a_pool || !a_k3) begin lo = 2'd0; hi = 2'd0; end
            else if (a_up) begin lo = (c == {XY_W{1'b0}}) ? 2'd1 : 2'd0; hi = 2'd2; end
            else begin lo = (c == c_last) ? 2'd1 : 2'd0; hi = (c == {XY_W{1'b0}}) ? 2'd1 : 2'd2; end
            tap_range = {lo, hi};
        end
    endfunction
    wire [3:0] p_yr = tap_range(p_y, ih_last, is_pool, is_up, k3), p_xr = tap_range(p_x, iw_last, is_pool, is_up, k3);

    // output coordinate of tap k for input coordinate c
    function automatic [XY_W-1:0] out_coord(input [XY_W-1:0] c, input [1:0] k, input a_pool, input a_up, input a_k3);
        begin
            if (a_pool) out_coord = c >> 1;
            else if (a_up) out_coord = XY_W'({c, 1'b0} + (XY_W + 1)'(k) - (XY_W + 1)'(1));
            else if (a_k3) out_coord = XY_W'((XY_W + 1)'(c) + (XY_W + 1)'(1) - (XY_W + 1)'(k));
            else out_coord = c;
        end
    endfunction

    // ---- stage A: the event being walked over (group, ky, kx)
    reg  [C_W-1:0]         e_cglob;
    reg  [LANE_W-1:0]      e_cl;
    reg  [XY_W-1:0]        e_y, e_x;
    reg  [EVENT_VAL_W-1:0] e_val;
    reg  [G_W-1:0]         sa_g;
    reg  [1:0]             ky, kx, ky_lo, ky_hi, kx_lo, kx_hi;
    wire                   sa_last = busy && kx == kx_hi && ky == ky_hi && (is_pool || sa_g == g_last);
    wire [XY_W-1:0]        sa_oy = out_coord(e_y, ky, is_pool, is_up, k3);
    wire [XY_W-1:0]        sa_ox = out_coord(e_x, kx, is_pool, is_up, k3);
    wire [W_AW-1:0]        w_raddr = wbase + (W_AW'(e_cglob) << gtl) + (W_AW'(sa_g) << tl) +
                                     (k3 ? W_AW'({ky, kx}) : {W_AW{1'b0}});
    assign acc_raddr = (ACC_AW'(sa_g) << (oyl + oxl)) | (ACC_AW'(sa_oy) << oxl) | ACC_AW'(sa_ox);
    assign ev_pop = ev_valid && (!busy || sa_last);

    // weight ROM: P lanes per word, read in stage A, used in stage B
    reg  [P*WB-1:0] w_rom [0:W_DEPTH-1];
    reg  [P*WB-1:0] w_q_r;
    initial $readmemh(WEIGHT_FILE, w_rom);
    always @(posedge clk) w_q_r <= w_rom[w_raddr];
    assign w_q = w_q_r;

    // spike magnitude of a word in units of 2^e_min (pool)
    function automatic [ACC_W-1:0] magnitude(input [EVENT_VAL_W-1:0] word);
        integer i;
        begin
            magnitude = {ACC_W{1'b0}};
            for (i = 0; i < K; i = i + 1)
                if (word[i]) magnitude = magnitude + (ACC_W'(1) << SPIKE_SHIFT[8*i +: 8]);
        end
    endfunction
    assign sb_pool_add = magnitude(sb_val) << shamt;

    always @(posedge clk) begin
        if (rst) begin
            busy <= 1'b0; sb_valid <= 1'b0; byp_hit <= 1'b0;
        end else begin
            if (ev_pop) begin
                busy <= 1'b1;
                e_cglob <= p_cglob; e_cl <= p_cl; e_y <= p_y; e_x <= p_x; e_val <= p_val;
                ky_lo <= p_yr[3:2]; ky_hi <= p_yr[1:0]; kx_lo <= p_xr[3:2]; kx_hi <= p_xr[1:0];
                ky <= p_yr[3:2]; kx <= p_xr[3:2];
                sa_g <= is_pool ? p_cg : {G_W{1'b0}};
            end else if (busy) begin
                if (sa_last) busy <= 1'b0;
                else if (kx != kx_hi) kx <= kx + 1'b1;
                else begin
                    kx <= kx_lo;
                    if (ky != ky_hi) ky <= ky + 1'b1;
                    else begin ky <= ky_lo; sa_g <= sa_g + 1'b1; end
                end
            end
            // stage B
            sb_valid <= busy;
            sb_addr <= acc_raddr; sb_val <= e_val; sb_cl <= e_cl;
            byp_hit <= busy && sb_valid && (sb_addr == acc_raddr);
        end
    end
endmodule
