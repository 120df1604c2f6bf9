// mtif_neuron_rt: the MT-IF update of mtif_neuron (docs/contract.md §4) with the thresholds chosen at run time.
//
// The layer-sequential engine (snn_engine) runs every layer through the same neurons, so a layer's thresholds
// come from its descriptor instead of a parameter. They are powers of two (§2: TH_i = 2^(e_i + F)), so the
// descriptor stores only th_exp = e_0 + F and threshold i is 1 << (th_exp - TH_SHIFT_i), TH_SHIFT_i = e_0 - e_i
// (a manifest constant, the same for every layer). Purely combinational, like mtif_neuron:
//
//   V = V + I;  for i = 0..K-1 (highest threshold first): s_i = V > TH_i (or >=); V -= s_i * TH_i
//
// All arithmetic is done CW bits wide, wider than the membrane, the current and every threshold, so nothing
// wraps; v_out keeps MEM_W bits (the exporter's membrane_bits bound, §7, guarantees that it fits).
module mtif_neuron_rt #(
    parameter integer K          = 4,
    parameter integer CUR_W      = 14,
    parameter integer MEM_W      = 17,
    parameter integer TH_W       = 16,               // holds 1 << th_exp as a positive signed number
    parameter integer EXP_W      = 5,
    parameter [K*8-1:0] TH_SHIFT = {8'd3, 8'd2, 8'd1, 8'd0},   // e_0 - e_i at [8i +: 8]
    parameter integer COMPARE_GE = 0
) (
    input  wire [MEM_W-1:0] v_in,
    input  wire [CUR_W-1:0] i_in,
    input  wire [EXP_W-1:0] th_exp,
    output reg  [MEM_W-1:0] v_out,
    output reg  [K-1:0]     spikes
);
    localparam integer MAX_A = (MEM_W > CUR_W) ? MEM_W : CUR_W;
    localparam integer CW    = ((MAX_A > TH_W) ? MAX_A : TH_W) + 1;

    /* verilator lint_off UNUSEDSIGNAL */
    reg signed [CW-1:0] v;
    /* verilator lint_on UNUSEDSIGNAL */
    reg signed [CW-1:0] th;
    reg        [EXP_W-1:0] e;
    reg                 fire;
    integer             i;

    always @* begin
        v = $signed({{(CW - MEM_W){v_in[MEM_W-1]}}, v_in}) + $signed({{(CW - CUR_W){i_in[CUR_W-1]}}, i_in});
        spikes = {K{1'b0}};
        th = {CW{1'b0}};
        e = {EXP_W{1'b0}};
        fire = 1'b0;
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
