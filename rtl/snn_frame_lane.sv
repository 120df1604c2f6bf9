// snn_frame_lane: LG lanes' part of the accumulator band (docs/frame_engine.md): four slot banks (one output row
// each, [x][t][g]), LG partial sums a word, the read-modify-write of the scatter ops and the neuron phase's
// read-and-clear.
//
// Why LG lanes share a word: lanes of one sub-lane always take the same tap and group, so they address the same
// word; one wide memory per bank maps onto wide BRAM/URAM words instead of P narrow ones (the paper-size model's
// band only fits URAM that way). A lane without work in an op adds 0, so the whole word is written back; a word
// is written only when some lane has work (then its address is inside the map).
// The scatter and the neuron phase never touch the same slot at the same time (snn_frame_scatter gates START), so
// each bank has one read and one write port, given to whichever side owns that slot in the cycle.
//
// Scatter ops run through four stages (issue 22: no logic behind a block-RAM read but its output register):
//   A  the scatter presents the op; each bank reads the addressed word
//   B  the banks' read registers (the RAM output); the forwarding flags of A are registered; from
//      the weight memory's word (read a stage ahead of A, w_b) and the op's value, as the product's operands:
//      the weight (pool: 1) and the value (a lane without work: 0), registered
//   C  the banks' output registers; the product of the two operand registers is registered (nothing else between
//      them and the product's register: on an ECP5 the multiplier is a DSP block far from the logic), and so is
//      the old word: the bank's, or the sum of the op two or three ahead of it when that one wrote the same address
//      (its write had not landed when this op read)
//   D  old word (or the sum of the op just ahead, same address) + product, written back
// An op reads at A what was written up to three cycles before; the ops one, two and three ahead of it (still in
// B, C, D) may write the same word, so each op carries three match flags, taken at A, and picks the newest sum.
// Neuron side: n_rd at cycle c reads, the word is on n_q at c + 2 (after the output register, a 4:1 bank
// select); n_clr at c + 1 writes 0 at the address read at c. After reset the band is cleared once (init_*), since
// an aborted frame leaves partial sums behind.
`include "snn_check.svh"
module snn_frame_lane #(
    parameter integer LG = 1,                                   // lanes a word
    // accumulator, weight and spike-value widths
    parameter integer ACC_W = 20, W_BITS = 8, VAL_W = 8,
    // band slot depth and its offset width
    parameter integer SLOT_DEPTH = 64, OFF_W = 6
) (
    input  wire                     clk,
    input  wire                     rst,
    // clearing after reset
    input  wire                     init_clr,
    input  wire [OFF_W-1:0]         init_off,
    // scatter op, stage A
    input  wire                     op_valid,
    input  wire [LG-1:0]            op_lane,     // lanes with work
    input  wire                     op_any,      // op_valid and some lane has work (registered by the scatter: it
                                                 // enables the banks' reads, far across the device)
    input  wire [1:0]               op_slot,
    input  wire [OFF_W-1:0]         op_off,
    input  wire                     op_unit,     // weight 1 (pool)
    input  wire [VAL_W-1:0]         op_val,
    input  wire [LG*W_BITS-1:0]     w_b,         // the lanes' weights, stage B (the weight memory's output)
    // neuron side: read at n_rd, the word on n_q two cycles later; n_clr writes 0 at the address read the cycle before
    input  wire                     n_rd,
    input  wire [1:0]               n_slot,
    input  wire [OFF_W-1:0]         n_off,
    input  wire                     n_clr,
    output wire [LG*ACC_W-1:0]      n_q
);
    `SNN_REQUIRE(g_check_depth, SLOT_DEPTH >= 1 && (1 << OFF_W) >= SLOT_DEPTH,
                 "Error: SLOT_DEPTH must be >= 1 and fit OFF_W (instance %m)")
    `SNN_REQUIRE(g_check_lg, LG >= 1, "Error: LG must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_w_bits, W_BITS >= 2, "Error: W_BITS must be >= 2 (a pool's weight is 1) (instance %m)")
    localparam integer WW = LG * ACC_W;

    wire [WW-1:0] q [0:3];   // each bank's output register
    wire          any = op_any;
    /* verilator lint_off UNUSEDSIGNAL */
    wire          unused_valid = op_valid;       // (op_any says it)
    /* verilator lint_on UNUSEDSIGNAL */

    // stage B registers (b_fwd: the op now in B writes the address of the op in A)
    reg             b_valid, b_unit, b_fwd, b_m2, b_m3;
    reg [LG-1:0]    b_lane;
    reg [1:0]       b_slot;
    reg [OFF_W-1:0] b_off;
    reg [VAL_W-1:0] b_val;
    // stage C
    reg             c_valid, c_f1, c_f2, c_f3;
    reg [LG*W_BITS-1:0] c_w;                     // the product's operands: each lane's weight (pool: 1) ...
    reg [LG*VAL_W-1:0]  c_v;                     // ... and value (a lane without work: 0)
    reg [1:0]       c_slot;
    reg [OFF_W-1:0] c_off;
    // stage D
    reg             d_valid, d_f1;
    reg [1:0]       d_slot;
    reg [OFF_W-1:0] d_off;
    reg [WW-1:0]    d_old, d_add;
    // the sums of the last two ops through D (s1: the previous cycle's, s2: the one before)
    reg [WW-1:0]    s1, s2;
    // neuron read: slot at c + 1 (the clear) and c + 2 (the bank select of n_q)
    reg [1:0]       nb_slot, nc_slot;
    reg [OFF_W-1:0] nb_off;

    // B -> C: the product's operands; C: the product (w * v, pool v, a lane without work 0) a lane adds
    wire [WW-1:0] c_add;
    genvar gl;
    generate
        for (gl = 0; gl < LG; gl = gl + 1) begin : g_mul
            wire signed [W_BITS+VAL_W:0] prod = $signed({1'b0, c_v[VAL_W*gl +: VAL_W]})
                                                * $signed(c_w[W_BITS*gl +: W_BITS]);
            assign c_add[ACC_W*gl +: ACC_W] = ACC_W'(prod);
            always @(posedge clk) begin
                c_w[W_BITS*gl +: W_BITS] <= b_unit ? W_BITS'(1) : w_b[W_BITS*gl +: W_BITS];
                c_v[VAL_W*gl +: VAL_W]   <= b_lane[gl] ? b_val : {VAL_W{1'b0}};
            end
        end
    endgenerate
    // D: the old word (the newest sum of the same address) + the product
    wire [WW-1:0] d_base = d_f1 ? s1 : d_old;
    wire [WW-1:0] d_sum;
    generate
        for (gl = 0; gl < LG; gl = gl + 1) begin : g_add
            assign d_sum[ACC_W*gl +: ACC_W] = d_base[ACC_W*gl +: ACC_W] + d_add[ACC_W*gl +: ACC_W];
        end
    endgenerate
    assign n_q = q[nc_slot];

    always @(posedge clk) begin
        if (rst) begin
            b_valid <= 1'b0; b_fwd <= 1'b0; b_m2 <= 1'b0; b_m3 <= 1'b0;
            c_valid <= 1'b0; d_valid <= 1'b0;
        end else begin
            b_valid <= any;
            b_fwd   <= any && b_valid && op_slot == b_slot && op_off == b_off;
            b_m2    <= any && c_valid && op_slot == c_slot && op_off == c_off;
            b_m3    <= any && d_valid && op_slot == d_slot && op_off == d_off;
            c_valid <= b_valid;
            d_valid <= c_valid;
        end
        b_slot <= op_slot; b_off <= op_off; b_unit <= op_unit; b_val <= op_val; b_lane <= op_lane;
        c_slot <= b_slot; c_off <= b_off;
        c_f1 <= b_fwd; c_f2 <= b_m2; c_f3 <= b_m3;
        // the op two ahead left D last cycle (its sum is in s1), the op three ahead the cycle before (s2)
        d_old <= c_f2 ? s1 : c_f3 ? s2 : q[c_slot];
        d_add <= c_add;
        d_f1 <= c_f1; d_slot <= c_slot; d_off <= c_off;
        s1 <= d_sum; s2 <= s1;
        nb_slot <= n_slot; nb_off <= n_off; nc_slot <= nb_slot;
    end

    // the four banks: one read port (the scatter's or the neuron's), one write port
    genvar gb;
    generate
        for (gb = 0; gb < 4; gb = gb + 1) begin : g_bank
            reg [WW-1:0] mem [0:SLOT_DEPTH-1];
            reg [WW-1:0] rq, oq;
            wire sc_rd = any && op_slot == 2'(gb);
            wire rd    = sc_rd || (n_rd && n_slot == 2'(gb));
            wire [OFF_W-1:0] ra = sc_rd ? op_off : n_off;
            wire sc_wr = d_valid && d_slot == 2'(gb);
            wire we    = init_clr || sc_wr || (n_clr && nb_slot == 2'(gb));
            wire [OFF_W-1:0] wa = init_clr ? init_off : sc_wr ? d_off : nb_off;
            wire [WW-1:0] wd = (sc_wr && !init_clr) ? d_sum : {WW{1'b0}};
            always @(posedge clk) begin
                if (rd) rq <= mem[ra];
                if (we) mem[wa] <= wd;
                oq <= rq;            // the output register
            end
            assign q[gb] = oq;
        end
    endgenerate
endmodule
