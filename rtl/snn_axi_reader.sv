// snn_axi_reader: AXI4 read master that streams commands (byte address, beats) out of external memory
// (docs/axi_master.md). Commands wait in a CMD_DEPTH queue; each is split into INCR bursts of at most MAX_BURST beats
// that never cross a 4 KiB page (both in snn_axi_burst, which drives AR). A burst's AR goes out only when the data
// FIFO has room for all its beats (`credits`: free words not yet promised to a burst), so R is never stalled for long
// and up to MAX_OUTSTANDING bursts are in flight. A 1-bit FIFO per burst in flight says whether it ends its command:
// RLAST of such a burst is stored with the beat and comes out as dout_last. The low log2(DATA_W/8) address bits are
// ignored; a command of 0 beats is accepted and dropped. Synchronous active-high rst.
// halt (issue 23: a frame ended by an error): no further burst is issued (an AR already valid stays valid until
// accepted), and every R beat of the bursts in flight is accepted (RREADY high) and dropped; `inflight` says R
// beats are still owed. The owner resets the reader once AR is idle and nothing is in flight.
`include "snn_check.svh"
`include "snn_axi_ports.svh"
module snn_axi_reader #(
    `SNN_AXI_MASTER_PARAMS,                  // (snn_axi_ports.svh)
    parameter integer MAX_OUTSTANDING = 4,   // read bursts in flight
    parameter integer OUT_REG = 0            // registers behind the data FIFO (snn_fifo OUT_REG; 2: none of the
                                             // FIFO's RAM output reaches dout's consumer through logic)
) (
    `SNN_AXI_CMD_PORTS,
    output wire              dout_valid,
    input  wire              dout_ready,
    output wire [DATA_W-1:0] dout_data,
    output wire              dout_last,       // the last beat of a command
    output wire              busy,            // a command queued or being read, or data buffered
    output reg               err,             // sticky: an RRESP other than OKAY
    input  wire              halt,           // stop issuing, accept and drop every outstanding R beat
    output wire              inflight,        // bursts issued whose last R beat has not come
    `SNN_M_AXI_RD_PORTS(ID_W, ADDR_W, DATA_W)
);
    // (the parameters of the command queue and the burst split are checked in snn_axi_burst)
    `SNN_REQUIRE(g_check_max_outstanding, MAX_OUTSTANDING >= 1, "Error: MAX_OUTSTANDING must be >= 1 (instance %m)")
    localparam integer BURST  = `SNN_AXI_BURST_BEATS(DATA_W, MAX_BURST);   // the longest burst
    localparam integer NOUT   = (MAX_OUTSTANDING >= 1) ? MAX_OUTSTANDING : 1;
    localparam integer DEPTH  = NOUT * BURST;                    // data FIFO: every burst in flight fits
    localparam integer CR_W   = $clog2(DEPTH + 1);
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_rid = |m_axi_rid;     // one ID: responses come in order
    /* verilator lint_on UNUSEDSIGNAL */

    // ------------------------------------------------------------------ command queue, burst split, AR
    reg  [CR_W-1:0]  credits;         // data FIFO words not promised to a burst in flight
    /* verilator lint_off UNUSEDSIGNAL */
    wire [8:0]       blen;            // (the bits up to BURST are read)
    /* verilator lint_on UNUSEDSIGNAL */
    wire             issue, last_burst, pending, fl_full, fl_empty, fl_head;
    wire             room = credits >= CR_W'(blen) && !fl_full && !halt;
    snn_axi_burst #(`SNN_AXI_MASTER_PASS)
        u_burst (`SNN_AXI_CMD_CONNECT, .room(room), .issue(issue), .blen(blen), .last_burst(last_burst),
                 .pending(pending), .ax_id(m_axi_arid), .ax_addr(m_axi_araddr), .ax_len(m_axi_arlen),
                 .ax_size(m_axi_arsize), .ax_burst(m_axi_arburst), .ax_lock(m_axi_arlock), .ax_cache(m_axi_arcache),
                 .ax_prot(m_axi_arprot), .ax_qos(m_axi_arqos), .ax_valid(m_axi_arvalid), .ax_ready(m_axi_arready));

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
    assign m_axi_rready = !df_full || halt;     // (halt: the beats are dropped)
    snn_fifo #(.WIDTH(DATA_W + 1), .DEPTH(DEPTH), .OUT_REG(OUT_REG)) u_data (
        .clk(clk), .rst(rst), .push(r_hs && !halt), .din({m_axi_rlast && fl_head, m_axi_rdata}), .pop(pop), .dout(df_out),
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
    // (with OUT_REG > 0 a word can be inside the FIFO while its head is still empty)
    assign busy = pending || !fl_empty || ((OUT_REG == 0) ? !df_empty : (df_count != {CR_W{1'b0}}));
    assign inflight = !fl_empty;
endmodule
