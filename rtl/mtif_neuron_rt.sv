// mtif_neuron_rt: the MT-IF update (docs/contract.md §4) with the thresholds chosen at run time -- the one MT-IF
// core of the RTL (mtif_neuron is this core with constant thresholds).
//
// The layer-major frame engine (snn_frame_neuron) runs every layer through the same neurons, so a layer's thresholds
// come from its descriptor instead of a parameter. They are powers of two (§2: TH_i = 2^(e_i + F)), so the
// descriptor stores only th_exp = e_0 + F and threshold i is 1 << (th_exp - TH_SHIFT_i), TH_SHIFT_i = e_0 - e_i
// (a manifest constant, the same for every layer). Purely combinational:
//
//   V = V + I;  for i = 0..K-1 (highest threshold first): s_i = V > TH_i (or >=); V -= s_i * TH_i
//
// Why combinational: the neuron stage reads a membrane from its register file, passes it through this block and
// writes it back in the same cycle, so a register here would only add a pipeline stage to align with.
// All arithmetic is done CW bits wide, wider than the membrane, the current and every threshold, so nothing
// wraps (a threshold the membrane can never reach still compares correctly); v_out keeps MEM_W bits (the
// exporter's membrane_bits bound, §7, guarantees that it fits). The membrane is never clamped (§4).
// COMPARE_GE = 0 is the manifest's `compare: gt` (V > TH), 1 is `compare: ge` (V >= TH).
`include "snn_check.svh"
module mtif_neuron_rt #(
    parameter integer K          = 4,
    parameter integer CUR_W      = 14,
    parameter integer MEM_W      = 17,
    parameter integer TH_W       = 16,               // holds 1 << th_exp as a positive signed number
    parameter integer EXP_W      = 5,
    parameter [K*8-1:0] TH_SHIFT = {8'd3, 8'd2, 8'd1, 8'd0},   // e_0 - e_i at [8i +: 8]
    parameter integer COMPARE_GE = 0
) (
    input  wire [MEM_W-1:0] v_in,    // membrane before the step (two's complement)
    input  wire [CUR_W-1:0] i_in,    // input current of this step (two's complement)
    input  wire [EXP_W-1:0] th_exp,  // log2 of threshold 0
    output reg  [MEM_W-1:0] v_out,   // membrane after the whole cascade (what the golden vectors record)
    output reg  [K-1:0]     spikes   // spike word: bit i = threshold i fired (§5)
);
    `SNN_REQUIRE(g_check_k, K >= 1, "Error: K must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_cur_w, CUR_W >= 1, "Error: CUR_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_mem_w, MEM_W >= 1, "Error: MEM_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_th_w, TH_W >= 1, "Error: TH_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_exp_w, EXP_W >= 1, "Error: EXP_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_compare_ge, COMPARE_GE == 0 || COMPARE_GE == 1,
                 "Error: COMPARE_GE must be 0 or 1 (instance %m)")

    localparam integer MAX_A = (MEM_W > CUR_W) ? MEM_W : CUR_W;
    localparam integer CW    = ((MAX_A > TH_W) ? MAX_A : TH_W) + 1;

    /* verilator lint_off UNUSEDSIGNAL */
    reg signed [CW-1:0] v;   // upper bits are only needed for the compare, v_out keeps MEM_W of them
    /* verilator lint_on UNUSEDSIGNAL */
    reg signed [CW-1:0] th;
    reg        [EXP_W-1:0] e;
    reg                 fire;
    integer             i;

    always @* begin
        // integrate (§4): explicit sign extension of both operands to the compare width
        v = $signed({{(CW - MEM_W){v_in[MEM_W-1]}}, v_in}) + $signed({{(CW - CUR_W){i_in[CUR_W-1]}}, i_in});
        spikes = {K{1'b0}};
        th = {CW{1'b0}};
        e = {EXP_W{1'b0}};
        fire = 1'b0;
        // fire coarse to fine, reset by subtraction (§4)
        for (i = 0; i < K; i = i + 1) begin
            e = th_exp - EXP_W'(TH_SHIFT[8*i +: 8]);
            th = $signed({{(CW - 1){1'b0}}, 1'b1} << e);
            fire = (COMPARE_GE != 0) ? (v >= th) : (v > th);
            if (fire) v = v - th;
            spikes[i] = fire;
        end
        v_out = v[MEM_W-1:0];
    end
endmodule
