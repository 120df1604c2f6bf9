// snn_ctrl_axil: AXI4-Lite control block with the register map that Vitis HLS generates for a kernel whose return
// port is `s_axilite` + `ap_ctrl_hs` (docs/ctrl_axil.md). A Vitis user's driver (xkernel_hw.h offsets) and the
// bench drive the external-memory frame engine through it.
//
// Source of the map: the "Address Info" header comment and the register logic of the *_control_s_axi.v files
// Vitis HLS 2022.2-2024.2 writes (e.g. 2022.2: `ChaCha20XOR_control_s_axi.v`; the same table in the generated
// driver headers x<kernel>_hw.h of 2022.1-2024.2), and UG1399 "S_AXILITE Control Register Map":
//
//   0x00 : Control signals
//          bit 0  - ap_start (Read/Write/COH)   set by writing 1 (WSTRB[0]); cleared by the core's ap_ready,
//                                               unless auto_restart (then it stays set: the next frame starts)
//          bit 1  - ap_done (Read/COR)          set by the core's ap_done (see auto_restart), cleared by a read
//          bit 2  - ap_idle (Read)              the core's ap_idle, registered
//          bit 3  - ap_ready (Read/COR)         set by ap_ready while auto_restart is 0, cleared by a read
//          bit 7  - auto_restart (Read/Write)
//          bit 9  - interrupt (Read)            the interrupt output
//          others - reserved
//   0x04 : Global Interrupt Enable Register     bit 0 (Read/Write)
//   0x08 : IP Interrupt Enable Register         bit 0 - ap_done, bit 1 - ap_ready (Read/Write)
//   0x0c : IP Interrupt Status Register         bit 0 - ap_done, bit 1 - ap_ready (Read/TOW: a 1 written toggles)
//   0x10 : argument 0 ...                       (SC = Self Clear, COR = Clear on Read, TOW = Toggle on Write,
//                                                COH = Clear on Handshake)
//
// Arguments: in order, each from the next free word; an argument of up to 32 bits takes one data word (bits past
// its width read 0) and one reserved word, one of 33..64 bits two data words (low, high) and one reserved word:
//   offset(0) = 0x10,  offset(i+1) = offset(i) + 4 * (ceil(width(i) / 32) + 1)
// (Vitis: `n` 32-bit at 0x10, reserved 0x14, `l` at 0x18, reserved 0x1c, a 64-bit `xnzval` at 0x20 / 0x24,
// reserved 0x28, the next at 0x2c: no 8-byte alignment). The frame engine's map (its arguments, their offsets and
// ADDR_W) is written once, in golden/backends/rtl/ctrl_map.py (ENGINE_ARGS, register_table); docs/ctrl_axil.md holds
// the table generated from it, and rtl_tb/test_snn_ctrl_axil.py checks the table and this module's defaults
// (N_ARGS, ARG_W) against it. An argument word is written byte by byte as WSTRB says. The map needs
// ADDR_W >= $clog2(end).
//
// Like Vitis: registers reset to 0; ap_done is reported per frame only without auto_restart (with auto_restart
// the ap_done bit is set when the core goes idle after auto_restart was cleared, the ISR ap_done bit on every
// frame); every response is OKAY, and an address outside the map (or a reserved word) reads 0 and ignores writes.
// Output scalars (ARG_OUT, Vitis' `status` style output argument with ap_vld): their data words are read only and
// take `outs` when outs_vld; the word after them is their control word, bit 0 ap_vld (R/COR: set by outs_vld,
// cleared by a read). ARG_INIT gives the reset value of each argument (Vitis resets them to 0; the engine's
// `timeout` resets to its default).
// Where this block differs from the generated one (docs/ctrl_axil.md):
//   - AXI4-Lite with valid/ready independence: AW and W are taken in any order or in the same cycle (one register
//     each; the write happens when both are there and B is free), B and R are held until accepted. (Vitis takes W
//     only after AW.)
//   - the word address decides (address bits [1:0] are ignored), so a byte write at 0x11 with WSTRB 4'b0010 writes
//     byte 1 of the word at 0x10 (Vitis compares the whole address and drops it).
//   - interrupt = GIE & |(IER & ISR), registered (Vitis: GIE & |ISR; an ISR bit set while its IER bit is 0, by a
//     write or before the IER bit was cleared, does not raise it here).
//   - the arguments reach the core through a second register, `args`: it follows the host's registers while
//     ap_start is 0 and takes them again at ap_ready, so from the cycle ap_start rises until the core's ap_ready
//     the core sees the values of the frame it is running, whatever the host writes meanwhile (a write during a
//     frame goes to the next frame, with auto_restart too). (Vitis wires its registers to the core directly.)
//
// ap_ctrl_hs to the core: ap_start is held from the host's write until the core's ap_ready (auto_restart: for
// good); the core pulses ap_done (and ap_ready, in the same or an earlier cycle) once per frame and drives ap_idle.
// args: argument i at [ARG_LSB(i) +: width(i)], ARG_LSB(i) = the sum of the widths before it (ctrl_map.arg_lsbs).
// Synchronous active-high rst, like the engine.
`include "snn_check.svh"
`include "snn_axi_ports.svh"
module snn_ctrl_axil #(
    parameter integer ADDR_W = 7,        // AXI address bits (C_S_AXI_ADDR_WIDTH): >= $clog2(end of the map)
    parameter integer DATA_W = 32,       // AXI data bits (C_S_AXI_DATA_WIDTH): 32, as Vitis
    parameter integer N_ARGS = 8,        // arguments
    // the width of argument i (1..64) at [8i +: 8]; default: the frame engine's (ctrl_map.ENGINE_ARGS): image,
    // output, scratch, weights (64), height, width (32)
    parameter [N_ARGS*8-1:0] ARG_W = {8'd32, 8'd32, 8'd32, 8'd32, 8'd64, 8'd64, 8'd64, 8'd64},
    // bit i: argument i is an output scalar (Vitis: a pointer-less output with ap_vld): its data words are read
    // only and take `outs` when outs_vld[i]; its reserved word is its control word, bit 0 ap_vld (R/COR).
    // Default: the engine's `status` (issue 23)
    parameter [N_ARGS-1:0] ARG_OUT = 8'h80,
    // the reset value of argument i at [64i +: 64] (inputs); default: the engine's `timeout` (ctrl_map.DEFAULT_TIMEOUT)
    parameter [N_ARGS*64-1:0] ARG_INIT = {64'd0, 64'd1048576, 384'd0}
) (
    input  wire                  clk,
    input  wire                  rst,              // synchronous, active high
    `SNN_S_AXIL_PORTS(ADDR_W, DATA_W),
    /* verilator lint_off SYMRSVDWORD */
    output reg                   interrupt,        // (the port name Vitis gives it)
    /* verilator lint_on SYMRSVDWORD */
    output wire                  ap_start,
    input  wire                  ap_done,
    input  wire                  ap_idle,
    input  wire                  ap_ready,
    output reg  [ARGS_OW-1:0]    args,             // argument i at [ARG_LSB(i) +: width(i)]
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [ARGS_OW-1:0]    outs,             // output scalar i at [ARG_LSB(i) +: width(i)] (other bits unused)
    input  wire [N_ARGS-1:0]     outs_vld          // ... written (and its ap_vld set) in this cycle
    /* verilator lint_on UNUSEDSIGNAL */
);
    // ------------------------------------------------------------------ the map (constant functions of ARG_W)
    function automatic integer arg_w(input integer i);            // width of argument i
        arg_w = 32'(ARG_W[8*i +: 8]);
    endfunction
    function automatic integer arg_words(input integer i);        // its data words
        arg_words = (arg_w(i) + 31) / 32;
    endfunction
    function automatic integer arg_first_word(input integer i);   // index of its first data word among all
        integer j;
        arg_first_word = 0;
        for (j = 0; j < i; j = j + 1) arg_first_word = arg_first_word + arg_words(j);
    endfunction
    function automatic integer arg_offset(input integer i);       // byte offset of its first data word
        integer j;
        arg_offset = 16;
        for (j = 0; j < i; j = j + 1) arg_offset = arg_offset + 4 * (arg_words(j) + 1);
    endfunction
    function automatic integer arg_lsb(input integer i);          // its lowest bit in `args`
        integer j;
        arg_lsb = 0;
        for (j = 0; j < i; j = j + 1) arg_lsb = arg_lsb + arg_w(j);
    endfunction
    function automatic integer bad_arg_widths(input integer n);   // arguments (of the first n) not 1..64 bits wide
        integer j;
        bad_arg_widths = 0;
        for (j = 0; j < n; j = j + 1) if (arg_w(j) < 1 || arg_w(j) > 64) bad_arg_widths = bad_arg_widths + 1;
    endfunction

    localparam integer ARGS_W  = arg_lsb(N_ARGS);         // the sum of the widths
    localparam integer ARGS_OW = (ARGS_W > 0) ? ARGS_W : 1;   // (guarded: illegal widths reach the checks)
    localparam integer N_WORDS = arg_first_word(N_ARGS);  // argument data words
    localparam integer MAP_END = arg_offset(N_ARGS);      // first byte past the last argument's reserved word
    localparam integer WA_W    = (ADDR_W > 2) ? ADDR_W - 2 : 1;   // word address bits
    localparam [WA_W-1:0] WA_CTRL = WA_W'(0), WA_GIE = WA_W'(1), WA_IER = WA_W'(2), WA_ISR = WA_W'(3);

    `SNN_REQUIRE(g_check_data_w, DATA_W == 32, "Error: DATA_W must be 32 (instance %m)")
    `SNN_REQUIRE(g_check_n_args, N_ARGS >= 1, "Error: N_ARGS must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_arg_w, bad_arg_widths(N_ARGS) == 0,
                 "Error: ARG_W must hold N_ARGS widths of 1..64 bits (instance %m)")
    `SNN_REQUIRE(g_check_addr_w, ADDR_W >= $clog2(MAP_END) && ADDR_W <= 64,
                 "Error: ADDR_W must be >= $clog2(end of the register map) and <= 64 (instance %m)")

    // ------------------------------------------------------------------ AXI4-Lite write: AW and W in any order
    reg  [WA_W-1:0] aw_word;       // the accepted write address (word), until the write
    reg             aw_full;
    /* verilator lint_off UNUSEDSIGNAL */
    reg  [31:0]     w_data;        // the accepted write data and strobes (narrow arguments use the low bits)
    /* verilator lint_on UNUSEDSIGNAL */
    reg  [3:0]      w_strb;
    reg             w_full;
    wire            aw_hs    = s_axil_awvalid && s_axil_awready;
    wire            w_hs     = s_axil_wvalid && s_axil_wready;
    reg             bvalid;        // B held until accepted
    wire            do_write = aw_full && w_full && (!bvalid || s_axil_bready);
    wire [31:0]     wmask = {{8{w_strb[3]}}, {8{w_strb[2]}}, {8{w_strb[1]}}, {8{w_strb[0]}}};
    assign s_axil_awready = !aw_full;
    assign s_axil_wready  = !w_full;
    assign s_axil_bresp   = 2'b00;    // OKAY, as Vitis (unmapped and reserved words too)
    assign s_axil_bvalid  = bvalid;
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_addr = ^{s_axil_awaddr[1:0], s_axil_araddr[1:0]};   // the word address decides, WSTRB the bytes
    /* verilator lint_on UNUSEDSIGNAL */

    always @(posedge clk) begin
        if (rst) begin
            aw_full <= 1'b0; w_full <= 1'b0; bvalid <= 1'b0;
            aw_word <= {WA_W{1'b0}}; w_data <= 32'd0; w_strb <= 4'd0;
        end else begin
            if (aw_hs) begin
                aw_full <= 1'b1;
                aw_word <= s_axil_awaddr[ADDR_W-1:2];
            end else if (do_write) begin
                aw_full <= 1'b0;
            end
            if (w_hs) begin
                w_full <= 1'b1;
                w_data <= s_axil_wdata;
                w_strb <= s_axil_wstrb;
            end else if (do_write) begin
                w_full <= 1'b0;
            end
            if (do_write)           bvalid <= 1'b1;
            else if (s_axil_bready) bvalid <= 1'b0;
        end
    end
    wire wr_ctrl = do_write && (aw_word == WA_CTRL) && w_strb[0];
    wire wr_gie  = do_write && (aw_word == WA_GIE) && w_strb[0];
    wire wr_ier  = do_write && (aw_word == WA_IER) && w_strb[0];
    wire wr_isr  = do_write && (aw_word == WA_ISR) && w_strb[0];

    // ------------------------------------------------------------------ AXI4-Lite read: R held until accepted
    wire            ar_hs   = s_axil_arvalid && s_axil_arready;
    wire [WA_W-1:0] ar_word = s_axil_araddr[ADDR_W-1:2];
    wire            rd_ctrl = ar_hs && (ar_word == WA_CTRL);    // clears ap_done and ap_ready (COR)
    reg  [31:0]     rd_word;                                    // the word at ar_word
    reg             rvalid;                                     // R held until accepted
    reg  [DATA_W-1:0] rdata;
    assign s_axil_arready = !rvalid;
    assign s_axil_rresp   = 2'b00;
    assign s_axil_rvalid  = rvalid;
    assign s_axil_rdata   = rdata;

    always @(posedge clk) begin
        if (rst) begin
            rvalid <= 1'b0;
            rdata  <= {DATA_W{1'b0}};
        end else if (ar_hs) begin
            rvalid <= 1'b1;
            rdata  <= rd_word;
        end else if (s_axil_rready) begin
            rvalid <= 1'b0;
        end
    end

    // ------------------------------------------------------------------ control, interrupt (Vitis register logic)
    reg        int_ap_start, int_task_ap_done, int_ap_idle, int_ap_ready, int_auto_restart, auto_restart_status;
    reg        int_gie;
    reg  [1:0] int_ier, int_isr;
    wire       auto_restart_done = auto_restart_status && ap_idle && !int_ap_idle;
    wire       task_ap_done      = (ap_done && !auto_restart_status) || auto_restart_done;
    wire       task_ap_ready     = ap_ready && !int_auto_restart;
    assign ap_start = int_ap_start;

    always @(posedge clk) begin
        if (rst) begin
            int_ap_start <= 1'b0; int_task_ap_done <= 1'b0; int_ap_idle <= 1'b0; int_ap_ready <= 1'b0;
            int_auto_restart <= 1'b0; auto_restart_status <= 1'b0;
            int_gie <= 1'b0; int_ier <= 2'b00; int_isr <= 2'b00; interrupt <= 1'b0;
        end else begin
            if (wr_ctrl && w_data[0])  int_ap_start <= 1'b1;
            else if (ap_ready)         int_ap_start <= int_auto_restart;   // clear on handshake / auto restart
            if (task_ap_done)          int_task_ap_done <= 1'b1;
            else if (rd_ctrl)          int_task_ap_done <= 1'b0;           // clear on read
            int_ap_idle <= ap_idle;
            if (task_ap_ready)         int_ap_ready <= 1'b1;
            else if (rd_ctrl)          int_ap_ready <= 1'b0;               // clear on read
            if (wr_ctrl)               int_auto_restart <= w_data[7];
            if (int_auto_restart)      auto_restart_status <= 1'b1;
            else if (ap_idle)          auto_restart_status <= 1'b0;
            if (wr_gie)                int_gie <= w_data[0];
            if (wr_ier)                int_ier <= w_data[1:0];
            if (int_ier[0] && ap_done) int_isr[0] <= 1'b1;
            else if (wr_isr)           int_isr[0] <= int_isr[0] ^ w_data[0];   // toggle on write
            if (int_ier[1] && ap_ready) int_isr[1] <= 1'b1;
            else if (wr_isr)           int_isr[1] <= int_isr[1] ^ w_data[1];
            interrupt <= int_gie && |(int_ier & int_isr);
        end
    end

    // ------------------------------------------------------------------ arguments: one register per data word
    wire [ARGS_OW-1:0]     arg_q;                  // the host's registers, argument i at [arg_lsb(i) +: width(i)]
    wire [32*N_WORDS+31:0] rd_chain;               // word n: the OR of the data words 0..n-1 that ar_word hits
    wire [N_ARGS-1:0]      vld_rd;                 // the output scalars' ap_vld bits that ar_word hits
    assign rd_chain[31:0] = 32'd0;
    genvar gi, gk;
    generate
        for (gi = 0; gi < N_ARGS; gi = gi + 1) begin : g_arg
            localparam integer W   = arg_w(gi);
            localparam integer LSB = arg_lsb(gi);
            localparam integer OFF = arg_offset(gi);
            localparam integer N0  = arg_first_word(gi);
            for (gk = 0; gk < (W + 31) / 32; gk = gk + 1) begin : g_word
                localparam integer BITS = (W - 32 * gk < 32) ? W - 32 * gk : 32;
                localparam [WA_W-1:0] WA = WA_W'((OFF + 4 * gk) / 4);
                localparam [BITS-1:0] INIT = BITS'(ARG_INIT[64 * gi + 32 * gk +: 32]);
                reg [BITS-1:0] q;
                if (ARG_OUT[gi]) begin : g_out          // an output scalar: the core writes it
                    always @(posedge clk) begin
                        if (rst)               q <= INIT;
                        else if (outs_vld[gi]) q <= outs[LSB + 32 * gk +: BITS];
                    end
                end else begin : g_in
                    always @(posedge clk) begin
                        if (rst)                             q <= INIT;
                        else if (do_write && aw_word == WA)  q <= (w_data[BITS-1:0] & wmask[BITS-1:0]) |
                                                                  (q & ~wmask[BITS-1:0]);
                    end
                end
                assign arg_q[LSB + 32 * gk +: BITS] = q;
                assign rd_chain[32 * (N0 + gk + 1) +: 32] = rd_chain[32 * (N0 + gk) +: 32] |
                                                            ((ar_word == WA) ? 32'(q) : 32'd0);
            end
            // an output scalar's control word (its reserved word): bit 0 ap_vld, set by outs_vld, cleared on read
            localparam [WA_W-1:0] WA_VLD = WA_W'((OFF + 4 * ((W + 31) / 32)) / 4);
            if (ARG_OUT[gi]) begin : g_vld
                reg vld;
                always @(posedge clk) begin
                    if (rst)                               vld <= 1'b0;
                    else if (outs_vld[gi])                 vld <= 1'b1;
                    else if (ar_hs && ar_word == WA_VLD)   vld <= 1'b0;
                end
                assign vld_rd[gi] = vld && ar_word == WA_VLD;
            end else begin : g_novld
                assign vld_rd[gi] = 1'b0;
            end
        end
    endgenerate

    always @(*) begin
        case (ar_word)
            WA_CTRL: rd_word = {22'd0, interrupt, 1'b0, int_auto_restart, 3'd0,
                                int_ap_ready, int_ap_idle, int_task_ap_done, int_ap_start};
            WA_GIE:  rd_word = {31'd0, int_gie};
            WA_IER:  rd_word = {30'd0, int_ier};
            WA_ISR:  rd_word = {30'd0, int_isr};
            default: rd_word = rd_chain[32 * N_WORDS +: 32] | {31'd0, |vld_rd};   // an argument word, an output's
                                                                                 // control word, else 0
        endcase
    end

    // the core's copy: follows the host's registers while ap_start is 0, taken again at ap_ready
    always @(posedge clk) begin
        if (rst)                          args <= {ARGS_OW{1'b0}};
        else if (!int_ap_start || ap_ready) args <= arg_q;
    end
endmodule
