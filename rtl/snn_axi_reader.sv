// snn_axi_reader: AXI4 read master that streams commands (byte address, beats) out of external memory
// (docs/axi_master.md). Commands wait in a CMD_DEPTH queue; each is split into INCR bursts of at most MAX_BURST beats
// that never cross a 4 KiB page. A burst's AR goes out only when the data FIFO has room for all its beats
// (`credits`: free words not yet promised to a burst), so R is never stalled for long and up to MAX_OUTSTANDING
// bursts are in flight. A 1-bit FIFO per burst in flight says whether it ends its command: RLAST of such a burst
// is stored with the beat and comes out as dout_last. The low log2(DATA_W/8) address bits are ignored; a command
// of 0 beats is accepted and dropped. Synchronous active-high rst.
`include "snn_check.svh"
module snn_axi_reader #(
    parameter integer ADDR_W          = 64,
    parameter integer DATA_W          = 64,    // 32, 64, 128, 256 or 512
    parameter integer ID_W            = 1,
    parameter integer LEN_W           = 24,    // command length bits
    parameter integer MAX_BURST       = 16,    // beats per burst: a power of two, 1..256
    parameter integer MAX_OUTSTANDING = 4,     // read bursts in flight
    parameter integer CMD_DEPTH       = 4      // queued commands
) (
    input  wire              clk,
    input  wire              rst,
    input  wire              cmd_valid,
    output wire              cmd_ready,
    input  wire [ADDR_W-1:0] cmd_addr,
    input  wire [LEN_W-1:0]  cmd_beats,
    output wire              dout_valid,
    input  wire              dout_ready,
    output wire [DATA_W-1:0] dout_data,
    output wire              dout_last,       // the last beat of a command
    output wire              busy,            // a command queued or being read, or data buffered
    output reg               err,             // sticky: an RRESP other than OKAY
    output wire [ID_W-1:0]   m_axi_arid,
    output reg  [ADDR_W-1:0] m_axi_araddr,
    output reg  [7:0]        m_axi_arlen,
    output wire [2:0]        m_axi_arsize,
    output wire [1:0]        m_axi_arburst,
    output wire              m_axi_arlock,
    output wire [3:0]        m_axi_arcache,
    output wire [2:0]        m_axi_arprot,
    output wire [3:0]        m_axi_arqos,
    output reg               m_axi_arvalid,
    input  wire              m_axi_arready,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [ID_W-1:0]   m_axi_rid,       // one ID: responses come in order
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire [DATA_W-1:0] m_axi_rdata,
    input  wire [1:0]        m_axi_rresp,
    input  wire              m_axi_rlast,
    input  wire              m_axi_rvalid,
    output wire              m_axi_rready
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
    localparam integer SIZE   = $clog2(BYTES);                   // ARSIZE
    localparam integer PG_W   = 12 - SIZE;                       // beat index bits within a 4 KiB page
    localparam integer PAGE   = 1 << PG_W;                       // beats per page
    localparam integer MB     = (MAX_BURST >= 1) ? MAX_BURST : 1;
    localparam integer BURST  = (MB < PAGE) ? MB : PAGE;         // the longest burst that fits a page
    localparam integer BL_W   = $clog2(BURST) + 1;               // burst length 1..BURST
    localparam integer CW     = (LEN_W > PG_W + 1) ? LEN_W : PG_W + 1;   // width of the length compares
    localparam integer NOUT   = (MAX_OUTSTANDING >= 1) ? MAX_OUTSTANDING : 1;
    localparam integer DEPTH  = NOUT * BURST;                    // data FIFO: every burst in flight fits
    localparam integer CR_W   = $clog2(DEPTH + 1);
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
    reg [CR_W-1:0]   credits;         // data FIFO words not promised to a burst in flight
    /* verilator lint_off UNUSEDSIGNAL */
    wire [11:0]      page_off = 12'(cur_addr);
    /* verilator lint_on UNUSEDSIGNAL */
    wire [CW-1:0]    to_page  = CW'(PAGE) - CW'(page_off[11:SIZE]);
    wire [CW-1:0]    cap      = (to_page < CW'(BURST)) ? to_page : CW'(BURST);
    wire [CW-1:0]    blen_c   = (CW'(remaining) < cap) ? CW'(remaining) : cap;
    wire [BL_W-1:0]  blen     = BL_W'(blen_c);
    wire             last_burst = (CW'(remaining) == blen_c);
    wire             fl_full, fl_empty, fl_head;
    wire             issue = active && (!m_axi_arvalid || m_axi_arready) && credits >= CR_W'(blen) && !fl_full;
    assign cq_pop = !cq_empty && (!active || (issue && last_burst));

    always @(posedge clk) begin
        if (rst) begin
            active <= 1'b0; cur_addr <= {ADDR_W{1'b0}}; remaining <= {LEN_W{1'b0}};
            m_axi_arvalid <= 1'b0; m_axi_araddr <= {ADDR_W{1'b0}}; m_axi_arlen <= 8'd0;
        end else begin
            if (issue) begin
                m_axi_arvalid <= 1'b1;
                m_axi_araddr  <= cur_addr;
                m_axi_arlen   <= 8'(blen - 1'b1);
            end else if (m_axi_arready) begin
                m_axi_arvalid <= 1'b0;
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
    assign m_axi_arid    = {ID_W{1'b0}};
    assign m_axi_arsize  = 3'(SIZE);
    assign m_axi_arburst = 2'b01;                  // INCR
    assign m_axi_arlock  = 1'b0;
    assign m_axi_arcache = 4'b0011;                // normal, non-cacheable, bufferable
    assign m_axi_arprot  = 3'b000;
    assign m_axi_arqos   = 4'b0000;

    // ------------------------------------------------------------------ bursts in flight: does each end its command?
    wire r_hs = m_axi_rvalid && m_axi_rready;
    /* verilator lint_off UNUSEDSIGNAL */
    wire [$clog2(NOUT + 1)-1:0] fl_count;
    /* verilator lint_on UNUSEDSIGNAL */
    snn_fifo #(.WIDTH(1), .DEPTH(NOUT)) u_last (
        .clk(clk), .rst(rst), .push(issue), .din(last_burst), .pop(r_hs && m_axi_rlast), .dout(fl_head),
        .empty(fl_empty), .full(fl_full), .count(fl_count));

    // ------------------------------------------------------------------ data FIFO (room reserved by the credits)
    wire             df_empty, df_full;
    wire [DATA_W:0]  df_out;
    /* verilator lint_off UNUSEDSIGNAL */
    wire [CR_W-1:0]  df_count;
    /* verilator lint_on UNUSEDSIGNAL */
    wire             pop = dout_valid && dout_ready;
    assign m_axi_rready = !df_full;
    snn_fifo #(.WIDTH(DATA_W + 1), .DEPTH(DEPTH)) u_data (
        .clk(clk), .rst(rst), .push(r_hs), .din({m_axi_rlast && fl_head, m_axi_rdata}), .pop(pop), .dout(df_out),
        .empty(df_empty), .full(df_full), .count(df_count));
    assign dout_valid = !df_empty;
    assign dout_data  = df_out[DATA_W-1:0];
    assign dout_last  = df_out[DATA_W];

    always @(posedge clk) begin
        if (rst) begin
            credits <= CR_W'(DEPTH);
            err     <= 1'b0;
        end else begin
            credits <= credits - (issue ? CR_W'(blen) : {CR_W{1'b0}}) + CR_W'(pop);
            if (r_hs && m_axi_rresp != 2'b00) err <= 1'b1;
        end
    end
    assign busy = !cq_empty || active || !fl_empty || !df_empty;
endmodule
