// snn_scanner: the event producer of snn_engine's SCATTER phase (docs/rtl_engine.md).
//
// It walks the layer's input and pushes every NONZERO input value into the event FIFO, so that a zero costs one
// scan cycle and no accumulate:
//   input layer : the image beats from s_axis (t = 0 only); each beat is unpacked into IN_C pixel bytes, one per
//                 cycle; the event carries the input channel, (y, x) and the byte.
//   other layers: the spike memories of the sources, one K-bit word per cycle, channel-major (source 0's
//                 channels, then source 1's: a U-Net concat); the event carries the global input channel (for
//                 the weights), the channel's group and lane (for pool), (y, x) and the word.
// Event layout: {channel, group, lane, y, x, value} (snn_scatter unpacks it). The spike RAM is synchronous, so a
// word is pushed the cycle after its address is issued; `ev_room` must leave space for that word (snn_engine).
`include "snn_check.svh"
module snn_scanner #(
    parameter integer P         = 2,
    parameter integer K         = 4,
    parameter integer IN_C      = 1,
    parameter integer C_W       = 6,
    parameter integer G_W       = 4,
    parameter integer XY_W      = 5,
    parameter integer SPK_DEPTH = 4096
) (
    input  wire                        clk,
    input  wire                        rst,
    input  wire                        layer_init,    // a new layer starts: reset the walk
    input  wire                        scatter,       // SCATTER phase
    input  wire                        is_input,      // read the image instead of spike memories
    input  wire [XY_W-1:0]             ih_last,
    input  wire [XY_W-1:0]             iw_last,
    input  wire [SH_W-1:0]             iyl,           // log2 of the padded input height / width
    input  wire [SH_W-1:0]             ixl,
    input  wire [SPK_AW-1:0]           src0,          // spike memory bases of the sources
    input  wire [SPK_AW-1:0]           src1,
    input  wire [C_W-1:0]              src0c_last,    // their channel counts - 1
    input  wire [C_W-1:0]              src1c_last,
    input  wire                        has_src1,
    input  wire [IN_C*EVENT_VAL_W-1:0] s_axis_tdata,
    input  wire                        s_axis_tvalid,
    output wire                        s_axis_tready,
    output wire [SPK_AW-1:0]           spk_raddr,     // spike RAM read address (every lane's bank)
    input  wire [P*K-1:0]              spk_q,         // the banks' words at the previous spk_raddr
    input  wire                        ev_room,       // the event FIFO can take one more word in flight
    output reg                         ev_push,
    output reg  [EV_W-1:0]             ev_data,
    output wire                        done           // every nonzero input of the layer has been pushed
);
/* verilator lint_off UNUSEDPARAM */
`include "snn_engine_pkg.svh"
/* verilator lint_on UNUSEDPARAM */
    `SNN_REQUIRE(g_check_p, P >= 1, "Error: P must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_k, K >= 1 && K <= EVENT_VAL_W, "Error: K must be in 1..8 (instance %m)")
    `SNN_REQUIRE(g_check_in_c, IN_C >= 1, "Error: IN_C must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_c_w, C_W >= 1, "Error: C_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_g_w, G_W >= 1, "Error: G_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_xy_w, XY_W >= 1, "Error: XY_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_spk_depth, SPK_DEPTH >= 1, "Error: SPK_DEPTH must be >= 1 (instance %m)")

    localparam integer LANE_W = (P > 1) ? $clog2(P) : 1;
    localparam integer IC_W   = (IN_C > 1) ? $clog2(IN_C) : 1;
    localparam integer SPK_AW = (SPK_DEPTH > 1) ? $clog2(SPK_DEPTH) : 1;
    localparam integer EV_W   = C_W + G_W + LANE_W + 2 * XY_W + EVENT_VAL_W;
    localparam [LANE_W-1:0] LANE_LAST = LANE_W'(P - 1);
    localparam [IC_W-1:0]   IC_LAST   = IC_W'(IN_C - 1);

    // ---- image unpacker (input layer): one beat in, then its IN_C bytes out, one per cycle
    reg                        unp_full, pix_done;
    reg  [IN_C*EVENT_VAL_W-1:0] unp_data;
    reg  [IC_W-1:0]            unp_c;
    reg  [XY_W-1:0]            unp_y, unp_x, pix_y, pix_x;
    wire [EVENT_VAL_W-1:0]     unp_byte = unp_data[EVENT_VAL_W*unp_c +: EVENT_VAL_W];
    wire                       unp_step = scatter && is_input && unp_full && ev_room;
    assign s_axis_tready = scatter && is_input && !unp_full && !pix_done;

    // ---- spike scan (other layers): issue (part, channel, y, x), the word arrives in stage s1
    reg               sc_run, sc_part;
    reg  [C_W-1:0]    sc_cpart, sc_cglob;      // channel inside the current source / over all sources
    reg  [G_W-1:0]    sc_cg;                   // its group and lane in the source's spike memory
    reg  [LANE_W-1:0] sc_cl;
    reg  [XY_W-1:0]   sc_y, sc_x;
    reg               s1_valid;
    reg  [C_W-1:0]    s1_cglob;
    reg  [G_W-1:0]    s1_cg;
    reg  [LANE_W-1:0] s1_cl;
    reg  [XY_W-1:0]   s1_y, s1_x;
    wire              sc_issue = scatter && sc_run && ev_room;
    wire [SPK_AW-1:0] sc_local = (SPK_AW'(sc_cg) << (iyl + ixl)) | (SPK_AW'(sc_y) << ixl) | SPK_AW'(sc_x);
    wire [C_W-1:0]    sc_part_last = sc_part ? src1c_last : src0c_last;
    wire [K-1:0]      s1_word = spk_q[K*s1_cl +: K];
    assign spk_raddr = (sc_part ? src1 : src0) + sc_local;
    assign done = is_input ? (pix_done && !unp_full) : (!sc_run && !s1_valid);

    always @* begin
        ev_push = 1'b0;
        ev_data = {EV_W{1'b0}};
        if (unp_step && unp_byte != {EVENT_VAL_W{1'b0}}) begin
            ev_push = 1'b1;
            ev_data = {C_W'(unp_c), {G_W{1'b0}}, {LANE_W{1'b0}}, unp_y, unp_x, unp_byte};
        end else if (s1_valid && s1_word != {K{1'b0}}) begin
            ev_push = 1'b1;
            ev_data = {s1_cglob, s1_cg, s1_cl, s1_y, s1_x, EVENT_VAL_W'(s1_word)};
        end
    end

    always @(posedge clk) begin
        if (rst) begin
            unp_full <= 1'b0; pix_done <= 1'b0; sc_run <= 1'b0; s1_valid <= 1'b0;
        end else begin
            if (layer_init) begin
                pix_y <= {XY_W{1'b0}}; pix_x <= {XY_W{1'b0}}; pix_done <= 1'b0;
                sc_part <= 1'b0; sc_cpart <= {C_W{1'b0}}; sc_cglob <= {C_W{1'b0}};
                sc_cg <= {G_W{1'b0}}; sc_cl <= {LANE_W{1'b0}}; sc_y <= {XY_W{1'b0}}; sc_x <= {XY_W{1'b0}};
                sc_run <= !is_input;
            end

            // image unpacker
            if (s_axis_tvalid && s_axis_tready) begin
                unp_full <= 1'b1; unp_data <= s_axis_tdata; unp_c <= {IC_W{1'b0}};
                unp_y <= pix_y; unp_x <= pix_x;
                if (pix_x == iw_last) begin
                    pix_x <= {XY_W{1'b0}};
                    if (pix_y == ih_last) pix_done <= 1'b1; else pix_y <= pix_y + 1'b1;
                end else pix_x <= pix_x + 1'b1;
            end
            if (unp_step) begin
                unp_c <= unp_c + 1'b1;
                if (unp_c == IC_LAST) unp_full <= 1'b0;
            end

            // spike scan: x fastest, then y, then the channel; source 1 after source 0
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
        end
    end
endmodule
