// snn_sequencer: the frame schedule of snn_engine and its descriptor ROM (docs/rtl_engine.md).
//
//   after reset : CLEAR zeroes every accumulator once (the neuron phase keeps them zero afterwards)
//   per frame   : for t in 0..T-1: for every layer in manifest order: LOAD its descriptor, DEC (the units reset
//                 their walks), SCATTER until every event is accumulated, NEURON until every neuron is issued,
//                 NDRAIN until the last one is written; then FLUSH the output FIFO, ap_done + ap_ready.
//
// The input layer runs SCATTER only at t = 0 (static coding: its current is stored then and reused), so its DEC
// goes straight to NEURON at t > 0. The units below report when their phase is over; the sequencer only counts
// layers and steps.
`include "snn_check.svh"
module snn_sequencer #(
    parameter integer N_LAYERS  = 15,
    parameter integer T         = 4,
    parameter integer ACC_DEPTH = 512,
    parameter integer DESC_WW   = 384,       // bits of one descriptor (DESC_N fields of DESC_FW bits)
    parameter DESC_FILE         = "layers.mem"
) (
    input  wire               clk,
    input  wire               rst,
    input  wire               ap_start,
    output wire               ap_idle,
    output reg                ap_done,
    output reg                ap_ready,
    input  wire               static_input,   // the current layer is the input layer (current stored at t = 0)
    input  wire               scatter_done,   // scanner done, event FIFO empty, scatter pipeline empty
    input  wire               neuron_done,    // the neuron phase issues its last neuron in this cycle
    input  wire               neuron_busy,    // ... and is still writing one
    input  wire               out_empty,      // the output FIFO is empty
    output reg  [DESC_WW-1:0] desc,           // the current layer's descriptor
    output reg  [LAYER_W-1:0] layer,
    output reg  [T_W-1:0]     t,
    output wire               clearing,       // CLEAR: write zero to accumulator clr_addr
    output reg  [ACC_AW-1:0]  clr_addr,
    output wire               layer_init,     // DEC: reset the walks of the new layer
    output wire               scatter,        // SCATTER phase
    output wire               neuron,         // NEURON phase
    output wire               neuron_start    // the NEURON phase starts next cycle
);
    `SNN_REQUIRE(g_check_n_layers, N_LAYERS >= 1, "Error: N_LAYERS must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_t, T >= 1, "Error: T must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_acc_depth, ACC_DEPTH >= 1, "Error: ACC_DEPTH must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_desc_ww, DESC_WW >= 1, "Error: DESC_WW must be >= 1 (instance %m)")

    localparam integer LAYER_W = (N_LAYERS > 1) ? $clog2(N_LAYERS) : 1;
    localparam integer T_W     = (T > 1) ? $clog2(T) : 1;
    localparam integer ACC_AW  = (ACC_DEPTH > 1) ? $clog2(ACC_DEPTH) : 1;
    localparam [LAYER_W-1:0] LAYER_LAST = LAYER_W'(N_LAYERS - 1);
    localparam [T_W-1:0]     T_LAST     = T_W'(T - 1);
    localparam [ACC_AW-1:0]  ACC_LAST   = ACC_AW'(ACC_DEPTH - 1);

    reg [DESC_WW-1:0] desc_rom [0:N_LAYERS-1];
    initial $readmemh(DESC_FILE, desc_rom);

    localparam [3:0] S_CLEAR = 4'd0, S_IDLE = 4'd1, S_LOAD = 4'd2, S_DEC = 4'd3, S_SCAT = 4'd4, S_NEUR = 4'd5,
                     S_NDRAIN = 4'd6, S_NEXT = 4'd7, S_FLUSH = 4'd8, S_DONE = 4'd9;
    reg [3:0] st;
    wire      first_step  = (t == {T_W{1'b0}});
    wire      skip_scatter = static_input && !first_step;
    assign ap_idle      = (st == S_IDLE);
    assign clearing     = (st == S_CLEAR);
    assign layer_init   = (st == S_DEC);
    assign scatter      = (st == S_SCAT);
    assign neuron       = (st == S_NEUR);
    assign neuron_start = (layer_init && skip_scatter) || (scatter && scatter_done);

    always @(posedge clk) begin
        if (rst) begin
            st <= S_CLEAR; clr_addr <= {ACC_AW{1'b0}};
            layer <= {LAYER_W{1'b0}}; t <= {T_W{1'b0}};
            ap_done <= 1'b0; ap_ready <= 1'b0;
        end else begin
            ap_done <= 1'b0;
            ap_ready <= 1'b0;
            case (st)
                S_CLEAR: begin
                    clr_addr <= clr_addr + 1'b1;
                    if (clr_addr == ACC_LAST) st <= S_IDLE;
                end
                S_IDLE: if (ap_start) begin
                    layer <= {LAYER_W{1'b0}}; t <= {T_W{1'b0}}; st <= S_LOAD;
                end
                S_LOAD: begin desc <= desc_rom[layer]; st <= S_DEC; end
                S_DEC: st <= skip_scatter ? S_NEUR : S_SCAT;
                S_SCAT: if (scatter_done) st <= S_NEUR;
                S_NEUR: if (neuron_done) st <= S_NDRAIN;
                S_NDRAIN: if (!neuron_busy) st <= S_NEXT;
                S_NEXT: begin
                    if (layer == LAYER_LAST) begin
                        layer <= {LAYER_W{1'b0}};
                        if (t == T_LAST) st <= S_FLUSH;
                        else begin t <= t + 1'b1; st <= S_LOAD; end
                    end else begin
                        layer <= layer + 1'b1; st <= S_LOAD;
                    end
                end
                S_FLUSH: if (out_empty) begin ap_done <= 1'b1; ap_ready <= 1'b1; st <= S_DONE; end
                S_DONE: st <= S_IDLE;
                default: st <= S_IDLE;
            endcase
        end
    end
endmodule
