// snn_frame_lane: one lane's part of the accumulator band (docs/frame_engine.md): four slot banks (one output row
// each, [x][t][g]), the read-modify-write of the scatter ops and the neuron phase's read-and-clear.
//
// The scatter and the neuron phase never touch the same slot at the same time (snn_frame_scatter gates START), so
// each bank has one read and one write port, given to whichever side owns that slot in the cycle. Scatter ops:
// stage A presents the address, stage B adds w * v (pool: v) to the word read and writes it back. The next op
// of the same address reads before that write lands, so it takes the sum from a one-entry bypass instead.
// After reset the band is cleared once (init_*), since an aborted frame leaves partial sums behind.
`include "snn_check.svh"
module snn_frame_lane #(
    parameter integer ACC_W      = 20,
    parameter integer W_BITS     = 8,
    parameter integer VAL_W      = 8,
    parameter integer SLOT_DEPTH = 64,
    parameter integer OFF_W      = 6
) (
    input  wire                     clk,
    input  wire                     rst,
    // clearing after reset
    input  wire                     init_clr,
    input  wire [OFF_W-1:0]         init_off,
    // scatter op, stage A
    input  wire                     op_valid,
    input  wire [1:0]               op_slot,
    input  wire [OFF_W-1:0]         op_off,
    input  wire                     op_unit,     // weight 1 (pool)
    input  wire [VAL_W-1:0]         op_val,
    input  wire signed [W_BITS-1:0] w_b,         // the weight, stage B (ROM output)
    // neuron side: read at n_rd, the word on n_q the next cycle; n_clr writes 0 at the last read address
    input  wire                     n_rd,
    input  wire [1:0]               n_slot,
    input  wire [OFF_W-1:0]         n_off,
    input  wire                     n_clr,
    output wire [ACC_W-1:0]         n_q
);
    `SNN_REQUIRE(g_check_depth, SLOT_DEPTH >= 1 && (1 << OFF_W) >= SLOT_DEPTH,
                 "Error: SLOT_DEPTH must be >= 1 and fit OFF_W (instance %m)")

    wire [ACC_W-1:0] q [0:3];   // each bank's last read word

    // stage B registers
    reg             b_valid, b_unit, b_fwd;
    reg [1:0]       b_slot;
    reg [OFF_W-1:0] b_off;
    reg [VAL_W-1:0] b_val;
    reg [ACC_W-1:0] b_sum_prev;
    reg [1:0]       nb_slot;
    reg [OFF_W-1:0] nb_off;

    wire signed [W_BITS+VAL_W:0] prod = $signed({1'b0, b_val}) * w_b;
    wire [ACC_W-1:0] b_old = b_fwd ? b_sum_prev : q[b_slot];
    wire [ACC_W-1:0] b_sum = b_old + (b_unit ? ACC_W'(b_val) : ACC_W'(prod));
    assign n_q = q[nb_slot];

    always @(posedge clk) begin
        if (rst) begin
            b_valid <= 1'b0; b_fwd <= 1'b0;
        end else begin
            b_valid <= op_valid;
            b_fwd   <= op_valid && b_valid && op_slot == b_slot && op_off == b_off;
        end
        b_slot <= op_slot; b_off <= op_off; b_unit <= op_unit; b_val <= op_val;
        b_sum_prev <= b_sum;
        nb_slot <= n_slot; nb_off <= n_off;
    end

    // the four banks: one read port (the scatter's or the neuron's), one write port
    genvar gb;
    generate
        for (gb = 0; gb < 4; gb = gb + 1) begin : g_bank
            reg [ACC_W-1:0] mem [0:SLOT_DEPTH-1];
            reg [ACC_W-1:0] rq;
            wire sc_rd = op_valid && op_slot == 2'(gb);
            wire rd    = sc_rd || (n_rd && n_slot == 2'(gb));
            wire [OFF_W-1:0] ra = sc_rd ? op_off : n_off;
            wire sc_wr = b_valid && b_slot == 2'(gb);
            wire we    = init_clr || sc_wr || (n_clr && nb_slot == 2'(gb));
            wire [OFF_W-1:0] wa = init_clr ? init_off : sc_wr ? b_off : nb_off;
            wire [ACC_W-1:0] wd = (sc_wr && !init_clr) ? b_sum : {ACC_W{1'b0}};
            always @(posedge clk) begin
                if (rd) rq <= mem[ra];
                if (we) mem[wa] <= wd;
            end
            assign q[gb] = rq;
        end
    endgenerate
endmodule
