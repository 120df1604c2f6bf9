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
//   6+TS     stage 1: mtif_pre of the current, the membrane read from the G-deep register file
//   7+TS     stage 2: the membrane chosen (read, or forwarded) and V mod 2^j == 0 found ahead of the update
//   8+TS     stage 3: the MT-IF update (one carry chain and a choice on the membrane's loop), written back
//   9+TS     stage 4: the spike word (the threshold bits picked out of the registered sum)
//   10+TS    stage 5: the chunk (spike fields or A_t), registered out
// Updates of one membrane one or two apart (groups 1 and 2) are in flight together: the element in stage 2
// takes the fresh membrane from the update in stage 3 (fwd2) or from the one just done (lst2) instead of the
// register file, so the walk never stalls. V mod 2^j == 0 (the closed form's only test of the membrane besides
// the carry chains) is the membrane's low bits against (-I) mod 2^j; forwarded from stage 3 it compares the
// membrane before that update with -(I + I') mod 2^j (an update changes V by I modulo 2^j), so stage 3 starts
// with it. The walk takes rows_ready three cycles late (the lanes write a sum three cycles after its op) and
// counts the elements in flight against the chunk FIFO's room.
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
    wire last_g = (g == groups - 1'b1);
    wire last_t = (t == T_W'(T - 1));
    wire last_x = (x == w_out - 1'b1);
    // rows_ready, taken RR_LAT cycles late: a scatter op's sum lands in the band three cycles after the op
    // (snn_frame_lane), so a row is read only once its last sums are written
    localparam integer RR_LAT = 3;
    reg [Y_W:0]       rr [0:RR_LAT-1];
    // the pipeline, in cycles after go (the walk's step): 1 the band read (n_rd), 2 the RAM register (n_clr),
    // 3 the band word on n_q and the bias on b_q, 4 .. 4+TS the sub-lane tree (two levels a stage), 5+TS the bias
    // add, K1 = 6+TS stage 1 (current; membrane read), stage 2 (the membrane chosen), stage 3 (MT-IF, write
    // back), stage 4 (the spike word), stage 5 (the chunk)
    localparam integer TS = (LP + 1) / 2;
    localparam integer K1 = 6 + TS;
    reg [K1-1:1]      pv;                        // valid, cycles 1 .. K1-1
    reg [T_W-1:0]     pt [1:K1-1];
    reg [GA_W-1:0]    pg [1:K1-1];
    reg [K1-1:1]      plast, peor;
    reg               v1, v2, v3, v4, v5;
    reg [4:0]         nfl;                       // elements in the pipeline
    localparam integer CC_W = $clog2(PKT_DEPTH + 1) + 2;
    `SNN_REQUIRE(g_check_fl, K1 + 5 < 32, "Error: the neuron pipeline is too deep for its counter (instance %m)")
    // room for one more element, from last cycle's counts (a registered decision: the walk's enables fan out
    // wide); chunks that left the FIFO in the meantime are seen a cycle late
    reg  credit;
    wire go     = in_row && credit;
    // a row starts two cycles after the last one's walk ended: row_ok is registered, from the new row
    reg  row_ok, settled;
    reg [T_W-1:0]  t1, t2, t3, t4, t5;
    reg [GA_W-1:0] g1, g2, g3, g4, g5;
    reg            last1, last2, last3, last4, last5, eor1, eor2, eor3, eor4, eor5, clr1, fwd2, lst2, z2;
    integer k;

    always @(posedge clk) begin
        if (rst || start) begin
            row <= {(Y_W+1){1'b0}}; in_row <= 1'b0; wcmd_valid <= 1'b0; wptr <= dst;
            n_rd <= 1'b0; pv <= {(K1-1){1'b0}}; v1 <= 1'b0; v2 <= 1'b0; v3 <= 1'b0; v4 <= 1'b0; v5 <= 1'b0;
            n_clr <= 1'b0; nfl <= 5'd0; credit <= 1'b0; settled <= 1'b0;
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
            v5 <= v4;
            nfl <= nfl + 5'(go) - 5'(v5);
            credit <= (CC_W'(ch_count) + CC_W'(nfl) + CC_W'(ch_valid) + CC_W'(go)) < CC_W'(PKT_DEPTH);
            row_ok <= row < rr[RR_LAT-1] && row < {1'b0, h_out};
            settled <= !in_row;
            n_clr <= n_rd && clr1;
            // the membrane of the element entering stage 2: from the update one ahead (fwd2), two ahead (lst2)
            fwd2 <= v1 && v2 && (g1 == g2);
            lst2 <= v1 && v3 && (g1 == g3);
            if (wcmd_valid && wcmd_ready) wcmd_valid <= 1'b0;
            if (!in_row && settled && !wcmd_valid && row_ok) begin
                // a completed row: its write command, then its elements
                in_row <= 1'b1; x <= {(X_W+1){1'b0}}; t <= {T_W{1'b0}}; g <= {(G_W+1){1'b0}};
                xbase <= {OFF_W{1'b0}}; tg <= {OFF_W{1'b0}};
                wcmd_valid <= 1'b1; wcmd_addr <= wptr; wcmd_beats <= row_beats; wptr <= wptr + row_bytes;
            end
            if (go) begin
                n_slot <= row[1:0];
                n_off <= xbase + (is_input ? {OFF_W{1'b0}} : tg) + OFF_W'(g);
                clr1 <= !is_input || last_t;
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
        // the element's tags along the pipeline
        pt[1] <= t; pg[1] <= GA_W'(g); plast[1] <= last_t && last_g && last_x; peor[1] <= last_t && last_g;
        for (k = 2; k < K1; k = k + 1) begin
            pt[k] <= pt[k-1]; pg[k] <= pg[k-1]; plast[k] <= plast[k-1]; peor[k] <= peor[k-1];
        end
        t1 <= pt[K1-1]; g1 <= pg[K1-1]; last1 <= plast[K1-1]; eor1 <= peor[K1-1];
        t2 <= t1; g2 <= g1; last2 <= last1; eor2 <= eor1;
        t3 <= t2; g3 <= g2; last3 <= last2; eor3 <= eor2;
        t4 <= t3; g4 <= g3; last4 <= last3; eor4 <= eor3;
        t5 <= t4; g5 <= g4; last5 <= last4; eor5 <= eor4;
        z2 <= (t1 == {T_W{1'b0}});     // (the membrane is 0 before t = 0: nothing forwarded)
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
    localparam integer PW    = 6 * (((MAX_A > TH_W) ? MAX_A : TH_W) + 2) + 8;
    localparam integer CX    = ((MAX_A > TH_W) ? MAX_A : TH_W) + 2;   // (mtif_pre's field width)
    wire [P*MEM_W-1:0] v_new;
    reg  [P*MEM_W-1:0] v_last;                  // stage 4: the membranes after the update (the output layer: A_t)
    reg  [P*MEM_W-1:0] mem5;                    // stage 5: the membranes again (A_t for the chunk)
    reg  [P*K-1:0]     spk5;                    // stage 5: the spike words
    function automatic integer halving(input [K*8-1:0] sh);   // (as mtif_pre's)
        integer n;
        begin
            halving = 1;
            for (n = 0; n < K; n = n + 1) if (sh[8*n +: 8] != 8'(n)) halving = 0;
        end
    endfunction
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
            reg  [CUR_W-1:0] cur1, cur2, cur3;
            // stage 1: mtif_pre of the current; -(I + I') mod 2^j with I' the current one ahead (in stage 2);
            // the membrane read (0 at t = 0)
            wire [PW-1:0]    pre;
            reg  [PW-1:0]    pre2;
            reg  [PW-CX-1:0] pre3;              // (its last field is dz3's place)
            reg  [MEM_W-1:0] vm [0:G_MAX-1];    // the membranes of the pixel in flight, one per group
            reg  [MEM_W-1:0] v_q;
            reg  [CX-1:0]    q2;
            // the membranes' low j bits (sign-extended to CX first, as the core does) are kept beside them, so
            // that V mod 2^j == 0 is an equality of two registers (the mask, one net for all lanes, at the end of
            // a path, not ahead of the comparison)
            reg  [CX-1:0]    vq_m, vin_m, vl_m;
            mtif_pre #(.K(K), .CUR_W(CUR_W), .MEM_W(MEM_W), .TH_W(TH_W), .EXP_W(6), .TH_SHIFT(TH_SHIFT),
                       .COMPARE_GE(COMPARE_GE), .PW(PW))
                u_pre (.i_in(cur1), .th_exp(th_exp), .pre(pre));
            wire [CX-1:0]    mask = pre[8+4*CX +: CX];            // 2^j - 1
            wire [CX-1:0]    sum2 = CX'($signed(cur1)) + CX'($signed(cur2));
            always @(posedge clk) begin
                cur1 <= cur;
                cur2 <= cur1;
                cur3 <= cur2;
                pre2 <= pre;
                q2   <= (-sum2) & mask;
                if (v1) begin
                    v_q  <= (t1 == {T_W{1'b0}}) ? {MEM_W{1'b0}} : vm[g1];
                    vq_m <= (t1 == {T_W{1'b0}}) ? {CX{1'b0}} : CX'($signed(vm[g1])) & mask;
                end
            end
            // stage 2: the membrane (read, or forwarded from stage 3 or 4) and V mod 2^j == 0 for it
            reg  [MEM_W-1:0] vin;               // stage 3: the membrane before the update
            reg              dz3;
            wire [CX-1:0]    m2 = pre2[8+4*CX +: CX];
            wire [CX-1:0]    p5 = pre2[8+5*CX +: CX];           // (-I) mod 2^j
            wire [MEM_W-1:0] v_nx = (fwd2 && !z2) ? v_new[MEM_W*gl +: MEM_W]
                                  : (lst2 && !z2) ? v_last[MEM_W*gl +: MEM_W] : v_q;
            always @(posedge clk) begin
                vin <= v_nx;
                vin_m <= CX'($signed(v_nx)) & m2;
                vl_m <= CX'($signed(v_new[MEM_W*gl +: MEM_W])) & m2;   // (beside v_last)
                dz3 <= (fwd2 && !z2) ? vin_m == q2 : (lst2 && !z2) ? vl_m == p5 : vq_m == p5;
                pre3 <= pre2[PW-CX-1:0];
            end
            // stage 3: the update
            wire [MEM_W-1:0] v_fire;
            wire [K-1:0]     s_fire;
            mtif_neuron_rt #(.K(K), .CUR_W(CUR_W), .MEM_W(MEM_W), .TH_W(TH_W), .EXP_W(6), .TH_SHIFT(TH_SHIFT),
                             .COMPARE_GE(COMPARE_GE), .PW(PW), .DZ_IN(1))
                u_neuron (.v_in(vin), .i_in(cur3), .th_exp(th_exp), .pre({CX'(dz3), pre3[PW-CX-1:0]}),
                          .v_out(v_fire), .spikes(s_fire));
            assign v_new[MEM_W*gl +: MEM_W] = is_out ? vin + MEM_W'($signed(cur3)) : v_fire;
            always @(posedge clk) begin
                if (v3) vm[g3] <= v_new[MEM_W*gl +: MEM_W];
                v_last[MEM_W*gl +: MEM_W] <= v_new[MEM_W*gl +: MEM_W];
                mem5[MEM_W*gl +: MEM_W] <= v_last[MEM_W*gl +: MEM_W];
            end
            // stage 4: the spike word. Halving thresholds: bits j .. j+K-1 of u = V - gt (mtif_neuron_rt's
            // closed form), u from its own carry chain in stage 3, registered: the shift by j is off the update's
            // cycle; other threshold sets: the core's spikes
            if (halving(TH_SHIFT) != 0) begin : g_spk_closed
                /* verilator lint_off UNUSEDSIGNAL */
                wire [K-1:0]         unused_s = s_fire;
                /* verilator lint_on UNUSEDSIGNAL */
                wire signed [CX-1:0] u  = CX'($signed(vin)) + $signed(pre3[8 +: CX]);        // u
                wire signed [CX-1:0] ub = CX'($signed(vin)) + $signed(pre3[8+CX +: CX]);     // u - 2^(j+K)
                reg  [CX-1:0]        u4;
                reg                  hi4;
                wire [CX-1:0]        m4 = u4 >> pre3[7:0];                                  // (j: the layer's)
                integer              si;
                always @(posedge clk) begin
                    u4 <= u; hi4 <= !ub[CX-1];
                    for (si = 0; si < K; si = si + 1)
                        spk5[K*gl + si] <= !u4[CX-1] && (hi4 || m4[K-1-si]);
                end
            end else begin : g_spk_cascade
                reg [K-1:0] s4;
                always @(posedge clk) begin
                    s4 <= s_fire;
                    spk5[K*gl +: K] <= s4;
                end
            end
        end
    endgenerate

    // stage 5, the chunk: CO spike fields of FB bits, or CO 32-bit A_T words
    reg [CH_W-1:0] chunk;
    integer o;
    always @* begin
        chunk = {CH_W{1'b0}};
        if (is_out) begin
            for (o = 0; o < OUT_CO; o = o + 1)
                if (o < (1 << col)) chunk[32*o +: 32] = 32'($signed(mem5[MEM_W*o +: MEM_W]));
        end else begin
            for (o = 0; o < P; o = o + 1)
                if (o < (1 << col)) chunk[FB*o +: FB] = FB'(spk5[K*o +: K]);
        end
    end

`ifndef SYNTHESIS
    // ---------------------------------------------------------------- membrane trace (simulation only)
    integer          trace_fd = 0;
    reg [8*512-1:0]  trace_name;
    reg [Y_W:0]      row_p [1:K1+2];      // the element's row and column along the pipeline (K1 + 2: stage 3)
    reg [X_W:0]      x_p [1:K1+2];
    reg              in_rst;
    integer          tl;
    reg signed [MEM_W-1:0] trace_v;
    initial if ($value$plusargs("snn_trace=%s", trace_name)) trace_fd = $fopen(trace_name, "w");
    /* verilator lint_off BLKSEQ */
    always @(posedge clk) begin
        row_p[1] <= row; x_p[1] <= x;
        for (tl = 2; tl <= K1 + 2; tl = tl + 1) begin row_p[tl] <= row_p[tl-1]; x_p[tl] <= x_p[tl-1]; end
        in_rst <= rst;
        if (trace_fd != 0) begin
            if (rst) begin
                if (!in_rst) $fwrite(trace_fd, "R\n");
            end else if (start) begin
                $fwrite(trace_fd, "S\n");
                $fflush(trace_fd);
            end
            else if (v3) begin
                $fwrite(trace_fd, "M %0d %0d %0d %0d", row_p[K1+2], x_p[K1+2], t3, g3);
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
            ch_valid <= v5 && (!is_out || t5 == T_W'(T - 1));
            ch_data <= chunk;
            ch_log <= 4'(col) + (is_out ? 4'd5 : 4'(FBL));
            ch_eor <= is_out ? (g5 == GA_W'(groups - 1'b1)) : eor5;
            if (v5 && last5) rows_done <= rows_done + 1'b1;
        end
    end
endmodule
