// snn_axi_writer: AXI4 write master that streams din beats to external memory by commands (byte address, beats)
// (docs/axi_master.md). Commands wait in a CMD_DEPTH queue; each is split into INCR bursts of at most MAX_BURST beats
// that never cross a 4 KiB page (both in snn_axi_burst, which drives AW). The beats go into a data FIFO of 2 bursts;
// a burst's AW goes out only once all its beats are there (`unclaimed`: buffered beats not yet given to a burst), so
// W never waits for din mid-burst, and only while fewer than MAX_OUTSTANDING bursts wait for their B. A FIFO of burst
// lengths places WLAST. WSTRB is all ones; the low log2(DATA_W/8) address bits are ignored; a command of 0 beats is
// accepted and dropped. idle: nothing queued or buffered and every B received. Synchronous active-high rst.
// halt (issue 23: a frame ended by an error): no further burst is issued (an AW already valid stays valid until
// accepted); the W beats of every burst already issued still go out (they are buffered) and every B is accepted;
// `inflight` says W beats or B responses are still owed. The owner resets the writer once AW is idle and nothing
// is in flight.
`include "snn_check.svh"
`include "snn_axi_ports.svh"
module snn_axi_writer #(
    `SNN_AXI_MASTER_PARAMS,                  // (snn_axi_ports.svh)
    parameter integer MAX_OUTSTANDING = 4    // bursts waiting for B
) (
    `SNN_AXI_CMD_PORTS,
    input  wire                din_valid,
    output wire                din_ready,
    input  wire [DATA_W-1:0]   din_data,
    output wire                idle,
    output reg                 err,             // sticky: a BRESP other than OKAY
    input  wire                halt,           // stop issuing; finish the promised W beats, accept every B
    output wire                inflight,        // W beats or B responses owed for bursts issued
    `SNN_M_AXI_WR_PORTS(ID_W, ADDR_W, DATA_W)
);
    // (the parameters of the command queue and the burst split are checked in snn_axi_burst)
    `SNN_REQUIRE(g_check_max_outstanding, MAX_OUTSTANDING >= 1, "Error: MAX_OUTSTANDING must be >= 1 (instance %m)")
    localparam integer BURST  = `SNN_AXI_BURST_BEATS(DATA_W, MAX_BURST);   // the longest burst
    localparam integer NOUT   = (MAX_OUTSTANDING >= 1) ? MAX_OUTSTANDING : 1;
    localparam integer DEPTH  = 2 * BURST;                       // data FIFO: one burst sent while the next fills
    localparam integer U_W    = $clog2(DEPTH + 1);
    localparam integer B_W    = $clog2(NOUT + 1);
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_bid = |m_axi_bid;     // one ID: responses come in order
    /* verilator lint_on UNUSEDSIGNAL */

    // ------------------------------------------------------------------ command queue, burst split, AW
    reg  [U_W-1:0]   unclaimed;       // buffered beats not yet given to a burst
    reg  [B_W-1:0]   b_pend;          // bursts issued whose B has not come
    wire             issue, pending;
    /* verilator lint_off UNUSEDSIGNAL */
    wire [8:0]       blen;            // (the bits up to BURST are read)
    wire             last_burst;      // (W ends a burst by its AWLEN)
    /* verilator lint_on UNUSEDSIGNAL */
    wire             room = unclaimed >= U_W'(blen) && b_pend != B_W'(NOUT) && !halt;
    snn_axi_burst #(`SNN_AXI_MASTER_PASS)
        u_burst (`SNN_AXI_CMD_CONNECT, .room(room), .issue(issue), .blen(blen), .last_burst(last_burst),
                 .pending(pending), .ax_id(m_axi_awid), .ax_addr(m_axi_awaddr), .ax_len(m_axi_awlen),
                 .ax_size(m_axi_awsize), .ax_burst(m_axi_awburst), .ax_lock(m_axi_awlock), .ax_cache(m_axi_awcache),
                 .ax_prot(m_axi_awprot), .ax_qos(m_axi_awqos), .ax_valid(m_axi_awvalid), .ax_ready(m_axi_awready));

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
    assign idle = !pending && df_empty && b_pend == {B_W{1'b0}};
    assign inflight = !wl_empty || b_pend != {B_W{1'b0}};
endmodule
