// snn_engine: the whole exported Spiking-UNet on one layer-sequential, event-driven datapath
// (docs/rtl_engine.md; arithmetic: docs/contract.md §3-§7).
//
// One frame = T time steps; inside a step the layers run one after the other in manifest order (Algorithm 1:
// a layer at step t reads its sources' spikes of step t). Every layer runs two phases on the same hardware:
//
//   SCATTER  an event producer walks the layer's input -- the image beats from s_axis (input layer, t = 0 only),
//            or the spike memories of its sources (several sources = channel concat, in order) -- and pushes
//            every NONZERO input value (pixel byte or K-bit spike word) into a small event FIFO. The scatter
//            unit pops an event and, for each output channel group (P lanes) and each kernel tap that lands
//            inside the output, does one read-modify-write of P current accumulators (acc RAM, P banks):
//              input_conv : acc += w * p                (the only multipliers, P of them)
//              conv/output: acc += sum_i s_i ? w << (e_i - e_min) : 0   (shift-and-add, §3)
//              upconv     : same, to outputs (2iy+ky-1, 2ix+kx-1) (§3 scatter)
//              pool       : acc[c] += magnitude << (F + e_min - 2), one lane, output (iy/2, ix/2)
//            Zero words cost one scan cycle and no accumulate cycle; the scan and the accumulates overlap
//            through the FIFO. A one-entry bypass forwards a write to an immediately following read of the same
//            accumulator (synchronous-read RAM, read-modify-write in two stages).
//   NEURON   every output neuron (P lanes per cycle, order y, x, group) reads its accumulator (and clears it for
//            the next layer), adds the bias (input layer: (acc + b) >>> G at t = 0, stored in the current RAM
//            and reused at every later step), updates its membrane with mtif_neuron_rt and writes its spike
//            word to the layer's spike memory. The output layer instead accumulates A_t = A_{t-1} + I_t in the
//            membrane RAM, and at t = T-1 streams A_T out on m_axis.
//
// Every layer's parameters come from a descriptor ROM (DESC_FILE, layout rtl/snn_engine_desc.svh) and the
// weights/biases from two ROMs, all written by scripts/gen_engine_desc.py from the export; the parameters below
// are derived from the manifest by the same script. Feature-map addresses are {group, y, x} bit fields.
//
// Interfaces (like a Vitis HLS block with ap_ctrl_hs and AXI4-Stream ports):
//   ap_start/ap_done/ap_idle/ap_ready  one frame per start; ap_done and ap_ready pulse together at the end.
//   s_axis_*   the image, H*W beats in raster order, channel c at [8c+7:8c] (§5); tlast is accepted, unused.
//   m_axis_*   A_T of the output layer: one beat per (y, x, group) in raster order, lane j = channel
//              group*P + j at [OUT_LW*j +: OUT_LW] sign-extended (lanes past the channel count carry 0);
//              tlast on the frame's last beat.
//   trace_*    a verification port without back-pressure: one pulse per neuron-phase cycle with the layer, step,
//              group, y, x, the P spike words and the P membranes after the step (output layer: A_t).
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
    output reg                      ap_done,
    output wire                     ap_idle,
    output reg                      ap_ready,
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
    output reg                      trace_valid,
    output reg  [LAYER_W-1:0]       trace_layer,
    output reg  [T_W-1:0]           trace_t,
    output reg  [G_W-1:0]           trace_g,
    output reg  [XY_W-1:0]          trace_y,
    output reg  [XY_W-1:0]          trace_x,
    output reg  [P*K-1:0]           trace_spikes,
    output reg  [P*MEM_W-1:0]       trace_vmem
);
/* verilator lint_off UNUSEDPARAM */
`include "snn_engine_desc.svh"
/* verilator lint_on UNUSEDPARAM */
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
    localparam integer IC_W    = (IN_C > 1) ? $clog2(IN_C) : 1;
    localparam integer SH_W    = 5;                      // shift amounts (log2 sizes, tl, G, pool shift)
    localparam integer SUM_W   = ACC_W + 1;              // acc + bias
    localparam integer FD      = 8;                      // event FIFO depth
    localparam integer OFD     = 4;                      // output FIFO depth
    localparam integer DESC_WW = DESC_N * DESC_FW;
    localparam integer EV_W    = C_W + G_W + LANE_W + 2 * XY_W + 8;
    localparam [LAYER_W-1:0] LAYER_LAST = LAYER_W'(N_LAYERS - 1);
    localparam [T_W-1:0]     T_LAST     = T_W'(T - 1);
    localparam [LANE_W-1:0]  LANE_LAST  = LANE_W'(P - 1);
    localparam [IC_W-1:0]    IC_LAST    = IC_W'(IN_C - 1);
    localparam [ACC_AW-1:0]  ACC_LAST   = ACC_AW'(ACC_DEPTH - 1);

    // ------------------------------------------------------------------ descriptor ROM and the current layer
    reg [DESC_WW-1:0] desc_rom [0:N_LAYERS-1];
    initial $readmemh(DESC_FILE, desc_rom);
    reg [DESC_WW-1:0] d;

    /* verilator lint_off UNUSEDSIGNAL */
    function automatic [DESC_FW-1:0] fld(input [DESC_WW-1:0] word, input integer idx);
        fld = word[DESC_FW*idx +: DESC_FW];
    endfunction
    wire [DESC_FW-1:0] f_kind = fld(d, D_KIND),  f_k3 = fld(d, D_K3),     f_tl = fld(d, D_TL);
    wire [DESC_FW-1:0] f_ih = fld(d, D_IH),      f_iw = fld(d, D_IW),     f_iyl = fld(d, D_IYL), f_ixl = fld(d, D_IXL);
    wire [DESC_FW-1:0] f_oh = fld(d, D_OH),      f_ow = fld(d, D_OW),     f_oyl = fld(d, D_OYL), f_oxl = fld(d, D_OXL);
    wire [DESC_FW-1:0] f_g = fld(d, D_G),        f_gtl = fld(d, D_GTL);
    wire [DESC_FW-1:0] f_src0 = fld(d, D_SRC0),  f_src0c = fld(d, D_SRC0_C);
    wire [DESC_FW-1:0] f_src1 = fld(d, D_SRC1),  f_src1c = fld(d, D_SRC1_C);
    wire [DESC_FW-1:0] f_dst = fld(d, D_DST),    f_mbase = fld(d, D_MBASE);
    wire [DESC_FW-1:0] f_wbase = fld(d, D_WBASE), f_bbase = fld(d, D_BBASE);
    wire [DESC_FW-1:0] f_thexp = fld(d, D_THEXP), f_shift = fld(d, D_SHIFT), f_outc = fld(d, D_OUTC);
    /* verilator lint_on UNUSEDSIGNAL */

    wire [2:0]       kind    = 3'(f_kind);
    wire             k3      = (f_k3 != 0);
    wire [SH_W-1:0]  tl      = SH_W'(f_tl);
    wire [XY_W-1:0]  ih_last = XY_W'(f_ih - 1), iw_last = XY_W'(f_iw - 1);
    wire [XY_W-1:0]  oh_last = XY_W'(f_oh - 1), ow_last = XY_W'(f_ow - 1);
    wire [SH_W-1:0]  iyl = SH_W'(f_iyl), ixl = SH_W'(f_ixl), oyl = SH_W'(f_oyl), oxl = SH_W'(f_oxl);
    wire [G_W-1:0]   g_last  = G_W'(f_g - 1);
    wire [SH_W-1:0]  gtl     = SH_W'(f_gtl);
    wire [SPK_AW-1:0] src0 = SPK_AW'(f_src0), src1 = SPK_AW'(f_src1), dst = SPK_AW'(f_dst);
    wire [C_W-1:0]   src0c_last = C_W'(f_src0c - 1), src1c_last = C_W'(f_src1c - 1);
    wire             has_src1 = (f_src1c != 0);
    wire [MEM_AW-1:0] mbase  = MEM_AW'(f_mbase);
    wire [W_AW-1:0]  wbase   = W_AW'(f_wbase);
    wire [B_AW-1:0]  bbase   = B_AW'(f_bbase);
    wire [EXP_W-1:0] thexp   = EXP_W'(f_thexp);
    wire [SH_W-1:0]  shamt   = SH_W'(f_shift);
    wire [C_W-1:0]   outc    = C_W'(f_outc);
    wire is_input = (kind == 3'(KIND_INPUT)), is_pool = (kind == 3'(KIND_POOL));
    wire is_up = (kind == 3'(KIND_UPCONV)), is_out = (kind == 3'(KIND_OUTPUT));

    // ------------------------------------------------------------------ sequencer
    localparam [3:0] S_CLEAR = 4'd0, S_IDLE = 4'd1, S_LOAD = 4'd2, S_DEC = 4'd3, S_SCAT = 4'd4, S_NEUR = 4'd5,
                     S_NDRAIN = 4'd6, S_NEXT = 4'd7, S_FLUSH = 4'd8, S_DONE = 4'd9;
    reg [3:0]         st;
    reg [LAYER_W-1:0] layer;
    reg [T_W-1:0]     t;
    reg [ACC_AW-1:0]  clr_addr;
    wire              last_step = (t == T_LAST);
    assign ap_idle = (st == S_IDLE);

    // ------------------------------------------------------------------ event FIFO
    reg  [EV_W-1:0]  ev_mem [0:FD-1];
    reg  [2:0]       ev_wp, ev_rp;
    reg  [3:0]       ev_cnt;
    wire             ev_room = (ev_cnt < 4'(FD - 2));
    reg              ev_push;
    reg  [EV_W-1:0]  ev_in;
    wire             ev_pop;
    wire [EV_W-1:0]  ev_out = ev_mem[ev_rp];

    // ------------------------------------------------------------------ producer: image beats or spike scan
    reg               unp_full, pix_done;
    reg  [IN_C*8-1:0] unp_data;
    reg  [IC_W-1:0]   unp_c;
    reg  [XY_W-1:0]   unp_y, unp_x, pix_y, pix_x;
    assign s_axis_tready = (st == S_SCAT) && is_input && !unp_full && !pix_done;
    wire [7:0]        unp_byte = unp_data[8*unp_c +: 8];

    reg               sc_run, sc_part;
    reg  [C_W-1:0]    sc_cpart, sc_cglob;
    reg  [G_W-1:0]    sc_cg;
    reg  [LANE_W-1:0] sc_cl;
    reg  [XY_W-1:0]   sc_y, sc_x;
    reg               s1_valid;
    reg  [C_W-1:0]    s1_cglob;
    reg  [G_W-1:0]    s1_cg;
    reg  [LANE_W-1:0] s1_cl;
    reg  [XY_W-1:0]   s1_y, s1_x;
    wire              sc_issue = (st == S_SCAT) && sc_run && ev_room;
    wire [SPK_AW-1:0] sc_local = (SPK_AW'(sc_cg) << (iyl + ixl)) | (SPK_AW'(sc_y) << ixl) | SPK_AW'(sc_x);
    wire [SPK_AW-1:0] spk_raddr = (sc_part ? src1 : src0) + sc_local;
    wire [C_W-1:0]    sc_part_last = sc_part ? src1c_last : src0c_last;
    wire [P*K-1:0]    spk_q;            // all banks at spk_raddr, one cycle later
    wire [K-1:0]      s1_word = spk_q[K*s1_cl +: K];
    wire              producer_done = is_input ? (pix_done && !unp_full) : (!sc_run && !s1_valid);

    always @* begin
        ev_push = 1'b0;
        ev_in = {EV_W{1'b0}};
        if (st == S_SCAT && is_input && unp_full && ev_room && unp_byte != 8'd0) begin
            ev_push = 1'b1;
            ev_in = {C_W'(unp_c), {G_W{1'b0}}, {LANE_W{1'b0}}, unp_y, unp_x, unp_byte};
        end else if (s1_valid && s1_word != {K{1'b0}}) begin
            ev_push = 1'b1;
            ev_in = {s1_cglob, s1_cg, s1_cl, s1_y, s1_x, 8'(s1_word)};
        end
    end

    // ------------------------------------------------------------------ scatter unit (stage A registers)
    reg               sa_busy;
    reg  [C_W-1:0]    e_cglob;
    reg  [LANE_W-1:0] e_cl;
    reg  [XY_W-1:0]   e_y, e_x;
    reg  [7:0]        e_val;
    reg  [G_W-1:0]    sa_g;
    reg  [1:0]        ky, kx, ky_lo, ky_hi, kx_lo, kx_hi;
    wire              sa_last = sa_busy && kx == kx_hi && ky == ky_hi && (is_pool || sa_g == g_last);
    assign ev_pop = (ev_cnt != 4'd0) && (!sa_busy || sa_last);
    // the popped event, unpacked
    wire [C_W-1:0]    p_cglob = ev_out[EV_W-1 -: C_W];
    wire [G_W-1:0]    p_cg    = ev_out[EV_W-C_W-1 -: G_W];
    wire [LANE_W-1:0] p_cl    = ev_out[EV_W-C_W-G_W-1 -: LANE_W];
    wire [XY_W-1:0]   p_y     = ev_out[8+2*XY_W-1 -: XY_W];
    wire [XY_W-1:0]   p_x     = ev_out[8+XY_W-1 -: XY_W];
    wire [7:0]        p_val   = ev_out[7:0];

    // tap ranges of an event at (y, x): taps whose output lies inside the image (§3 padding / scatter bounds).
    // (The functions take every signal they read as an argument: a continuous assignment is re-evaluated only
    // when its operands change, so a function must not read module signals behind the simulator's back.)
    function automatic [3:0] tap_range(input [XY_W-1:0] c, input [XY_W-1:0] c_last, input a_pool, input a_up,
                                       input a_k3);
        reg [1:0] lo, hi;
        begin
            if (a_pool || !a_k3) begin lo = 2'd0; hi = 2'd0; end
            else if (a_up) begin lo = (c == {XY_W{1'b0}}) ? 2'd1 : 2'd0; hi = 2'd2; end
            else begin lo = (c == c_last) ? 2'd1 : 2'd0; hi = (c == {XY_W{1'b0}}) ? 2'd1 : 2'd2; end
            tap_range = {lo, hi};
        end
    endfunction
    wire [3:0] p_yr = tap_range(p_y, ih_last, is_pool, is_up, k3), p_xr = tap_range(p_x, iw_last, is_pool, is_up, k3);

    // output coordinate of tap k for input coordinate c
    function automatic [XY_W-1:0] out_coord(input [XY_W-1:0] c, input [1:0] k, input a_pool, input a_up, input a_k3);
        begin
            if (a_pool) out_coord = c >> 1;
            else if (a_up) out_coord = XY_W'({c, 1'b0} + (XY_W + 1)'(k) - (XY_W + 1)'(1));
            else if (a_k3) out_coord = XY_W'((XY_W + 1)'(c) + (XY_W + 1)'(1) - (XY_W + 1)'(k));
            else out_coord = c;
        end
    endfunction
    wire [XY_W-1:0]   sa_oy = out_coord(e_y, ky, is_pool, is_up, k3), sa_ox = out_coord(e_x, kx, is_pool, is_up, k3);
    wire [ACC_AW-1:0] sa_addr = (ACC_AW'(sa_g) << (oyl + oxl)) | (ACC_AW'(sa_oy) << oxl) | ACC_AW'(sa_ox);
    wire [W_AW-1:0]   w_raddr = wbase + (W_AW'(e_cglob) << gtl) + (W_AW'(sa_g) << tl) + (k3 ? W_AW'({ky, kx}) : {W_AW{1'b0}});

    // stage B of the scatter read-modify-write
    reg               sb_valid, byp_hit;
    reg  [ACC_AW-1:0] sb_addr;
    reg  [7:0]        sb_val;
    reg  [LANE_W-1:0] sb_cl;
    wire [P*ACC_W-1:0] sb_new;          // accumulators after this op (per lane)
    reg  [P*ACC_W-1:0] byp_data;
    wire [P*WB-1:0]   w_q;
    reg  [P*WB-1:0]   w_rom [0:W_DEPTH-1];
    reg  [P*WB-1:0]   w_q_r;
    initial $readmemh(WEIGHT_FILE, w_rom);
    always @(posedge clk) w_q_r <= w_rom[w_raddr];
    assign w_q = w_q_r;

    // spike magnitude of the stage B word in units of 2^e_min (pool)
    function automatic [ACC_W-1:0] magnitude(input [7:0] word);
        integer i;
        begin
            magnitude = {ACC_W{1'b0}};
            for (i = 0; i < K; i = i + 1)
                if (word[i]) magnitude = magnitude + (ACC_W'(1) << SPIKE_SHIFT[8*i +: 8]);
        end
    endfunction
    wire [ACC_W-1:0] sb_pool_add = magnitude(sb_val) << shamt;

    // ------------------------------------------------------------------ neuron phase (stage NA counters, NB)
    reg  [XY_W-1:0]   ny, nx;
    reg  [G_W-1:0]    ng;
    reg               na_run;
    reg  [2:0]        ofifo_cnt;
    wire              out_now = is_out && last_step;
    wire              na_issue = (st == S_NEUR) && na_run &&
                                 (!out_now || (ofifo_cnt + 3'(nb_valid) < 3'(OFD - 1)));
    wire              na_last = (ny == oh_last) && (nx == ow_last) && (ng == g_last);
    wire [ACC_AW-1:0] na_addr = (ACC_AW'(ng) << (oyl + oxl)) | (ACC_AW'(ny) << oxl) | ACC_AW'(nx);
    reg               nb_valid, nb_last;
    reg  [ACC_AW-1:0] nb_addr;
    reg  [G_W-1:0]    nb_g;
    reg  [XY_W-1:0]   nb_y, nb_x;
    wire [P*MEM_W-1:0] nb_v;
    wire [P*K-1:0]    nb_s;
    wire [P*CUR_W-1:0] nb_cur;
    reg  [P*BB-1:0]   b_rom [0:B_DEPTH-1];
    reg  [P*BB-1:0]   b_q;
    initial $readmemh(BIAS_FILE, b_rom);
    always @(posedge clk) b_q <= b_rom[bbase + B_AW'(ng)];

    // RAM ports (the phases never overlap, so one read and one write port per bank suffice)
    wire              acc_we    = (st == S_CLEAR) || sb_valid || nb_valid;
    wire [ACC_AW-1:0] acc_waddr = (st == S_CLEAR) ? clr_addr : (sb_valid ? sb_addr : nb_addr);
    wire              acc_wzero = !sb_valid;
    wire [ACC_AW-1:0] acc_raddr = (st == S_NEUR) ? na_addr : sa_addr;
    wire [MEM_AW-1:0] mem_waddr = mbase + MEM_AW'(nb_addr);
    wire [MEM_AW-1:0] mem_raddr = mbase + MEM_AW'(na_addr);
    wire [SPK_AW-1:0] spk_waddr = dst + SPK_AW'(nb_addr);
    wire              spk_we    = nb_valid && !is_out;
    wire              cur_we    = nb_valid && is_input && (t == {T_W{1'b0}});

    genvar gl;
    generate
        for (gl = 0; gl < P; gl = gl + 1) begin : lane
            // ---- memories of this lane (output channel group*P + gl)
            reg [ACC_W-1:0] acc_mem [0:ACC_DEPTH-1];
            reg [MEM_W-1:0] mem_mem [0:MEM_DEPTH-1];
            reg [K-1:0]     spk_mem [0:SPK_DEPTH-1];
            reg [CUR_W-1:0] cur_mem [0:CUR_DEPTH-1];
            reg [ACC_W-1:0] acc_q;
            reg [MEM_W-1:0] mem_q;
            reg [K-1:0]     spk_q_r;
            reg [CUR_W-1:0] cur_q;
            always @(posedge clk) begin
                if (acc_we) acc_mem[acc_waddr] <= acc_wzero ? {ACC_W{1'b0}} : sb_new[ACC_W*gl +: ACC_W];
                acc_q <= acc_mem[acc_raddr];
            end
            always @(posedge clk) begin
                if (nb_valid) mem_mem[mem_waddr] <= nb_v[MEM_W*gl +: MEM_W];
                mem_q <= mem_mem[mem_raddr];
            end
            always @(posedge clk) begin
                if (spk_we) spk_mem[spk_waddr] <= nb_s[K*gl +: K];
                spk_q_r <= spk_mem[spk_raddr];
            end
            always @(posedge clk) begin
                if (cur_we) cur_mem[CUR_AW'(nb_addr)] <= nb_cur[CUR_W*gl +: CUR_W];
                cur_q <= cur_mem[CUR_AW'(na_addr)];
            end
            assign spk_q[K*gl +: K] = spk_q_r;

            // ---- scatter stage B: one accumulate (§3)
            wire signed [WB-1:0]    w    = $signed(w_q[WB*gl +: WB]);
            wire signed [ACC_W-1:0] wext = ACC_W'(w);
            wire signed [ACC_W-1:0] old  = byp_hit ? $signed(byp_data[ACC_W*gl +: ACC_W]) : $signed(acc_q);
            reg  signed [ACC_W-1:0] contrib;
            integer i;
            always @* begin
                contrib = {ACC_W{1'b0}};
                if (is_input) contrib = wext * $signed(ACC_W'({1'b0, sb_val}));
                else if (is_pool) contrib = (sb_cl == LANE_W'(gl)) ? $signed(sb_pool_add) : {ACC_W{1'b0}};
                else
                    for (i = 0; i < K; i = i + 1)
                        if (sb_val[i]) contrib = contrib + (wext <<< SPIKE_SHIFT[8*i +: 8]);
            end
            assign sb_new[ACC_W*gl +: ACC_W] = old + contrib;

            // ---- neuron stage B (§3 bias, §4 neuron, §6 output accumulation)
            wire signed [BB-1:0]    b    = $signed(b_q[BB*gl +: BB]);
            wire signed [SUM_W-1:0] sum  = SUM_W'($signed(acc_q)) + SUM_W'(b);
            wire signed [SUM_W-1:0] sum_sh = sum >>> shamt;
            wire signed [SUM_W-1:0] cur  = !is_input ? sum :
                                           (t == {T_W{1'b0}}) ? sum_sh : SUM_W'($signed(cur_q));
            wire        [MEM_W-1:0] vprev = (t == {T_W{1'b0}}) ? {MEM_W{1'b0}} : mem_q;
            wire        [MEM_W-1:0] v_neu;
            wire        [K-1:0]     s_neu;
            mtif_neuron_rt #(.K(K), .CUR_W(SUM_W), .MEM_W(MEM_W), .TH_W(TH_W), .EXP_W(EXP_W),
                             .TH_SHIFT(TH_SHIFT), .COMPARE_GE(COMPARE_GE)) u_neuron (
                .v_in(vprev), .i_in(cur), .th_exp(thexp), .v_out(v_neu), .spikes(s_neu));
            wire        [MEM_W-1:0] v_acc = vprev + MEM_W'(cur);
            assign nb_v[MEM_W*gl +: MEM_W] = is_out ? v_acc : v_neu;
            assign nb_s[K*gl +: K]         = is_out ? {K{1'b0}} : s_neu;
            assign nb_cur[CUR_W*gl +: CUR_W] = CUR_W'(sum_sh);
        end
    endgenerate

    // ------------------------------------------------------------------ output FIFO (A_T beats)
    reg  [P*OUT_LW:0] of_mem [0:OFD-1];
    reg  [1:0]        of_wp, of_rp;
    wire              of_push = nb_valid && out_now;
    wire              of_pop  = m_axis_tvalid && m_axis_tready;
    reg  [P*OUT_LW-1:0] of_in;
    integer oi;
    always @* begin
        of_in = {P*OUT_LW{1'b0}};
        for (oi = 0; oi < P; oi = oi + 1)
            if (C_W'(nb_g) * C_W'(P) + C_W'(oi) < outc)   // padding lanes of the last group send 0
                of_in[OUT_LW*oi +: OUT_LW] = OUT_LW'($signed(nb_v[MEM_W*oi +: OUT_W]));
    end
    assign m_axis_tvalid = (ofifo_cnt != 3'd0);
    assign m_axis_tdata  = of_mem[of_rp][P*OUT_LW-1:0];
    assign m_axis_tlast  = of_mem[of_rp][P*OUT_LW];
    always @(posedge clk) begin
        if (rst) begin
            of_wp <= 2'd0; of_rp <= 2'd0; ofifo_cnt <= 3'd0;
        end else begin
            if (of_push) begin
                of_mem[of_wp] <= {nb_last, of_in};
                of_wp <= of_wp + 2'd1;
            end
            if (of_pop) of_rp <= of_rp + 2'd1;
            ofifo_cnt <= ofifo_cnt + 3'(of_push) - 3'(of_pop);
        end
    end

    // ------------------------------------------------------------------ event FIFO storage
    always @(posedge clk) begin
        if (rst) begin
            ev_wp <= 3'd0; ev_rp <= 3'd0; ev_cnt <= 4'd0;
        end else begin
            if (ev_push) begin
                ev_mem[ev_wp] <= ev_in;
                ev_wp <= ev_wp + 3'd1;
            end
            if (ev_pop) ev_rp <= ev_rp + 3'd1;
            ev_cnt <= ev_cnt + 4'(ev_push) - 4'(ev_pop);
        end
    end

    // ------------------------------------------------------------------ control
    always @(posedge clk) begin
        if (rst) begin
            st <= S_CLEAR; clr_addr <= {ACC_AW{1'b0}};
            layer <= {LAYER_W{1'b0}}; t <= {T_W{1'b0}};
            ap_done <= 1'b0; ap_ready <= 1'b0;
            unp_full <= 1'b0; pix_done <= 1'b0; sc_run <= 1'b0; s1_valid <= 1'b0;
            sa_busy <= 1'b0; sb_valid <= 1'b0; byp_hit <= 1'b0;
            na_run <= 1'b0; nb_valid <= 1'b0; trace_valid <= 1'b0;
        end else begin
            ap_done <= 1'b0;
            ap_ready <= 1'b0;
            trace_valid <= 1'b0;
            case (st)
                S_CLEAR: begin   // zero every accumulator once after reset (the neuron phase keeps them zero)
                    clr_addr <= clr_addr + 1'b1;
                    if (clr_addr == ACC_LAST) st <= S_IDLE;
                end
                S_IDLE: if (ap_start) begin
                    layer <= {LAYER_W{1'b0}}; t <= {T_W{1'b0}}; st <= S_LOAD;
                end
                S_LOAD: begin d <= desc_rom[layer]; st <= S_DEC; end
                S_DEC: begin
                    // producer / neuron counters of the new layer
                    pix_y <= {XY_W{1'b0}}; pix_x <= {XY_W{1'b0}}; pix_done <= 1'b0;
                    sc_part <= 1'b0; sc_cpart <= {C_W{1'b0}}; sc_cglob <= {C_W{1'b0}};
                    sc_cg <= {G_W{1'b0}}; sc_cl <= {LANE_W{1'b0}}; sc_y <= {XY_W{1'b0}}; sc_x <= {XY_W{1'b0}};
                    ny <= {XY_W{1'b0}}; nx <= {XY_W{1'b0}}; ng <= {G_W{1'b0}};
                    if (is_input && t != {T_W{1'b0}}) begin
                        na_run <= 1'b1; st <= S_NEUR;           // the static current is already stored
                    end else begin
                        sc_run <= !is_input; st <= S_SCAT;
                    end
                end
                S_SCAT: if (producer_done && ev_cnt == 4'd0 && !sa_busy && !sb_valid) begin
                    na_run <= 1'b1; st <= S_NEUR;
                end
                S_NEUR: if (na_issue && na_last) begin na_run <= 1'b0; st <= S_NDRAIN; end
                S_NDRAIN: if (!nb_valid) st <= S_NEXT;
                S_NEXT: begin
                    if (layer == LAYER_LAST) begin
                        layer <= {LAYER_W{1'b0}};
                        if (last_step) st <= S_FLUSH;
                        else begin t <= t + 1'b1; st <= S_LOAD; end
                    end else begin
                        layer <= layer + 1'b1; st <= S_LOAD;
                    end
                end
                S_FLUSH: if (ofifo_cnt == 3'd0) begin ap_done <= 1'b1; ap_ready <= 1'b1; st <= S_DONE; end
                S_DONE: st <= S_IDLE;
                default: st <= S_IDLE;
            endcase

            // ---- producer: image unpacker (input layer, t = 0)
            if (s_axis_tvalid && s_axis_tready) begin
                unp_full <= 1'b1; unp_data <= s_axis_tdata; unp_c <= {IC_W{1'b0}};
                unp_y <= pix_y; unp_x <= pix_x;
                if (pix_x == iw_last) begin
                    pix_x <= {XY_W{1'b0}};
                    if (pix_y == ih_last) pix_done <= 1'b1; else pix_y <= pix_y + 1'b1;
                end else pix_x <= pix_x + 1'b1;
            end
            if (st == S_SCAT && is_input && unp_full && ev_room) begin
                unp_c <= unp_c + 1'b1;
                if (unp_c == IC_LAST) unp_full <= 1'b0;
            end

            // ---- producer: spike scan (one word per cycle, channel-major)
            s1_valid <= sc_issue;
            if (sc_issue) begin
                s1_cglob <= sc_cglob; s1_cg <= sc_cg; s1_cl <= sc_cl; s1_y <= sc_y; s1_x <= sc_x;
                if (sc_x != iw_last) sc_x <= sc_x + 1'b1;
                else begin
                    sc_x <= {XY_W{1'b0}};
                    if (sc_y != ih_last) sc_y <= sc_y + 1'b1;
                    else begin
                        sc_y <= {XY_W{1'b0}};
                        sc_cglob <= sc_cglob + 1'b1;
                        if (sc_cpart != sc_part_last) begin
                            sc_cpart <= sc_cpart + 1'b1;
                            if (sc_cl == LANE_LAST) begin sc_cl <= {LANE_W{1'b0}}; sc_cg <= sc_cg + 1'b1; end
                            else sc_cl <= sc_cl + 1'b1;
                        end else begin
                            sc_cpart <= {C_W{1'b0}}; sc_cl <= {LANE_W{1'b0}}; sc_cg <= {G_W{1'b0}};
                            if (!sc_part && has_src1) sc_part <= 1'b1;
                            else sc_run <= 1'b0;
                        end
                    end
                end
            end

            // ---- scatter unit: walk (group, ky, kx) of the current event; pop the next one on the last
            if (ev_pop) begin
                sa_busy <= 1'b1;
                e_cglob <= p_cglob; e_cl <= p_cl; e_y <= p_y; e_x <= p_x; e_val <= p_val;
                ky_lo <= p_yr[3:2]; ky_hi <= p_yr[1:0]; kx_lo <= p_xr[3:2]; kx_hi <= p_xr[1:0];
                ky <= p_yr[3:2]; kx <= p_xr[3:2];
                sa_g <= is_pool ? p_cg : {G_W{1'b0}};
            end else if (sa_busy) begin
                if (sa_last) sa_busy <= 1'b0;
                else if (kx != kx_hi) kx <= kx + 1'b1;
                else begin
                    kx <= kx_lo;
                    if (ky != ky_hi) ky <= ky + 1'b1;
                    else begin ky <= ky_lo; sa_g <= sa_g + 1'b1; end
                end
            end
            sb_valid <= sa_busy;
            sb_addr <= sa_addr; sb_val <= e_val; sb_cl <= e_cl;
            byp_hit <= sa_busy && sb_valid && (sb_addr == sa_addr);
            byp_data <= sb_new;

            // ---- neuron phase: issue (y, x, group), then stage B writes and traces
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
            if (nb_valid) begin
                trace_valid <= 1'b1;
                trace_layer <= layer; trace_t <= t; trace_g <= nb_g; trace_y <= nb_y; trace_x <= nb_x;
                trace_spikes <= nb_s; trace_vmem <= nb_v;
            end
        end
    end
endmodule
