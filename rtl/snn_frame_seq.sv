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
`include "snn_check.svh"
module snn_frame_seq #(
    // layers, scratch regions, descriptor field, AXI data, steps
    parameter integer N_LAYERS = 4, N_REGIONS = 3, DESC_FW = 16, DATA_W = 64, T = 10,
    // addresses, command lengths, counters, band
    parameter integer ADDR_W = 64, LEN_W = 24, Y_W = 16, X_W = 10, OFF_W = 12, SLOT_DEPTH = 64,
    parameter integer W_MAX = 64,                               // the widest frame (the width check)
    // streamed weights; weight/bias addresses; channels
    parameter integer WSTREAM = 0, WA_W = 10, BA_W = 4, C_W = 8,
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
    output wire [DESC_N*DESC_FW-1:0] desc,
    output reg                   lstart,
    output reg  [Y_W-1:0]        h_in, h_out,
    output reg  [X_W:0]          w_in, w_out,
    output reg  [LEN_W-1:0]      rb0, rb1,           // scanner: beats per record (image: per row)
    output reg  [OFF_W-1:0]      sx,
    output reg  [ADDR_W-1:0]     dst,                // the pass's segment of the layer's first row
    output reg  [LEN_W-1:0]      out_row_beats,      // one pass's segment of a row
    output reg  [ADDR_W-1:0]     out_row_bytes,      // a whole row (every pass)
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
    localparam [31:0]  BYTES_M1 = 32'(DATA_W / 8 - 1);
    `SNN_REQUIRE(g_check_layers, N_LAYERS >= 2, "Error: N_LAYERS must be >= 2 (instance %m)")

    reg [DESC_N*DESC_FW-1:0] rom [0:N_LAYERS-1];
    initial $readmemh(DESC_FILE, rom);
    reg [LI_W-1:0] li;
    assign desc = rom[li];
    // the current layer's descriptor field i: `SNN_FIELD (snn_check.svh), not a function (Icarus 11 would not
    // re-evaluate a continuous assignment through a function when `desc` changes)

    localparam [3:0] S_CLEAR = 4'd0, S_IDLE = 4'd1, S_SETUP = 4'd2, S_LOAD = 4'd3, S_START = 4'd4, S_RUN = 4'd5,
                     S_WAIT = 4'd6, S_DONE = 4'd7, S_PASS = 4'd8, S_WLOAD = 4'd9, S_WWAIT = 4'd10,
                     S_CHECK = 4'd11, S_ABORT = 4'd12, S_FLUSH = 4'd13, S_DRAIN = 4'd14;
    reg [3:0] state;
    assign loading = (state == S_WLOAD) || (state == S_WWAIT);
    reg aborted;        // the frame was aborted: CLEAR ends in DONE, and is not idle
    reg drain_after;    // the watchdog ended the frame in ABORT: DONE goes on to DRAIN
    assign ap_idle  = (state == S_IDLE) || (state == S_CLEAR && !aborted);
    assign flush    = (state == S_FLUSH);
    wire   running  = (state == S_LOAD) || (state == S_PASS) || (state == S_WLOAD) || (state == S_WWAIT) ||
                      (state == S_START) || (state == S_RUN) || (state == S_WAIT);
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
    reg [ADDR_W-1:0]  dst0, seg_bytes;
    // the argument checks: sizes summed in SETUP, checked in CHECK
    reg [ADDR_W-1:0]  scr, img_bytes, out_bytes, wend;
    reg [31:0]        lvmask;

    // sizes of the layer selected by li
    wire [4:0]        lvl   = 5'(`SNN_FIELD(F_LEVEL));
    wire [4:0]        ilvl  = 5'(`SNN_FIELD(F_IN_LEVEL));
    wire [31:0]       rows  = hh >> lvl;
    wire [31:0]       cols  = ww >> lvl;
    wire [ADDR_W-1:0] region_beats = ADDR_W'(rows) * ADDR_W'(cols) * ADDR_W'(`SNN_FIELD(F_OUT_RB)) * ADDR_W'(`SNN_FIELD(F_NPASS));
    wire              is_input = (`SNN_FIELD(F_KIND) == DESC_FW'(KIND_INPUT));
    wire              is_out   = (`SNN_FIELD(F_KIND) == DESC_FW'(KIND_OUTPUT));
    // (streamed weights only: the weight buffer's end, in beats, over the layers)
    wire [ADDR_W-1:0] wlay_end = (WSTREAM != 0) ?
                                 ADDR_W'(`SNN_FIELD(F_WOFF)) + ADDR_W'(`SNN_FIELD(F_NPASS)) * ADDR_W'(`SNN_FIELD(F_WBEATS)) :
                                 {ADDR_W{1'b0}};
    // the image row in bytes, from the width's low bits only: a wider frame is refused anyway (ww > W_MAX), and
    // so is a height of 2^Y_W or more (the multiplier is Y_W x (X_W + 9) bits)
    wire [X_W+8:0]    img_row = (((X_W+9)'(ww[X_W:0] >> ilvl) << `SNN_FIELD(F_SRC0_CL)) + (X_W+9)'(BYTES_M1)) >> BBL << BBL;

    // CHECK: each buffer's end (ADDR_W + 1 bits: past the address space when above 2^ADDR_W); [a, a_end) and
    // [b, b_end) overlap when both are non-empty, a < b_end and b < a_end
    wire [ADDR_W-1:0] scr_bytes = acc - scr;
    wire [ADDR_W-1:0] w_bytes   = (WSTREAM != 0) ? (wend << BBL) : {ADDR_W{1'b0}};
    wire [ADDR_W:0]   img_end = {1'b0, img} + {1'b0, img_bytes}, out_end = {1'b0, outp} + {1'b0, out_bytes};
    wire [ADDR_W:0]   scr_end = {1'b0, scr} + {1'b0, scr_bytes}, w_end   = {1'b0, wbuf} + {1'b0, w_bytes};
    wire              img_ne = img_bytes != {ADDR_W{1'b0}}, out_ne = out_bytes != {ADDR_W{1'b0}};
    wire              scr_ne = scr_bytes != {ADDR_W{1'b0}}, w_ne   = w_bytes != {ADDR_W{1'b0}};
    function automatic past_end(input [ADDR_W:0] e);
        past_end = e[ADDR_W] && e[ADDR_W-1:0] != {ADDR_W{1'b0}};
    endfunction
    wire [BBL-1:0]    low_bits  = img[BBL-1:0] | outp[BBL-1:0] | scr[BBL-1:0] |
                                  ((WSTREAM != 0) ? wbuf[BBL-1:0] : {BBL{1'b0}});
    wire bad_size  = hh == 32'd0 || ww == 32'd0 || ww > 32'(W_MAX) || hh >= (32'd1 << Y_W) ||
                     ((hh | ww) & lvmask) != 32'd0;
    wire bad_addr  = low_bits != {BBL{1'b0}} || past_end(img_end) || past_end(out_end) || past_end(scr_end) ||
                     past_end(w_end);
    wire bad_ovl   = (img_ne && out_ne && {1'b0, img} < out_end && {1'b0, outp} < img_end) ||
                     (img_ne && scr_ne && {1'b0, img} < scr_end && {1'b0, scr} < img_end) ||
                     (out_ne && scr_ne && {1'b0, outp} < scr_end && {1'b0, scr} < out_end) ||
                     (w_ne && out_ne && {1'b0, wbuf} < out_end && {1'b0, outp} < w_end) ||
                     (w_ne && scr_ne && {1'b0, wbuf} < scr_end && {1'b0, scr} < w_end);

    // read command walk
    reg [Y_W-1:0]     ry;
    reg               rs;             // source of the next command
    reg [ADDR_W-1:0]  ra0, ra1;
    reg [LEN_W-1:0]   rbeats0, rbeats1;
    reg               two;
    reg               issued;
    reg [1:0]         settle;

    always @(posedge clk) begin
        lstart <= 1'b0;
        wl_start <= 1'b0;
        init_clr <= 1'b0;
        if (rst) begin
            state <= S_CLEAR; init_off <= {OFF_W{1'b0}}; rcmd_valid <= 1'b0; li <= {LI_W{1'b0}};
            halt <= 1'b0; aborted <= 1'b0; drain_after <= 1'b0; status <= 4'd0;
        end else begin
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
                    acc <= a_scratch; li <= {LI_W{1'b0}}; state <= S_SETUP;
                    scr <= a_scratch; status <= 4'd0; lvmask <= 32'd0;
                    img_bytes <= {ADDR_W{1'b0}}; out_bytes <= {ADDR_W{1'b0}}; wend <= {ADDR_W{1'b0}};
                end
                S_SETUP: begin
                    if (!is_out) begin
                        base[RI_W'(`SNN_FIELD(F_DST))] <= acc;
                        acc <= acc + (region_beats << BBL);
                    end
                    lvmask <= lvmask | ((32'd1 << lvl) - 32'd1) | ((32'd1 << ilvl) - 32'd1);
                    if (is_input)
                        img_bytes <= ADDR_W'(hh[Y_W-1:0] >> ilvl) * ADDR_W'(img_row);
                    if (is_out) out_bytes <= region_beats << BBL;
                    if (WSTREAM != 0 && wlay_end > wend) wend <= wlay_end;
                    if (`SNN_FIELD(F_LAST) != 0) begin li <= {LI_W{1'b0}}; state <= S_CHECK; end
                    else li <= li + 1'b1;
                end
                S_CHECK: begin
                    // nothing has been read or written: a bad argument ends the frame here
                    if (bad_size || bad_addr || bad_ovl) begin status[3] <= 1'b1; state <= S_DONE; end
                    else state <= S_LOAD;
                end
                S_LOAD: begin
                    h_out <= Y_W'(rows); w_out <= (X_W+1)'(cols);
                    h_in <= Y_W'(hh >> ilvl); w_in <= (X_W+1)'(ww >> ilvl);
                    sx <= OFF_W'(T) * OFF_W'(`SNN_FIELD(F_G));
                    two <= (`SNN_FIELD(F_NSRC) == 2);
                    if (is_input) begin
                        rbeats0 <= LEN_W'((((ww >> ilvl) << `SNN_FIELD(F_SRC0_CL)) + (DATA_W / 8) - 1) >> BBL);
                        rb0 <= LEN_W'((((ww >> ilvl) << `SNN_FIELD(F_SRC0_CL)) + (DATA_W / 8) - 1) >> BBL);
                    end else begin
                        rbeats0 <= LEN_W'(ww >> ilvl) * LEN_W'(`SNN_FIELD(F_SRC0_RB)) * LEN_W'(`SNN_FIELD(F_SRC0_NP));
                        rb0 <= LEN_W'(`SNN_FIELD(F_SRC0_RB));
                    end
                    rbeats1 <= LEN_W'(ww >> ilvl) * LEN_W'(`SNN_FIELD(F_SRC1_RB)) * LEN_W'(`SNN_FIELD(F_SRC1_NP));
                    rb1 <= LEN_W'(`SNN_FIELD(F_SRC1_RB));
                    dst0 <= is_out ? outp : base[RI_W'(`SNN_FIELD(F_DST))];
                    out_row_beats <= LEN_W'(cols) * LEN_W'(`SNN_FIELD(F_OUT_RB));
                    seg_bytes <= (ADDR_W'(cols) * ADDR_W'(`SNN_FIELD(F_OUT_RB))) << BBL;
                    out_row_bytes <= (ADDR_W'(cols) * ADDR_W'(`SNN_FIELD(F_OUT_RB)) * ADDR_W'(`SNN_FIELD(F_NPASS))) << BBL;
                    pass <= {DESC_FW{1'b0}};
                    state <= S_PASS;
                end
                S_PASS: begin
                    // the pass's sources from their first row again, its weights, biases, channels and segment
                    ra0 <= is_input ? img : base[RI_W'(`SNN_FIELD(F_SRC0))];
                    ra1 <= base[RI_W'(`SNN_FIELD(F_SRC1))];
                    dst <= dst0 + ADDR_W'(pass) * seg_bytes;
                    wbase_pass <= (WSTREAM != 0) ? {WA_W{1'b0}} : WA_W'(`SNN_FIELD(F_WBASE) + pass * `SNN_FIELD(F_WSTRIDE));
                    bbase_pass <= BA_W'(`SNN_FIELD(F_BBASE) + pass * `SNN_FIELD(F_GP));
                    chan_base <= C_W'((pass * `SNN_FIELD(F_GP)) << `SNN_FIELD(F_COL));
                    rcmd_addr <= wbuf + ((ADDR_W'(`SNN_FIELD(F_WOFF)) + ADDR_W'(pass) * ADDR_W'(`SNN_FIELD(F_WBEATS))) << BBL);
                    rcmd_beats <= LEN_W'(`SNN_FIELD(F_WBEATS));
                    state <= (WSTREAM != 0 && `SNN_FIELD(F_WBEATS) != 0) ? S_WLOAD : S_START;
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
                    lstart <= 1'b1; ry <= {Y_W{1'b0}}; rs <= 1'b0; issued <= 1'b0; state <= S_RUN;
                end
                S_RUN: begin
                    if (rcmd_valid && rcmd_ready) rcmd_valid <= 1'b0;
                    if (!issued && (!rcmd_valid || rcmd_ready)) begin
                        rcmd_valid <= 1'b1;
                        rcmd_addr <= rs ? ra1 : ra0;
                        rcmd_beats <= rs ? rbeats1 : rbeats0;
                        if (rs) ra1 <= ra1 + (ADDR_W'(rbeats1) << BBL);
                        else ra0 <= ra0 + (ADDR_W'(rbeats0) << BBL);
                        if (two && !rs) rs <= 1'b1;
                        else begin
                            rs <= 1'b0;
                            if (ry == h_in - 1'b1) issued <= 1'b1;
                            ry <= ry + 1'b1;
                        end
                    end
                    if (issued && !rcmd_valid) begin state <= S_WAIT; settle <= 2'd0; end
                end
                S_WAIT: begin
                    // two quiet cycles in a row: nothing is left in flight between the units
                    if (rows_done == {1'b0, h_out} && units_idle) settle <= settle + 1'b1;
                    else settle <= 2'd0;
                    if (settle == 2'd2) begin
                        if (pass != `SNN_FIELD(F_NPASS) - 1'b1) begin pass <= pass + 1'b1; state <= S_PASS; end
                        else if (`SNN_FIELD(F_LAST) != 0) state <= S_DONE;
                        else begin li <= li + 1'b1; state <= S_LOAD; end
                    end
                end
                S_ABORT: begin
                    rcmd_valid <= 1'b0;
                    if (timed_out) begin drain_after <= 1'b1; state <= S_DONE; end
                    else if (axi_quiet) state <= S_FLUSH;
                end
                S_FLUSH: begin   // the datapath units are reset in this cycle; then the band is cleared again
                    halt <= 1'b0; init_off <= {OFF_W{1'b0}}; li <= {LI_W{1'b0}};
                    aborted <= !drain_after; drain_after <= 1'b0; state <= S_CLEAR;
                end
                S_DRAIN: if (axi_quiet) state <= S_FLUSH;
                S_DONE: begin
                    aborted <= 1'b0;
                    state <= drain_after ? S_DRAIN : S_IDLE;
                end
                default: state <= S_IDLE;
            endcase
            // errors in a running layer: STATUS, then ABORT (the last assignment wins)
            if (running || state == S_ABORT) status <= status | {1'b0, timed_out, wr_err, rd_err};
            if (running && (rd_err || wr_err || timed_out)) begin
                halt <= 1'b1; rcmd_valid <= 1'b0; state <= S_ABORT;
            end
        end
    end
endmodule
