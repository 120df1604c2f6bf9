// snn_frame_wmem: the frame engine's weight and bias memories (docs/frame_engine.md). The weights are a ROM
// ($readmemh of WEIGHTS_FILE), or (WSTREAM) a RAM that snn_frame_wload fills with each pass's words through the
// write port; the biases are a ROM (BIAS_FILE).
//
// Both reads take two cycles (issue 22: nothing but a register behind a block-RAM read): the address at cycle c,
// the RAM's read register at c + 1, its output register at c + 2, when the word is on w_q / b_q. The weight read
// is enabled by w_rd (the scatter's op_valid), its output register follows it one cycle later, so w_q holds the
// weights of the last op read.
module snn_frame_wmem #(
    parameter integer P          = 8,
    parameter integer W_BITS     = 8,
    parameter integer B_BITS     = 8,
    parameter integer WROM_DEPTH = 64,
    parameter integer BROM_DEPTH = 8,
    parameter integer WA_W       = 6,
    parameter integer BA_W       = 3,
    parameter integer WSTREAM    = 0,
    parameter         WEIGHTS_FILE = "frame_weights.mem",
    parameter         BIAS_FILE    = "frame_bias.mem"
) (
    input  wire                  clk,
    // weight read (the scatter's op, stage A), the word two cycles later
    input  wire                  w_rd,
    input  wire [WA_W-1:0]       w_addr,
    output reg  [P*W_BITS-1:0]   w_q,
    // bias read, the word two cycles later
    input  wire [BA_W-1:0]       b_addr,
    output reg  [P*B_BITS-1:0]   b_q,
    // weight writes (WSTREAM: snn_frame_wload)
    input  wire                  we,
    input  wire [WA_W-1:0]       waddr,
    input  wire [P*W_BITS-1:0]   wdata
);
    reg [P*W_BITS-1:0] wrom [0:WROM_DEPTH-1];
    reg [P*B_BITS-1:0] brom [0:BROM_DEPTH-1];
    initial begin
        $readmemh(WEIGHTS_FILE, wrom);
        $readmemh(BIAS_FILE, brom);
    end
    reg [P*W_BITS-1:0] w_r;
    reg [P*B_BITS-1:0] b_r;
    reg                w_rd1;
    always @(posedge clk) begin
        if (w_rd) w_r <= wrom[w_addr];
        w_rd1 <= w_rd;
        if (w_rd1) w_q <= w_r;                 // the output register
        b_r <= brom[b_addr];
        b_q <= b_r;
    end
    generate
        if (WSTREAM != 0) begin : g_wram
            always @(posedge clk) if (we) wrom[waddr] <= wdata;
        end else begin : g_wrom
            /* verilator lint_off UNUSEDSIGNAL */
            wire unused = we | (|waddr) | (|wdata);
            /* verilator lint_on UNUSEDSIGNAL */
        end
    endgenerate
endmodule
