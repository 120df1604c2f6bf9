// snn_frame_lane: LG lanes' part of the accumulator band (docs/frame_engine.md): four slot banks (one output row
// each, [x][t][g]), LG partial sums a word, the read-modify-write of the scatter ops and the neuron phase's
// read-and-clear.
//
// Why LG lanes share a word: lanes of one sub-lane always take the same tap and group, so they address the same
// word; one wide memory per bank maps onto wide BRAM/URAM words instead of P narrow ones (the paper-size model's
// band only fits URAM that way). A lane without work in an op adds 0, so the whole word is written back; a word
// is written only when some lane has work (then its address is inside the map).
// The scatter and the neuron phase never touch the same slot at the same time (snn_frame_scatter gates START), so
// each bank has one read and one write port, given to whichever side owns that slot in the cycle. Scatter ops:
// stage A presents the address, stage B adds w * v (pool: v) to the word read and writes it back. The next op of
// the same address reads before that write lands, so it takes the sum from a one-entry bypass instead. After
// reset the band is cleared once (init_*), since an aborted frame leaves partial sums behind.
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
    input  wire [1:0]               op_slot,
    input  wire [OFF_W-1:0]         op_off,
    input  wire                     op_unit,     // weight 1 (pool)
    input  wire [VAL_W-1:0]         op_val,
    input  wire [LG*W_BITS-1:0]     w_b,         // the lanes' weights, stage B (ROM output)
    // neuron side: read at n_rd, the word on n_q the next cycle; n_clr writes 0 at the last read address
    input  wire                     n_rd,
    input  wire [1:0]               n_slot,
    input  wire [OFF_W-1:0]         n_off,
    input  wire                     n_clr,
    output wire [LG*ACC_W-1:0]      n_q
);
    `SNN_REQUIRE(g_check_depth, SLOT_DEPTH >= 1 && (1 << OFF_W) >= SLOT_DEPTH,
                 "Error: SLOT_DEPTH must be >= 1 and fit OFF_W (instance %m)")
    `SNN_REQUIRE(g_check_lg, LG >= 1, "Error: LG must be >= 1 (instance %m)")
    localparam integer WW = LG * ACC_W;

    wire [WW-1:0] q [0:3];   // each bank's last read word
    wire          any = op_valid && (op_lane != {LG{1'b0}});

    // stage B registers
    reg             b_valid, b_unit, b_fwd;
    reg [LG-1:0]    b_lane;
    reg [1:0]       b_slot;
    reg [OFF_W-1:0] b_off;
    reg [VAL_W-1:0] b_val;
    reg [WW-1:0]    b_sum_prev;
    reg [1:0]       nb_slot;
    reg [OFF_W-1:0] nb_off;

    wire [WW-1:0] b_old = b_fwd ? b_sum_prev : q[b_slot];
    wire [WW-1:0] b_sum;
    genvar gl;
    generate
        for (gl = 0; gl < LG; gl = gl + 1) begin : g_add
            wire signed [W_BITS+VAL_W:0] prod = $signed({1'b0, b_val}) * $signed(w_b[W_BITS*gl +: W_BITS]);
            wire [ACC_W-1:0] add = !b_lane[gl] ? {ACC_W{1'b0}} : b_unit ? ACC_W'(b_val) : ACC_W'(prod);
            assign b_sum[ACC_W*gl +: ACC_W] = b_old[ACC_W*gl +: ACC_W] + add;
        end
    endgenerate
    assign n_q = q[nb_slot];

    always @(posedge clk) begin
        if (rst) begin
            b_valid <= 1'b0; b_fwd <= 1'b0;
        end else begin
            b_valid <= any;
            b_fwd   <= any && b_valid && op_slot == b_slot && op_off == b_off;
        end
        b_slot <= op_slot; b_off <= op_off; b_unit <= op_unit; b_val <= op_val; b_lane <= op_lane;
        b_sum_prev <= b_sum;
        nb_slot <= n_slot; nb_off <= n_off;
    end

    // the four banks: one read port (the scatter's or the neuron's), one write port
    genvar gb;
    generate
        for (gb = 0; gb < 4; gb = gb + 1) begin : g_bank
            reg [WW-1:0] mem [0:SLOT_DEPTH-1];
            reg [WW-1:0] rq;
            wire sc_rd = any && op_slot == 2'(gb);
            wire rd    = sc_rd || (n_rd && n_slot == 2'(gb));
            wire [OFF_W-1:0] ra = sc_rd ? op_off : n_off;
            wire sc_wr = b_valid && b_slot == 2'(gb);
            wire we    = init_clr || sc_wr || (n_clr && nb_slot == 2'(gb));
            wire [OFF_W-1:0] wa = init_clr ? init_off : sc_wr ? b_off : nb_off;
            wire [WW-1:0] wd = (sc_wr && !init_clr) ? b_sum : {WW{1'b0}};
            always @(posedge clk) begin
                if (rd) rq <= mem[ra];
                if (we) mem[wa] <= wd;
            end
            assign q[gb] = rq;
        end
    endgenerate
endmodule
