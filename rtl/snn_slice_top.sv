// snn_slice_top: the walking-skeleton slice, image in -> conv2 spike frames out (docs/contract.md §3-§5).
//
//   s_* (image, §5) -> snn_input_conv (conv1) -> spike frames (§5) -> snn_spiking_conv (conv2) -> m_* (§5)
//
// The two layers are joined by a plain valid/ready stream in the same time-step order as the golden model's
// loop (Algorithm 1: inside one step the layers update in order; conv2 at step t consumes conv1's spikes of
// step t). conv1 computes its static current once per image, then emits T frames; conv2 buffers each frame and
// answers with its own frame of the same step.
//
// c1_valid / c1_ready / c1_data expose the inner conv1 -> conv2 stream unchanged (an observation tap: a beat of
// conv1 moves when c1_valid && c1_ready), so a bench can compare both layers' spikes at every step from a
// single simulation; c1_vmem / m_vmem carry each beat's membranes after the step (§4) for the same purpose.
// They drive nothing inside; an integration that does not need them leaves them open.
//
// Every parameter is a manifest value (scripts/run_sim.py and rtl_tb/ map them): C1_* is layer conv1, C2_*
// is layer conv2. Cycles per image without back-pressure: conv1 9*H*W + T*H*W, conv2 about 10*H*W per step,
// the two overlap, so about 9*H*W + 10*T*H*W in all (conv2, one tap per cycle, is the bottleneck).
module snn_slice_top #(
    parameter integer IN_C        = 1,
    parameter integer C1_C        = 4,
    parameter integer C2_C        = 8,
    parameter integer H           = 32,
    parameter integer W           = 32,
    parameter integer T           = 8,
    parameter integer K           = 4,
    parameter integer COMPARE_GE  = 0,
    // conv1 (input_conv)
    parameter integer C1_WEIGHT_BITS = 7,
    parameter integer C1_BIAS_BITS   = 16,
    parameter integer C1_ACC_BITS    = 18,
    parameter integer C1_CUR_BITS    = 10,
    parameter integer C1_MEM_BITS    = 13,
    parameter integer C1_INPUT_SHIFT = 8,
    parameter integer C1_TH_W        = 16,
    parameter [K*C1_TH_W-1:0] C1_THRESH = {16'd64, 16'd128, 16'd256, 16'd512},
    parameter C1_WEIGHT_FILE         = "conv1_weight.mem",
    parameter C1_BIAS_FILE           = "conv1_bias.mem",
    // conv2 (spiking_conv)
    parameter integer C2_WEIGHT_BITS = 6,
    parameter integer C2_BIAS_BITS   = 5,
    parameter integer C2_ACC_BITS    = 14,
    parameter integer C2_CUR_BITS    = 14,
    parameter integer C2_MEM_BITS    = 17,
    parameter [K*8-1:0] C2_SPIKE_SHIFT = {8'd0, 8'd1, 8'd2, 8'd3},
    parameter integer C2_TH_W        = 16,
    parameter [K*C2_TH_W-1:0] C2_THRESH = {16'd64, 16'd128, 16'd256, 16'd512},
    parameter C2_WEIGHT_FILE         = "conv2_weight.mem",
    parameter C2_BIAS_FILE           = "conv2_bias.mem"
) (
    input  wire                clk,
    input  wire                rst,        // synchronous, active high
    input  wire                s_valid,
    output wire                s_ready,
    input  wire [IN_C*8-1:0]   s_data,
    output wire                m_valid,
    input  wire                m_ready,
    output wire [C2_C*K-1:0]   m_data,
    output wire [C2_C*C2_MEM_BITS-1:0] m_vmem,   // conv2 membranes of the m_data pixel after the step
    output wire                c1_valid,   // observation tap of the conv1 -> conv2 stream
    output wire                c1_ready,
    output wire [C1_C*K-1:0]   c1_data,
    output wire [C1_C*C1_MEM_BITS-1:0] c1_vmem  // conv1 membranes of the c1_data pixel after the step
);
    snn_input_conv #(
        .C_IN(IN_C), .C_OUT(C1_C), .H(H), .W(W), .T(T), .K(K),
        .WEIGHT_BITS(C1_WEIGHT_BITS), .BIAS_BITS(C1_BIAS_BITS), .ACC_BITS(C1_ACC_BITS),
        .CUR_BITS(C1_CUR_BITS), .MEM_BITS(C1_MEM_BITS), .INPUT_SHIFT(C1_INPUT_SHIFT),
        .TH_W(C1_TH_W), .THRESH(C1_THRESH), .COMPARE_GE(COMPARE_GE),
        .WEIGHT_FILE(C1_WEIGHT_FILE), .BIAS_FILE(C1_BIAS_FILE)
    ) u_conv1 (
        .clk(clk), .rst(rst),
        .s_valid(s_valid), .s_ready(s_ready), .s_data(s_data),
        .m_valid(c1_valid), .m_ready(c1_ready), .m_data(c1_data), .m_vmem(c1_vmem)
    );

    snn_spiking_conv #(
        .C_IN(C1_C), .C_OUT(C2_C), .H(H), .W(W), .T(T), .K(K),
        .WEIGHT_BITS(C2_WEIGHT_BITS), .BIAS_BITS(C2_BIAS_BITS), .ACC_BITS(C2_ACC_BITS),
        .CUR_BITS(C2_CUR_BITS), .MEM_BITS(C2_MEM_BITS), .SPIKE_SHIFT(C2_SPIKE_SHIFT),
        .TH_W(C2_TH_W), .THRESH(C2_THRESH), .COMPARE_GE(COMPARE_GE),
        .WEIGHT_FILE(C2_WEIGHT_FILE), .BIAS_FILE(C2_BIAS_FILE)
    ) u_conv2 (
        .clk(clk), .rst(rst),
        .s_valid(c1_valid), .s_ready(c1_ready), .s_data(c1_data),
        .m_valid(m_valid), .m_ready(m_ready), .m_data(m_data), .m_vmem(m_vmem)
    );
endmodule
