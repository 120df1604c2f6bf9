// snn_frame_neuron: the neuron phase of the frame engine (docs/frame_engine.md). For every output row the scatter
// has completed, in order, for x, for t = 0 .. T-1, for group g: read (and clear) the P lanes' partial sums of
// (x, t, g) from the band, sum the S sub-lanes' partials, add the bias, form the current (contract §3: input
// layer (acc + b) >>> G, pool acc << shift), run the MT-IF update of the CO neurons (§4; the membrane of group g
// of the pixel in flight lives in a G-deep register file per lane, from 0 at t = 0) and hand the step's spike
// words, CO fields of FB bits, to the packer. The output layer accumulates A_t instead and hands A_T (32-bit
// words) over at t = T-1. Records go out in the order of golden/ir/frame_memory.py ([t][c] per pixel), one write
// command per row. Two stages: N0 reads the band, the bias ROM and the membrane; N1 computes and writes back.
//
// Simulation only (not under SYNTHESIS), off unless the plusarg +snn_trace=FILE is given: the membrane trace
// (docs/frame_engine.md, "Debugging a mismatch"). One line "S" per layer pass started, "R" per reset, and per
// neuron update "M y x t g v_0 .. v_{CO-1}": the output row, column, step and group within the pass, and the
// membranes of the CO lanes after the update (the output layer: A_t), signed decimal.
// golden/backends/rtl/membrane_trace.py maps the passes onto the layers and compares with the golden membranes.
`include "snn_check.svh"
module snn_frame_neuron #(
    parameter integer P        = 8,
    parameter integer K        = 4,
    parameter integer FB       = 4,
    parameter integer T        = 10,
    parameter integer ACC_W    = 20,
    parameter integer B_BITS   = 8,
    parameter integer CUR_W    = 20,
    parameter integer MEM_W    = 24,
    parameter integer TH_W     = 16,
    parameter integer G_MAX    = 1,
    parameter integer X_W      = 10,
    parameter integer Y_W      = 16,
    parameter integer OFF_W    = 12,
    parameter integer BA_W     = 4,
    parameter integer G_W      = 4,
    parameter integer ADDR_W   = 64,
    parameter integer LEN_W    = 24,
    parameter integer CH_W     = 256,          // chunk bits: max(P * FB, P * 32)
    parameter integer PKT_DEPTH = 8,
    parameter [K*8-1:0] TH_SHIFT = {8'd3, 8'd2, 8'd1, 8'd0},
    parameter integer COMPARE_GE = 0
) (
    input  wire                 clk,
    input  wire                 rst,
    input  wire                 start,
    input  wire [2:0]           kind,
    input  wire [Y_W-1:0]       h_out,
    input  wire [X_W:0]         w_out,
    input  wire [G_W:0]         groups,
    input  wire [OFF_W-1:0]     sx,
    input  wire [2:0]           sl,
    input  wire [3:0]           col,
    input  wire [5:0]           th_exp,
    input  wire [4:0]           shift,
    input  wire [BA_W-1:0]      bbase,
    input  wire [ADDR_W-1:0]    dst,            // the layer's first row in memory
    input  wire [LEN_W-1:0]     row_beats,
    input  wire [ADDR_W-1:0]    row_bytes,
    input  wire [Y_W:0]         rows_ready,
    output reg  [Y_W:0]         rows_done,
    // band
    output reg                  n_rd,
    output reg  [1:0]           n_slot,
    output reg  [OFF_W-1:0]     n_off,
    output reg                  n_clr,
    input  wire [P*ACC_W-1:0]   n_q,
    // bias ROM (read at N0, word at N1)
    output reg  [BA_W-1:0]      b_addr,
    input  wire [P*B_BITS-1:0]  b_q,
    // write commands, one per row
    output reg                  wcmd_valid,
    input  wire                 wcmd_ready,
    output reg  [ADDR_W-1:0]    wcmd_addr,
    output reg  [LEN_W-1:0]     wcmd_beats,
    // chunks to the packer FIFO
    output reg                  ch_valid,
    output reg  [CH_W-1:0]      ch_data,
    output reg  [3:0]           ch_log,         // log2 of the chunk's bits
    output reg                  ch_eor,         // the record's last chunk
    input  wire [$clog2(PKT_DEPTH+1)-1:0] ch_count   // chunks in the packer FIFO
);
    /* verilator lint_off UNUSEDPARAM */
    `include "snn_frame_pkg.svh"   // (each module uses some of its fields)
    /* verilator lint_on UNUSEDPARAM */
    localparam integer LP  = (P > 1) ? $clog2(P) : 1;
    localparam integer T_W = (T > 1) ? $clog2(T) : 1;
    localparam integer GA_W = (G_MAX > 1) ? $clog2(G_MAX) : 1;
    localparam integer FBL = $clog2(FB);
    `SNN_REQUIRE(g_check_ch, CH_W >= P * 32 && CH_W >= P * FB, "Error: CH_W must hold P 32-bit words (instance %m)")
    `SNN_REQUIRE(g_check_pkt, PKT_DEPTH >= 2, "Error: PKT_DEPTH must be >= 2 (instance %m)")

    wire is_input = (kind == 3'(KIND_INPUT));
    wire is_pool  = (kind == 3'(KIND_POOL));
    wire is_out   = (kind == 3'(KIND_OUTPUT));

    // ---------------------------------------------------------------- N0: walk (row, x, t, g)
    reg [Y_W:0]       row;          // rows started
    reg               in_row;
    reg [X_W:0]       x;
    reg [T_W-1:0]     t;
    reg [G_W:0]       g;
    reg [OFF_W-1:0]   xbase, tg;
    reg [ADDR_W-1:0]  wptr;
    wire last_g = (g == groups - 1'b1);
    wire last_t = (t == T_W'(T - 1));
    wire last_x = (x == w_out - 1'b1);
    // stages: s1 (band, bias ROM and membrane read), s2 (compute, write back), then the chunk register
    reg               v1, v2;
    localparam integer CC_W = $clog2(PKT_DEPTH + 1) + 2;
    wire credit = (CC_W'(ch_count) + CC_W'(v1) + CC_W'(v2) + CC_W'(ch_valid)) < CC_W'(PKT_DEPTH);
    wire go     = in_row && credit;
    reg [T_W-1:0]  t1, t2;
    reg [GA_W-1:0] g1, g2;
    reg            last1, last2, eor1, eor2, clr1, fwd2;
    reg [P*MEM_W-1:0] v_last;

    always @(posedge clk) begin
        if (rst || start) begin
            row <= {(Y_W+1){1'b0}}; in_row <= 1'b0; wcmd_valid <= 1'b0; wptr <= dst;
            n_rd <= 1'b0; v1 <= 1'b0; v2 <= 1'b0; n_clr <= 1'b0;
        end else begin
            n_rd <= go;
            v1 <= go;
            v2 <= v1;
            n_clr <= v1 && clr1;
            t2 <= t1; g2 <= g1; last2 <= last1; eor2 <= eor1;
            fwd2 <= v1 && v2 && (g1 == g2);
            if (wcmd_valid && wcmd_ready) wcmd_valid <= 1'b0;
            if (!in_row && !wcmd_valid && row < rows_ready && row < {1'b0, h_out}) begin
                // a completed row: its write command, then its elements
                in_row <= 1'b1; x <= {(X_W+1){1'b0}}; t <= {T_W{1'b0}}; g <= {(G_W+1){1'b0}};
                xbase <= {OFF_W{1'b0}}; tg <= {OFF_W{1'b0}};
                wcmd_valid <= 1'b1; wcmd_addr <= wptr; wcmd_beats <= row_beats; wptr <= wptr + row_bytes;
            end
            if (go) begin
                n_slot <= row[1:0];
                n_off <= xbase + (is_input ? {OFF_W{1'b0}} : tg) + OFF_W'(g);
                b_addr <= bbase + BA_W'(g);
                t1 <= t; g1 <= GA_W'(g);
                clr1 <= !is_input || last_t;
                eor1 <= last_t && last_g;
                last1 <= last_t && last_g && last_x;
                if (!last_g) g <= g + 1'b1;
                else begin
                    g <= {(G_W+1){1'b0}};
                    if (!last_t) begin t <= t + 1'b1; tg <= tg + OFF_W'(groups); end
                    else begin
                        t <= {T_W{1'b0}}; tg <= {OFF_W{1'b0}};
                        x <= x + 1'b1; xbase <= xbase + sx;
                        if (last_x) begin in_row <= 1'b0; row <= row + 1'b1; end
                    end
                end
            end
        end
    end

    // ---------------------------------------------------------------- N1: sum the partials, current, neuron
    reg signed [ACC_W-1:0] r [0:P-1];
    integer l, lv;
    always @* begin
        for (l = 0; l < P; l = l + 1) r[l] = $signed(n_q[ACC_W*l +: ACC_W]);
        for (lv = 0; lv < LP; lv = lv + 1)
            if (lv < sl)
                for (l = 0; l < (P >> (lv + 1)); l = l + 1) r[l] = r[l] + r[l + (P >> (lv + 1))];
    end

    reg  [P*MEM_W-1:0] v_q;
    wire [P*MEM_W-1:0] v_new;
    wire [P*K-1:0]     spk;
    genvar gl;
    generate
        for (gl = 0; gl < P; gl = gl + 1) begin : g_lane
            wire signed [B_BITS-1:0] b = $signed(b_q[B_BITS*gl +: B_BITS]);
            wire signed [ACC_W:0]    ab = (ACC_W+1)'($signed(r[gl])) + (ACC_W+1)'(b);
            wire signed [CUR_W-1:0]  cur = is_input ? CUR_W'(ab >>> shift)
                                         : is_pool ? CUR_W'($signed(r[gl]) <<< shift) : CUR_W'(ab);
            reg  [MEM_W-1:0] vm [0:G_MAX-1];    // the membranes of the pixel in flight, one per group
            wire [MEM_W-1:0] v_old = (t2 == {T_W{1'b0}}) ? {MEM_W{1'b0}}
                                   : fwd2 ? v_last[MEM_W*gl +: MEM_W] : v_q[MEM_W*gl +: MEM_W];
            wire [MEM_W-1:0] v_fire;
            wire [K-1:0]     s_fire;
            mtif_neuron_rt #(.K(K), .CUR_W(CUR_W), .MEM_W(MEM_W), .TH_W(TH_W), .EXP_W(6), .TH_SHIFT(TH_SHIFT),
                             .COMPARE_GE(COMPARE_GE))
                u_neuron (.v_in(v_old), .i_in(cur), .th_exp(th_exp), .v_out(v_fire), .spikes(s_fire));
            assign v_new[MEM_W*gl +: MEM_W] = is_out ? v_old + MEM_W'(cur) : v_fire;
            assign spk[K*gl +: K] = is_out ? {K{1'b0}} : s_fire;
            always @(posedge clk) begin
                if (v1) v_q[MEM_W*gl +: MEM_W] <= vm[g1];
                if (v2) vm[g2] <= v_new[MEM_W*gl +: MEM_W];
            end
        end
    endgenerate

    // the chunk: CO spike fields of FB bits, or CO 32-bit A_T words
    reg [CH_W-1:0] chunk;
    integer o;
    always @* begin
        chunk = {CH_W{1'b0}};
        for (o = 0; o < P; o = o + 1)
            if (o < (1 << col)) begin
                if (is_out) chunk[32*o +: 32] = 32'($signed(v_new[MEM_W*o +: MEM_W]));
                else chunk[FB*o +: FB] = FB'(spk[K*o +: K]);
            end
    end

`ifndef SYNTHESIS
    // ---------------------------------------------------------------- membrane trace (simulation only)
    integer          trace_fd = 0;
    reg [8*512-1:0]  trace_name;
    reg [Y_W:0]      row1, row2;
    reg [X_W:0]      x1, x2;
    reg              in_rst;
    integer          tl;
    reg signed [MEM_W-1:0] trace_v;
    initial if ($value$plusargs("snn_trace=%s", trace_name)) trace_fd = $fopen(trace_name, "w");
    /* verilator lint_off BLKSEQ */
    always @(posedge clk) begin
        if (go) begin row1 <= row; x1 <= x; end
        row2 <= row1; x2 <= x1;
        in_rst <= rst;
        if (trace_fd != 0) begin
            if (rst) begin
                if (!in_rst) $fwrite(trace_fd, "R\n");
            end else if (start) begin
                $fwrite(trace_fd, "S\n");
                $fflush(trace_fd);
            end
            else if (v2) begin
                $fwrite(trace_fd, "M %0d %0d %0d %0d", row2, x2, t2, g2);
                for (tl = 0; tl < P; tl = tl + 1)
                    if (tl < (1 << col)) begin
                        trace_v = v_new[MEM_W*tl +: MEM_W];
                        $fwrite(trace_fd, " %0d", trace_v);
                    end
                $fwrite(trace_fd, "\n");
                $fflush(trace_fd);
            end
        end
    end
    /* verilator lint_on BLKSEQ */
`endif

    always @(posedge clk) begin
        if (rst || start) begin
            rows_done <= {(Y_W+1){1'b0}}; ch_valid <= 1'b0;
        end else begin
            ch_valid <= v2 && (!is_out || t2 == T_W'(T - 1));
            ch_data <= chunk;
            ch_log <= 4'(col) + (is_out ? 4'd5 : 4'(FBL));
            ch_eor <= is_out ? (g2 == GA_W'(groups - 1'b1)) : eor2;
            v_last <= v_new;
            if (v2 && last2) rows_done <= rows_done + 1'b1;
        end
    end
endmodule
