// snn_engine_desc.svh: layout of one layer descriptor of snn_engine (docs/rtl_engine.md).
//
// This file is the single definition of the layout: snn_engine.sv includes it, and scripts/gen_engine_desc.py
// parses the `localparam integer NAME = VALUE;` lines below to write the descriptor ROM (layers.mem), so the two
// sides cannot drift apart. Field i of a descriptor word sits at bits [DESC_FW*i +: DESC_FW], unsigned. The field
// width DESC_FW is not fixed here: it is a parameter of snn_engine, the width of the export's largest descriptor
// value (rtl_tb/engine_desc.py derives it with the layout, e.g. 17 bits for the weight bases of the default model).
// Sizes and counts are stored as they are (not minus one); *_YL / *_XL are log2 of the padded row/column
// counts (feature-map addresses are {group, y, x} bit fields, so no multiplier is needed to form them).
localparam integer D_KIND    = 0;   // KIND_* below
localparam integer D_K3      = 1;   // 1: 3x3 kernel (padding 1), 0: 1x1 (conv / output layers)
localparam integer D_TL      = 2;   // log2 of the weight slots per (input channel, group): 4 for 3x3, 0 for 1x1
localparam integer D_IH      = 3;   // input feature map height (the sources' height)
localparam integer D_IW      = 4;   // input width
localparam integer D_IYL     = 5;   // log2 of the padded input height
localparam integer D_IXL     = 6;   // log2 of the padded input width
localparam integer D_OH      = 7;   // output height
localparam integer D_OW      = 8;   // output width
localparam integer D_OYL     = 9;   // log2 of the padded output height
localparam integer D_OXL     = 10;  // log2 of the padded output width
localparam integer D_G       = 11;  // output channel groups: ceil(out_channels / P)
localparam integer D_GTL     = 12;  // log2(padded groups) + D_TL: weight address stride of one input channel
localparam integer D_SRC0    = 13;  // spike memory base of source 0 (the encoder part of a concat)
localparam integer D_SRC0_C  = 14;  // channels of source 0
localparam integer D_SRC1    = 15;  // spike memory base of source 1
localparam integer D_SRC1_C  = 16;  // channels of source 1 (0: a single source)
localparam integer D_DST     = 17;  // spike memory base of this layer's output
localparam integer D_MBASE   = 18;  // membrane memory base (output layer: its accumulator A_t)
localparam integer D_WBASE   = 19;  // weight ROM base
localparam integer D_BBASE   = 20;  // bias ROM base
localparam integer D_THEXP   = 21;  // log2 of the highest threshold, e_0 + F (thresholds are 2^(e_i + F), §2)
localparam integer D_SHIFT   = 22;  // input_conv: right shift G of (acc + bias); pool: left shift F + e_min - 2
localparam integer D_OUTC    = 23;  // output channels (lanes >= this in the last group are padding)
localparam integer DESC_N    = 24;  // number of fields

localparam integer KIND_INPUT  = 0;  // static-coded input conv (multipliers, once per frame)
localparam integer KIND_CONV   = 1;  // spiking conv, shift-and-add, concat sources
localparam integer KIND_POOL   = 2;  // 2x2 average pool + neuron
localparam integer KIND_UPCONV = 3;  // transposed conv k3 s2 p1 op1 (scatter) + neuron
localparam integer KIND_OUTPUT = 4;  // accumulating output layer, no neuron
