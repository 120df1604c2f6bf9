// snn_frame_engine: the external-memory frame engine (docs/frame_engine.md). Bit-exact to the integer golden
// model (docs/contract.md) on frames of any height and any width up to W_MAX, set at run time.
//
// Layer-major: one layer at a time, all T steps of it. The layer's sources come in from memory row by row
// (snn_axi_reader), become events (snn_frame_scan), are scattered into an accumulator band of four output rows
// on P lanes (snn_frame_scatter, snn_frame_lane), and each completed row runs through the neurons
// (snn_frame_neuron); its spike trains (or the output layer's A_T) are packed into beats (snn_frame_packer) and
// written back (snn_axi_writer). On chip: the band (4 x SLOT_DEPTH words a lane, SLOT_DEPTH = the widest
// layer's W x T x G), the weights and biases, the descriptors; nothing depends on the height.
//
//   image / scratch ──AXI R──► reader ─► scan ─► event FIFO ─► scatter ─► P lanes (band RMW, weight ROM)
//                                                                              │ rows completed
//   scratch / output ◄─AXI W── writer ◄─ packer ◄─ chunk FIFO ◄─ neuron phase ◄┘ (bias ROM, MT-IF)
//
// One AXI4 master (m_axi_*, the reader's AR/R and the writer's AW/W/B) and ap_ctrl_hs; snn_frame_kernel adds the
// AXI4-Lite control block with the Vitis register map.
`include "snn_check.svh"
`include "snn_axi_ports.svh"
`include "snn_frame_params.svh"
module snn_frame_engine #(
    `SNN_FRAME_PARAMS                      // (snn_frame_params.svh)
) (
    input  wire                 clk,
    input  wire                 rst,
    input  wire                 ap_start,
    output wire                 ap_done,
    output wire                 ap_idle,
    output wire                 ap_ready,
    input  wire [ADDR_W-1:0]    image,
    input  wire [ADDR_W-1:0]    output_buf,
    input  wire [ADDR_W-1:0]    scratch,
    input  wire [ADDR_W-1:0]    weights,         // the weight buffer (WSTREAM builds)
    input  wire [31:0]          height,
    input  wire [31:0]          width,
    input  wire [31:0]          timeout,         // the watchdog: cycles without AXI progress (0: off)
    output wire [3:0]           status,          // to the control block's status register (issue 23) ...
    output wire                 status_vld,      // ... written: 0 at the start of a frame, STATUS at its end
    output wire                 err,             // the running / last frame's STATUS is not 0
    // this engine's column strip of N_ENG (a constant: a port, so that every engine is one module to synthesise),
    // the layer barrier and faults across engines (snn_frame_kernel)
    input  wire [5:0]           eng_idx,
    output wire                 sync_out,
    input  wire                 sync_in,
    output wire                 fault,
    input  wire                 peer_fault,
    // AXI4 master
    `SNN_M_AXI_RD_PORTS(ID_W, ADDR_W, DATA_W),
    `SNN_M_AXI_WR_PORTS(ID_W, ADDR_W, DATA_W)
);
    /* verilator lint_off UNUSEDPARAM */
    `include "snn_frame_pkg.svh"   // (each module uses some of its fields)
    /* verilator lint_on UNUSEDPARAM */
    localparam integer X_W    = $clog2(W_MAX + 1);
    localparam integer Y_W    = 16;
    localparam integer T_W    = (T > 1) ? $clog2(T) : 1;
    localparam integer C_W    = $clog2(C_MAX + 1);
    localparam integer OFF_W  = (SLOT_DEPTH > 1) ? $clog2(SLOT_DEPTH) : 1;
    localparam integer WA_W   = (WROM_DEPTH > 1) ? $clog2(WROM_DEPTH) : 1;
    localparam integer BA_W   = (BROM_DEPTH > 1) ? $clog2(BROM_DEPTH) : 1;
    localparam integer G_W    = (G_MAX > 1) ? $clog2(G_MAX) : 1;
    localparam integer LEN_W  = 24;
    // a chunk: P spike fields, or the output layer's OUT_CO A_T words; at least a beat (the packer's powers of two)
    localparam integer CH_M   = (P * FB > OUT_CO * 32) ? P * FB : OUT_CO * 32;
    localparam integer CH_W   = (CH_M > DATA_W) ? CH_M : DATA_W;
    localparam integer EV_DEPTH  = 8;
    localparam integer PKT_DEPTH = 8;
    localparam integer EV_W   = 2 + Y_W + X_W + T_W + C_W + VAL_W;
    `SNN_REQUIRE(g_check_p, P >= 1 && (P & (P - 1)) == 0 && P <= 64, "Error: P must be a power of two <= 64 (instance %m)")
    `SNN_REQUIRE(g_check_dw, DATA_W == 64 || DATA_W == 128 || DATA_W == 256, "Error: DATA_W must be 64, 128 or 256 (instance %m)")
    `SNN_REQUIRE(g_check_lanes_fit, P * FB <= DATA_W, "Error: P * FB must be <= DATA_W (instance %m)")
    `SNN_REQUIRE(g_check_lg, LG >= 1 && P % LG == 0, "Error: LG must divide P (instance %m)")
    `SNN_REQUIRE(g_check_mem, MEM_W <= 32, "Error: MEM_W must be <= 32, A_T leaves as 32-bit words (instance %m)")

    // ---------------------------------------------------------------- sequencer and the layer's fields
    // the current layer's descriptor; field i is `SNN_FIELD(i) (snn_check.svh), not a function (Icarus 11 would not
    // re-evaluate a continuous assignment through a function when `desc` changes); the sequencer reads the rest
    /* verilator lint_off UNUSEDSIGNAL */
    wire [DESC_N*DESC_FW-1:0] desc;
    /* verilator lint_on UNUSEDSIGNAL */
    wire              lstart, init_clr;
    wire [Y_W-1:0]    h_in, h_out;
    wire [X_W:0]      w_in, w_out;
    wire signed [X_W+1:0] xoff;
    wire [LEN_W-1:0]  rb0, rb1, out_row_beats;
    wire [OFF_W-1:0]  sx, init_off;
    wire [ADDR_W-1:0] dst, out_row_bytes;
    wire              rcmd_valid, rcmd_ready;
    wire [ADDR_W-1:0] rcmd_addr;
    wire [LEN_W-1:0]  rcmd_beats;
    wire [Y_W:0]      rows_done, rows_ready;
    wire              scan_busy, scat_idle, rd_busy, wr_idle, rd_err, wr_err;
    wire              evq_idle;                  // no event in the event FIFO (its array or its head)
    wire [2:0]        kind = 3'(`SNN_FIELD(F_KIND));
    wire [WA_W-1:0]   wbase_pass;
    wire [BA_W-1:0]   bbase_pass;
    wire [C_W-1:0]    chan_base;
    wire              loading, wl_start, wl_done;
    // who takes the reader's data, registered: the sequencer's state changes to and from loading weights with no
    // read data outstanding (the load's command is issued the cycle after; the rows' only after the load is done)
    reg               ld_q;
    always @(posedge clk) ld_q <= loading;
    // failing safely (issue 23): halt the masters, flush the datapath, the watchdog
    wire              halt, flush, wd_en, timed_out, axi_quiet, rd_inflight, wr_inflight;
    wire [3:0]        st;
    wire              frst = rst || flush;       // the datapath units' reset (the sequencer's: rst only)
    reg  [31:0]       wd_cnt;                    // cycles waiting on the slave without a handshake
    wire              axi_waiting  = m_axi_arvalid || rd_inflight || m_axi_awvalid || wr_inflight;
    wire              axi_progress = (m_axi_arvalid && m_axi_arready) || (m_axi_rvalid && m_axi_rready) ||
                                     (m_axi_awvalid && m_axi_awready) || (m_axi_wvalid && m_axi_wready) ||
                                     (m_axi_bvalid && m_axi_bready);
    assign axi_quiet = !axi_waiting;
    assign timed_out = wd_en && timeout != 32'd0 && wd_cnt >= timeout;
    always @(posedge clk) begin
        if (rst || !wd_en || !axi_waiting || axi_progress) wd_cnt <= 32'd0;
        else if (wd_cnt != 32'hFFFF_FFFF)                  wd_cnt <= wd_cnt + 32'd1;
    end

    snn_frame_seq #(.N_LAYERS(N_LAYERS), .N_REGIONS(N_REGIONS), .DESC_FW(DESC_FW), .DATA_W(DATA_W), .T(T),
                    .ADDR_W(ADDR_W), .LEN_W(LEN_W), .Y_W(Y_W), .X_W(X_W), .OFF_W(OFF_W),
                    .SLOT_DEPTH(SLOT_DEPTH), .W_MAX(W_MAX), .WSTREAM(WSTREAM), .WA_W(WA_W), .BA_W(BA_W), .C_W(C_W),
                    .N_ENG(N_ENG), .DESC_FILE(DESC_FILE))
        u_seq (.clk(clk), .rst(rst), .ap_start(ap_start), .ap_done(ap_done), .ap_idle(ap_idle),
               .ap_ready(ap_ready), .a_image(image), .a_output(output_buf), .a_scratch(scratch), .a_weights(weights),
               .wbase_pass(wbase_pass), .bbase_pass(bbase_pass), .chan_base(chan_base), .loading(loading),
               .wl_start(wl_start), .wl_done(wl_done),
               .a_height(height), .a_width(width), .desc(desc), .lstart(lstart), .h_in(h_in), .h_out(h_out),
               .w_in(w_in), .w_out(w_out), .xoff(xoff), .rb0(rb0), .rb1(rb1), .sx(sx), .dst(dst),
               .out_row_beats(out_row_beats), .out_row_bytes(out_row_bytes), .init_clr(init_clr),
               .init_off(init_off), .rcmd_valid(rcmd_valid), .rcmd_ready(rcmd_ready), .rcmd_addr(rcmd_addr),
               .rcmd_beats(rcmd_beats), .units_idle(!scan_busy && scat_idle && evq_idle && !rd_busy && wr_idle),
               .rows_done(rows_done), .eng_idx(eng_idx), .sync_out(sync_out), .sync_in(sync_in), .fault(fault),
               .peer_fault(peer_fault), .rd_err(rd_err), .wr_err(wr_err), .timed_out(timed_out),
               .axi_quiet(axi_quiet), .halt(halt), .flush(flush), .wd_en(wd_en), .status(st),
               .status_out(status), .status_vld(status_vld));

    // ---------------------------------------------------------------- external memory
    wire              rd_valid, rd_ready, rd_last, scan_ready, wl_ready;
    wire [DATA_W-1:0] rd_data;
    wire              wcmd_valid, wcmd_ready;
    wire [ADDR_W-1:0] wcmd_addr;
    wire [LEN_W-1:0]  wcmd_beats;
    wire              wd_valid, wd_ready;
    wire [DATA_W-1:0] wd_data;
    assign err = st != 4'd0;

    // (OUT_REG = 2: the scanner tests the beat's fields as it takes it; the data FIFO's block RAM output reaches it
    // through a fabric register)
    snn_axi_reader #(.ADDR_W(ADDR_W), .DATA_W(DATA_W), .ID_W(ID_W), .LEN_W(LEN_W), .MAX_BURST(MAX_BURST),
                     .MAX_OUTSTANDING(MAX_OUTSTANDING), .OUT_REG(2))
        u_rd (.clk(clk), .rst(frst), .cmd_valid(rcmd_valid), .cmd_ready(rcmd_ready), .cmd_addr(rcmd_addr),
              .cmd_beats(rcmd_beats), .dout_valid(rd_valid), .dout_ready(rd_ready), .dout_data(rd_data),
              .dout_last(rd_last), .busy(rd_busy), .err(rd_err), .halt(halt), .inflight(rd_inflight),
              `SNN_M_AXI_RD_CONNECT);

    snn_axi_writer #(.ADDR_W(ADDR_W), .DATA_W(DATA_W), .ID_W(ID_W), .LEN_W(LEN_W), .MAX_BURST(MAX_BURST),
                     .MAX_OUTSTANDING(MAX_OUTSTANDING))
        u_wr (.clk(clk), .rst(frst), .cmd_valid(wcmd_valid), .cmd_ready(wcmd_ready), .cmd_addr(wcmd_addr),
              .cmd_beats(wcmd_beats), .din_valid(wd_valid), .din_ready(wd_ready), .din_data(wd_data),
              .idle(wr_idle), .err(wr_err), .halt(halt), .inflight(wr_inflight),
              `SNN_M_AXI_WR_CONNECT);

    // ---------------------------------------------------------------- scan -> event FIFO -> scatter
    wire              ev_valid;
    wire [1:0]        ev_type;
    wire [Y_W-1:0]    ev_y;
    wire [X_W-1:0]    ev_x;
    wire [T_W-1:0]    ev_t;
    wire [C_W-1:0]    ev_c;
    wire [VAL_W-1:0]  ev_val;
    wire [EV_W-1:0]   evq;
    wire              evq_empty, evq_full, evq_pop;
    wire [$clog2(EV_DEPTH+1)-1:0] evq_count;
    assign evq_idle = (evq_count == '0);
    // the scanner's stop: fewer than 4 free places a cycle ago (registered; its two event registers and the word
    // pushed meanwhile still fit), so the scanner's take of a beat starts at registers
    reg               ev_full;
    always @(posedge clk) ev_full <= evq_count >= ($clog2(EV_DEPTH+1))'(EV_DEPTH - 3);

    // the layer's descriptor fields as the scanner, the scatter and (c_kind, c_groups, c_sl, c_col) the neuron
    // phase see them: registered (the descriptor changes in FETCH, many cycles before lstart), so that no decode
    // of `desc` sits in front of their wide datapaths
    reg               s_image, s_two;
    reg  [3:0]        s_cl0, s_cl1;
    reg  [C_W-1:0]    s_c0, s_c1, s_np0, s_np1;
    reg  [2:0]        c_kind;
    reg  [G_W:0]      c_groups;
    reg  [3:0]        c_j, c_col, c_ntaps;
    reg  [2:0]        c_sl;
    reg  [C_W-1:0]    c_out;
    reg  [WA_W-1:0]   c_gj;
    always @(posedge clk) begin
        s_image <= kind == 3'(KIND_INPUT); s_two <= `SNN_FIELD(F_NSRC) == 2;
        s_cl0 <= 4'(`SNN_FIELD(F_SRC0_CL)); s_cl1 <= 4'(`SNN_FIELD(F_SRC1_CL));
        s_c0 <= C_W'(`SNN_FIELD(F_SRC0_C)); s_c1 <= C_W'(`SNN_FIELD(F_SRC1_C));
        s_np0 <= C_W'(`SNN_FIELD(F_SRC0_NP)); s_np1 <= C_W'(`SNN_FIELD(F_SRC1_NP));
        c_kind <= kind; c_groups <= (G_W+1)'(`SNN_FIELD(F_GP)); c_j <= 4'(`SNN_FIELD(F_J));
        c_sl <= 3'(`SNN_FIELD(F_SL)); c_col <= 4'(`SNN_FIELD(F_COL)); c_ntaps <= 4'(`SNN_FIELD(F_NTAPS));
        c_out <= C_W'(`SNN_FIELD(F_OUT_C)); c_gj <= WA_W'(`SNN_FIELD(F_GJ));
    end

    snn_frame_scan #(.DATA_W(DATA_W), .K(K), .FB(FB), .T(T), .VAL_W(VAL_W), .X_W(X_W), .Y_W(Y_W), .C_W(C_W),
                     .RB_W(LEN_W), .SPIKE_SHIFT(SPIKE_SHIFT))
        u_scan (.clk(clk), .rst(frst), .start(lstart), .is_image(s_image), .two_src(s_two),
                .h_in(h_in), .w_in(X_W'(w_in)), .rb0(rb0), .rb1(rb1), .cl0(s_cl0), .cl1(s_cl1), .c0(s_c0), .c1(s_c1),
                .np0(s_np0), .np1(s_np1),
                .in_valid(rd_valid && !ld_q), .in_ready(scan_ready), .in_data(rd_data),
                .ev_valid(ev_valid), .ev_full(ev_full), .ev_type(ev_type), .ev_y(ev_y),
                .ev_x(ev_x), .ev_t(ev_t), .ev_c(ev_c), .ev_val(ev_val), .busy(scan_busy));

    // (the head registered: the scatter computes on it in its first stage)
    snn_fifo #(.WIDTH(EV_W), .DEPTH(EV_DEPTH), .OUT_REG(1))
        u_evq (.clk(clk), .rst(frst), .push(ev_valid), .din({ev_type, ev_y, ev_x, ev_t, ev_c, ev_val}),
               .pop(evq_pop), .dout(evq), .empty(evq_empty), .full(evq_full), .count(evq_count));

    wire              op_valid, op_unit;
    wire [P-1:0]      op_lane;
    wire [P/LG-1:0]   op_gany;
    /* verilator lint_off UNUSEDSIGNAL */
    wire [P*2-1:0]    op_slot;        // (with LG > 1 only each group's first lane's address is used)
    wire [P*OFF_W-1:0] op_off;
    /* verilator lint_on UNUSEDSIGNAL */
    wire              w_rd;
    wire [WA_W-1:0]   w_addr;
    wire [VAL_W-1:0]  op_val;

    snn_frame_scatter #(.P(P), .X_W(X_W), .Y_W(Y_W), .T_W(T_W), .C_W(C_W), .VAL_W(VAL_W), .OFF_W(OFF_W),
                        .WA_W(WA_W), .G_W(G_W), .LANE_LAT(3), .LG(LG))
        u_scat (.clk(clk), .rst(frst), .start(lstart), .kind(c_kind), .h_in(h_in), .h_out(h_out), .w_out(w_out),
                .xoff(xoff), .sx(sx), .groups(c_groups), .j_ops(c_j), .sl(c_sl), .col(c_col), .ntaps(c_ntaps),
                .c_out(c_out), .chan_base(chan_base), .gj(c_gj), .wbase(wbase_pass),
                .ev_empty(evq_empty), .ev_pop(evq_pop),
                .ev_type(evq[EV_W-1 -: 2]), .ev_y(evq[X_W+T_W+C_W+VAL_W +: Y_W]), .ev_x(evq[T_W+C_W+VAL_W +: X_W]),
                .ev_t(evq[C_W+VAL_W +: T_W]), .ev_c(evq[VAL_W +: C_W]), .ev_val(evq[0 +: VAL_W]),
                .rows_done(rows_done), .rows_ready(rows_ready),
                .op_valid(op_valid), .op_lane(op_lane), .op_gany(op_gany), .op_slot(op_slot), .op_off(op_off),
                .w_rd(w_rd), .w_addr(w_addr),
                .op_val(op_val), .op_unit(op_unit), .idle(scat_idle));

    // ---------------------------------------------------------------- weights, lanes, neuron phase
    // weights: a ROM, or (WSTREAM) a RAM that snn_frame_wload fills with each pass's words (snn_frame_wmem: the
    // word two cycles after its address: the scatter reads it a stage ahead of its op, so it is at the lanes' stage
    // B; the bias two cycles after its address at the neuron)
    wire [P*W_BITS-1:0] w_q;
    wire [P*B_BITS-1:0] b_q;
    wire [BA_W-1:0]     b_addr;
    wire                wm_we;
    wire [WA_W-1:0]     wm_wa;
    wire [P*W_BITS-1:0] wm_wd;
    snn_frame_wmem #(.P(P), .W_BITS(W_BITS), .B_BITS(B_BITS), .WROM_DEPTH(WROM_DEPTH), .BROM_DEPTH(BROM_DEPTH),
                     .WA_W(WA_W), .BA_W(BA_W), .WSTREAM(WSTREAM), .WEIGHTS_FILE(WEIGHTS_FILE), .BIAS_FILE(BIAS_FILE))
        u_wmem (.clk(clk), .w_rd(w_rd), .w_addr(w_addr), .w_q(w_q), .b_addr(b_addr), .b_q(b_q),
                .we(wm_we), .waddr(wm_wa), .wdata(wm_wd));
    assign rd_ready = ld_q ? wl_ready : scan_ready;
    generate
        if (WSTREAM != 0) begin : g_wstream
            snn_frame_wload #(.DATA_W(DATA_W), .WORD_W(P * W_BITS), .WPB(WPB), .BPW(BPW), .WA_W(WA_W))
                u_wload (.clk(clk), .rst(frst), .start(wl_start), .words((WA_W+1)'(`SNN_FIELD(F_WSTRIDE))), .done(wl_done),
                         .in_valid(rd_valid && ld_q), .in_ready(wl_ready), .in_data(rd_data),
                         .we(wm_we), .waddr(wm_wa), .wdata(wm_wd));
        end else begin : g_wrom
            assign wl_done = 1'b1;
            assign wl_ready = 1'b0;
            assign wm_we = 1'b0;
            assign wm_wa = {WA_W{1'b0}};
            assign wm_wd = {(P*W_BITS){1'b0}};
            /* verilator lint_off UNUSEDSIGNAL */
            wire unused_wl = wl_start;   // a ROM build never loads
            /* verilator lint_on UNUSEDSIGNAL */
        end
    endgenerate

    wire              n_rd, n_clr;
    wire [1:0]        n_slot;
    wire [OFF_W-1:0]  n_off;
    wire [P*ACC_W-1:0] n_q;
    // the band: P / LG words of LG lanes; a group takes the address of its first lane (all its lanes share it)
    genvar gl;
    generate
        for (gl = 0; gl < P / LG; gl = gl + 1) begin : g_lane
            snn_frame_lane #(.LG(LG), .ACC_W(ACC_W), .W_BITS(W_BITS), .VAL_W(VAL_W), .SLOT_DEPTH(SLOT_DEPTH),
                             .OFF_W(OFF_W))
                u_lane (.clk(clk), .rst(frst), .init_clr(init_clr), .init_off(init_off),
                        .op_valid(op_valid), .op_lane(op_lane[LG*gl +: LG]), .op_any(op_gany[gl]),
                        .op_slot(op_slot[2*LG*gl +: 2]),
                        .op_off(op_off[OFF_W*LG*gl +: OFF_W]), .op_unit(op_unit), .op_val(op_val),
                        .w_b(w_q[W_BITS*LG*gl +: W_BITS*LG]), .n_rd(n_rd), .n_slot(n_slot), .n_off(n_off),
                        .n_clr(n_clr), .n_q(n_q[ACC_W*LG*gl +: ACC_W*LG]));
        end
    endgenerate

    // the chunk FIFO holds what the neuron pipeline has in flight (up to 14 elements) besides PKT_DEPTH chunks
    localparam integer CHQ_DEPTH = PKT_DEPTH + 13;
    wire              ch_valid, ch_eor, ch_ready;
    wire [CH_W-1:0]   ch_data;
    wire [3:0]        ch_log;
    wire [CH_W+4:0]   chq;
    wire              chq_empty, chq_full;
    wire [$clog2(CHQ_DEPTH+1)-1:0] chq_count;

    // the rest of the layer's values as the neuron phase sees them: registered beside it (they change only between
    // passes, cycles before lstart), so no path runs from the sequencer's descriptor into its datapath; kind,
    // groups, sl and col are the scatter's registers (c_*)
    reg  [Y_W-1:0]    n_h_out;
    reg  [X_W:0]      n_w_out;
    reg  [OFF_W-1:0]  n_sx;
    reg  [5:0]        n_th_exp;
    reg  [4:0]        n_shift;
    reg  [BA_W-1:0]   n_bbase;
    always @(posedge clk) begin
        n_h_out <= h_out; n_w_out <= w_out; n_sx <= sx; n_th_exp <= 6'(`SNN_FIELD(F_THEXP));
        n_shift <= 5'(`SNN_FIELD(F_SHIFT)); n_bbase <= bbase_pass;
    end

    snn_frame_neuron #(.P(P), .K(K), .FB(FB), .T(T), .ACC_W(ACC_W), .B_BITS(B_BITS), .CUR_W(CUR_W),
                       .MEM_W(MEM_W), .TH_W(TH_W), .G_MAX(G_MAX), .X_W(X_W), .Y_W(Y_W), .OFF_W(OFF_W),
                       .BA_W(BA_W), .G_W(G_W), .ADDR_W(ADDR_W), .LEN_W(LEN_W), .CH_W(CH_W), .OUT_CO(OUT_CO),
                       .PKT_DEPTH(CHQ_DEPTH), .TH_SHIFT(TH_SHIFT), .COMPARE_GE(COMPARE_GE))
        u_neuron (.clk(clk), .rst(frst), .start(lstart), .kind(c_kind), .h_out(n_h_out), .w_out(n_w_out),
                  .groups(c_groups), .sx(n_sx), .sl(c_sl), .col(c_col), .th_exp(n_th_exp), .shift(n_shift),
                  .bbase(n_bbase),
                  .dst(dst), .row_beats(out_row_beats), .row_bytes(out_row_bytes), .rows_ready(rows_ready),
                  .rows_done(rows_done), .n_rd(n_rd), .n_slot(n_slot), .n_off(n_off), .n_clr(n_clr), .n_q(n_q),
                  .b_addr(b_addr), .b_q(b_q), .wcmd_valid(wcmd_valid), .wcmd_ready(wcmd_ready),
                  .wcmd_addr(wcmd_addr), .wcmd_beats(wcmd_beats), .ch_valid(ch_valid), .ch_data(ch_data),
                  .ch_log(ch_log), .ch_eor(ch_eor), .ch_count(chq_count));

    snn_fifo #(.WIDTH(CH_W + 5), .DEPTH(CHQ_DEPTH), .OUT_REG(1))
        u_chq (.clk(clk), .rst(frst), .push(ch_valid), .din({ch_eor, ch_log, ch_data}), .pop(ch_ready && !chq_empty),
               .dout(chq), .empty(chq_empty), .full(chq_full), .count(chq_count));

    snn_frame_packer #(.DATA_W(DATA_W), .CH_W(CH_W))
        u_pack (.clk(clk), .rst(frst), .ch_valid(!chq_empty), .ch_ready(ch_ready), .ch_data(chq[CH_W-1:0]),
                .ch_log(chq[CH_W +: 4]), .ch_eor(chq[CH_W+4]), .out_valid(wd_valid), .out_ready(wd_ready),
                .out_data(wd_data));

    /* verilator lint_off UNUSEDSIGNAL */
    wire unused = evq_full | chq_full | rd_last | (|w_in[X_W]);
    /* verilator lint_on UNUSEDSIGNAL */
endmodule
