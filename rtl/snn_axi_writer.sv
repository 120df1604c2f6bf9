// snn_axi_writer: AXI4 write master that streams din beats to external memory by commands (byte address, beats)
// (docs/axi_master.md). Commands wait in a CMD_DEPTH queue; each is split into INCR bursts of at most MAX_BURST beats
// that never cross a 4 KiB page. The beats go into a data FIFO of 2 bursts; a burst's AW goes out only once all its
// beats are there (`unclaimed`: buffered beats not yet given to a burst), so W never waits for din mid-burst, and
// only while fewer than MAX_OUTSTANDING bursts wait for their B. A FIFO of burst lengths places WLAST. WSTRB is all
// ones; the low log2(DATA_W/8) address bits are ignored; a command of 0 beats is accepted and dropped.
// idle: nothing queued or buffered and every B received. Synchronous active-high rst.
`include "snn_check.svh"
module snn_axi_writer #(
    parameter integer ADDR_W          = 64,
    parameter integer DATA_W          = 64,    // 32, 64, 128, 256 or 512
    parameter integer ID_W            = 1,
    parameter integer LEN_W           = 24,    // command length bits
    parameter integer MAX_BURST       = 16,    // beats per burst: a power of two, 1..256
    parameter integer MAX_OUTSTANDING = 4,     // bursts waiting for B
    parameter integer CMD_DEPTH       = 4      // queued commands
) (
    input  wire                clk,
    input  wire                rst,
    input  wire                cmd_valid,
    output wire                cmd_ready,
    input  wire [ADDR_W-1:0]   cmd_addr,
    input  wire [LEN_W-1:0]    cmd_beats,
    input  wire                din_valid,
    output wire                din_ready,
    input  wire [DATA_W-1:0]   din_data,
    output wire                idle,
    output reg                 err,             // sticky: a BRESP other than OKAY
    output wire [ID_W-1:0]     m_axi_awid,
    output reg  [ADDR_W-1:0]   m_axi_awaddr,
    output reg  [7:0]          m_axi_awlen,
    output wire [2:0]          m_axi_awsize,
    output wire [1:0]          m_axi_awburst,
    output wire                m_axi_awlock,
    output wire [3:0]          m_axi_awcache,
    output wire [2:0]          m_axi_awprot,
    output wire [3:0]          m_axi_awqos,
    output reg                 m_axi_awvalid,
    input  wire                m_axi_awready,
    output wire [DATA_W-1:0]   m_axi_wdata,
    output wire [DATA_W/8-1:0] m_axi_wstrb,
    output wire                m_axi_wlast,
    output wire                m_axi_wvalid,
    input  wire                m_axi_wready,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [ID_W-1:0]     m_axi_bid,       // one ID: responses come in order
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire [1:0]          m_axi_bresp,
    input  wire                m_axi_bvalid,
    output wire                m_axi_bready
);
    `SNN_REQUIRE(g_check_data_w, DATA_W == 32 || DATA_W == 64 || DATA_W == 128 || DATA_W == 256 || DATA_W == 512,
                 "Error: DATA_W must be one of 32/64/128/256/512 (instance %m)")
    `SNN_REQUIRE(g_check_max_burst, MAX_BURST >= 1 && MAX_BURST <= 256 && (MAX_BURST & (MAX_BURST - 1)) == 0,
                 "Error: MAX_BURST must be a power of two in 1..256 (instance %m)")
    `SNN_REQUIRE(g_check_max_outstanding, MAX_OUTSTANDING >= 1, "Error: MAX_OUTSTANDING must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_len_w, LEN_W >= 1, "Error: LEN_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_addr_w, ADDR_W >= 12 && ADDR_W <= 64, "Error: ADDR_W must be in 12..64 (instance %m)")
    `SNN_REQUIRE(g_check_id_w, ID_W >= 1, "Error: ID_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_cmd_depth, CMD_DEPTH >= 1, "Error: CMD_DEPTH must be >= 1 (instance %m)")

    // (guarded so that illegal parameters still elaborate as far as the checks)
    localparam integer BYTES  = (DATA_W >= 8) ? DATA_W / 8 : 1;
    localparam integer SIZE   = $clog2(BYTES);                   // AWSIZE
    localparam integer PG_W   = 12 - SIZE;                       // beat index bits within a 4 KiB page
    localparam integer PAGE   = 1 << PG_W;                       // beats per page
    localparam integer MB     = (MAX_BURST >= 1) ? MAX_BURST : 1;
    localparam integer BURST  = (MB < PAGE) ? MB : PAGE;         // the longest burst that fits a page
    localparam integer BL_W   = $clog2(BURST) + 1;               // burst length 1..BURST
    localparam integer CW     = (LEN_W > PG_W + 1) ? LEN_W : PG_W + 1;   // width of the length compares
    localparam integer NOUT   = (MAX_OUTSTANDING >= 1) ? MAX_OUTSTANDING : 1;
    localparam integer DEPTH  = 2 * BURST;                       // data FIFO: one burst sent while the next fills
    localparam integer U_W    = $clog2(DEPTH + 1);
    localparam integer B_W    = $clog2(NOUT + 1);
    localparam integer CQ_W   = ADDR_W + LEN_W;

    // ------------------------------------------------------------------ command queue
    wire              cq_empty, cq_full, cq_pop;
    wire [CQ_W-1:0]   cq_out;
    /* verilator lint_off UNUSEDSIGNAL */
    wire [$clog2(CMD_DEPTH + 1)-1:0] cq_count;
    /* verilator lint_on UNUSEDSIGNAL */
    assign cmd_ready = !cq_full;
    snn_fifo #(.WIDTH(CQ_W), .DEPTH(CMD_DEPTH)) u_cmd (
        .clk(clk), .rst(rst), .push(cmd_valid && cmd_ready && cmd_beats != {LEN_W{1'b0}}),
        .din({cmd_beats, cmd_addr}), .pop(cq_pop), .dout(cq_out), .empty(cq_empty), .full(cq_full),
        .count(cq_count));

    // ------------------------------------------------------------------ burst splitter
    reg              active;          // a command is being split
    reg [ADDR_W-1:0] cur_addr;        // its next burst's address
    reg [LEN_W-1:0]  remaining;       // and beats left
    reg [U_W-1:0]    unclaimed;       // buffered beats not yet given to a burst
    reg [B_W-1:0]    b_pend;          // bursts issued whose B has not come
    /* verilator lint_off UNUSEDSIGNAL */
    wire [11:0]      page_off = 12'(cur_addr);
    /* verilator lint_on UNUSEDSIGNAL */
    wire [CW-1:0]    to_page  = CW'(PAGE) - CW'(page_off[11:SIZE]);
    wire [CW-1:0]    cap      = (to_page < CW'(BURST)) ? to_page : CW'(BURST);
    wire [CW-1:0]    blen_c   = (CW'(remaining) < cap) ? CW'(remaining) : cap;
    wire [BL_W-1:0]  blen     = BL_W'(blen_c);
    wire             last_burst = (CW'(remaining) == blen_c);
    wire             issue = active && (!m_axi_awvalid || m_axi_awready) && unclaimed >= U_W'(blen) &&
                             b_pend != B_W'(NOUT);
    assign cq_pop = !cq_empty && (!active || (issue && last_burst));

    always @(posedge clk) begin
        if (rst) begin
            active <= 1'b0; cur_addr <= {ADDR_W{1'b0}}; remaining <= {LEN_W{1'b0}};
            m_axi_awvalid <= 1'b0; m_axi_awaddr <= {ADDR_W{1'b0}}; m_axi_awlen <= 8'd0;
        end else begin
            if (issue) begin
                m_axi_awvalid <= 1'b1;
                m_axi_awaddr  <= cur_addr;
                m_axi_awlen   <= 8'(blen - 1'b1);
            end else if (m_axi_awready) begin
                m_axi_awvalid <= 1'b0;
            end
            if (cq_pop) begin
                active    <= 1'b1;
                cur_addr  <= cq_out[ADDR_W-1:0] & ~ADDR_W'(BYTES - 1);
                remaining <= cq_out[CQ_W-1:ADDR_W];
            end else if (issue) begin
                active    <= !last_burst;
                cur_addr  <= cur_addr + (ADDR_W'(blen) << SIZE);
                remaining <= remaining - LEN_W'(blen);
            end
        end
    end
    assign m_axi_awid    = {ID_W{1'b0}};
    assign m_axi_awsize  = 3'(SIZE);
    assign m_axi_awburst = 2'b01;                  // INCR
    assign m_axi_awlock  = 1'b0;
    assign m_axi_awcache = 4'b0011;                // normal, non-cacheable, bufferable
    assign m_axi_awprot  = 3'b000;
    assign m_axi_awqos   = 4'b0000;

    // ------------------------------------------------------------------ data FIFO
    wire             df_empty, df_full;
    /* verilator lint_off UNUSEDSIGNAL */
    wire [U_W-1:0]   df_count;
    /* verilator lint_on UNUSEDSIGNAL */
    wire             push = din_valid && din_ready;
    wire             w_hs = m_axi_wvalid && m_axi_wready;
    assign din_ready = !df_full;
    snn_fifo #(.WIDTH(DATA_W), .DEPTH(DEPTH)) u_data (
        .clk(clk), .rst(rst), .push(push), .din(din_data), .pop(w_hs), .dout(m_axi_wdata),
        .empty(df_empty), .full(df_full), .count(df_count));

    // ------------------------------------------------------------------ W: the issued bursts' lengths, in order
    // (a burst's beats are all buffered when it is issued, so W can follow at once)
    wire             wl_empty;
    wire [7:0]       wl_head;         // AWLEN of the burst being sent
    reg  [7:0]       w_beat;          // its beats sent
    /* verilator lint_off UNUSEDSIGNAL */
    wire             wl_full;         // (never: at most MAX_OUTSTANDING bursts are issued and not answered)
    wire [B_W-1:0]   wl_count;
    /* verilator lint_on UNUSEDSIGNAL */
    snn_fifo #(.WIDTH(8), .DEPTH(NOUT)) u_wlen (
        .clk(clk), .rst(rst), .push(issue), .din(8'(blen - 1'b1)), .pop(w_hs && m_axi_wlast), .dout(wl_head),
        .empty(wl_empty), .full(wl_full), .count(wl_count));
    assign m_axi_wvalid = !wl_empty;
    assign m_axi_wlast  = (w_beat == wl_head);
    assign m_axi_wstrb  = {(DATA_W/8){1'b1}};

    // ------------------------------------------------------------------ B, counters
    wire b_hs = m_axi_bvalid && m_axi_bready;
    assign m_axi_bready = 1'b1;
    always @(posedge clk) begin
        if (rst) begin
            unclaimed <= {U_W{1'b0}}; b_pend <= {B_W{1'b0}}; w_beat <= 8'd0; err <= 1'b0;
        end else begin
            unclaimed <= unclaimed + U_W'(push) - (issue ? U_W'(blen) : {U_W{1'b0}});
            b_pend    <= b_pend + B_W'(issue) - B_W'(b_hs);
            if (w_hs) w_beat <= m_axi_wlast ? 8'd0 : w_beat + 8'd1;
            if (b_hs && m_axi_bresp != 2'b00) err <= 1'b1;
        end
    end
    assign idle = cq_empty && !active && df_empty && b_pend == {B_W{1'b0}};
endmodule
