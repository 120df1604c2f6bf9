// snn_neuron_phase: the control of snn_engine's NEURON phase (docs/rtl_engine.md).
//
// Stage NA walks every output neuron of the layer, P lanes per cycle, in the order (y, x, group): it reads the
// accumulators, membranes and input current at (group, y, x) and the group's bias; stage NB (one cycle later,
// the arithmetic is in snn_lane) writes the membranes, the spike words and, for the input layer at t = 0, the
// current, clears the accumulators, emits one trace beat, and for the output layer at the last step pushes A_T to
// the output FIFO. Issue stalls while that FIFO has no room (out_room).
`include "snn_check.svh"
module snn_neuron_phase #(
    parameter integer P         = 2,
    parameter integer K         = 4,
    parameter integer MEM_W     = 20,
    parameter integer OUT_W     = 16,     // output layer's membrane_bits (A_T)
    parameter integer BB        = 16,
    parameter integer N_LAYERS  = 15,
    parameter integer T         = 4,
    parameter integer XY_W      = 5,
    parameter integer C_W       = 6,
    parameter integer G_W       = 4,
    parameter integer ACC_DEPTH = 512,
    parameter integer B_DEPTH   = 64,
    parameter BIAS_FILE         = "bias.mem"
) (
    input  wire                 clk,
    input  wire                 rst,
    input  wire                 layer_init,    // a new layer starts: reset the walk
    input  wire                 neuron_start,  // NEURON starts next cycle
    input  wire                 neuron,        // NEURON phase
    input  wire [XY_W-1:0]      oh_last,
    input  wire [XY_W-1:0]      ow_last,
    input  wire [G_W-1:0]       g_last,
    input  wire [SH_W-1:0]      oyl,           // log2 of the padded output height / width
    input  wire [SH_W-1:0]      oxl,
    input  wire [B_AW-1:0]      bbase,
    input  wire [C_W-1:0]       outc,          // output channels (padding lanes of the last group send 0)
    input  wire                 out_now,       // output layer at the last step: A_T goes out
    input  wire                 out_room,      // the output FIFO can take the beat in flight and one more
    input  wire [LAYER_W-1:0]   layer,
    input  wire [T_W-1:0]       t,
    output wire                 na_issue,      // stage NA: a neuron group is read this cycle
    output wire                 na_last,       // ... the layer's last one
    output wire [ACC_AW-1:0]    na_addr,
    output reg                  nb_valid,      // stage NB: write back at nb_addr
    output reg  [ACC_AW-1:0]    nb_addr,
    output reg  [P*BB-1:0]      bias,          // stage NB: the group's P biases
    input  wire [P*MEM_W-1:0]   nb_v,          // stage NB: the lanes' new membranes and spike words
    input  wire [P*K-1:0]       nb_s,
    output wire                 of_push,       // A_T beat for the output FIFO: {last, P lanes}
    output wire [P*OUT_LW:0]    of_data,
    output reg                  trace_valid,
    output reg  [LAYER_W-1:0]   trace_layer,
    output reg  [T_W-1:0]       trace_t,
    output reg  [G_W-1:0]       trace_g,
    output reg  [XY_W-1:0]      trace_y,
    output reg  [XY_W-1:0]      trace_x,
    output reg  [P*K-1:0]       trace_spikes,
    output reg  [P*MEM_W-1:0]   trace_vmem
);
/* verilator lint_off UNUSEDPARAM */
`include "snn_engine_pkg.svh"
/* verilator lint_on UNUSEDPARAM */
    `SNN_REQUIRE(g_check_p, P >= 1, "Error: P must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_k, K >= 1, "Error: K must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_out_w, OUT_W >= 1 && OUT_W <= MEM_W, "Error: OUT_W must be in 1..MEM_W (instance %m)")
    `SNN_REQUIRE(g_check_bb, BB >= 1, "Error: BB must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_n_layers, N_LAYERS >= 1, "Error: N_LAYERS must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_t, T >= 1, "Error: T must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_xy_w, XY_W >= 1, "Error: XY_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_c_w, C_W >= 1, "Error: C_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_g_w, G_W >= 1, "Error: G_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_acc_depth, ACC_DEPTH >= 1, "Error: ACC_DEPTH must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_b_depth, B_DEPTH >= 1, "Error: B_DEPTH must be >= 1 (instance %m)")

    localparam integer OUT_LW  = 8 * ((OUT_W + 7) / 8);
    localparam integer LAYER_W = (N_LAYERS > 1) ? $clog2(N_LAYERS) : 1;
    localparam integer T_W     = (T > 1) ? $clog2(T) : 1;
    localparam integer ACC_AW  = (ACC_DEPTH > 1) ? $clog2(ACC_DEPTH) : 1;
    localparam integer B_AW    = (B_DEPTH > 1) ? $clog2(B_DEPTH) : 1;

    // ---- stage NA: (y, x, group) counters
    reg  [XY_W-1:0] ny, nx;
    reg  [G_W-1:0]  ng;
    reg             na_run;
    assign na_issue = neuron && na_run && (!out_now || out_room);
    assign na_last  = (ny == oh_last) && (nx == ow_last) && (ng == g_last);
    assign na_addr  = (ACC_AW'(ng) << (oyl + oxl)) | (ACC_AW'(ny) << oxl) | ACC_AW'(nx);

    reg  [P*BB-1:0] b_rom [0:B_DEPTH-1];
    initial $readmemh(BIAS_FILE, b_rom);
    always @(posedge clk) bias <= b_rom[bbase + B_AW'(ng)];

    // ---- stage NB
    reg             nb_last;
    reg  [G_W-1:0]  nb_g;
    reg  [XY_W-1:0] nb_y, nb_x;

    // A_T beat: OUT_W bits of each lane's A_t, sign-extended to OUT_LW; padding lanes of the last group send 0
    reg  [P*OUT_LW-1:0] of_lanes;
    integer oi;
    always @* begin
        of_lanes = {P*OUT_LW{1'b0}};
        for (oi = 0; oi < P; oi = oi + 1)
            if (C_W'(nb_g) * C_W'(P) + C_W'(oi) < outc)
                of_lanes[OUT_LW*oi +: OUT_LW] = OUT_LW'($signed(nb_v[MEM_W*oi +: OUT_W]));
    end
    assign of_push = nb_valid && out_now;
    assign of_data = {nb_last, of_lanes};

    always @(posedge clk) begin
        if (rst) begin
            na_run <= 1'b0; nb_valid <= 1'b0; trace_valid <= 1'b0;
        end else begin
            if (layer_init) begin ny <= {XY_W{1'b0}}; nx <= {XY_W{1'b0}}; ng <= {G_W{1'b0}}; end
            if (neuron_start) na_run <= 1'b1;
            else if (na_issue && na_last) na_run <= 1'b0;
            if (na_issue) begin
                if (ng != g_last) ng <= ng + 1'b1;
                else begin
                    ng <= {G_W{1'b0}};
                    if (nx != ow_last) nx <= nx + 1'b1;
                    else begin nx <= {XY_W{1'b0}}; ny <= ny + 1'b1; end
                end
            end
            nb_valid <= na_issue;
            nb_addr <= na_addr; nb_g <= ng; nb_y <= ny; nb_x <= nx; nb_last <= na_last;
            trace_valid <= nb_valid;
            if (nb_valid) begin
                trace_layer <= layer; trace_t <= t; trace_g <= nb_g; trace_y <= nb_y; trace_x <= nb_x;
                trace_spikes <= nb_s; trace_vmem <= nb_v;
            end
        end
    end
endmodule
