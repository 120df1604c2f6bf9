// snn_spiking_conv: a spiking 3x3 conv layer + MT-IF neurons (docs/contract.md §3, §4). No multiplier.
//
// Stream in : the source layer's spike frames (§5): per time step H*W beats in raster order, one pixel per beat,
//             channel c's K-bit spike word at s_data[K*c+K-1:K*c]; frames t = 0..T-1 follow each other, then the
//             next image's frames.
// Stream out: this layer's spike frames, same format with C_OUT channels. Frame t out is computed from frame t in
//             (the same time step, §3). Both are valid/ready streams. m_vmem travels with m_data: the C_OUT
//             membranes of that pixel after the step (§4), a verification port (leave it open if not needed).
//
// Architecture (frame buffered, one 3x3 tap per cycle, all channels in parallel):
//   LOAD   an input spike frame is written to spk_ram (H*W words of C_IN*K bits); s_ready = !frame_full.
//   A      a walker visits every output pixel and its 9 taps, one tap per cycle, reading spk_ram (synchronous)
//          and the tap's C_OUT x C_IN weights from the ROM. Taps outside the image read as 0 (zero padding 1).
//          When the last tap of the frame has been read the buffer is released for the next frame.
//   B      accumulates, for every output channel o: each spike bit i of input channel c gates an add of
//          (w[o][tap][c] << SPIKE_SHIFT_i), SPIKE_SHIFT_i = e_i - e_min (§3), i.e. shift-and-add only.
//          The bias is the start value of every pixel at every step. After the 9th tap the current moves to C
//          and the pixel's membranes are read from mem_ram.
//   C      the C_OUT neurons (mtif_neuron) update, the membranes are written back and the spike words go to the
//          output register. If the output is back-pressured, C holds and, when B needs to hand over, A and B
//          freeze (their RAM outputs hold because no new read is issued).
//   Throughput: 9 cycles per output pixel, i.e. 9*H*W (+3) cycles per time step once a frame is loaded, plus
//   the H*W cycles to load the frame (a single buffer: the load of frame t+1 starts when frame t's last tap
//   has been read), so about 10*H*W cycles per time step and T*10*H*W per image.
//   At t = 0 of every image the membrane read is ignored and 0 is used (§4), so mem_ram needs no clearing.
//
// Arithmetic (§3, §7): the sum is formed modulo 2^ACC_BITS. ACC_BITS (= current_bits) is chosen by the
// exporter so that the final current always fits, so the modular result is exact.
module snn_spiking_conv #(
    parameter integer C_IN        = 4,
    parameter integer C_OUT       = 8,
    parameter integer H           = 32,
    parameter integer W           = 32,
    parameter integer T           = 8,
    parameter integer K           = 4,
    parameter integer WEIGHT_BITS = 6,
    parameter integer BIAS_BITS   = 5,
    parameter integer ACC_BITS    = 14,
    parameter integer CUR_BITS    = 14,
    parameter integer MEM_BITS    = 17,
    parameter [K*8-1:0] SPIKE_SHIFT = {8'd0, 8'd1, 8'd2, 8'd3},   // shift of threshold i at [8i +: 8]
    parameter integer TH_W        = 16,
    parameter [K*TH_W-1:0] THRESH = {16'd64, 16'd128, 16'd256, 16'd512},
    parameter integer COMPARE_GE  = 0,
    parameter WEIGHT_FILE         = "conv2_weight.mem",
    parameter BIAS_FILE           = "conv2_bias.mem"
) (
    input  wire                 clk,
    input  wire                 rst,      // synchronous, active high
    input  wire                 s_valid,
    output wire                 s_ready,
    input  wire [C_IN*K-1:0]    s_data,
    output reg                  m_valid,
    input  wire                 m_ready,
    output reg  [C_OUT*K-1:0]   m_data,
    output reg  [C_OUT*MEM_BITS-1:0] m_vmem   // membranes after this step, channel o at [MEM_BITS*o +: MEM_BITS]
);
    localparam integer NPIX = H * W;                       // >= 2
    localparam integer AW   = $clog2(NPIX);
    localparam integer NW   = C_OUT * 9 * C_IN;
    localparam integer XW   = ACC_BITS;
    localparam integer YW   = $clog2(H + 1);
    localparam integer XCW  = $clog2(W + 1);
    localparam integer TW   = $clog2(T + 1);
    localparam [AW-1:0]  PIX_LAST = AW'(NPIX - 1);
    localparam [YW-1:0]  Y_LAST   = YW'(H - 1);
    localparam [XCW-1:0] X_LAST   = XCW'(W - 1);
    localparam [TW-1:0]  T_LAST   = TW'(T - 1);

    // ---------------------------------------------------------------- memories
    reg [WEIGHT_BITS-1:0]    w_rom   [0:NW-1];
    reg [BIAS_BITS-1:0]      b_rom   [0:C_OUT-1];
    reg [C_IN*K-1:0]         spk_ram [0:NPIX-1];
    reg [C_OUT*MEM_BITS-1:0] mem_ram [0:NPIX-1];

    initial begin
        $readmemh(WEIGHT_FILE, w_rom);
        $readmemh(BIAS_FILE, b_rom);
    end

    // ---------------------------------------------------------------- LOAD
    reg          frame_full;
    reg [AW-1:0] ld_ptr;
    wire         ld_fire = s_valid && !frame_full;
    assign s_ready = !frame_full;

    always @(posedge clk) begin
        if (ld_fire) spk_ram[ld_ptr] <= s_data;
    end

    // ---------------------------------------------------------------- pipeline control
    // stage A: output pixel (ay, ax) = index a_pix of step a_t, tap (ky, kx)
    reg [YW-1:0]  ay;
    reg [XCW-1:0] ax;
    reg [AW-1:0]  a_pix;
    reg [TW-1:0]  a_t;
    reg [1:0]     ky, kx;
    // stage B
    reg           b_valid, b_first, b_last, b_inb, b_t0;
    reg [AW-1:0]  b_pix;
    reg [C_IN*K-1:0]                  spk_q;
    reg [C_OUT*C_IN*WEIGHT_BITS-1:0]  wt_q;
    reg [C_OUT*XW-1:0]                acc_q, acc_d;
    // stage C
    reg                       c_valid, c_t0;
    reg [AW-1:0]              c_pix;
    reg [C_OUT*CUR_BITS-1:0]  c_cur;
    reg [C_OUT*MEM_BITS-1:0]  memv_q;
    wire [C_OUT*MEM_BITS-1:0] v_new;
    wire [C_OUT*K-1:0]        spk_new;

    wire c_fire  = c_valid && (!m_valid || m_ready);              // C hands its beat to the output register
    wire hand    = b_valid && b_last;                             // B hands a finished current to C
    wire en      = !(hand && c_valid && !c_fire);                 // A and B move unless C is blocked
    wire a_issue = en && frame_full;
    wire a_tap_last   = (ky == 2'd2) && (kx == 2'd2);
    wire a_issue_last = a_issue && a_tap_last && (a_pix == PIX_LAST);
    wire a_inb = !((ky == 2'd0) && (ay == {YW{1'b0}})) && !((ky == 2'd2) && (ay == Y_LAST)) &&
                 !((kx == 2'd0) && (ax == {XCW{1'b0}})) && !((kx == 2'd2) && (ax == X_LAST));
    wire [AW-1:0] a_addr = a_pix + AW'(ky) * AW'(W) + AW'(kx) - AW'(W + 1);   // exact when a_inb

    always @(posedge clk) begin
        if (rst) begin
            frame_full <= 1'b0;
            ld_ptr  <= {AW{1'b0}};
            ay <= {YW{1'b0}}; ax <= {XCW{1'b0}}; a_pix <= {AW{1'b0}}; a_t <= {TW{1'b0}};
            ky <= 2'd0; kx <= 2'd0;
            b_valid <= 1'b0;
            c_valid <= 1'b0;
            m_valid <= 1'b0;
        end else begin
            // LOAD
            if (ld_fire) begin
                if (ld_ptr == PIX_LAST) begin
                    ld_ptr     <= {AW{1'b0}};
                    frame_full <= 1'b1;
                end else begin
                    ld_ptr <= ld_ptr + 1'b1;
                end
            end
            // A: tap walker
            if (a_issue) begin
                if (kx != 2'd2) begin
                    kx <= kx + 1'b1;
                end else begin
                    kx <= 2'd0;
                    if (ky != 2'd2) begin
                        ky <= ky + 1'b1;
                    end else begin
                        ky <= 2'd0;
                        a_pix <= (a_pix == PIX_LAST) ? {AW{1'b0}} : a_pix + 1'b1;
                        if (ax != X_LAST) begin
                            ax <= ax + 1'b1;
                        end else begin
                            ax <= {XCW{1'b0}};
                            ay <= (ay == Y_LAST) ? {YW{1'b0}} : ay + 1'b1;
                        end
                    end
                end
            end
            if (a_issue_last) begin
                frame_full <= 1'b0;      // the frame's last read is issued this cycle: the buffer is free
                a_t <= (a_t == T_LAST) ? {TW{1'b0}} : a_t + 1'b1;
            end
            // B
            if (en) b_valid <= a_issue;
            // C
            if (hand && en) c_valid <= 1'b1;
            else if (c_fire) c_valid <= 1'b0;
            // output register
            if (c_fire) m_valid <= 1'b1;
            else if (m_ready) m_valid <= 1'b0;
        end
    end

    // ---------------------------------------------------------------- datapath registers (no reset needed)
    integer ro, rc;  // loop indices of this block
    always @(posedge clk) begin
        // A -> B: synchronous spike read and the tap's weights
        if (a_issue) begin
            spk_q   <= spk_ram[a_inb ? a_addr : {AW{1'b0}}];
            b_first <= (ky == 2'd0) && (kx == 2'd0);
            b_last  <= a_tap_last;
            b_inb   <= a_inb;
            b_pix   <= a_pix;
            b_t0    <= (a_t == {TW{1'b0}});
            for (ro = 0; ro < C_OUT; ro = ro + 1)
                for (rc = 0; rc < C_IN; rc = rc + 1)
                    wt_q[(ro*C_IN + rc)*WEIGHT_BITS +: WEIGHT_BITS] <= w_rom[(ro*9 + 3*32'(ky) + 32'(kx))*C_IN + rc];
        end
        // B: accumulate; B -> C: the finished current, and the membrane read
        if (en && b_valid) begin
            acc_q <= acc_d;
            if (b_last) begin
                for (ro = 0; ro < C_OUT; ro = ro + 1)
                    c_cur[ro*CUR_BITS +: CUR_BITS] <= CUR_BITS'(acc_d[ro*XW +: XW]);
                c_pix  <= b_pix;
                c_t0   <= b_t0;
                memv_q <= mem_ram[b_pix];
            end
        end
        // C: membrane write-back and output register
        if (c_fire) begin
            mem_ram[c_pix] <= v_new;
            m_data <= spk_new;
            m_vmem <= v_new;
        end
    end

    // B arithmetic: shift-and-add (§3), modulo 2^ACC_BITS
    reg [XW-1:0] sum;
    reg [XW-1:0] wx;
    integer      o, c, i;
    always @* begin
        acc_d = acc_q;
        for (o = 0; o < C_OUT; o = o + 1) begin
            sum = b_first ? XW'($signed(b_rom[o])) : acc_q[o*XW +: XW];
            for (c = 0; c < C_IN; c = c + 1) begin
                wx = XW'($signed(wt_q[(o*C_IN + c)*WEIGHT_BITS +: WEIGHT_BITS]));
                for (i = 0; i < K; i = i + 1)
                    if (b_inb && spk_q[c*K + i]) sum = sum + (wx << SPIKE_SHIFT[8*i +: 8]);
            end
            acc_d[o*XW +: XW] = sum;
        end
    end

    // C: C_OUT neurons; at t = 0 the membrane starts from 0 (§4)
    genvar g;
    generate
        for (g = 0; g < C_OUT; g = g + 1) begin : g_neuron
            mtif_neuron #(
                .K(K), .CUR_W(CUR_BITS), .MEM_W(MEM_BITS), .TH_W(TH_W), .THRESH(THRESH), .COMPARE_GE(COMPARE_GE)
            ) u_neuron (
                .v_in  (c_t0 ? {MEM_BITS{1'b0}} : memv_q[g*MEM_BITS +: MEM_BITS]),
                .i_in  (c_cur[g*CUR_BITS +: CUR_BITS]),
                .v_out (v_new[g*MEM_BITS +: MEM_BITS]),
                .spikes(spk_new[g*K +: K])
            );
        end
    endgenerate
endmodule
