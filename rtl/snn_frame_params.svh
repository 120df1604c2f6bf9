// snn_frame_params.svh: the parameters of the frame engine (snn_frame_engine), written once: the kernel wrapper
// snn_frame_kernel has the same list and passes every one through. SNN_FRAME_PARAMS is the list (for a module's #(...)),
// SNN_FRAME_PASS the connections (for an instance's #(...)). golden/backends/rtl/frame_config.py sets them per export;
// besides the sizes: LG, the lanes that share a band word (P / the most sub-lanes of a 3x3 layer); WSTREAM 1: weights
// streamed from the weight buffer, one pass at a time, WPB words per beat, BPW beats per word; N_ENG: engines, each a
// column strip of W_MAX / N_ENG (the band's width); OUT_CO: the output layer's lanes (its A_T words a chunk).
`ifndef SNN_FRAME_PARAMS_SVH
`define SNN_FRAME_PARAMS_SVH
`define SNN_FRAME_PARAMS \
    parameter integer P           = 8, \
    parameter integer LG          = 1, \
    parameter integer DATA_W      = 64, \
    parameter integer ADDR_W      = 64, \
    parameter integer ID_W        = 1, \
    parameter integer K           = 4, \
    parameter integer FB          = 4, \
    parameter integer T           = 10, \
    parameter integer N_LAYERS    = 4, \
    parameter integer N_REGIONS   = 3, \
    parameter integer DESC_FW     = 16, \
    parameter integer W_BITS      = 8, \
    parameter integer B_BITS      = 8, \
    parameter integer ACC_W       = 20, \
    parameter integer CUR_W       = 20, \
    parameter integer MEM_W       = 24, \
    parameter integer TH_W        = 16, \
    parameter integer VAL_W       = 8, \
    parameter integer W_MAX       = 64, \
    parameter integer SLOT_DEPTH  = 640, \
    parameter integer G_MAX       = 1, \
    parameter integer C_MAX       = 16, \
    parameter integer WROM_DEPTH  = 64, \
    parameter integer BROM_DEPTH  = 8, \
    parameter integer COMPARE_GE  = 0, \
    parameter [K*8-1:0] TH_SHIFT  = {8'd3, 8'd2, 8'd1, 8'd0}, \
    parameter [K*8-1:0] SPIKE_SHIFT = {8'd0, 8'd1, 8'd2, 8'd3}, \
    parameter integer MAX_BURST   = 16, \
    parameter integer MAX_OUTSTANDING = 4, \
    parameter integer WSTREAM     = 0, \
    parameter integer WPB         = 1, \
    parameter integer BPW         = 1, \
    parameter integer N_ENG       = 1, \
    parameter integer OUT_CO      = 8, \
    parameter         DESC_FILE    = "frame_layers.mem", \
    parameter         WEIGHTS_FILE = "frame_weights.mem", \
    parameter         BIAS_FILE    = "frame_bias.mem"
`define SNN_FRAME_PASS \
    .P(P), .LG(LG), .DATA_W(DATA_W), .ADDR_W(ADDR_W), .ID_W(ID_W), .K(K), .FB(FB), .T(T), .N_LAYERS(N_LAYERS), \
    .N_REGIONS(N_REGIONS), .DESC_FW(DESC_FW), .W_BITS(W_BITS), .B_BITS(B_BITS), .ACC_W(ACC_W), .CUR_W(CUR_W), \
    .MEM_W(MEM_W), .TH_W(TH_W), .VAL_W(VAL_W), .W_MAX(W_MAX), .SLOT_DEPTH(SLOT_DEPTH), .G_MAX(G_MAX), \
    .C_MAX(C_MAX), .WROM_DEPTH(WROM_DEPTH), .BROM_DEPTH(BROM_DEPTH), .COMPARE_GE(COMPARE_GE), \
    .TH_SHIFT(TH_SHIFT), .SPIKE_SHIFT(SPIKE_SHIFT), .MAX_BURST(MAX_BURST), .MAX_OUTSTANDING(MAX_OUTSTANDING), \
    .WSTREAM(WSTREAM), .WPB(WPB), .BPW(BPW), .N_ENG(N_ENG), .OUT_CO(OUT_CO), .DESC_FILE(DESC_FILE), .WEIGHTS_FILE(WEIGHTS_FILE), \
    .BIAS_FILE(BIAS_FILE)
`endif
