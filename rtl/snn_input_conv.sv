// snn_input_conv: the input layer of the slice: static-coded 3x3 conv + MT-IF neurons (docs/contract.md §3, §4).
//
// Stream in : one image (§5): H*W beats, raster order, one pixel per beat, channel c at s_data[8c+7:8c].
// Stream out: T spike frames (§5): t = 0..T-1, each H*W beats in raster order, one pixel per beat,
//             channel o's K-bit spike word at m_data[K*o+K-1:K*o].
// Both are valid/ready streams; a beat moves when valid && ready. m_vmem travels with m_data: the C_OUT
// membranes of that pixel after the step (what the golden vectors record, §4), so that benches can compare the
// neuron state bit for bit, not only its spikes. It is a verification port; leave it open if not needed.
//
// Architecture (frame buffered, chosen for being obviously right rather than small):
//   LOAD     the image is written to img_ram (H*W words of C_IN*8 bits). s_ready = !img_full, so the next image
//            can be loaded while the previous frame is still being emitted.
//   CURRENT  once per frame (static coding, §3) a walker visits every output pixel and its 9 taps, one tap per
//            cycle; each cycle all C_OUT x C_IN products of that tap are added (the only multipliers of the
//            network: u8 pixel x signed weight). Taps outside the image read as 0 (zero padding 1). After the
//            9th tap the current (b + sum w*p) >>> INPUT_SHIFT of all channels is written to cur_ram.
//            9*H*W cycles (+1); afterwards img_ram is released for the next image.
//   RUN      for t = 0..T-1, for every pixel: read cur_ram and mem_ram (synchronous RAMs), update the C_OUT
//            neurons (mtif_neuron, combinational), write the membranes back and put the spike words in the
//            output register. One pixel per cycle when m_ready is high: T*H*W cycles (+1) per frame.
//            At t = 0 the membrane read is ignored and 0 is used (§4: V starts at 0 in every frame), so the
//            membrane RAM needs no clearing.
//   Cycles per frame without back-pressure: 9*H*W + T*H*W + small constant (the load overlaps the previous RUN).
//
// Arithmetic (§3, §7): accumulation is done modulo 2^ACC_BITS. The exporter sizes ACC_BITS so that the final
// sum always fits, and two's complement addition is exact modulo 2^n, so the result is exact even though no
// intermediate is wider than ACC_BITS. The rounding offset of the >>> is already folded into the bias (§2).
// The bias/weight ROMs are initialised with $readmemh from the exported .mem files ([out][ky][kx][in] order).
module snn_input_conv #(
    parameter integer C_IN        = 1,
    parameter integer C_OUT       = 4,
    parameter integer H           = 32,
    parameter integer W           = 32,
    parameter integer T           = 8,
    parameter integer K           = 4,
    parameter integer WEIGHT_BITS = 7,
    parameter integer BIAS_BITS   = 16,
    parameter integer ACC_BITS    = 18,
    parameter integer CUR_BITS    = 10,
    parameter integer MEM_BITS    = 13,
    parameter integer INPUT_SHIFT = 8,
    parameter integer TH_W        = 16,
    parameter [K*TH_W-1:0] THRESH = {16'd64, 16'd128, 16'd256, 16'd512},
    parameter integer COMPARE_GE  = 0,
    parameter WEIGHT_FILE         = "conv1_weight.mem",
    parameter BIAS_FILE           = "conv1_bias.mem"
) (
    input  wire                 clk,
    input  wire                 rst,      // synchronous, active high
    input  wire                 s_valid,
    output wire                 s_ready,
    input  wire [C_IN*8-1:0]    s_data,
    output reg                  m_valid,
    input  wire                 m_ready,
    output reg  [C_OUT*K-1:0]   m_data,
    output reg  [C_OUT*MEM_BITS-1:0] m_vmem   // membranes after this step, channel o at [MEM_BITS*o +: MEM_BITS]
);
    localparam integer NPIX = H * W;                       // >= 2
    localparam integer AW   = $clog2(NPIX);
    localparam integer NW   = C_OUT * 9 * C_IN;
    localparam integer XW   = ACC_BITS;                    // accumulator width (modular, see header)
    localparam integer PW   = WEIGHT_BITS + 9;             // exact width of one product w * p
    localparam integer YW   = $clog2(H + 1);
    localparam integer XCW  = $clog2(W + 1);
    localparam integer TW   = $clog2(T + 1);
    localparam [AW-1:0]  PIX_LAST = AW'(NPIX - 1);
    localparam [YW-1:0]  Y_LAST   = YW'(H - 1);
    localparam [XCW-1:0] X_LAST   = XCW'(W - 1);
    localparam [TW-1:0]  T_LAST   = TW'(T - 1);

    localparam [1:0] P_IDLE = 2'd0, P_CURR = 2'd1, P_RUN = 2'd2;

    // ---------------------------------------------------------------- memories
    reg [WEIGHT_BITS-1:0]   w_rom   [0:NW-1];
    reg [BIAS_BITS-1:0]     b_rom   [0:C_OUT-1];
    reg [C_IN*8-1:0]        img_ram [0:NPIX-1];
    reg [C_OUT*CUR_BITS-1:0] cur_ram [0:NPIX-1];
    reg [C_OUT*MEM_BITS-1:0] mem_ram [0:NPIX-1];

    initial begin
        $readmemh(WEIGHT_FILE, w_rom);
        $readmemh(BIAS_FILE, b_rom);
    end

    // ---------------------------------------------------------------- LOAD
    reg          img_full;
    reg [AW-1:0] ld_ptr;
    wire         ld_fire = s_valid && !img_full;
    assign s_ready = !img_full;

    always @(posedge clk) begin
        if (ld_fire) img_ram[ld_ptr] <= s_data;
    end

    // ---------------------------------------------------------------- compute control
    reg [1:0] phase;

    // CURRENT walker, stage A: output pixel (cy, cx) = index c_pix, tap (ky, kx)
    reg [YW-1:0]  cy;
    reg [XCW-1:0] cx;
    reg [AW-1:0]  c_pix;
    reg [1:0]     ky, kx;
    wire c_tap_last = (ky == 2'd2) && (kx == 2'd2);
    wire c_issue_last = (phase == P_CURR) && c_tap_last && (c_pix == PIX_LAST);
    // zero padding: a tap is inside the image unless it steps over an edge
    wire c_inb = !((ky == 2'd0) && (cy == {YW{1'b0}})) && !((ky == 2'd2) && (cy == Y_LAST)) &&
                 !((kx == 2'd0) && (cx == {XCW{1'b0}})) && !((kx == 2'd2) && (cx == X_LAST));
    // address of the tap: c_pix + (ky-1)*W + (kx-1), modulo 2^AW (exact whenever the tap is inside the image)
    wire [AW-1:0] c_addr = c_pix + AW'(ky) * AW'(W) + AW'(kx) - AW'(W + 1);

    // CURRENT stage B: image word and the tap's weights, one cycle after the read
    reg                          cb_valid, cb_first, cb_last, cb_inb;
    reg [AW-1:0]                 cb_pix;
    reg [C_IN*8-1:0]             img_q;
    reg [C_OUT*C_IN*WEIGHT_BITS-1:0] wt_q;
    reg [C_OUT*XW-1:0]           acc_q, acc_d;
    reg [C_OUT*CUR_BITS-1:0]     cur_d;

    // RUN walker, stage A: pixel r_pix of time step r_t
    reg [AW-1:0] r_pix;
    reg [TW-1:0] r_t;
    wire         out_free = !m_valid || m_ready;   // the output register can take a new beat
    wire         r_issue = (phase == P_RUN) && out_free;
    wire         r_issue_last = r_issue && (r_t == T_LAST) && (r_pix == PIX_LAST);
    // RUN stage B
    reg                       rb_valid, rb_t0;
    reg [AW-1:0]              rb_pix;
    reg [C_OUT*CUR_BITS-1:0]  cur_q;
    reg [C_OUT*MEM_BITS-1:0]  memv_q;
    wire [C_OUT*MEM_BITS-1:0] v_new;
    wire [C_OUT*K-1:0]        spk_new;

    always @(posedge clk) begin
        if (rst) begin
            img_full <= 1'b0;
            ld_ptr   <= {AW{1'b0}};
            phase    <= P_IDLE;
            cy <= {YW{1'b0}}; cx <= {XCW{1'b0}}; c_pix <= {AW{1'b0}}; ky <= 2'd0; kx <= 2'd0;
            cb_valid <= 1'b0;
            r_pix <= {AW{1'b0}}; r_t <= {TW{1'b0}};
            rb_valid <= 1'b0;
            m_valid  <= 1'b0;
        end else begin
            // LOAD
            if (ld_fire) begin
                if (ld_ptr == PIX_LAST) begin
                    ld_ptr   <= {AW{1'b0}};
                    img_full <= 1'b1;
                end else begin
                    ld_ptr <= ld_ptr + 1'b1;
                end
            end
            // CURRENT walker (never stalls)
            cb_valid <= (phase == P_CURR);
            if (phase == P_CURR) begin
                if (kx != 2'd2) begin
                    kx <= kx + 1'b1;
                end else begin
                    kx <= 2'd0;
                    if (ky != 2'd2) begin
                        ky <= ky + 1'b1;
                    end else begin
                        ky <= 2'd0;
                        c_pix <= (c_pix == PIX_LAST) ? {AW{1'b0}} : c_pix + 1'b1;
                        if (cx != X_LAST) begin
                            cx <= cx + 1'b1;
                        end else begin
                            cx <= {XCW{1'b0}};
                            cy <= (cy == Y_LAST) ? {YW{1'b0}} : cy + 1'b1;
                        end
                    end
                end
            end
            if (c_issue_last) begin
                img_full <= 1'b0;      // the last image read is issued this cycle: the buffer is free
                phase    <= P_RUN;
            end
            if (phase == P_IDLE && img_full) phase <= P_CURR;
            // RUN walker: advances only when the output register can take the result
            if (out_free) begin
                rb_valid <= r_issue;
                if (r_issue) begin
                    rb_pix <= r_pix;
                    rb_t0  <= (r_t == {TW{1'b0}});
                    if (r_pix == PIX_LAST) begin
                        r_pix <= {AW{1'b0}};
                        r_t   <= (r_t == T_LAST) ? {TW{1'b0}} : r_t + 1'b1;
                    end else begin
                        r_pix <= r_pix + 1'b1;
                    end
                end
                m_valid <= rb_valid;
            end
            if (r_issue_last) phase <= P_IDLE;
        end
    end

    // ---------------------------------------------------------------- datapath registers (no reset needed)
    integer ro, rc;  // loop indices of this block
    always @(posedge clk) begin
        // CURRENT stage A -> B: synchronous image read and the tap's weights
        if (phase == P_CURR) begin
            img_q    <= img_ram[c_inb ? c_addr : {AW{1'b0}}];
            cb_first <= (ky == 2'd0) && (kx == 2'd0);
            cb_last  <= c_tap_last;
            cb_inb   <= c_inb;
            cb_pix   <= c_pix;
            for (ro = 0; ro < C_OUT; ro = ro + 1)
                for (rc = 0; rc < C_IN; rc = rc + 1)
                    wt_q[(ro*C_IN + rc)*WEIGHT_BITS +: WEIGHT_BITS] <= w_rom[(ro*9 + 3*32'(ky) + 32'(kx))*C_IN + rc];
        end
        // CURRENT stage B: accumulate; after the 9th tap store the static current
        if (cb_valid) begin
            acc_q <= acc_d;
            if (cb_last) cur_ram[cb_pix] <= cur_d;
        end
        // RUN stage A -> B: synchronous reads of current and membrane
        if (r_issue) begin
            cur_q  <= cur_ram[r_pix];
            memv_q <= mem_ram[r_pix];
        end
        // RUN stage B: membrane write-back and output register
        if (out_free && rb_valid) begin
            mem_ram[rb_pix] <= v_new;
            m_data <= spk_new;
            m_vmem <= v_new;
        end
    end

    // CURRENT stage B arithmetic: acc += sum_c w[o][tap][c] * p[c] (§3), modulo 2^ACC_BITS
    reg [XW-1:0]          sum;
    reg signed [PW-1:0]   prod;
    reg [7:0]             px_v;
    integer               o, c;
    always @* begin
        acc_d = acc_q;
        cur_d = {C_OUT*CUR_BITS{1'b0}};
        for (o = 0; o < C_OUT; o = o + 1) begin
            sum = cb_first ? XW'($signed(b_rom[o])) : acc_q[o*XW +: XW];
            for (c = 0; c < C_IN; c = c + 1) begin
                px_v = cb_inb ? img_q[8*c +: 8] : 8'd0;
                prod = PW'($signed(wt_q[(o*C_IN + c)*WEIGHT_BITS +: WEIGHT_BITS])) * $signed({1'b0, px_v});
                sum  = sum + XW'(prod);
            end
            acc_d[o*XW +: XW] = sum;
            cur_d[o*CUR_BITS +: CUR_BITS] = CUR_BITS'($signed(sum) >>> INPUT_SHIFT);   // I = acc >>> G
        end
    end

    // RUN stage B: C_OUT neurons; at t = 0 the membrane starts from 0 (§4)
    genvar g;
    generate
        for (g = 0; g < C_OUT; g = g + 1) begin : g_neuron
            mtif_neuron #(
                .K(K), .CUR_W(CUR_BITS), .MEM_W(MEM_BITS), .TH_W(TH_W), .THRESH(THRESH), .COMPARE_GE(COMPARE_GE)
            ) u_neuron (
                .v_in  (rb_t0 ? {MEM_BITS{1'b0}} : memv_q[g*MEM_BITS +: MEM_BITS]),
                .i_in  (cur_q[g*CUR_BITS +: CUR_BITS]),
                .v_out (v_new[g*MEM_BITS +: MEM_BITS]),
                .spikes(spk_new[g*K +: K])
            );
        end
    endgenerate
endmodule
