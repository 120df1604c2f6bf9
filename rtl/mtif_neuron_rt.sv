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
// Modules: mtif_const makes the layer's constants of th_exp, mtif_pre takes them and the current (a pipeline may
// register both results: snn_frame_neuron does, so that the membrane loop, V -> V, holds one carry chain and no
// path starts at th_exp), mtif_neuron_rt the membrane and mtif_pre's operands.
//
// Thresholds that halve (TH_SHIFT_i = i, the paper's 2, 1, 0.5, 0.25) run the closed form of docs/contract.md
// ("The neuron in closed form"), with j = th_exp - (K - 1) the finest threshold's exponent and u = V - 1 (gt) or
// V (ge): none fires when u < 0, all fire when u >= 2^(j+K) (V -= (2^K - 1) 2^j), else the spike magnitude is
// u >> j (bit K-1-i of it is threshold i) and the membrane u mod 2^j (+1 for gt: V mod 2^j, or 2^j when that is
// 0). mtif_pre forms I - gt, I - gt - 2^(j+K) and I - (2^K - 1) 2^j, so each case is one addition to V, the
// three in parallel, the layer's constants j, 2^j, 2^j - 1 (nothing from th_exp on the membrane's path), and
// (-I) mod 2^j (V mod 2^j is 0 when the membrane's low bits equal it: no test after the addition).
// Other threshold sets (gaps between the exponents) run the cascade as written.
//
// All arithmetic is done CW bits wide (CW + 1 for the closed form's operands), wider than the membrane, the
// current and every threshold, so nothing wraps (a threshold the membrane can never reach still compares
// correctly); v_out keeps MEM_W bits (the exporter's membrane_bits bound, §7, guarantees that it fits). The
// membrane is never clamped (§4). COMPARE_GE = 0 is the manifest's `compare: gt` (V > TH), 1 is `compare: ge`.
`include "snn_check.svh"
/* verilator lint_off DECLFILENAME */
module mtif_const #(
    parameter integer K          = 4,
    parameter integer CUR_W      = 14,
    parameter integer MEM_W      = 17,
    parameter integer TH_W       = 16,
    parameter integer EXP_W      = 5,
    parameter [K*8-1:0] TH_SHIFT = {8'd3, 8'd2, 8'd1, 8'd0},
    parameter integer COMPARE_GE = 0,
    parameter integer PW         = 6 * (((MEM_W > CUR_W ? MEM_W : CUR_W) > TH_W ? (MEM_W > CUR_W ? MEM_W : CUR_W) : TH_W) + 2) + 8
) (
    input  wire [EXP_W-1:0]          th_exp,  // log2 of threshold 0
    output wire [4*((PW-8)/6)+7:0]   cst      // the layer's constants of the closed form (0 for other sets)
);
    localparam integer MAX_A = (MEM_W > CUR_W) ? MEM_W : CUR_W;
    localparam integer CX    = ((MAX_A > TH_W) ? MAX_A : TH_W) + 2;
    `SNN_REQUIRE(g_check_pw, PW == 6 * CX + 8, "Error: PW must be 6 * (the widest operand + 2) + 8 (instance %m)")

    `include "mtif_halving.svh"

    generate
        if (halving(TH_SHIFT) != 0) begin : g_closed
            wire [7:0]           j  = 8'(th_exp) - 8'(K - 1);     // >= 0 (§2: F >= -e_min)
            wire signed [CX-1:0] hi = $signed({{(CX - 1){1'b0}}, 1'b1} << (j + 8'(K)));
            wire signed [CX-1:0] lo = $signed({{(CX - 1){1'b0}}, 1'b1} << j);
            wire signed [CX-1:0] gt = (COMPARE_GE != 0) ? {CX{1'b0}} : {{(CX - 1){1'b0}}, 1'b1};
            assign cst = {hi - lo, lo - 1'b1, lo, hi + gt, j};
        end else begin : g_cascade
            assign cst = {(4 * CX + 8){1'b0}};
            /* verilator lint_off UNUSEDSIGNAL */
            wire unused = |th_exp;
            /* verilator lint_on UNUSEDSIGNAL */
        end
    endgenerate
endmodule

module mtif_pre #(
    parameter integer K          = 4,
    parameter integer CUR_W      = 14,
    parameter integer PW         = 6 * 18 + 8,   // mtif_const's: 6 CX + 8, CX the closed form's operand width
    parameter [K*8-1:0] TH_SHIFT = {8'd3, 8'd2, 8'd1, 8'd0},
    parameter integer COMPARE_GE = 0
) (
    input  wire [CUR_W-1:0]          i_in,    // input current of this step (two's complement)
    input  wire [4*((PW-8)/6)+7:0]   cst,     // mtif_const of the layer's th_exp (a register in a pipeline)
    output wire [PW-1:0]             pre      // the closed form's operands and constants (0 for other sets)
);
    localparam integer CX = (PW - 8) / 6;
    `SNN_REQUIRE(g_check_pw, PW > 8 && (PW - 8) % 6 == 0 && CX > CUR_W,
                 "Error: PW must be 6 * CX + 8 with CX wider than the current (instance %m)")

    `include "mtif_halving.svh"

    generate
        if (halving(TH_SHIFT) != 0) begin : g_closed
            wire [7:0]           j   = cst[7:0];
            wire signed [CX-1:0] hpg = $signed(cst[8 +: CX]);          // 2^(j+K) + gt
            wire signed [CX-1:0] lo  = $signed(cst[8+CX +: CX]);       // 2^j
            wire [CX-1:0]        lm  = cst[8+2*CX +: CX];              // 2^j - 1
            wire signed [CX-1:0] hml = $signed(cst[8+3*CX +: CX]);     // 2^(j+K) - 2^j
            wire signed [CX-1:0] i   = $signed({{(CX - CUR_W){i_in[CUR_W-1]}}, i_in});
            wire signed [CX-1:0] ia  = i - ((COMPARE_GE != 0) ? {CX{1'b0}} : {{(CX - 1){1'b0}}, 1'b1});
            assign pre = {(-i) & lm, lm, lo, i - hml, i - hpg, ia, j};
        end else begin : g_cascade
            assign pre = {PW{1'b0}};
            /* verilator lint_off UNUSEDSIGNAL */
            wire unused = (|i_in) | (|cst);
            /* verilator lint_on UNUSEDSIGNAL */
        end
    endgenerate
endmodule
/* verilator lint_on DECLFILENAME */

// mtif_spikes: the spike word from mtif_neuron_rt's spk_pre ({u, high, neg, j}: bits j .. j+K-1 of u, all when
// high, none when neg). A pipeline may register spk_pre and form the word a cycle later (snn_frame_neuron does, so
// that u's carry chain and this shift are not in one cycle).
module mtif_spikes #(
    parameter integer K  = 4,
    parameter integer CX = 20
) (
    input  wire [CX+9:0] spk_pre,
    output reg  [K-1:0]  spikes
);
    wire [7:0]    j    = spk_pre[7:0];
    wire          neg  = spk_pre[8];
    wire          high = spk_pre[9];
    wire [CX-1:0] m    = spk_pre[10 +: CX] >> j;
    integer i;
    always @* for (i = 0; i < K; i = i + 1) spikes[i] = !neg && (high || m[K-1-i]);
endmodule

module mtif_neuron_rt #(
    parameter integer K          = 4,
    parameter integer CUR_W      = 14,
    parameter integer MEM_W      = 17,
    parameter integer TH_W       = 16,               // holds 1 << th_exp as a positive signed number
    parameter integer EXP_W      = 5,
    parameter [K*8-1:0] TH_SHIFT = {8'd3, 8'd2, 8'd1, 8'd0},   // e_0 - e_i at [8i +: 8]
    parameter integer COMPARE_GE = 0,
    parameter integer PW         = 6 * (((MEM_W > CUR_W ? MEM_W : CUR_W) > TH_W ? (MEM_W > CUR_W ? MEM_W : CUR_W) : TH_W) + 2) + 8,
    // 1: the caller found V mod 2^j == 0 a cycle ahead (dz_in), which takes that test off the membrane's path
    // (snn_frame_neuron); 0: it is tested here
    parameter integer DZ_IN      = 0,
    // 0: the spike word is not formed here (spikes = 0; closed form only): the caller registers spk_pre and forms
    // it with its own mtif_spikes (snn_frame_neuron), and a synthesis that keeps the hierarchy builds it once
    parameter integer SPIKES     = 1
) (
    input  wire [MEM_W-1:0] v_in,    // membrane before the step (two's complement)
    input  wire [CUR_W-1:0] i_in,    // input current of this step (two's complement)
    input  wire [EXP_W-1:0] th_exp,  // log2 of threshold 0
    input  wire [PW-1:0]    pre,     // mtif_pre of i_in and th_exp
    input  wire             integrate,   // 1: V + I and no spikes (the output layer's accumulation)
    input  wire             dz_in,   // with DZ_IN = 1 and halving thresholds: (V + I) mod 2^j == 0
    output reg  [MEM_W-1:0] v_out,   // membrane after the whole cascade (what the golden vectors record)
    output reg  [K-1:0]     spikes,  // spike word: bit i = threshold i fired (§5)
    output reg  [(PW-8)/6+9:0] spk_pre, // what mtif_spikes makes the spike word of (registered by a pipeline)
    output wire [(PW-8)/6-1:0] v_sum // V + I, (PW - 8) / 6 bits: V mod 2^j after the step is v_sum mod 2^j
);
    `SNN_REQUIRE(g_check_k, K >= 1, "Error: K must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_cur_w, CUR_W >= 1, "Error: CUR_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_mem_w, MEM_W >= 1, "Error: MEM_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_th_w, TH_W >= 1, "Error: TH_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_exp_w, EXP_W >= 1, "Error: EXP_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_compare_ge, COMPARE_GE == 0 || COMPARE_GE == 1,
                 "Error: COMPARE_GE must be 0 or 1 (instance %m)")
    `SNN_REQUIRE(g_check_dz_in, DZ_IN == 0 || DZ_IN == 1, "Error: DZ_IN must be 0 or 1 (instance %m)")
    `SNN_REQUIRE(g_check_spikes, SPIKES == 0 || SPIKES == 1, "Error: SPIKES must be 0 or 1 (instance %m)")

    localparam integer MAX_A = (MEM_W > CUR_W) ? MEM_W : CUR_W;
    localparam integer CW    = ((MAX_A > TH_W) ? MAX_A : TH_W) + 1;
    localparam integer CX    = CW + 1;
    `SNN_REQUIRE(g_check_pw, PW == 6 * CX + 8, "Error: PW must be 6 * (the widest operand + 2) + 8 (instance %m)")
    assign v_sum = CX'($signed({{(CX - MEM_W){v_in[MEM_W-1]}}, v_in}) + $signed({{(CX - CUR_W){i_in[CUR_W-1]}}, i_in}));

    `include "mtif_halving.svh"

    generate
        if (halving(TH_SHIFT) != 0) begin : g_closed
            // the closed form: four additions to V in parallel, then a choice
            /* verilator lint_off UNUSEDSIGNAL */
            wire signed [CX-1:0] v  = $signed({{(CX - MEM_W){v_in[MEM_W-1]}}, v_in});
            wire signed [CX-1:0] d  = $signed(v_sum);                                        // V + I
            wire signed [CX-1:0] a  = v + $signed(pre[8 +: CX]);                            // u
            wire signed [CX-1:0] b  = v + $signed(pre[8+CX +: CX]);                         // u - 2^(j+K)
            wire signed [CX-1:0] c  = v + $signed(pre[8+2*CX +: CX]);                       // V - (2^K - 1) 2^j
            wire [7:0]           j  = pre[7:0];
            wire [CX-1:0]        lo = pre[8+3*CX +: CX];                                     // 2^j
            wire [CX-1:0]        dl = d & pre[8+4*CX +: CX];                                 // V mod 2^j
            // V mod 2^j == 0 without waiting for V: v_in mod 2^j == (-I) mod 2^j
            wire                 dz = (DZ_IN != 0) ? dz_in
                                    : ((v ^ $signed(pre[8+5*CX +: CX])) & pre[8+4*CX +: CX]) == {CX{1'b0}};
            wire                 neg  = a[CX-1] || integrate;   // the output layer: V + I
            wire                 high = !b[CX-1];
            wire [CX-1:0]        mid = (COMPARE_GE == 0 && dz) ? lo : dl;
            wire [K-1:0]         s_w;
            if (SPIKES != 0) begin : g_spk
                mtif_spikes #(.K(K), .CX(CX)) u_spk (.spk_pre({a, high, neg, j}), .spikes(s_w));
            end else begin : g_no_spk
                assign s_w = {K{1'b0}};
            end
            wire                 unused = |th_exp;   // (in pre)
            /* verilator lint_on UNUSEDSIGNAL */
            always @* begin
                v_out = neg ? d[MEM_W-1:0] : high ? c[MEM_W-1:0] : mid[MEM_W-1:0];
                spk_pre = {a, high, neg, j};             // (no spikes when integrate: neg)
                spikes = s_w;
            end
        end else begin : g_cascade
            /* verilator lint_off UNUSEDSIGNAL */
            reg signed [CW-1:0] v;   // upper bits are only needed for the compare, v_out keeps MEM_W of them
            wire unused = (|pre) | dz_in;
            /* verilator lint_on UNUSEDSIGNAL */
            reg signed [CW-1:0] th;
            reg        [EXP_W-1:0] e;
            reg                 fire;
            integer             i;
            always @* begin
                // integrate (§4): explicit sign extension of both operands to the compare width
                v = CW'(v_sum);
                spikes = {K{1'b0}};
                th = {CW{1'b0}};
                e = {EXP_W{1'b0}};
                fire = 1'b0;
                // fire coarse to fine, reset by subtraction (§4)
                for (i = 0; i < K; i = i + 1) begin
                    e = th_exp - EXP_W'(TH_SHIFT[8*i +: 8]);
                    th = $signed({{(CW - 1){1'b0}}, 1'b1} << e);
                    fire = !integrate && ((COMPARE_GE != 0) ? (v >= th) : (v > th));
                    if (fire) v = v - th;
                    spikes[i] = fire;
                end
                v_out = v[MEM_W-1:0];
                // the word itself for mtif_spikes: bit K-1-i of u is spike i (j = 0, neither neg nor high)
                spk_pre = {(CX + 10){1'b0}};
                for (i = 0; i < K; i = i + 1) spk_pre[10 + K - 1 - i] = spikes[i];
            end
        end
    endgenerate
endmodule
