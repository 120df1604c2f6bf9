// snn_frame_seq: the frame FSM of snn_frame_engine (docs/frame_engine.md). ap_ctrl_hs (ap_start held until
// ap_idle drops; ap_done and ap_ready pulse together at the end of the frame). Once after reset it clears the
// accumulator band. Per frame: SETUP lays the scratch buffer out for this frame's height and width (region of
// each layer with a neuron: (H >> level) x (W >> level) records, golden/ir/frame_memory.py), one layer a cycle;
// then per layer: LOAD derives the layer's sizes and addresses from its descriptor, START starts the scanner,
// scatter and neuron phase, RUN issues one read command per source row, and the layer ends when its last row
// is written and acknowledged (the next layer reads it). A layer split into passes (output channel groups, see
// golden/backends/rtl/frame_config.py) runs START .. WAIT once per pass, each pass re-reading the sources; with
// streamed weights (WSTREAM) WLOAD first reads the pass's weights from the weight buffer into the weight RAM.
//
// Failing safely (issue 23, docs/frame_engine.md "Errors"): SETUP also sums the buffer sizes, and CHECK rejects
// the frame's arguments (height or width 0, width > W_MAX, height >= 2^Y_W, height or width not a multiple of
// 2^(deepest level), a buffer address not beat-aligned, a buffer running past the address space, a written buffer
// (output, scratch) overlapping another buffer) with STATUS bit 3 before anything is read or written: DONE at once.
// An error response (rd_err / wr_err, sticky in the reader / writer) or the watchdog (timed_out) in a running layer
// sets its STATUS bit and goes to ABORT: no more read commands, the reader and writer `halt` (no new bursts; the
// outstanding R beats, promised W beats and B responses still complete), and once both are quiet FLUSH resets the
// datapath units (flush), CLEAR clears the band again, and DONE ends the frame. A watchdog that fires in ABORT
// (a response that never comes) ends the frame at once (DONE), and the engine stays busy in DRAIN (ap_idle 0)
// until the missing responses come, then flushes and clears. STATUS is 0 from the start of each frame.
//
// Engines and strips (issue 22, docs/deployment.md): engine eng_idx of N_ENG owns the column strip
// [eng_idx * W / N_ENG, (eng_idx + 1) * W / N_ENG) of every layer (scaled by the layer's level). It reads its
// sources' columns of that strip plus the kernel's halo (3x3: one column each side, transposed 3x3: one on the
// right; the image from the beat holding its first column), scatters only into its own output columns (the
// scatter's xoff maps read columns to strip columns; taps outside the strip are dropped) and writes its segment of
// every output row. After a layer's last pass an engine waits in SYNC until every engine has finished the layer
// (sync_out / sync_in: the next layer reads the neighbours' columns); a fault of any engine (peer_fault) aborts
// all of them. With N_ENG = 1 the strip is the frame.
//
// Pipelined for the clock (issue 22): the descriptor ROM is read into a register (FETCH waits for it), and SETUP,
// CHECK, LOAD and PASS spread their multiplications and wide additions over several cycles (sub-step `ss`), each
// product registered; the per-pass values advance by adding strides, the read walk by adding row and segment
// strides. These states run once per layer or pass, so the added cycles are a few per layer.
`include "snn_check.svh"
module snn_frame_seq #(
    // layers, scratch regions, descriptor field, AXI data, steps
    parameter integer N_LAYERS = 4, N_REGIONS = 3, DESC_FW = 16, DATA_W = 64, T = 10,
    // addresses, command lengths, counters, band
    parameter integer ADDR_W = 64, LEN_W = 24, Y_W = 16, X_W = 10, OFF_W = 12, SLOT_DEPTH = 64,
    parameter integer W_MAX = 64,                               // the widest frame (the width check)
    // streamed weights; weight/bias addresses; channels
    parameter integer WSTREAM = 0, WA_W = 10, BA_W = 4, C_W = 8,
    // engines sharing the frame (a power of two)
    parameter integer N_ENG = 1,
    parameter         DESC_FILE = "frame_layers.mem"
) (
    input  wire                  clk,
    input  wire                  rst,
    input  wire                  ap_start,
    output wire                  ap_done,
    output wire                  ap_idle,
    output wire                  ap_ready,
    input  wire [ADDR_W-1:0]     a_image, a_output, a_scratch, a_weights,
    input  wire [31:0]           a_height, a_width,
    // the current layer
    output reg  [DESC_N*DESC_FW-1:0] desc,
    output reg                   lstart,
    output reg  [Y_W-1:0]        h_in, h_out,
    output reg  [X_W:0]          w_in, w_out,        // the columns this engine reads / computes
    output reg  signed [X_W+1:0] xoff,               // scatter: output column of read column 0, minus the strip's first
    output reg  [LEN_W-1:0]      rb0, rb1,           // scanner: beats per record (image: per row)
    output reg  [OFF_W-1:0]      sx,
    output reg  [ADDR_W-1:0]     dst,                // the pass's segment of the layer's first row (this strip)
    output reg  [LEN_W-1:0]      out_row_beats,      // one pass's segment of a row (this strip)
    output reg  [ADDR_W-1:0]     out_row_bytes,      // a whole row (every pass, every strip)
    output reg  [WA_W-1:0]       wbase_pass,         // the pass's first weight word (streamed: 0)
    output reg  [BA_W-1:0]       bbase_pass,         // its first bias word
    output reg  [C_W-1:0]        chan_base,          // its first output channel
    // streamed weights
    output wire                  loading,            // reader data goes to the weight loader
    output reg                   wl_start,
    input  wire                  wl_done,
    // band clearing after reset
    output reg                   init_clr,
    output reg  [OFF_W-1:0]      init_off,
    // read commands
    output reg                   rcmd_valid,
    input  wire                  rcmd_ready,
    output reg  [ADDR_W-1:0]     rcmd_addr,
    output reg  [LEN_W-1:0]      rcmd_beats,
    // layer progress
    input  wire                  units_idle,         // scanner, scatter, reader, writer all idle
    input  wire [Y_W:0]          rows_done,
    // this engine's strip, the layer barrier and faults across engines
    input  wire [5:0]            eng_idx,            // (constant) which of the N_ENG strips
    output wire                  sync_out,           // this engine has finished the layer
    input  wire                  sync_in,            // every engine has
    output wire                  fault,              // this engine's error starts its abort (a pulse)
    input  wire                  peer_fault,         // some engine's did
    // errors (issue 23)
    input  wire                  rd_err,             // an error response on R (sticky until flush)
    input  wire                  wr_err,             // an error response on B (sticky until flush)
    input  wire                  timed_out,          // the watchdog
    input  wire                  axi_quiet,          // no AR/AW valid, no R, W or B owed
    output reg                   halt,              // to the reader and writer
    output wire                  flush,              // resets the datapath units (one cycle)
    output wire                  wd_en,              // a frame is in flight: the watchdog counts
    output reg  [3:0]            status,             // STATUS of the running / last frame
    output wire [3:0]            status_out,         // to the control block's status register ...
    output wire                  status_vld          // ... written: 0 when a frame starts, the status at its end
);
    /* verilator lint_off UNUSEDPARAM */
    `include "snn_frame_pkg.svh"   // (each module uses some of its fields)
    /* verilator lint_on UNUSEDPARAM */
    localparam integer LI_W = (N_LAYERS > 1) ? $clog2(N_LAYERS) : 1;
    localparam integer RI_W = (N_REGIONS > 1) ? $clog2(N_REGIONS) : 1;
    localparam integer BBL  = $clog2(DATA_W / 8);
    localparam integer EL   = (N_ENG > 1) ? $clog2(N_ENG) : 0;
    localparam [31:0]  BYTES_M1 = 32'(DATA_W / 8 - 1);
    localparam integer XW   = X_W + 1;                           // column counts 0 .. W_MAX
    `SNN_REQUIRE(g_check_layers, N_LAYERS >= 2, "Error: N_LAYERS must be >= 2 (instance %m)")
    `SNN_REQUIRE(g_check_eng, N_ENG >= 1 && N_ENG <= 64 && (N_ENG & (N_ENG - 1)) == 0,
                 "Error: N_ENG must be a power of two <= 64 (instance %m)")
    `SNN_REQUIRE(g_check_wmax, W_MAX % N_ENG == 0, "Error: W_MAX must be a multiple of N_ENG (instance %m)")

    reg [DESC_N*DESC_FW-1:0] rom [0:N_LAYERS-1];
    initial $readmemh(DESC_FILE, rom);
    reg [LI_W-1:0] li;
    always @(posedge clk) desc <= rom[li];   // registered: a state that changes li waits a cycle (FETCH)
    // the current layer's descriptor field i: `SNN_FIELD (snn_check.svh), not a function (Icarus 11 would not
    // re-evaluate a continuous assignment through a function when `desc` changes)

    localparam [4:0] S_CLEAR = 5'd0, S_IDLE = 5'd1, S_SETUP = 5'd2, S_LOAD = 5'd3, S_START = 5'd4, S_RUN = 5'd5,
                     S_WAIT = 5'd6, S_DONE = 5'd7, S_PASS = 5'd8, S_WLOAD = 5'd9, S_WWAIT = 5'd10,
                     S_CHECK = 5'd11, S_ABORT = 5'd12, S_FLUSH = 5'd13, S_DRAIN = 5'd14, S_SYNC = 5'd15,
                     S_FETCH = 5'd16;
    reg [4:0] state;
    reg [3:0] ss;           // sub-step of SETUP, CHECK, LOAD
    reg       setup_done;   // FETCH goes on to LOAD (else SETUP)
    assign loading = (state == S_WLOAD) || (state == S_WWAIT);
    reg aborted;        // the frame was aborted: CLEAR ends in DONE, and is not idle
    reg drain_after;    // the watchdog ended the frame in ABORT: DONE goes on to DRAIN
    assign ap_idle  = (state == S_IDLE) || (state == S_CLEAR && !aborted);
    assign flush    = (state == S_FLUSH);
    assign sync_out = (state == S_SYNC);
    wire   running  = (state == S_LOAD) || (state == S_PASS) || (state == S_WLOAD) || (state == S_WWAIT) ||
                      (state == S_START) || (state == S_RUN) || (state == S_WAIT) || (state == S_SYNC) ||
                      (state == S_FETCH && setup_done);
    assign fault    = running && (rd_err || wr_err || timed_out);
    assign wd_en    = running || (state == S_ABORT) || (state == S_DRAIN) || (state == S_DONE && drain_after);
    assign status_out = (state == S_DONE) ? status : 4'd0;
    assign status_vld = (state == S_DONE) || (state == S_IDLE && ap_start);
    // done and ready in the one S_DONE cycle: the control block drops ap_start at that edge, so S_IDLE after it
    // never mistakes the finished frame's ap_start for a new one
    assign ap_done  = (state == S_DONE);
    assign ap_ready = ap_done;

    reg [ADDR_W-1:0] base [0:N_REGIONS-1];
    reg [ADDR_W-1:0] acc;
    reg [31:0]       hh, ww;
    reg [ADDR_W-1:0] img, outp, wbuf;
    reg [DESC_FW-1:0] pass;
    // the argument checks: sizes summed in SETUP, checked in CHECK
    reg [ADDR_W-1:0]  scr, img_bytes, out_bytes, wend;
    reg [31:0]        lvmask;

    // fields of the layer in `desc`
    wire [4:0]        lvl   = 5'(`SNN_FIELD(F_LEVEL));
    wire [4:0]        ilvl  = 5'(`SNN_FIELD(F_IN_LEVEL));
    wire              is_input = (`SNN_FIELD(F_KIND) == DESC_FW'(KIND_INPUT));
    wire              is_out   = (`SNN_FIELD(F_KIND) == DESC_FW'(KIND_OUTPUT));
    wire              is_up    = (`SNN_FIELD(F_KIND) == DESC_FW'(KIND_UPCONV));
    wire              is_pool  = (`SNN_FIELD(F_KIND) == DESC_FW'(KIND_POOL));
    wire              k3       = (`SNN_FIELD(F_NTAPS) == DESC_FW'(9));
    wire              halo_l   = k3 && !is_up;     // 3x3: column x-1 feeds x; transposed: 2ix+kx-1 >= 2a needs ix >= a
    wire              halo_r   = k3;               // 3x3: x+1 feeds x; transposed: ix = b feeds 2b-1
    wire [3:0]        cl0      = 4'(`SNN_FIELD(F_SRC0_CL));
    // sizes from the width's and height's low bits only: a frame wider than W_MAX or 2^Y_W rows high is refused
    wire [Y_W-1:0]    hq    = hh[Y_W-1:0];
    wire [XW-1:0]     wq    = ww[XW-1:0];

    // the serial multiplier of SETUP and LOAD: mp = ma * mb, one bit of mb a cycle (these states run once a layer;
    // a product costs a cycle per bit of its smaller factor, and no wide multiplier sits in a path)
    reg  [ADDR_W-1:0] ma, mp;
    reg  [LEN_W-1:0]  mb;
    reg               mbusy;
    // the product is done: registered (a cycle late, when the steps add nothing more), read only while mbusy
    reg               mdone;
    // a step's factors, registered from (state, ss) two cycles before the step loads them (mwait counts them), so
    // the multiplier's registers see a register, not the choice among the steps' operands
    reg  [ADDR_W-1:0] opa;
    reg  [LEN_W-1:0]  opb;
    reg  [1:0]        mwait;
    // registered products and sums (SETUP / CHECK / LOAD sub-steps)
    reg  [Y_W-1:0]    rows_q, h_il;
    reg  [XW-1:0]     cols_q;
    reg  [LEN_W-1:0]  rbnp_q;                    // OUT_RB x NPASS
    reg  [ADDR_W-1:0] rc_q;                      // rows x cols
    reg  [ADDR_W-1:0] region_q;                  // region beats
    reg  [XW+8:0]     img_row_q;                 // the image row in bytes (whole beats)
    reg  [ADDR_W-1:0] wlay_q;                    // streamed weights: NPASS x WBEATS
    reg               wlay_gt;                   // wlay_q > wend, registered (both set steps before it is read)
    // CHECK: each buffer's end (ADDR_W + 1 bits: past the address space when above 2^ADDR_W); [a, a_end) and
    // [b, b_end) overlap when both are non-empty, a < b_end and b < a_end
    reg  [ADDR_W:0]   img_end, out_end, scr_end, w_end;
    reg               img_ne, out_ne, scr_ne, w_ne;
    reg               bad_size, bad_addr, bad_ovl;
    function automatic past_end(input [ADDR_W:0] e);
        past_end = e[ADDR_W] && e[ADDR_W-1:0] != {ADDR_W{1'b0}};
    endfunction
    localparam [ADDR_W-1:0] BEAT_MASK = ADDR_W'(BYTES_M1);

    // the strip (LOAD)
    reg  [XW-1:0]     ws;                        // strip width at full resolution
    reg  [XW-1:0]     xs0;                       // this engine's first column at full resolution
    reg  [XW-1:0]     xo0, win_full, xa, xb, xi0, xi1;
    reg  [XW+7:0]     ib0, ib1;                  // image: first and end byte of the read
    reg  [LEN_W-1:0]  rb0f, rb1f, np0, np1;
    reg  [ADDR_W-1:0] rstride0, rstride1, sstride0, sstride1;   // row and segment strides (bytes)
    reg  [ADDR_W-1:0] dst0, seg_bytes, xoff_bytes;
    reg  [DESC_FW-1:0] gp_f, wbeats_f;
    reg  [WA_W-1:0]   wstride_f;
    wire [XW+7:0]     ibeats = (ib1 - ib0) >> BBL;    // image: beats of the read
    reg  [ADDR_W-1:0] wnext;                     // streamed weights: the next pass's first byte

    // read command walk
    reg [Y_W-1:0]     ry;
    reg               rs;             // source of the next command
    reg [LEN_W-1:0]   seg_left;       // segments (passes of the source's layout) after the next command's
    reg               last_seg;       // seg_left == 0, registered
    reg [ADDR_W-1:0]  ra0, ra1;       // the current row's first byte of this strip, per source
    reg [ADDR_W-1:0]  ra0_l, ra1_l;   // ... of row 0 (each pass starts there)
    reg [ADDR_W-1:0]  xoff1_bytes;    // source 1: the strip's first byte in a row
    reg [ADDR_W-1:0]  src0_q, src1_q; // the sources' region bases (LOAD)
    reg [ADDR_W-1:0]  rsa;            // the next command's address within the row's segments
    reg [LEN_W-1:0]   rbeats0, rbeats1;
    reg               two;
    reg               issued;
    reg [1:0]         settle;
    reg               pass_last;      // the layer's last pass (found in PASS: not a subtraction ahead of WAIT's choice)
    reg  [LEN_W-1:0]  np0_m1, np1_m1; // np0 - 1, np1 - 1 (set in START: no subtraction ahead of RUN's choice)

    // the factors of SETUP's and LOAD's step ss: the step decoded into a one-hot register (op_sel), then the factors
    // an AND-OR of it (mwait gives them two cycles; xd is xi1 - xi0, set steps earlier)
    localparam integer NSEL = 18;                   // SETUP steps 0..4, LOAD steps 0..4 and 6..13
    reg  [NSEL-1:0]   op_sel;
    reg  [XW-1:0]     xd;
    wire [ADDR_W-1:0] fa [0:NSEL-1];
    wire [LEN_W-1:0]  fb [0:NSEL-1];
    assign fa[0]  = ADDR_W'(`SNN_FIELD(F_OUT_RB)); assign fb[0]  = LEN_W'(`SNN_FIELD(F_NPASS));
    assign fa[1]  = ADDR_W'(`SNN_FIELD(F_WBEATS)); assign fb[1]  = LEN_W'(`SNN_FIELD(F_NPASS));
    assign fa[2]  = ADDR_W'(cols_q);               assign fb[2]  = LEN_W'(rows_q);
    assign fa[3]  = ADDR_W'(img_row_q);            assign fb[3]  = is_input ? LEN_W'(h_il) : {LEN_W{1'b0}};
    assign fa[4]  = ADDR_W'(rc_q);                 assign fb[4]  = LEN_W'(rbnp_q);
    assign fa[5]  = ADDR_W'(`SNN_FIELD(F_OUT_RB)); assign fb[5]  = LEN_W'(`SNN_FIELD(F_NPASS));
    // a segment (one pass's part) of an output row, and the strip's offset in it
    assign fa[6]  = ADDR_W'(`SNN_FIELD(F_OUT_RB)); assign fb[6]  = LEN_W'(cols_q);
    assign fa[7]  = ADDR_W'(`SNN_FIELD(F_OUT_RB)); assign fb[7]  = LEN_W'(xo0);
    assign fa[8]  = ADDR_W'(`SNN_FIELD(F_OUT_RB)); assign fb[8]  = LEN_W'(w_out);
    assign fa[9]  = ADDR_W'(rbnp_q);               assign fb[9]  = LEN_W'(cols_q);
    assign fa[10] = ADDR_W'(rb0f);                 assign fb[10] = LEN_W'(xd);           // LOAD step 6
    assign fa[11] = ADDR_W'(rb0f);                 assign fb[11] = LEN_W'(win_full);
    assign fa[12] = ADDR_W'(rb0f);                 assign fb[12] = LEN_W'(xi0);
    assign fa[13] = ADDR_W'(rb1f);                 assign fb[13] = LEN_W'(xd);
    assign fa[14] = ADDR_W'(rb1f);                 assign fb[14] = LEN_W'(xi0);
    assign fa[15] = ADDR_W'(rb1f);                 assign fb[15] = LEN_W'(win_full);
    assign fa[16] = sstride0;                      assign fb[16] = is_input ? {LEN_W{1'b0}} : np0;
    assign fa[17] = sstride1;                      assign fb[17] = np1;
    reg  [ADDR_W-1:0] sel_a;
    reg  [LEN_W-1:0]  sel_b;
    integer fk;
    always @* begin
        sel_a = {ADDR_W{1'b0}}; sel_b = {LEN_W{1'b0}};
        for (fk = 0; fk < NSEL; fk = fk + 1) begin
            sel_a = sel_a | ({ADDR_W{op_sel[fk]}} & fa[fk]);
            sel_b = sel_b | ({LEN_W{op_sel[fk]}} & fb[fk]);
        end
    end
    always @(posedge clk) begin
        xd <= xi1 - xi0;
        wlay_gt <= wlay_q > wend;
        for (fk = 0; fk < NSEL; fk = fk + 1)
            op_sel[fk] <= (fk < 5) ? (state == S_SETUP && ss == 4'(fk))
                        : (fk < 10) ? (state == S_LOAD && ss == 4'(fk - 5)) : (state == S_LOAD && ss == 4'(fk - 4));
        opa <= sel_a; opb <= sel_b;
    end

    always @(posedge clk) begin
        lstart <= 1'b0;
        wl_start <= 1'b0;
        init_clr <= 1'b0;
        if (rst) begin
            state <= S_CLEAR; init_off <= {OFF_W{1'b0}}; rcmd_valid <= 1'b0; li <= {LI_W{1'b0}};
            halt <= 1'b0; aborted <= 1'b0; drain_after <= 1'b0; status <= 4'd0; ss <= 4'd0;
            setup_done <= 1'b0; mbusy <= 1'b0; mwait <= 2'd2;
        end else begin
            mdone <= mbusy && mb == {LEN_W{1'b0}};
            if (mbusy) begin             // the serial multiplier's step (nothing once mb is 0)
                if (mb[0]) mp <= mp + ma;
                ma <= ma << 1; mb <= mb >> 1;
            end
            case (state)
                S_CLEAR: begin
                    init_clr <= 1'b1;
                    if (init_clr) init_off <= init_off + 1'b1;
                    if (init_clr && init_off == OFF_W'(SLOT_DEPTH - 1)) begin
                        init_clr <= 1'b0; state <= aborted ? S_DONE : S_IDLE;
                    end
                end
                S_IDLE: if (ap_start) begin
                    hh <= a_height; ww <= a_width; img <= a_image; outp <= a_output; wbuf <= a_weights;
                    acc <= a_scratch; li <= {LI_W{1'b0}}; state <= S_FETCH; setup_done <= 1'b0; mbusy <= 1'b0;
                    scr <= a_scratch; status <= 4'd0; lvmask <= 32'd0; ss <= 4'd0;
                    img_bytes <= {ADDR_W{1'b0}}; out_bytes <= {ADDR_W{1'b0}}; wend <= {ADDR_W{1'b0}};
                end
                S_FETCH: begin   // desc follows li a cycle later
                    ss <= 4'd0; mwait <= 2'd2;
                    state <= setup_done ? S_LOAD : S_SETUP;
                end
                S_SETUP: begin   // one layer: its products one after another on the serial multiplier, then the sums
                    if (!mbusy && mwait != 2'd0) mwait <= mwait - 1'b1;   // (the step's factors are chosen meanwhile)
                    else if (!mbusy) begin
                        mbusy <= 1'b1; mp <= {ADDR_W{1'b0}}; ma <= opa; mb <= opb;
                        case (ss)
                            4'd0: begin
                                rows_q <= hq >> lvl; cols_q <= wq >> lvl; h_il <= hq >> ilvl;
                                img_row_q <= (((XW+9)'(wq >> ilvl) << cl0) + (XW+9)'(BYTES_M1)) >> BBL << BBL;
                            end
                            4'd1, 4'd2, 4'd3, 4'd4: ;
                            default: begin
                                mbusy <= 1'b0; ss <= 4'd0;
                                if (!is_out) begin
                                    base[RI_W'(`SNN_FIELD(F_DST))] <= acc;
                                    acc <= acc + (region_q << BBL);
                                end
                                lvmask <= lvmask | ((32'd1 << lvl) - 32'd1) | ((32'd1 << ilvl) - 32'd1);
                                if (is_out) out_bytes <= region_q << BBL;
                                if (WSTREAM != 0 && wlay_gt) wend <= wlay_q;
                                if (`SNN_FIELD(F_LAST) != 0) begin li <= {LI_W{1'b0}}; state <= S_CHECK; end
                                else begin li <= li + 1'b1; state <= S_FETCH; end
                            end
                        endcase
                    end else if (mdone) begin
                        mbusy <= 1'b0; ss <= ss + 1'b1; mwait <= 2'd2;
                        case (ss)
                            4'd0: rbnp_q <= LEN_W'(mp);
                            4'd1: wlay_q <= mp + ADDR_W'(`SNN_FIELD(F_WOFF));
                            4'd2: rc_q <= ADDR_W'(mp);
                            4'd3: if (is_input) img_bytes <= mp;
                            default: region_q <= mp;
                        endcase
                    end
                end
                S_CHECK: begin
                    // nothing has been read or written: a bad argument ends the frame here
                    ss <= ss + 1'b1;
                    case (ss)
                        4'd0: begin
                            img_end <= {1'b0, img} + {1'b0, img_bytes};
                            out_end <= {1'b0, outp} + {1'b0, out_bytes};
                            scr_end <= {1'b0, scr} + {1'b0, acc - scr};
                            w_end   <= {1'b0, wbuf} + {1'b0, (WSTREAM != 0) ? (wend << BBL) : {ADDR_W{1'b0}}};
                            img_ne <= img_bytes != {ADDR_W{1'b0}}; out_ne <= out_bytes != {ADDR_W{1'b0}};
                            scr_ne <= acc != scr;
                            w_ne   <= (WSTREAM != 0) && wend != {ADDR_W{1'b0}};
                            // width: at most W_MAX, a multiple of N_ENG x 2^(deepest level); height: < 2^Y_W
                            bad_size <= hh == 32'd0 || ww == 32'd0 || ww > 32'(W_MAX) || hh >= (32'd1 << Y_W) ||
                                        (hh & lvmask) != 32'd0 || (ww & ((lvmask << EL) | 32'(N_ENG - 1))) != 32'd0;
                        end
                        4'd1: begin
                            bad_addr <= ((img | outp | scr | ((WSTREAM != 0) ? wbuf : {ADDR_W{1'b0}})) & BEAT_MASK)
                                        != {ADDR_W{1'b0}} ||
                                        past_end(img_end) || past_end(out_end) || past_end(scr_end) || past_end(w_end);
                            bad_ovl <= (img_ne && out_ne && {1'b0, img} < out_end && {1'b0, outp} < img_end) ||
                                       (img_ne && scr_ne && {1'b0, img} < scr_end && {1'b0, scr} < img_end) ||
                                       (out_ne && scr_ne && {1'b0, outp} < scr_end && {1'b0, scr} < out_end) ||
                                       (w_ne && out_ne && {1'b0, wbuf} < out_end && {1'b0, outp} < w_end) ||
                                       (w_ne && scr_ne && {1'b0, wbuf} < scr_end && {1'b0, scr} < w_end);
                            ws <= wq >> EL;
                        end
                        default: begin
                            ss <= 4'd0;
                            xs0 <= ws * XW'(eng_idx & 6'(N_ENG - 1));
                            if (bad_size || bad_addr || bad_ovl) begin status[3] <= 1'b1; state <= S_DONE; end
                            else begin setup_done <= 1'b1; state <= S_FETCH; end
                        end
                    endcase
                end
                S_LOAD: begin    // the layer's strip, sizes and strides: its products on the serial multiplier
                    if (!mbusy && mwait != 2'd0) mwait <= mwait - 1'b1;
                    else if (!mbusy) begin
                        mbusy <= 1'b1; mp <= {ADDR_W{1'b0}}; ma <= opa; mb <= opb;
                        case (ss)
                            4'd0: begin
                                img_row_q <= (((XW+9)'(wq >> ilvl) << cl0) + (XW+9)'(BYTES_M1)) >> BBL << BBL;
                                h_out <= hq >> lvl; h_in <= hq >> ilvl;
                                xo0 <= xs0 >> lvl; w_out <= ws >> lvl; cols_q <= wq >> lvl;
                                xa <= xs0 >> ilvl; xb <= (xs0 + ws) >> ilvl; win_full <= wq >> ilvl;
                                sx <= OFF_W'(T) * OFF_W'(`SNN_FIELD(F_G));
                                two <= (`SNN_FIELD(F_NSRC) == 2);
                                rb0f <= LEN_W'(`SNN_FIELD(F_SRC0_RB)); rb1f <= LEN_W'(`SNN_FIELD(F_SRC1_RB));
                                np0 <= is_input ? LEN_W'(1) : LEN_W'(`SNN_FIELD(F_SRC0_NP));
                                np1 <= LEN_W'(`SNN_FIELD(F_SRC1_NP));
                                gp_f <= `SNN_FIELD(F_GP); wstride_f <= WA_W'(`SNN_FIELD(F_WSTRIDE));
                                wbeats_f <= `SNN_FIELD(F_WBEATS);
                            end
                            4'd1: begin
                                xi0 <= (halo_l && xa != {XW{1'b0}}) ? xa - 1'b1 : xa;
                                xi1 <= (halo_r && xb != win_full) ? xb + 1'b1 : xb;
                                dst0 <= is_out ? outp : base[RI_W'(`SNN_FIELD(F_DST))];
                            end
                            4'd2, 4'd3, 4'd4: ;
                            4'd5: begin
                                // the image from the beat holding column xi0
                                if (is_input) xi0 <= XW'((((XW+8)'(xi0) << cl0) & ~(XW+8)'(BYTES_M1)) >> cl0);
                                ib0 <= ((XW+8)'(xi0) << cl0) & ~(XW+8)'(BYTES_M1);
                                ib1 <= (((XW+8)'(xi1) << cl0) + (XW+8)'(BYTES_M1)) & ~(XW+8)'(BYTES_M1);
                            end
                            4'd6: begin
                                w_in <= xi1 - xi0;
                                // scatter: read column 0 is output column map(xi0) - xo0 of the strip
                                xoff <= $signed((X_W+2)'(is_up ? {xi0, 1'b0} : is_pool ? {1'b0, xi0 >> 1} : {1'b0, xi0}))
                                        - $signed((X_W+2)'(xo0));
                                if (is_input) begin
                                    rbeats0 <= LEN_W'(ibeats); rb0 <= LEN_W'(ibeats);
                                    rstride0 <= ADDR_W'(img_row_q); sstride0 <= {ADDR_W{1'b0}};
                                    xoff_bytes <= ADDR_W'(ib0);
                                end else rb0 <= rb0f;
                                rb1 <= rb1f;
                            end
                            4'd7, 4'd8, 4'd9, 4'd10, 4'd11, 4'd12: ;
                            4'd13: begin
                                // the sources' regions, for the first pass (a register between the read and the sum)
                                src0_q <= is_input ? img : base[RI_W'(`SNN_FIELD(F_SRC0))];
                                src1_q <= base[RI_W'(`SNN_FIELD(F_SRC1))];
                            end
                            default: begin
                                // the first pass: its sources from the strip's first column
                                mbusy <= 1'b0; ss <= 4'd0;
                                ra0 <= src0_q + xoff_bytes;
                                ra1 <= src1_q + xoff1_bytes;
                                ra0_l <= src0_q + xoff_bytes;
                                ra1_l <= src1_q + xoff1_bytes;
                                dst <= dst0;
                                wbase_pass <= (WSTREAM != 0) ? {WA_W{1'b0}} : WA_W'(`SNN_FIELD(F_WBASE));
                                bbase_pass <= BA_W'(`SNN_FIELD(F_BBASE));
                                chan_base <= {C_W{1'b0}};
                                wnext <= wbuf + (ADDR_W'(`SNN_FIELD(F_WOFF)) << BBL);
                                pass <= {DESC_FW{1'b0}};
                                state <= S_PASS;
                            end
                        endcase
                    end else if (mdone) begin
                        mbusy <= 1'b0; ss <= ss + 1'b1; mwait <= 2'd2;
                        case (ss)
                            4'd0: rbnp_q <= LEN_W'(mp);
                            4'd1: seg_bytes <= mp << BBL;
                            4'd2: dst0 <= dst0 + (mp << BBL);
                            4'd3: out_row_beats <= LEN_W'(mp);
                            4'd4: out_row_bytes <= mp << BBL;
                            4'd6: if (!is_input) rbeats0 <= LEN_W'(mp);
                            4'd7: if (!is_input) sstride0 <= mp << BBL;
                            4'd8: if (!is_input) xoff_bytes <= mp << BBL;
                            4'd9: rbeats1 <= LEN_W'(mp);
                            4'd10: xoff1_bytes <= mp << BBL;
                            4'd11: sstride1 <= mp << BBL;
                            4'd12: if (!is_input) rstride0 <= mp;
                            4'd13: rstride1 <= mp;
                            default: ;
                        endcase
                    end
                end
                S_PASS: begin
                    // the pass's weights from the weight buffer (streamed builds), then its rows
                    rcmd_addr <= wnext;
                    rcmd_beats <= LEN_W'(wbeats_f);
                    pass_last <= (pass == `SNN_FIELD(F_NPASS) - 1'b1);
                    state <= (WSTREAM != 0 && wbeats_f != 0) ? S_WLOAD : S_START;
                end
                S_WLOAD: begin
                    rcmd_valid <= 1'b1; wl_start <= 1'b1;
                    state <= S_WWAIT;
                end
                S_WWAIT: begin
                    if (rcmd_valid && rcmd_ready) rcmd_valid <= 1'b0;
                    if (!rcmd_valid && !wl_start && wl_done) state <= S_START;
                end
                S_START: begin
                    lstart <= 1'b1; ry <= {Y_W{1'b0}}; rs <= 1'b0; rsa <= ra0;
                    np0_m1 <= np0 - 1'b1; np1_m1 <= np1 - 1'b1;
                    seg_left <= np0 - 1'b1; last_seg <= (np0 == LEN_W'(1));
                    issued <= 1'b0; state <= S_RUN;
                end
                S_RUN: begin
                    // per input row, per source, per segment of the source's layout: the strip's columns
                    if (rcmd_valid && rcmd_ready) rcmd_valid <= 1'b0;
                    // a command every other cycle at most: the enables of the address registers come from
                    // registers only (not from the reader's ready)
                    if (!issued && !rcmd_valid) begin
                        rcmd_valid <= 1'b1;
                        rcmd_addr <= rsa;
                        rcmd_beats <= rs ? rbeats1 : rbeats0;
                        if (!last_seg) begin
                            seg_left <= seg_left - 1'b1; last_seg <= (seg_left == LEN_W'(1));
                            rsa <= rsa + (rs ? sstride1 : sstride0);
                        end else begin
                            if (two && !rs) begin
                                rs <= 1'b1; rsa <= ra1;
                                seg_left <= np1_m1; last_seg <= (np1_m1 == {LEN_W{1'b0}});
                            end else begin
                                seg_left <= np0_m1; last_seg <= (np0_m1 == {LEN_W{1'b0}});
                                rs <= 1'b0;
                                rsa <= ra0 + rstride0;
                                ra0 <= ra0 + rstride0;
                                ra1 <= ra1 + rstride1;
                                if (ry == h_in - 1'b1) issued <= 1'b1;
                                ry <= ry + 1'b1;
                            end
                        end
                    end
                    if (issued && !rcmd_valid) begin state <= S_WAIT; settle <= 2'd0; end
                end
                S_WAIT: begin
                    // two quiet cycles in a row: nothing is left in flight between the units
                    if (rows_done == {1'b0, h_out} && units_idle) settle <= settle + 1'b1;
                    else settle <= 2'd0;
                    if (settle == 2'd2) begin
                        if (!pass_last) begin
                            // the next pass: its segment, weights, biases, channels; sources from row 0
                            pass <= pass + 1'b1;
                            dst <= dst + seg_bytes;
                            if (WSTREAM == 0) wbase_pass <= wbase_pass + wstride_f;
                            bbase_pass <= bbase_pass + BA_W'(gp_f);
                            chan_base <= chan_base + C_W'(gp_f << `SNN_FIELD(F_COL));
                            wnext <= wnext + (ADDR_W'(wbeats_f) << BBL);
                            ra0 <= ra0_l;
                            ra1 <= ra1_l;
                            state <= S_PASS;
                        end
                        else if (`SNN_FIELD(F_LAST) != 0) state <= S_DONE;
                        else state <= S_SYNC;
                    end
                end
                S_SYNC: if (sync_in) begin   // every engine has finished the layer
                    li <= li + 1'b1; state <= S_FETCH;
                end
                S_ABORT: begin
                    rcmd_valid <= 1'b0;
                    if (timed_out) begin drain_after <= 1'b1; state <= S_DONE; end
                    else if (axi_quiet) state <= S_FLUSH;
                end
                S_FLUSH: begin   // the datapath units are reset in this cycle; then the band is cleared again
                    halt <= 1'b0; init_off <= {OFF_W{1'b0}}; li <= {LI_W{1'b0}}; mbusy <= 1'b0; ss <= 4'd0;
                    aborted <= !drain_after; drain_after <= 1'b0; state <= S_CLEAR;
                end
                S_DRAIN: if (axi_quiet) state <= S_FLUSH;
                S_DONE: begin
                    aborted <= 1'b0;
                    state <= drain_after ? S_DRAIN : S_IDLE;
                end
                default: state <= S_IDLE;
            endcase
            // errors in a running layer: STATUS, then ABORT (the last assignment wins); another engine's fault
            // aborts this one too (its own STATUS stays as it is: the kernel ORs the engines')
            if (running || state == S_ABORT) status <= status | {1'b0, timed_out, wr_err, rd_err};
            if (running && (rd_err || wr_err || timed_out || peer_fault)) begin
                halt <= 1'b1; rcmd_valid <= 1'b0; state <= S_ABORT;
            end
        end
    end
endmodule
