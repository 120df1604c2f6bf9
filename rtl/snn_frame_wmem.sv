// snn_frame_wmem: the frame engine's weight and bias memories (docs/frame_engine.md). The weights are a ROM
// ($readmemh of WEIGHTS_FILE), or (WSTREAM) a RAM that snn_frame_wload fills with each pass's words through the
// write port; the biases are a ROM (BIAS_FILE).
//
// Both reads take two cycles (issue 22: nothing but a register behind a block-RAM read): the address at cycle c,
// the RAM's read register at c + 1, its output register at c + 2, when the word is on w_q / b_q. The weight read
// is enabled by w_rd (the scatter's stage R, a stage ahead of its op registers, so that the word reaches the lanes at
// their stage B), its output register follows it one cycle later, so w_q holds the
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
    output reg  [P*W_BITS-1:0]   w_q,            // (a register, or two and a 2:1 choice: below)
    // bias read, the word two cycles later
    input  wire [BA_W-1:0]       b_addr,
    output reg  [P*B_BITS-1:0]   b_q,
    // weight writes (WSTREAM: snn_frame_wload)
    input  wire                  we,
    input  wire [WA_W-1:0]       waddr,
    input  wire [P*W_BITS-1:0]   wdata
);
    reg [P*B_BITS-1:0] brom [0:BROM_DEPTH-1];
    initial $readmemh(BIAS_FILE, brom);
    reg [P*B_BITS-1:0] b_r;
    always @(posedge clk) begin
        b_r <= brom[b_addr];
        b_q <= b_r;
    end
    reg                w_rd1;
    always @(posedge clk) w_rd1 <= w_rd;
    generate
        if (WSTREAM != 0 && (1 << $clog2(WROM_DEPTH)) != WROM_DEPTH) begin : g_wram2
            // a depth that is not a power of two is two RAMs, a power of two deep and the rest, each read into its
            // own output register: a block RAM that covers only part of the depth would otherwise drive a bank
            // multiplexer ahead of the output register (the ECP5's 2,048 x 9 blocks for 2,304 words: 120 MHz)
            localparam integer LO = 1 << ($clog2(WROM_DEPTH) - 1);
            localparam integer LO_A = $clog2(LO);
            localparam integer HI_A = (WROM_DEPTH - LO > 1) ? $clog2(WROM_DEPTH - LO) : 1;
            reg [P*W_BITS-1:0] wlo [0:LO-1];
            reg [P*W_BITS-1:0] whi [0:WROM_DEPTH-LO-1];
            reg [P*W_BITS-1:0] lo_r, hi_r, lo_q, hi_q;
            reg                hi1, hi2;
            // (addresses are below 2 LO: bit LO_A says which RAM, the bits below it the word in it)
            always @(posedge clk) begin
                if (we && !waddr[LO_A]) wlo[waddr[LO_A-1:0]] <= wdata;
                if (we &&  waddr[LO_A]) whi[waddr[HI_A-1:0]] <= wdata;
                if (w_rd) begin
                    lo_r <= wlo[w_addr[LO_A-1:0]];
                    hi_r <= whi[w_addr[HI_A-1:0]];
                    hi1 <= w_addr[LO_A];
                end
                if (w_rd1) begin lo_q <= lo_r; hi_q <= hi_r; hi2 <= hi1; end
            end
            always @* w_q = hi2 ? hi_q : lo_q;
            // (a RAM loaded by snn_frame_wload: WEIGHTS_FILE is not read)
        end else begin : g_wmem
            reg [P*W_BITS-1:0] wrom [0:WROM_DEPTH-1];
            reg [P*W_BITS-1:0] w_r;
            initial $readmemh(WEIGHTS_FILE, wrom);
            always @(posedge clk) begin
                if (w_rd) w_r <= wrom[w_addr];
                if (w_rd1) w_q <= w_r;                 // the output register
            end
            if (WSTREAM != 0) begin : g_wram
                always @(posedge clk) if (we) wrom[waddr] <= wdata;
            end else begin : g_wrom
                /* verilator lint_off UNUSEDSIGNAL */
                wire unused = we | (|waddr) | (|wdata);
                /* verilator lint_on UNUSEDSIGNAL */
            end
        end
    endgenerate
endmodule
