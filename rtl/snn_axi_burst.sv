// snn_axi_burst: the address side of the AXI4 burst masters snn_axi_reader (AR) and snn_axi_writer (AW)
// (docs/axi_master.md). Commands (byte address, beats) wait in a CMD_DEPTH queue; each is split into INCR bursts of
// at most MAX_BURST beats that never cross a 4 KiB page. The master says when it can take the next burst (`room`,
// which may depend on that burst's length `blen`); `issue` is the cycle the burst goes into the address channel
// register, with `blen` and `last_burst` (it ends its command; both are registers, valid while a burst waits to be
// issued). The split is pipelined (issue 22, docs/axi_master.md "Pipelined split"): at most one burst every 2
// cycles, the first of a command 2 cycles after it leaves the queue. The low log2(DATA_W/8) address bits are
// ignored; a command of 0 beats is accepted and dropped. Synchronous active-high rst.
`include "snn_check.svh"
`include "snn_axi_ports.svh"
module snn_axi_burst #(
    `SNN_AXI_MASTER_PARAMS               // (snn_axi_ports.svh)
) (
    `SNN_AXI_CMD_PORTS,
    input  wire              room,            // the master can take the next burst (of blen beats)
    output wire              issue,           // the next burst goes out
    output wire [8:0]        blen,            // its beats, 1..256
    output wire              last_burst,      // it ends its command
    output wire              pending,         // a command queued or being split
    // the address channel (AR or AW)
    output wire [ID_W-1:0]   ax_id,
    output reg  [ADDR_W-1:0] ax_addr,
    output reg  [7:0]        ax_len,
    output wire [2:0]        ax_size,
    output wire [1:0]        ax_burst,
    output wire              ax_lock,
    output wire [3:0]        ax_cache,
    output wire [2:0]        ax_prot,
    output wire [3:0]        ax_qos,
    output reg               ax_valid,
    input  wire              ax_ready
);
    `SNN_REQUIRE(g_check_data_w, DATA_W == 32 || DATA_W == 64 || DATA_W == 128 || DATA_W == 256 || DATA_W == 512,
                 "Error: DATA_W must be one of 32/64/128/256/512 (instance %m)")
    `SNN_REQUIRE(g_check_max_burst, MAX_BURST >= 1 && MAX_BURST <= 256 && (MAX_BURST & (MAX_BURST - 1)) == 0,
                 "Error: MAX_BURST must be a power of two in 1..256 (instance %m)")
    `SNN_REQUIRE(g_check_len_w, LEN_W >= 1, "Error: LEN_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_addr_w, ADDR_W >= 12 && ADDR_W <= 64, "Error: ADDR_W must be in 12..64 (instance %m)")
    `SNN_REQUIRE(g_check_id_w, ID_W >= 1, "Error: ID_W must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_cmd_depth, CMD_DEPTH >= 1, "Error: CMD_DEPTH must be >= 1 (instance %m)")

    // (guarded so that illegal parameters still elaborate as far as the checks)
    localparam integer BYTES  = (DATA_W >= 8) ? DATA_W / 8 : 1;
    localparam integer SIZE   = $clog2(BYTES);                   // AxSIZE
    localparam integer PG_W   = 12 - SIZE;                       // beat index bits within a 4 KiB page
    localparam integer PAGE   = 1 << PG_W;                       // beats per page
    localparam integer BURST  = `SNN_AXI_BURST_BEATS(DATA_W, MAX_BURST);   // the longest burst that fits a page
    localparam integer CQ_W   = ADDR_W + LEN_W;
    // clears the low SIZE address bits (written as a concatenation: yosys 0.23 misreads `~ADDR_W'(BYTES - 1)`, a
    // unary operator before a sized cast, as ~ADDR_W'(BYTES) - 1; rtl/formal's harness notes it)
    localparam [ADDR_W-1:0] ALIGN = {{(ADDR_W - SIZE){1'b1}}, {SIZE{1'b0}}};

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
    // Pipelined (issue 22: every path register to register short at 125 MHz on ECP5): a command is loaded in one
    // cycle (`active`), with the beats left to its page end (`to_pg`, counted down from then on instead of being
    // recomputed from the 64-bit address); the next burst's length and whether it is the command's last burst are
    // computed in the following cycle into registers (`calc`); the burst is issued from those registers, which are
    // then recomputed: at most one burst every 2 cycles, one cycle more before a command's first burst.
    reg              active;          // a command is being split
    reg              calc;            // blen_r, last_r and pg_end_r hold the next burst
    reg [ADDR_W-1:0] cur_addr;        // its next burst's address
    reg [LEN_W-1:0]  remaining;       // and beats left
    reg [PG_W:0]     to_pg;           // beats from cur_addr to the end of its 4 KiB page, 1..PAGE
    reg [8:0]        blen_r;          // the next burst's beats
    reg              last_r;          // it ends the command
    reg              pg_end_r;        // it ends at the page end
    /* verilator lint_off UNUSEDSIGNAL */
    wire [11:0]      page_off = 12'(cq_out[ADDR_W-1:0]);
    /* verilator lint_on UNUSEDSIGNAL */
    // cap = min(to_pg, BURST), remaining <= cap: compares with a constant (no carry chain), and a remaining count
    // of 512 or more is never the burst's length
    wire             pg_short = (to_pg <= (PG_W + 1)'(BURST));     // the page end limits the burst
    wire [8:0]       cap      = pg_short ? 9'(to_pg) : 9'(BURST);
    wire             rem_big  = (remaining >> 9) != {LEN_W{1'b0}};
    wire             rem_le   = !rem_big && 9'(remaining) <= cap;      // the command ends with this burst
    assign blen       = blen_r;
    assign last_burst = last_r;
    assign issue      = active && calc && (!ax_valid || ax_ready) && room;
    assign cq_pop     = !cq_empty && !active;
    assign pending    = !cq_empty || active;

    always @(posedge clk) begin
        if (rst) begin
            active <= 1'b0; calc <= 1'b0; cur_addr <= {ADDR_W{1'b0}}; remaining <= {LEN_W{1'b0}};
            to_pg <= {(PG_W + 1){1'b0}}; blen_r <= 9'd0; last_r <= 1'b0; pg_end_r <= 1'b0;
            ax_valid <= 1'b0; ax_addr <= {ADDR_W{1'b0}}; ax_len <= 8'd0;
        end else begin
            if (issue) begin
                ax_valid <= 1'b1;
                ax_addr  <= cur_addr;
                ax_len   <= 8'(blen_r - 1'b1);
            end else if (ax_ready) begin
                ax_valid <= 1'b0;
            end
            if (cq_pop) begin
                active    <= 1'b1;
                calc      <= 1'b0;
                cur_addr  <= cq_out[ADDR_W-1:0] & ALIGN;
                remaining <= cq_out[CQ_W-1:ADDR_W];
                to_pg     <= (PG_W + 1)'(PAGE) - (PG_W + 1)'(page_off[11:SIZE]);
            end else if (issue) begin
                active    <= !last_r;
                calc      <= 1'b0;
                cur_addr  <= cur_addr + (ADDR_W'(blen_r) << SIZE);
                remaining <= remaining - LEN_W'(blen_r);
                to_pg     <= pg_end_r ? (PG_W + 1)'(PAGE) : to_pg - (PG_W + 1)'(blen_r);
            end else if (active && !calc) begin
                calc      <= 1'b1;
                blen_r    <= rem_le ? 9'(remaining) : cap;
                last_r    <= rem_le;
                pg_end_r  <= pg_short;         // (only read when the burst does not end the command)
            end
        end
    end
    assign ax_id    = {ID_W{1'b0}};
    assign ax_size  = 3'(SIZE);
    assign ax_burst = 2'b01;                  // INCR
    assign ax_lock  = 1'b0;
    assign ax_cache = 4'b0011;                // normal, non-cacheable, bufferable
    assign ax_prot  = 3'b000;
    assign ax_qos   = 4'b0000;
endmodule
