// snn_engine: the whole exported Spiking-UNet on one layer-sequential, event-driven datapath
// (docs/rtl_engine.md; arithmetic: docs/contract.md §3-§7).
//
// One frame = T time steps; inside a step the layers run one after the other in manifest order (Algorithm 1:
// a layer at step t reads its sources' spikes of step t). Every layer runs two phases on the same hardware:
//
//   SCATTER  snn_scanner walks the layer's input -- the image beats from s_axis (input layer, t = 0 only), or the
//            spike memories of its sources (several sources = channel concat, in order) -- and pushes every
//            NONZERO input value (pixel byte or K-bit spike word) into the event FIFO. snn_scatter pops an event
//            and, for each output channel group (P lanes) and each kernel tap that lands inside the output, does
//            one read-modify-write of P accumulators (one per snn_lane):
//              input_conv : acc += w * p                (the only multipliers, P of them)
//              conv/output: acc += sum_i s_i ? w << (e_i - e_min) : 0   (shift-and-add, §3)
//              upconv     : same, to outputs (2iy+ky-1, 2ix+kx-1) (§3 scatter)
//              pool       : acc[c] += magnitude << (F + e_min - 2), one lane, output (iy/2, ix/2)
//            Zero words cost one scan cycle and no accumulate cycle; the scan and the accumulates overlap
//            through the FIFO.
//   NEURON   snn_neuron_phase walks every output neuron (P lanes per cycle, order y, x, group); each snn_lane
//            reads its accumulator (and clears it for the next layer), adds the bias (input layer: (acc + b) >>> G
//            at t = 0, stored in the current RAM and reused at every later step), updates its membrane with
//            mtif_neuron_rt and writes its spike word. The output layer instead accumulates A_t = A_{t-1} + I_t
//            in the membrane RAM, and at t = T-1 streams A_T out on m_axis through the output FIFO.
//
// snn_sequencer runs the phases (layer by layer, step by step) from the descriptor ROM (DESC_FILE, one
// descriptor per layer, fields in rtl/snn_engine_pkg.svh); the weights/biases come from two ROMs. All three
// images and the parameters below are derived from the export by rtl_tb/engine_desc.py (scripts/gen_engine_desc.py).
// Feature-map addresses are {group, y, x} bit fields.
//
// Interfaces (like a Vitis HLS block with ap_ctrl_hs and AXI4-Stream ports):
//   ap_start/ap_done/ap_idle/ap_ready  one frame per start; ap_done and ap_ready pulse together at the end.
//   s_axis_*   the image, H*W beats in raster order, channel c at [8c+7:8c] (§5); tlast is accepted, unused.
//   m_axis_*   A_T of the output layer: one beat per (y, x, group) in raster order, lane j = channel
//              group*P + j at [OUT_LW*j +: OUT_LW] sign-extended (lanes past the channel count carry 0);
//              tlast on the frame's last beat.
//   trace_*    a verification port without back-pressure: one pulse per neuron-phase cycle with the layer, step,
//              group, y, x, the P spike words and the P membranes after the step (output layer: A_t).
`include "snn_check.svh"
module snn_engine #(
    parameter integer P           = 2,      // lanes: output channels processed in parallel
    parameter integer K           = 4,
    parameter integer T           = 4,
    parameter integer IN_C        = 1,
    parameter integer N_LAYERS    = 15,
    parameter integer ACC_W       = 20,     // max acc_bits over layers (+1)
    parameter integer CUR_W       = 12,     // input layer's current_bits
    parameter integer MEM_W       = 20,     // max membrane_bits over layers
    parameter integer TH_W        = 20,     // holds the largest threshold, signed
    parameter integer EXP_W       = 5,
    parameter integer WB          = 8,      // max weight_bits
    parameter integer BB          = 16,     // max bias_bits
    parameter integer OUT_W       = 16,     // output layer's membrane_bits (A_T)
    parameter integer ACC_DEPTH   = 512,
    parameter integer MEM_DEPTH   = 4096,
    parameter integer SPK_DEPTH   = 4096,
    parameter integer CUR_DEPTH   = 512,
    parameter integer W_DEPTH     = 4096,
    parameter integer B_DEPTH     = 64,
    parameter integer XY_W        = 5,      // holds the largest feature-map height / width
    parameter integer C_W         = 6,      // holds the largest channel count
    parameter integer G_W         = 4,      // holds the largest group count
    parameter [K*8-1:0] SPIKE_SHIFT = {8'd0, 8'd1, 8'd2, 8'd3},   // e_i - e_min at [8i +: 8]
    parameter [K*8-1:0] TH_SHIFT    = {8'd3, 8'd2, 8'd1, 8'd0},   // e_0 - e_i at [8i +: 8]
    parameter integer COMPARE_GE  = 0,
    parameter integer DESC_FW     = 16,     // descriptor field width (widest descriptor value of the export)
    parameter DESC_FILE           = "layers.mem",
    parameter WEIGHT_FILE         = "weights.mem",
    parameter BIAS_FILE           = "bias.mem"
) (
    input  wire                     clk,
    input  wire                     rst,            // synchronous, active high (ap_rst)
    input  wire                     ap_start,
    output wire                     ap_done,
    output wire                     ap_idle,
    output wire                     ap_ready,
    input  wire [IN_C*8-1:0]        s_axis_tdata,
    input  wire                     s_axis_tvalid,
    output wire                     s_axis_tready,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire                     s_axis_tlast,
    /* verilator lint_on UNUSEDSIGNAL */
    output wire [P*OUT_LW-1:0]      m_axis_tdata,
    output wire                     m_axis_tvalid,
    input  wire                     m_axis_tready,
    output wire                     m_axis_tlast,
    output wire                     trace_valid,
    output wire [LAYER_W-1:0]       trace_layer,
    output wire [T_W-1:0]           trace_t,
    output wire [G_W-1:0]           trace_g,
    output wire [XY_W-1:0]          trace_y,
    output wire [XY_W-1:0]          trace_x,
    output wire [P*K-1:0]           trace_spikes,
    output wire [P*MEM_W-1:0]       trace_vmem
);
/* verilator lint_off UNUSEDPARAM */
`include "snn_engine_pkg.svh"
/* verilator lint_on UNUSEDPARAM */
    `SNN_REQUIRE(g_check_p, P >= 1, "Error: P must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_k, K >= 1 && K <= EVENT_VAL_W, "Error: K must be in 1..8 (instance %m)")
    `SNN_REQUIRE(g_check_t, T >= 1, "Error: T must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_in_c, IN_C >= 1, "Error: IN_C must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_n_layers, N_LAYERS >= 1, "Error: N_LAYERS must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_desc_fw, DESC_FW >= 1, "Error: DESC_FW must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_compare_ge, COMPARE_GE == 0 || COMPARE_GE == 1,
                 "Error: COMPARE_GE must be 0 or 1 (instance %m)")
    // (the widths and depths are checked by the submodules that use them)

    localparam integer OUT_LW  = 8 * ((OUT_W + 7) / 8);
    localparam integer LAYER_W = (N_LAYERS > 1) ? $clog2(N_LAYERS) : 1;
    localparam integer T_W     = (T > 1) ? $clog2(T) : 1;
    localparam integer LANE_W  = (P > 1) ? $clog2(P) : 1;
    localparam integer ACC_AW  = (ACC_DEPTH > 1) ? $clog2(ACC_DEPTH) : 1;
    localparam integer MEM_AW  = (MEM_DEPTH > 1) ? $clog2(MEM_DEPTH) : 1;
    localparam integer SPK_AW  = (SPK_DEPTH > 1) ? $clog2(SPK_DEPTH) : 1;
    localparam integer CUR_AW  = (CUR_DEPTH > 1) ? $clog2(CUR_DEPTH) : 1;
    localparam integer W_AW    = (W_DEPTH > 1) ? $clog2(W_DEPTH) : 1;
    localparam integer B_AW    = (B_DEPTH > 1) ? $clog2(B_DEPTH) : 1;
    localparam integer DESC_WW = DESC_N * DESC_FW;
    localparam integer EV_W    = C_W + G_W + LANE_W + 2 * XY_W + EVENT_VAL_W;   // snn_scanner's event
    // Event FIFO: the scanner checks for room one cycle before its word is pushed (the spike RAM read), so it
    // stops at DEPTH - 2 and the word in flight still fits. Output FIFO: the neuron phase checks one cycle before
    // the push (stage NB) and counts the beat in NB, so it stops at DEPTH - 1. (Depths and thresholds as in the
    // single-module engine: the cycle counts stay the same.)
    localparam integer EV_FIFO_DEPTH  = 8;
    localparam integer OUT_FIFO_DEPTH = 4;
    localparam integer EV_CNT_W  = $clog2(EV_FIFO_DEPTH + 1);
    localparam integer OUT_CNT_W = $clog2(OUT_FIFO_DEPTH + 1);

    // ------------------------------------------------------------------ sequencer and the current layer
    wire [DESC_WW-1:0] desc;
    wire [LAYER_W-1:0] layer;
    wire [T_W-1:0]     t;
    wire               clearing, layer_init, scatter, neuron, neuron_start;
    wire [ACC_AW-1:0]  clr_addr;
    wire               scatter_done, neuron_done;

    /* verilator lint_off UNUSEDSIGNAL */
    function automatic [DESC_FW-1:0] fld(input [DESC_WW-1:0] word, input integer idx);
        fld = word[DESC_FW*idx +: DESC_FW];
    endfunction
    wire [DESC_FW-1:0] f_kind = fld(desc, D_KIND),  f_k3 = fld(desc, D_K3),   f_tl = fld(desc, D_TL);
    wire [DESC_FW-1:0] f_ih = fld(desc, D_IH),      f_iw = fld(desc, D_IW);
    wire [DESC_FW-1:0] f_iyl = fld(desc, D_IYL),    f_ixl = fld(desc, D_IXL);
    wire [DESC_FW-1:0] f_oh = fld(desc, D_OH),      f_ow = fld(desc, D_OW);
    wire [DESC_FW-1:0] f_oyl = fld(desc, D_OYL),    f_oxl = fld(desc, D_OXL);
    wire [DESC_FW-1:0] f_g = fld(desc, D_G),        f_gtl = fld(desc, D_GTL);
    wire [DESC_FW-1:0] f_src0 = fld(desc, D_SRC0),  f_src0c = fld(desc, D_SRC0_C);
    wire [DESC_FW-1:0] f_src1 = fld(desc, D_SRC1),  f_src1c = fld(desc, D_SRC1_C);
    wire [DESC_FW-1:0] f_dst = fld(desc, D_DST),    f_mbase = fld(desc, D_MBASE);
    wire [DESC_FW-1:0] f_wbase = fld(desc, D_WBASE), f_bbase = fld(desc, D_BBASE);
    wire [DESC_FW-1:0] f_thexp = fld(desc, D_THEXP), f_shift = fld(desc, D_SHIFT), f_outc = fld(desc, D_OUTC);
    /* verilator lint_on UNUSEDSIGNAL */

    wire [KIND_W-1:0] kind    = KIND_W'(f_kind);
    wire              k3      = (f_k3 != 0);
    wire [SH_W-1:0]   tl      = SH_W'(f_tl), gtl = SH_W'(f_gtl), shamt = SH_W'(f_shift);
    wire [XY_W-1:0]   ih_last = XY_W'(f_ih - 1), iw_last = XY_W'(f_iw - 1);
    wire [XY_W-1:0]   oh_last = XY_W'(f_oh - 1), ow_last = XY_W'(f_ow - 1);
    wire [SH_W-1:0]   iyl = SH_W'(f_iyl), ixl = SH_W'(f_ixl), oyl = SH_W'(f_oyl), oxl = SH_W'(f_oxl);
    wire [G_W-1:0]    g_last  = G_W'(f_g - 1);
    wire [SPK_AW-1:0] src0 = SPK_AW'(f_src0), src1 = SPK_AW'(f_src1), dst = SPK_AW'(f_dst);
    wire [C_W-1:0]    src0c_last = C_W'(f_src0c - 1), src1c_last = C_W'(f_src1c - 1);
    wire              has_src1 = (f_src1c != 0);
    wire [MEM_AW-1:0] mbase   = MEM_AW'(f_mbase);
    wire [W_AW-1:0]   wbase   = W_AW'(f_wbase);
    wire [B_AW-1:0]   bbase   = B_AW'(f_bbase);
    wire [EXP_W-1:0]  thexp   = EXP_W'(f_thexp);
    wire [C_W-1:0]    outc    = C_W'(f_outc);
    wire is_input = (kind == KIND_W'(KIND_INPUT)), is_pool = (kind == KIND_W'(KIND_POOL));
    wire is_up = (kind == KIND_W'(KIND_UPCONV)), is_out = (kind == KIND_W'(KIND_OUTPUT));
    wire first_step = (t == {T_W{1'b0}});
    wire out_now    = is_out && (t == T_W'(T - 1));   // the output layer's last step: A_T goes to m_axis

    wire [OUT_CNT_W-1:0] of_count;
    wire                 of_empty;
    wire                 nb_valid;
    snn_sequencer #(.N_LAYERS(N_LAYERS), .T(T), .ACC_DEPTH(ACC_DEPTH), .DESC_WW(DESC_WW),
                    .DESC_FILE(DESC_FILE)) u_seq (
        .clk(clk), .rst(rst), .ap_start(ap_start), .ap_idle(ap_idle), .ap_done(ap_done), .ap_ready(ap_ready),
        .static_input(is_input), .scatter_done(scatter_done), .neuron_done(neuron_done),
        .neuron_busy(nb_valid), .out_empty(of_empty),
        .desc(desc), .layer(layer), .t(t), .clearing(clearing), .clr_addr(clr_addr), .layer_init(layer_init),
        .scatter(scatter), .neuron(neuron), .neuron_start(neuron_start));

    // ------------------------------------------------------------------ SCATTER: scanner -> event FIFO -> scatter
    wire [SPK_AW-1:0]   spk_raddr;
    wire [P*K-1:0]      spk_q;
    wire                ev_push, ev_pop, ev_empty, scan_done;
    wire [EV_W-1:0]     ev_in, ev_out;
    wire [EV_CNT_W-1:0] ev_count;
    wire                ev_room = (ev_count < EV_CNT_W'(EV_FIFO_DEPTH - 2));
    snn_scanner #(.P(P), .K(K), .IN_C(IN_C), .C_W(C_W), .G_W(G_W), .XY_W(XY_W), .SPK_DEPTH(SPK_DEPTH)) u_scan (
        .clk(clk), .rst(rst), .layer_init(layer_init), .scatter(scatter), .is_input(is_input),
        .ih_last(ih_last), .iw_last(iw_last), .iyl(iyl), .ixl(ixl), .src0(src0), .src1(src1),
        .src0c_last(src0c_last), .src1c_last(src1c_last), .has_src1(has_src1),
        .s_axis_tdata(s_axis_tdata), .s_axis_tvalid(s_axis_tvalid), .s_axis_tready(s_axis_tready),
        .spk_raddr(spk_raddr), .spk_q(spk_q), .ev_room(ev_room), .ev_push(ev_push), .ev_data(ev_in),
        .done(scan_done));

    /* verilator lint_off UNUSEDSIGNAL */
    wire ev_full, of_full;   // the producers keep headroom by the counts instead
    /* verilator lint_on UNUSEDSIGNAL */
    snn_fifo #(.WIDTH(EV_W), .DEPTH(EV_FIFO_DEPTH)) u_ev_fifo (
        .clk(clk), .rst(rst), .push(ev_push), .din(ev_in), .pop(ev_pop), .dout(ev_out), .empty(ev_empty),
        .full(ev_full), .count(ev_count));

    wire                sa_busy, sb_valid, byp_hit;
    wire [ACC_AW-1:0]   sa_addr, sb_addr;
    wire [EVENT_VAL_W-1:0] sb_val;
    wire [LANE_W-1:0]   sb_cl;
    wire [ACC_W-1:0]    sb_pool_add;
    wire [P*WB-1:0]     w_q;
    snn_scatter #(.P(P), .K(K), .ACC_W(ACC_W), .WB(WB), .C_W(C_W), .G_W(G_W), .XY_W(XY_W), .ACC_DEPTH(ACC_DEPTH),
                  .W_DEPTH(W_DEPTH), .SPIKE_SHIFT(SPIKE_SHIFT), .WEIGHT_FILE(WEIGHT_FILE)) u_scatter (
        .clk(clk), .rst(rst), .is_pool(is_pool), .is_up(is_up), .k3(k3), .ih_last(ih_last), .iw_last(iw_last),
        .g_last(g_last), .oyl(oyl), .oxl(oxl), .tl(tl), .gtl(gtl), .wbase(wbase), .shamt(shamt),
        .ev_valid(!ev_empty), .ev_data(ev_out), .ev_pop(ev_pop), .busy(sa_busy), .acc_raddr(sa_addr),
        .sb_valid(sb_valid), .sb_addr(sb_addr), .sb_val(sb_val), .sb_cl(sb_cl), .sb_pool_add(sb_pool_add),
        .byp_hit(byp_hit), .w_q(w_q));
    assign scatter_done = scan_done && ev_empty && !sa_busy && !sb_valid;

    // ------------------------------------------------------------------ NEURON: counters, bias, trace, A_T
    wire                 na_issue, na_last;
    wire [ACC_AW-1:0]    na_addr, nb_addr;
    wire [P*BB-1:0]      b_q;
    wire [P*MEM_W-1:0]   nb_v;
    wire [P*K-1:0]       nb_s;
    wire                 of_push;
    wire [P*OUT_LW:0]    of_in, of_out;
    wire                 out_room = ({1'b0, of_count} + (OUT_CNT_W + 1)'(nb_valid) <
                                     (OUT_CNT_W + 1)'(OUT_FIFO_DEPTH - 1));
    snn_neuron_phase #(.P(P), .K(K), .MEM_W(MEM_W), .OUT_W(OUT_W), .BB(BB), .N_LAYERS(N_LAYERS), .T(T),
                       .XY_W(XY_W), .C_W(C_W), .G_W(G_W), .ACC_DEPTH(ACC_DEPTH), .B_DEPTH(B_DEPTH),
                       .BIAS_FILE(BIAS_FILE)) u_neur (
        .clk(clk), .rst(rst), .layer_init(layer_init), .neuron_start(neuron_start), .neuron(neuron),
        .oh_last(oh_last), .ow_last(ow_last), .g_last(g_last), .oyl(oyl), .oxl(oxl), .bbase(bbase), .outc(outc),
        .out_now(out_now), .out_room(out_room), .layer(layer), .t(t),
        .na_issue(na_issue), .na_last(na_last), .na_addr(na_addr), .nb_valid(nb_valid), .nb_addr(nb_addr),
        .bias(b_q), .nb_v(nb_v), .nb_s(nb_s), .of_push(of_push), .of_data(of_in),
        .trace_valid(trace_valid), .trace_layer(trace_layer), .trace_t(trace_t), .trace_g(trace_g),
        .trace_y(trace_y), .trace_x(trace_x), .trace_spikes(trace_spikes), .trace_vmem(trace_vmem));
    assign neuron_done = na_issue && na_last;

    snn_fifo #(.WIDTH(P * OUT_LW + 1), .DEPTH(OUT_FIFO_DEPTH)) u_out_fifo (
        .clk(clk), .rst(rst), .push(of_push), .din(of_in), .pop(m_axis_tvalid && m_axis_tready), .dout(of_out),
        .empty(of_empty), .full(of_full), .count(of_count));
    assign m_axis_tvalid = !of_empty;
    assign m_axis_tdata  = of_out[P*OUT_LW-1:0];
    assign m_axis_tlast  = of_out[P*OUT_LW];

    // ------------------------------------------------------------------ P lanes
    // RAM ports: the phases never overlap, so one read and one write port per bank suffice
    wire              acc_we    = clearing || sb_valid || nb_valid;
    wire [ACC_AW-1:0] acc_waddr = clearing ? clr_addr : (sb_valid ? sb_addr : nb_addr);
    wire [ACC_AW-1:0] acc_raddr = neuron ? na_addr : sa_addr;
    wire [MEM_AW-1:0] mem_waddr = mbase + MEM_AW'(nb_addr), mem_raddr = mbase + MEM_AW'(na_addr);
    wire [SPK_AW-1:0] spk_waddr = dst + SPK_AW'(nb_addr);
    genvar gl;
    generate
        for (gl = 0; gl < P; gl = gl + 1) begin : lane
            snn_lane #(.K(K), .ACC_W(ACC_W), .CUR_W(CUR_W), .MEM_W(MEM_W), .TH_W(TH_W), .EXP_W(EXP_W), .WB(WB),
                       .BB(BB), .ACC_DEPTH(ACC_DEPTH), .MEM_DEPTH(MEM_DEPTH), .SPK_DEPTH(SPK_DEPTH),
                       .CUR_DEPTH(CUR_DEPTH), .SPIKE_SHIFT(SPIKE_SHIFT), .TH_SHIFT(TH_SHIFT),
                       .COMPARE_GE(COMPARE_GE)) u_lane (
                .clk(clk), .is_input(is_input), .is_pool(is_pool), .is_out(is_out), .first_step(first_step),
                .acc_we(acc_we), .acc_wzero(!sb_valid), .acc_waddr(acc_waddr), .acc_raddr(acc_raddr),
                .w(w_q[WB*gl +: WB]), .sb_val(sb_val), .pool_hit(sb_cl == LANE_W'(gl)), .pool_add(sb_pool_add),
                .byp_hit(byp_hit), .bias(b_q[BB*gl +: BB]), .shamt(shamt), .thexp(thexp),
                .mem_we(nb_valid), .mem_waddr(mem_waddr), .mem_raddr(mem_raddr),
                .spk_we(nb_valid && !is_out), .spk_waddr(spk_waddr), .spk_raddr(spk_raddr),
                .spk_q(spk_q[K*gl +: K]),
                .cur_we(nb_valid && is_input && first_step), .cur_waddr(CUR_AW'(nb_addr)),
                .cur_raddr(CUR_AW'(na_addr)), .v_next(nb_v[MEM_W*gl +: MEM_W]), .s_next(nb_s[K*gl +: K]));
        end
    endgenerate
endmodule
