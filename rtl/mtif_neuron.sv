// mtif_neuron: one MT-IF update (docs/contract.md §4), purely combinational.
//
//   V = V + I;  for i = 0..K-1 (highest threshold first): s_i = V > TH_i (or >=); V -= s_i * TH_i
//
// Why combinational: the layer units read a neuron's membrane from RAM, pass it through this block and write
// it back in the same cycle, so a register here would only add a pipeline stage they have to align with. One
// instance is one neuron; a layer instantiates C_OUT of them side by side (all channels of a pixel per cycle).
//
// Widths (§7): V + I fits MEM_W by construction (the exporter derives membrane_bits from T * Imax), and firing
// only ever moves V towards 0 from above, so every intermediate fits MEM_W too. The comparison is nevertheless
// done one bit wider than max(MEM_W, TH_W, CUR_W), so that a threshold wider than the membrane (a threshold the
// membrane can never reach) still compares correctly instead of wrapping. The membrane is never clamped (§4).
//
// Thresholds come from the manifest (`thresholds_int`), packed: threshold i at THRESH[TH_W*i +: TH_W], unsigned.
// COMPARE_GE = 0 is the manifest's `compare: gt` (V > TH), 1 is `compare: ge` (V >= TH).
module mtif_neuron #(
    parameter integer K          = 4,
    parameter integer CUR_W      = 14,
    parameter integer MEM_W      = 17,
    parameter integer TH_W       = 16,
    parameter [K*TH_W-1:0] THRESH = {16'd64, 16'd128, 16'd256, 16'd512},
    parameter integer COMPARE_GE = 0
) (
    input  wire [MEM_W-1:0] v_in,    // membrane before the step (two's complement)
    input  wire [CUR_W-1:0] i_in,    // input current of this step (two's complement)
    output reg  [MEM_W-1:0] v_out,   // membrane after the whole cascade (what the golden vectors record)
    output reg  [K-1:0]     spikes   // spike word: bit i = threshold i fired (§5)
);
    localparam integer MAX_A = (MEM_W > CUR_W) ? MEM_W : CUR_W;
    localparam integer CW    = ((MAX_A > TH_W) ? MAX_A : TH_W) + 1;  // compare width, always wider than each input

    /* verilator lint_off UNUSEDSIGNAL */
    reg signed [CW-1:0] v;   // upper bits are only needed for the compare, v_out keeps MEM_W of them
    /* verilator lint_on UNUSEDSIGNAL */
    reg signed [CW-1:0] th;
    reg                 fire;
    integer             i;

    always @* begin
        // integrate (§4): explicit sign extension of both operands to the compare width
        v = $signed({{(CW - MEM_W){v_in[MEM_W-1]}}, v_in}) + $signed({{(CW - CUR_W){i_in[CUR_W-1]}}, i_in});
        spikes = {K{1'b0}};
        th = {CW{1'b0}};
        fire = 1'b0;
        // fire coarse to fine, reset by subtraction (§4)
        for (i = 0; i < K; i = i + 1) begin
            th = $signed({{(CW - TH_W){1'b0}}, THRESH[TH_W*i +: TH_W]});
            fire = (COMPARE_GE != 0) ? (v >= th) : (v > th);
            if (fire) v = v - th;
            spikes[i] = fire;
        end
        v_out = v[MEM_W-1:0];
    end
endmodule
