// snn_frame_neuron: the neuron phase of the frame engine (docs/frame_engine.md). For every output row the scatter
// has completed, in order, for x, for t = 0 .. T-1, for group g: read (and clear) the P lanes' partial sums of
// (x, t, g) from the band, sum the S sub-lanes' partials, add the bias, form the current (contract §3: input
// layer (acc + b) >>> G, pool acc << shift), run the MT-IF update of the CO neurons (§4; the membrane of group g
// of the pixel in flight lives in a G-deep register file per lane, from 0 at t = 0) and hand the step's spike
// words, CO fields of FB bits, to the packer. The output layer accumulates A_t instead and hands A_T (32-bit
// words) over at t = T-1. Records go out in the order of golden/ir/frame_memory.py ([t][c] per pixel), one write
// command per row.
//
// Pipelined (issue 22), one element a cycle, in cycles after the walk steps (go):
//   1        the band read (n_rd)                     2  the band RAM's register; n_clr clears the word
//   3        the band's output register -> n_q (4:1 bank select), registered into r0
//   4..3+TS  the sub-lane tree, two levels a stage (TS = ceil(log2 P / 2))
//   4+TS     the bias (snn_frame_wmem, read at 2+TS) added      5+TS  the current (the shifts)
//   6+TS     stage 1: mtif_pre of the current; the membrane picked into v_src (0 at t = 0, else the
//            G-deep register file, or forwarded: the update in stage 2 now, or the one in stage 3)
//   7+TS     stage 2: the MT-IF update (the membrane's loop: v_src -> one carry chain -> a choice -> v_src)
//   8+TS     stage 3: the new membrane and the spike word's operands registered, written back to the register file
//   9+TS     stage 4: the spike words (and the output layer's A_t) registered; the chunk register after them
// The loop holds nothing but the update: the register file's write and the chunk hang off stage 3's registers,
// so an update of a membrane that is still in stage 2 or 3 is forwarded and the walk never stalls. The walk takes
// rows_ready three cycles late (the lanes write a sum three cycles after its op) and counts the elements in
// flight against the chunk FIFO's room. The layer's values (kind, widths, th_exp, ...) are registers beside this
// module (snn_frame_engine), and the closed form's constants of th_exp a register in it.
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
    parameter integer CH_W     = 256,          // chunk bits: max(P * FB, OUT_CO * 32)
    parameter integer OUT_CO   = 8,            // the output layer's lanes (A_T words a chunk)
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
    `SNN_REQUIRE(g_check_ch, CH_W >= OUT_CO * 32 && CH_W >= P * FB && OUT_CO <= P,
                 "Error: CH_W must hold P spike fields and OUT_CO <= P 32-bit words (instance %m)")
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
    // groups and columns left, so each "last" is a zero test of a register
    reg [G_W:0]       g_left;
    reg [X_W:0]       x_left;
    wire last_g = (g_left == {(G_W+1){1'b0}});
    wire last_t = (t == T_W'(T - 1));
    wire last_x = (x_left == {(X_W+1){1'b0}});
    // rows_ready, taken RR_LAT cycles late: a scatter op's sum lands in the band three cycles after the op
    // (snn_frame_lane), so a row is read only once its last sums are written
    localparam integer RR_LAT = 3;
    reg [Y_W:0]       rr [0:RR_LAT-1];
    // the pipeline, in cycles after go (the walk's step): 1 the band read (n_rd), 2 the RAM register (n_clr),
    // 3 the band word on n_q and the bias on b_q, 4 .. 4+TS the sub-lane tree (two levels a stage), 5+TS the bias
    // add, K1 = 6+TS stage 1 (current; membrane read), K2 = 7+TS stage 2 (MT-IF, write back), then the chunk
    localparam integer TS = (LP + 1) / 2;
    localparam integer K1 = 6 + TS;
    reg [K1-1:1]      pv;                        // valid, cycles 1 .. K1-1
    reg [T_W-1:0]     pt [1:K1-1];
    reg [GA_W-1:0]    pg [1:K1-1];
    reg [K1-1:1]      plast, peor;
    reg               v1, v2, v3, v4;
    reg [4:0]         nfl;                       // elements in the pipeline
    localparam integer CC_W = $clog2(PKT_DEPTH + 1) + 2;
    `SNN_REQUIRE(g_check_fl, K1 + 4 < 32, "Error: the neuron pipeline is too deep for its counter (instance %m)")
    // the room for one more element, registered: what is queued or in flight, and the element going now (the
    // FIFO only empties meanwhile, so the registered test is safe a cycle later)
    reg  credit;
    wire [CC_W-1:0] fill = CC_W'(ch_count) + CC_W'(nfl) + CC_W'(ch_valid);   // queued or in flight, not counting go
    wire go     = in_row && credit;
    // a row may start: it is complete and in the map (registered; not for the cycle after the row counter moves)
    reg  row_ok;
    wire row_step = go && last_g && last_t && last_x;
    reg [T_W-1:0]  t1, t2, t3, t4;
    reg [GA_W-1:0] g1, g2, g3, g4;
    reg            last1, last2, eor1, eor2, eor3, eor4, clr1;
    // stage 1's pick of the membrane, decoded a cycle ahead (the element entering stage 1 against those entering
    // stages 2 and 3): 0 at t = 0 (no select set), else the newest write of its group -- the update in stage 2
    // (groups = 1), the one in stage 3 (groups = 2: written at this edge), or the register file's entry
    reg                 s_fwd2, s_fwd3, s_vm;
    wire                z_n  = (pt[K1-1] == {T_W{1'b0}});
    wire                f2_n = v1 && (g1 == pg[K1-1]);
    wire                f3_n = v2 && (g2 == pg[K1-1]);
    integer k;

    always @(posedge clk) begin
        if (rst || start) begin
            row <= {(Y_W+1){1'b0}}; in_row <= 1'b0; wcmd_valid <= 1'b0; wptr <= dst;
            n_rd <= 1'b0; pv <= {(K1-1){1'b0}}; v1 <= 1'b0; v2 <= 1'b0; v3 <= 1'b0; v4 <= 1'b0; n_clr <= 1'b0; nfl <= 5'd0;
            credit <= 1'b0; row_ok <= 1'b0;
            for (k = 0; k < RR_LAT; k = k + 1) rr[k] <= {(Y_W+1){1'b0}};
        end else begin
            rr[0] <= rows_ready;
            for (k = 1; k < RR_LAT; k = k + 1) rr[k] <= rr[k-1];
            n_rd <= go;
            pv <= {pv[K1-2:1], go};
            v1 <= pv[K1-1];
            v2 <= v1;
            v3 <= v2;
            v4 <= v3;
            nfl <= nfl + 5'(go) - 5'(v4);
            // (go, which fans out over the walk, only picks between two sums of registers)
            credit <= go ? fill < CC_W'(PKT_DEPTH - 1) : fill < CC_W'(PKT_DEPTH);
            row_ok <= row < rr[RR_LAT-1] && row < {1'b0, h_out} && !row_step;
            n_clr <= n_rd && clr1;
            if (wcmd_valid && wcmd_ready) wcmd_valid <= 1'b0;
            if (!in_row && !wcmd_valid && row_ok) begin
                // a completed row: its write command, then its elements
                in_row <= 1'b1; x <= {(X_W+1){1'b0}}; t <= {T_W{1'b0}}; g <= {(G_W+1){1'b0}};
                g_left <= groups - 1'b1; x_left <= w_out - 1'b1;
                xbase <= {OFF_W{1'b0}}; tg <= {OFF_W{1'b0}};
                wcmd_valid <= 1'b1; wcmd_addr <= wptr; wcmd_beats <= row_beats; wptr <= wptr + row_bytes;
            end
            if (go) begin
                n_slot <= row[1:0];
                n_off <= xbase + (is_input ? {OFF_W{1'b0}} : tg) + OFF_W'(g);
                clr1 <= !is_input || last_t;
                if (!last_g) begin g <= g + 1'b1; g_left <= g_left - 1'b1; end
                else begin
                    g <= {(G_W+1){1'b0}}; g_left <= groups - 1'b1;
                    if (!last_t) begin t <= t + 1'b1; tg <= tg + OFF_W'(groups); end
                    else begin
                        t <= {T_W{1'b0}}; tg <= {OFF_W{1'b0}};
                        x <= x + 1'b1; x_left <= x_left - 1'b1; xbase <= xbase + sx;
                        if (last_x) begin in_row <= 1'b0; row <= row + 1'b1; end
                    end
                end
            end
        end
        // the element's tags along the pipeline
        pt[1] <= t; pg[1] <= GA_W'(g); plast[1] <= last_t && last_g && last_x; peor[1] <= last_t && last_g;
        for (k = 2; k < K1; k = k + 1) begin
            pt[k] <= pt[k-1]; pg[k] <= pg[k-1]; plast[k] <= plast[k-1]; peor[k] <= peor[k-1];
        end
        t1 <= pt[K1-1]; g1 <= pg[K1-1]; last1 <= plast[K1-1]; eor1 <= peor[K1-1];
        t2 <= t1; g2 <= g1; last2 <= last1; eor2 <= eor1;
        t3 <= t2; g3 <= g2; eor3 <= eor2;
        t4 <= t3; g4 <= g3; eor4 <= eor3;
        s_fwd2 <= !z_n && f2_n;
        s_fwd3 <= !z_n && !f2_n && f3_n;
        s_vm   <= !z_n && !f2_n && !f3_n;
        // the bias word is wanted with the tree's result (cycle 4+TS): its address two cycles earlier
        b_addr <= bbase + BA_W'(pg[1+TS]);
    end

    // ---------------------------------------------------------------- sum the partials (the sub-lane tree)
    // r0: the band word (cycle 4); tree stage s adds levels 2s and 2s+1 (those below sl) into rt[s+1]
    wire [(TS+1)*P*ACC_W-1:0] rt;
    reg  [P*ACC_W-1:0]        r0;
    always @(posedge clk) r0 <= n_q;
    assign rt[0 +: P*ACC_W] = r0;
    genvar gs;
    generate
        for (gs = 0; gs < TS; gs = gs + 1) begin : g_tree
            reg signed [ACC_W-1:0] r [0:P-1];
            reg [P*ACC_W-1:0]      nx, q;
            integer l, lv;
            always @* begin
                for (l = 0; l < P; l = l + 1) r[l] = $signed(rt[gs*P*ACC_W + ACC_W*l +: ACC_W]);
                for (lv = 2 * gs; lv < 2 * gs + 2; lv = lv + 1)
                    if (lv < LP && lv < sl)
                        for (l = 0; l < (P >> (lv + 1)); l = l + 1) r[l] = r[l] + r[l + (P >> (lv + 1))];
                for (l = 0; l < P; l = l + 1) nx[ACC_W*l +: ACC_W] = r[l];
            end
            always @(posedge clk) q <= nx;
            assign rt[(gs+1)*P*ACC_W +: P*ACC_W] = q;
        end
    endgenerate

    // ---------------------------------------------------------------- bias, current, MT-IF
    localparam integer MAX_A = (MEM_W > CUR_W) ? MEM_W : CUR_W;
    localparam integer CX    = ((MAX_A > TH_W) ? MAX_A : TH_W) + 2;   // mtif_neuron_rt's operand width
    localparam integer PW    = 6 * CX + 8;
    localparam integer DZ_W  = (TH_W < CX) ? TH_W : CX;   // the bits of V mod 2^j
    // the layer's constants of the closed form, registered: no path from th_exp (a descriptor field) to a lane
    wire [4*CX+7:0]    cst;
    reg  [4*CX+7:0]    cst_r;
    mtif_const #(.K(K), .CUR_W(CUR_W), .MEM_W(MEM_W), .TH_W(TH_W), .EXP_W(6), .TH_SHIFT(TH_SHIFT),
                 .COMPARE_GE(COMPARE_GE), .PW(PW)) u_cst (.th_exp(th_exp), .cst(cst));
    always @(posedge clk) cst_r <= cst;
    wire [P*MEM_W-1:0] v_new;           // stage 2's result
    reg  [P*MEM_W-1:0] v_r;             // stage 3: the same, registered
    wire [P*K-1:0]     spk_r;           // stage 3: the spike words, formed from registered mtif_spikes operands
    genvar gl;
    generate
        for (gl = 0; gl < P; gl = gl + 1) begin : g_lane
            // cycle 4+TS: the bias (pool: none)
            wire signed [ACC_W-1:0]  rs = $signed(rt[TS*P*ACC_W + ACC_W*gl +: ACC_W]);
            wire signed [B_BITS-1:0] b = $signed(b_q[B_BITS*gl +: B_BITS]);
            reg  signed [ACC_W:0]    ab;
            always @(posedge clk) ab <= is_pool ? (ACC_W+1)'(rs) : (ACC_W+1)'(rs) + (ACC_W+1)'(b);
            // cycle 5+TS: the current (input layer (acc + b) >>> G, pool acc << shift)
            wire signed [CUR_W-1:0]  cur = is_input ? CUR_W'(ab >>> shift)
                                         : is_pool ? CUR_W'(ab <<< shift) : CUR_W'(ab);
            reg  [CUR_W-1:0] cur1, cur2;
            // stage 1: mtif_pre of the current; the membrane read
            wire [PW-1:0]    pre;
            reg  [PW-1:0]    pre2;
            mtif_pre #(.K(K), .CUR_W(CUR_W), .PW(PW), .TH_SHIFT(TH_SHIFT), .COMPARE_GE(COMPARE_GE))
                u_pre (.i_in(cur1), .cst(cst_r), .pre(pre));
            always @(posedge clk) begin
                cur1 <= cur;
                cur2 <= cur1;
                pre2 <= pre;
            end
            // stage 1 -> 2: the membrane, picked from registers and the update in stage 2 (the loop's one mux),
            // and whether (V + I) mod 2^j == 0 for it, found here so the update does not wait for it: the low j
            // bits of a membrane after any update are those of V + I (every case of the closed form keeps them)
            reg  [MEM_W-1:0] vm [0:G_MAX-1];    // the membranes of the pixel in flight, one per group
            reg  [MEM_W-1:0] v_src;
            reg              dz2;
            // the pick, when it is not the update in stage 2 (vm: a LUT RAM read at g1)
            wire [MEM_W-1:0] v_alt = s_fwd3 ? v_r[MEM_W*gl +: MEM_W] : s_vm ? vm[g1] : {MEM_W{1'b0}};
            /* verilator lint_off UNUSEDSIGNAL */
            wire [CX-1:0]    v_sum;              // stage 2's V + I (its low DZ_W bits)
            wire [CX-1:0]    v_alx = {{(CX - MEM_W){v_alt[MEM_W-1]}}, v_alt};
            wire [CX-1:0]    mask = pre[8+4*CX +: CX];     // 2^j - 1
            wire [CX-1:0]    ni   = pre[8+5*CX +: CX];     // (-I) mod 2^j of the element in stage 1
            /* verilator lint_on UNUSEDSIGNAL */
            // (2^j <= 2^th_exp < 2^(TH_W-1): the mask is 0 from bit TH_W on)
            wire             dz_fwd = ((v_sum[DZ_W-1:0] ^ ni[DZ_W-1:0]) & mask[DZ_W-1:0]) == {DZ_W{1'b0}};
            wire             dz_alt = ((v_alx[DZ_W-1:0] ^ ni[DZ_W-1:0]) & mask[DZ_W-1:0]) == {DZ_W{1'b0}};
            wire [MEM_W-1:0] v_fire;
            wire [CX+9:0]    s_pre;
            reg  [CX+9:0]    s_pre3;
            /* verilator lint_off UNUSEDSIGNAL */
            wire [K-1:0]     s_fire;              // (0 with the halving thresholds: formed in stage 3, from s_pre3)
            /* verilator lint_on UNUSEDSIGNAL */
            // stage 2: the update (the output layer: A_t = A_{t-1} + I, no spikes)
            mtif_neuron_rt #(.K(K), .CUR_W(CUR_W), .MEM_W(MEM_W), .TH_W(TH_W), .EXP_W(6), .TH_SHIFT(TH_SHIFT),
                             .COMPARE_GE(COMPARE_GE), .PW(PW), .DZ_IN(1), .SPIKES(0))
                u_neuron (.v_in(v_src), .i_in(cur2), .th_exp(th_exp), .pre(pre2), .integrate(is_out), .dz_in(dz2),
                          .v_out(v_fire), .spikes(s_fire), .spk_pre(s_pre), .v_sum(v_sum));
            assign v_new[MEM_W*gl +: MEM_W] = v_fire;
            mtif_spikes #(.K(K), .CX(CX)) u_spk (.spk_pre(s_pre3), .spikes(spk_r[K*gl +: K]));
            always @(posedge clk) begin
                if (v1) begin
                    v_src <= s_fwd2 ? v_new[MEM_W*gl +: MEM_W] : v_alt;
                    dz2   <= s_fwd2 ? dz_fwd : dz_alt;
                end
                // stage 3: registered, then written back
                v_r[MEM_W*gl +: MEM_W] <= v_new[MEM_W*gl +: MEM_W];
                s_pre3 <= s_pre;
                if (v3) vm[g3] <= v_r[MEM_W*gl +: MEM_W];
            end
        end
    endgenerate

    // stage 4: the spike words and the output layer's A_t (its OUT_CO lanes) registered, then the chunk: CO spike
    // fields of FB bits, or CO 32-bit A_T words (the spike word's shift and the chunk's choice in separate cycles)
    reg [P*K-1:0]        spk4;
    reg [OUT_CO*MEM_W-1:0] a4;
    always @(posedge clk) begin
        spk4 <= spk_r;
        a4 <= v_r[OUT_CO*MEM_W-1:0];
    end
    reg [CH_W-1:0] chunk;
    integer o;
    always @* begin
        chunk = {CH_W{1'b0}};
        if (is_out) begin
            for (o = 0; o < OUT_CO; o = o + 1)
                if (o < (1 << col)) chunk[32*o +: 32] = 32'($signed(a4[MEM_W*o +: MEM_W]));
        end else begin
            for (o = 0; o < P; o = o + 1)
                if (o < (1 << col)) chunk[FB*o +: FB] = FB'(spk4[K*o +: K]);
        end
    end

`ifndef SYNTHESIS
    // ---------------------------------------------------------------- membrane trace (simulation only)
    integer          trace_fd = 0;
    reg [8*512-1:0]  trace_name;
    reg [Y_W:0]      row_p [1:K1+1];      // the element's row and column along the pipeline (K1 + 1: stage 2)
    reg [X_W:0]      x_p [1:K1+1];
    reg              in_rst;
    integer          tl;
    reg signed [MEM_W-1:0] trace_v;
    initial if ($value$plusargs("snn_trace=%s", trace_name)) trace_fd = $fopen(trace_name, "w");
    /* verilator lint_off BLKSEQ */
    always @(posedge clk) begin
        row_p[1] <= row; x_p[1] <= x;
        for (tl = 2; tl <= K1 + 1; tl = tl + 1) begin row_p[tl] <= row_p[tl-1]; x_p[tl] <= x_p[tl-1]; end
        in_rst <= rst;
        if (trace_fd != 0) begin
            if (rst) begin
                if (!in_rst) $fwrite(trace_fd, "R\n");
            end else if (start) begin
                $fwrite(trace_fd, "S\n");
                $fflush(trace_fd);
            end
            else if (v2) begin
                $fwrite(trace_fd, "M %0d %0d %0d %0d", row_p[K1+1], x_p[K1+1], t2, g2);
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
            ch_valid <= v4 && (!is_out || t4 == T_W'(T - 1));
            ch_data <= chunk;
            ch_log <= 4'(col) + (is_out ? 4'd5 : 4'(FBL));
            ch_eor <= is_out ? (g4 == GA_W'(groups - 1'b1)) : eor4;
            if (v2 && last2) rows_done <= rows_done + 1'b1;
        end
    end
endmodule
