// snn_lane: one of snn_engine's P lanes -- the memories and arithmetic of output channel group*P + lane
// (docs/rtl_engine.md, contract §3-§6).
//
// Memories (one bank of each engine memory; synchronous read, one read and one write port, because the SCATTER
// and NEURON phases never overlap):
//   acc RAM      : partial sums of the layer being computed (cleared by the neuron phase as it reads them)
//   membrane RAM : every layer's membranes (output layer: A_t)
//   spike RAM    : every layer's K-bit spike words (read by the consumers' scans)
//   current RAM  : the input layer's static current, computed at t = 0
// Scatter stage B: acc += w * p (input layer: the engine's only multipliers), pool: += pool_add on the event's
// lane, else += sum_i s_i ? w << SPIKE_SHIFT_i (shift-and-add).
// Neuron stage B: I = acc + b (input layer: (acc + b) >>> G at t = 0, stored, reused later), then the MT-IF update
// (mtif_neuron_rt), or for the output layer A_t = A_{t-1} + I.
`include "snn_check.svh"
module snn_lane #(
    parameter integer K          = 4,
    parameter integer ACC_W      = 20,
    parameter integer CUR_W      = 12,
    parameter integer MEM_W      = 20,
    parameter integer TH_W       = 20,
    parameter integer EXP_W      = 5,
    parameter integer WB         = 8,
    parameter integer BB         = 16,
    parameter integer ACC_DEPTH  = 512,
    parameter integer MEM_DEPTH  = 4096,
    parameter integer SPK_DEPTH  = 4096,
    parameter integer CUR_DEPTH  = 512,
    parameter [K*8-1:0] SPIKE_SHIFT = {8'd0, 8'd1, 8'd2, 8'd3},   // e_i - e_min at [8i +: 8]
    parameter [K*8-1:0] TH_SHIFT    = {8'd3, 8'd2, 8'd1, 8'd0},   // e_0 - e_i at [8i +: 8]
    parameter integer COMPARE_GE = 0
) (
    input  wire                   clk,
    input  wire                   is_input,
    input  wire                   is_pool,
    input  wire                   is_out,
    input  wire                   first_step,   // t = 0: membranes start from 0, the input current is computed
    // accumulator RAM
    input  wire                   acc_we,
    input  wire                   acc_wzero,    // write 0 (clear) instead of the stage B sum
    input  wire [ACC_AW-1:0]      acc_waddr,
    input  wire [ACC_AW-1:0]      acc_raddr,
    // scatter stage B
    input  wire [WB-1:0]          w,
    input  wire [EVENT_VAL_W-1:0] sb_val,
    input  wire                   pool_hit,     // pool: this lane holds the event's channel
    input  wire [ACC_W-1:0]       pool_add,
    input  wire                   byp_hit,
    // neuron stage B
    input  wire [BB-1:0]          bias,
    input  wire [SH_W-1:0]        shamt,        // input layer: G
    input  wire [EXP_W-1:0]       thexp,
    input  wire                   mem_we,
    input  wire [MEM_AW-1:0]      mem_waddr,
    input  wire [MEM_AW-1:0]      mem_raddr,
    input  wire                   spk_we,
    input  wire [SPK_AW-1:0]      spk_waddr,
    input  wire [SPK_AW-1:0]      spk_raddr,
    output reg  [K-1:0]           spk_q,        // the spike word at the previous spk_raddr (for the scanner)
    input  wire                   cur_we,
    input  wire [CUR_AW-1:0]      cur_waddr,
    input  wire [CUR_AW-1:0]      cur_raddr,
    output wire [MEM_W-1:0]       v_next,       // the membrane after this step (output layer: A_t)
    output wire [K-1:0]           s_next        // the spike word of this step (output layer: 0)
);
/* verilator lint_off UNUSEDPARAM */
`include "snn_engine_pkg.svh"
/* verilator lint_on UNUSEDPARAM */
    `SNN_REQUIRE(g_check_k, K >= 1 && K <= EVENT_VAL_W, "Error: K must be in 1..8 (instance %m)")
    `SNN_REQUIRE(g_check_acc_w, ACC_W >= 1, "Error: ACC_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_cur_w, CUR_W >= 1, "Error: CUR_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_mem_w, MEM_W >= 1, "Error: MEM_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_wb, WB >= 1, "Error: WB must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_bb, BB >= 1, "Error: BB must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_acc_depth, ACC_DEPTH >= 1, "Error: ACC_DEPTH must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_mem_depth, MEM_DEPTH >= 1, "Error: MEM_DEPTH must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_spk_depth, SPK_DEPTH >= 1, "Error: SPK_DEPTH must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_cur_depth, CUR_DEPTH >= 1, "Error: CUR_DEPTH must be >= 1 (instance %m)")

    localparam integer ACC_AW = (ACC_DEPTH > 1) ? $clog2(ACC_DEPTH) : 1;
    localparam integer MEM_AW = (MEM_DEPTH > 1) ? $clog2(MEM_DEPTH) : 1;
    localparam integer SPK_AW = (SPK_DEPTH > 1) ? $clog2(SPK_DEPTH) : 1;
    localparam integer CUR_AW = (CUR_DEPTH > 1) ? $clog2(CUR_DEPTH) : 1;
    localparam integer SUM_W  = ACC_W + 1;              // acc + bias

    reg  [ACC_W-1:0] acc_mem [0:ACC_DEPTH-1];
    reg  [MEM_W-1:0] mem_mem [0:MEM_DEPTH-1];
    reg  [K-1:0]     spk_mem [0:SPK_DEPTH-1];
    reg  [CUR_W-1:0] cur_mem [0:CUR_DEPTH-1];
    reg  [ACC_W-1:0] acc_q;
    reg  [MEM_W-1:0] mem_q;
    reg  [CUR_W-1:0] cur_q;
    wire [ACC_W-1:0] acc_new;                           // the stage B sum
    wire [MEM_W-1:0] v_new;
    wire [CUR_W-1:0] cur_new;
    always @(posedge clk) begin
        if (acc_we) acc_mem[acc_waddr] <= acc_wzero ? {ACC_W{1'b0}} : acc_new;
        acc_q <= acc_mem[acc_raddr];
    end
    always @(posedge clk) begin
        if (mem_we) mem_mem[mem_waddr] <= v_new;
        mem_q <= mem_mem[mem_raddr];
    end
    always @(posedge clk) begin
        if (spk_we) spk_mem[spk_waddr] <= s_next;
        spk_q <= spk_mem[spk_raddr];
    end
    always @(posedge clk) begin
        if (cur_we) cur_mem[cur_waddr] <= cur_new;
        cur_q <= cur_mem[cur_raddr];
    end

    // ---- scatter stage B: one accumulate (§3)
    reg  [ACC_W-1:0]        byp_q;                      // the previous op's sum (synchronous-read bypass)
    always @(posedge clk) byp_q <= acc_new;
    wire signed [ACC_W-1:0] wext = ACC_W'($signed(w));
    wire signed [ACC_W-1:0] old  = byp_hit ? $signed(byp_q) : $signed(acc_q);
    reg  signed [ACC_W-1:0] contrib;
    integer i;
    always @* begin
        contrib = {ACC_W{1'b0}};
        if (is_input) contrib = wext * $signed(ACC_W'({1'b0, sb_val}));
        else if (is_pool) contrib = pool_hit ? $signed(pool_add) : {ACC_W{1'b0}};
        else
            for (i = 0; i < K; i = i + 1)
                if (sb_val[i]) contrib = contrib + (wext <<< SPIKE_SHIFT[8*i +: 8]);
    end
    assign acc_new = old + contrib;

    // ---- neuron stage B (§3 bias, §4 neuron, §6 output accumulation)
    wire signed [SUM_W-1:0] sum    = SUM_W'($signed(acc_q)) + SUM_W'($signed(bias));
    wire signed [SUM_W-1:0] sum_sh = sum >>> shamt;
    wire signed [SUM_W-1:0] cur    = !is_input ? sum : first_step ? sum_sh : SUM_W'($signed(cur_q));
    wire        [MEM_W-1:0] vprev  = first_step ? {MEM_W{1'b0}} : mem_q;
    wire        [MEM_W-1:0] v_neu;
    wire        [K-1:0]     s_neu;
    mtif_neuron_rt #(.K(K), .CUR_W(SUM_W), .MEM_W(MEM_W), .TH_W(TH_W), .EXP_W(EXP_W),
                     .TH_SHIFT(TH_SHIFT), .COMPARE_GE(COMPARE_GE)) u_neuron (
        .v_in(vprev), .i_in(cur), .th_exp(thexp), .v_out(v_neu), .spikes(s_neu));
    wire        [MEM_W-1:0] v_acc = vprev + MEM_W'(cur);
    assign v_new   = is_out ? v_acc : v_neu;
    assign v_next  = v_new;
    assign s_next  = is_out ? {K{1'b0}} : s_neu;
    assign cur_new = CUR_W'(sum_sh);
endmodule
