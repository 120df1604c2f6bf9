// mtif_neuron: one MT-IF update (docs/contract.md §4) with the thresholds fixed at compile time, purely
// combinational -- a thin wrapper of mtif_neuron_rt, the one MT-IF core, with a constant th_exp.
//
// Thresholds come from the manifest (`thresholds_int`), packed: threshold i at THRESH[TH_W*i +: TH_W], unsigned.
// They are powers of two, highest first (§2: TH_i = 2^(e_i + F)), so they are exactly mtif_neuron_rt's
// 1 << (th_exp - TH_SHIFT_i) with th_exp = log2 TH_0 and TH_SHIFT_i = log2 TH_0 - log2 TH_i; the elaboration
// check below rejects any other THRESH. COMPARE_GE = 0 is `compare: gt` (V > TH), 1 is `compare: ge` (V >= TH).
`include "snn_check.svh"
module mtif_neuron #(
    // thresholds; current, membrane and threshold widths
    parameter integer K = 4, CUR_W = 14, MEM_W = 17, TH_W = 16,
    parameter [K*TH_W-1:0] THRESH = {16'd64, 16'd128, 16'd256, 16'd512},
    parameter integer COMPARE_GE = 0
) (
    input  wire [MEM_W-1:0] v_in,    // membrane before the step (two's complement)
    input  wire [CUR_W-1:0] i_in,    // input current of this step (two's complement)
    output wire [MEM_W-1:0] v_out,   // membrane after the whole cascade
    output wire [K-1:0]     spikes   // spike word: bit i = threshold i fired (§5)
);
    // log2 of a power of two (the highest set bit; -1 for 0)
    function automatic integer log2_of(input [TH_W-1:0] value);
        integer j;
        begin
            log2_of = -1;
            for (j = 0; j < TH_W; j = j + 1)
                if (value[j]) log2_of = j;
        end
    endfunction

    // 1 when every threshold is a power of two no higher than threshold 0
    function automatic integer powers_of_two(input [K*TH_W-1:0] th);
        integer i;
        begin
            powers_of_two = 1;
            for (i = 0; i < K; i = i + 1)
                if (th[TH_W*i +: TH_W] == {TH_W{1'b0}} || (th[TH_W*i +: TH_W] & (th[TH_W*i +: TH_W] - 1'b1)) != 0 ||
                    log2_of(th[TH_W*i +: TH_W]) > log2_of(th[TH_W-1:0]))
                    powers_of_two = 0;
        end
    endfunction

    // TH_SHIFT_i = log2 TH_0 - log2 TH_i at [8i +: 8]
    function automatic [K*8-1:0] shifts_of(input [K*TH_W-1:0] th);
        integer i;
        begin
            shifts_of = {K*8{1'b0}};
            for (i = 0; i < K; i = i + 1)
                shifts_of[8*i +: 8] = 8'(log2_of(th[TH_W-1:0]) - log2_of(th[TH_W*i +: TH_W]));
        end
    endfunction

    localparam integer E0       = log2_of(THRESH[TH_W-1:0]);
    localparam integer EXP_W    = (E0 > 0) ? $clog2(E0 + 1) : 1;
    localparam [K*8-1:0] SHIFTS = shifts_of(THRESH);

    `SNN_REQUIRE(g_check_k, K >= 1, "Error: K must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_th_w, TH_W >= 1, "Error: TH_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_thresh, powers_of_two(THRESH) == 1,
                 "Error: THRESH must hold powers of two, highest first (instance %m)")

    localparam integer MAX_A    = (MEM_W > CUR_W) ? MEM_W : CUR_W;
    localparam integer PW       = 6 * (((MAX_A > TH_W) ? MAX_A : TH_W) + 2) + 8;
    wire [PW-1:0] pre;
    /* verilator lint_off UNUSEDSIGNAL */
    wire [(PW-8)/6-1:0] v_sum;   // (the frame engine's neuron uses these; a lone neuron does not)
    wire [(PW-8)/6+9:0] spk_pre;
    /* verilator lint_on UNUSEDSIGNAL */
    wire [4*((PW-8)/6)+7:0] cst;
    mtif_const #(.K(K), .CUR_W(CUR_W), .MEM_W(MEM_W), .TH_W(TH_W), .EXP_W(EXP_W), .TH_SHIFT(SHIFTS),
                 .COMPARE_GE(COMPARE_GE), .PW(PW)) u_cst (.th_exp(EXP_W'(E0)), .cst(cst));
    mtif_pre #(.K(K), .CUR_W(CUR_W), .PW(PW), .TH_SHIFT(SHIFTS), .COMPARE_GE(COMPARE_GE))
        u_pre (.i_in(i_in), .cst(cst), .pre(pre));
    mtif_neuron_rt #(.K(K), .CUR_W(CUR_W), .MEM_W(MEM_W), .TH_W(TH_W), .EXP_W(EXP_W), .TH_SHIFT(SHIFTS),
                     .COMPARE_GE(COMPARE_GE), .PW(PW)) u_core (
        .v_in(v_in), .i_in(i_in), .th_exp(EXP_W'(E0)), .pre(pre), .integrate(1'b0), .dz_in(1'b0),
        .v_out(v_out), .spikes(spikes), .spk_pre(spk_pre), .v_sum(v_sum));
endmodule
