// frame_fast_tb: a self-contained SystemVerilog bench of snn_frame_kernel for long frames (a whole 512x512 slice),
// built with `verilator --binary` (golden/backends/rtl/frame_fast.py, `golden sim --fast`). No Python runs while it
// simulates: cocotbext-axi's models cost tens of microseconds of Python every cycle, which makes a whole slice
// (hundreds of millions of cycles) take hours. Here the external memory is a behavioural AXI4 slave (one burst
// queued eight deep each way, a fixed read latency, one beat a cycle each way), the host a behavioural AXI4-Lite master that writes
// the six argument registers, enables the ap_done interrupt, starts the frame, waits for the interrupt and reads
// STATUS (0x58; `status=` on the FAST line, issue 23). The
// memory starts from MEM_FILE ($readmemh: the image, the weight buffer) and is dumped to DUMP_FILE ($writememh of
// words DUMP_FIRST .. DUMP_LAST: the output and scratch buffers) for the Python side to compare with the golden
// model. The cocotb bench (tb_frame_engine.py, random pauses on every channel) remains the protocol check.
`timescale 1ns/1ps
module frame_fast_tb #(
    parameter integer DATA_W     = 64,
    parameter integer MEM_WORDS  = 1024,
    parameter         MEM_FILE   = "mem.hex",
    parameter         DUMP_FILE  = "dump.hex",
    parameter integer DUMP_FIRST = 0,
    parameter integer DUMP_LAST  = 0,
    parameter [63:0]  A_IMAGE    = 64'h0,
    parameter [63:0]  A_OUTPUT   = 64'h0,
    parameter [63:0]  A_SCRATCH  = 64'h0,
    parameter [63:0]  A_WEIGHTS  = 64'h0,
    parameter integer HEIGHT     = 16,
    parameter integer WIDTH      = 16,
    parameter integer READ_LATENCY = 4,
    // the kernel's AXI ID width (ID_W + log2 N_ENG)
    parameter integer MID_W      = 1,
    parameter integer MAX_CYCLES = 2000000000
);
    localparam integer BB  = DATA_W / 8;
    localparam integer BBL = $clog2(BB);
    reg clk = 1'b0, rst = 1'b1;
    always #5 clk = ~clk;

    // ------------------------------------------------------------------ the kernel
    wire        interrupt, err;
    reg  [6:0]  awaddr, araddr;
    reg         awvalid, wvalid, bready, arvalid, rready;
    reg  [31:0] wdata;
    wire        awready, wready, bvalid, arready, rvalid;
    wire [1:0]  bresp, rresp;
    wire [31:0] rdata;
    wire [MID_W-1:0] m_arid, m_awid;
    reg  [MID_W-1:0] m_rid;
    wire [MID_W-1:0] m_bid;
    wire [63:0] m_araddr, m_awaddr;
    wire [7:0]  m_arlen, m_awlen;
    wire [2:0]  m_arsize, m_awsize, m_arprot, m_awprot;
    wire [1:0]  m_arburst, m_awburst;
    wire        m_arlock, m_awlock;
    wire [3:0]  m_arcache, m_awcache, m_arqos, m_awqos;
    wire        m_arvalid, m_awvalid, m_wvalid, m_wlast, m_rready, m_bready;
    wire        m_arready, m_awready, m_wready, m_bvalid;
    reg         m_rvalid, m_rlast;
    reg  [DATA_W-1:0] m_rdata;
    wire [DATA_W-1:0] m_wdata;
    wire [DATA_W/8-1:0] m_wstrb;

    snn_frame_kernel dut (
        .clk(clk), .rst(rst), .interrupt(interrupt), .err(err),
        .s_axil_awaddr(awaddr), .s_axil_awvalid(awvalid), .s_axil_awready(awready), .s_axil_wdata(wdata),
        .s_axil_wstrb(4'hf), .s_axil_wvalid(wvalid), .s_axil_wready(wready), .s_axil_bresp(bresp),
        .s_axil_bvalid(bvalid), .s_axil_bready(bready), .s_axil_araddr(araddr), .s_axil_arvalid(arvalid),
        .s_axil_arready(arready), .s_axil_rdata(rdata), .s_axil_rresp(rresp), .s_axil_rvalid(rvalid),
        .s_axil_rready(rready),
        .m_axi_arid(m_arid), .m_axi_araddr(m_araddr), .m_axi_arlen(m_arlen), .m_axi_arsize(m_arsize),
        .m_axi_arburst(m_arburst), .m_axi_arlock(m_arlock), .m_axi_arcache(m_arcache), .m_axi_arprot(m_arprot),
        .m_axi_arqos(m_arqos), .m_axi_arvalid(m_arvalid), .m_axi_arready(m_arready), .m_axi_rid(m_rid),
        .m_axi_rdata(m_rdata), .m_axi_rresp(2'b00), .m_axi_rlast(m_rlast), .m_axi_rvalid(m_rvalid),
        .m_axi_rready(m_rready),
        .m_axi_awid(m_awid), .m_axi_awaddr(m_awaddr), .m_axi_awlen(m_awlen), .m_axi_awsize(m_awsize),
        .m_axi_awburst(m_awburst), .m_axi_awlock(m_awlock), .m_axi_awcache(m_awcache), .m_axi_awprot(m_awprot),
        .m_axi_awqos(m_awqos), .m_axi_awvalid(m_awvalid), .m_axi_awready(m_awready), .m_axi_wdata(m_wdata),
        .m_axi_wstrb(m_wstrb), .m_axi_wlast(m_wlast), .m_axi_wvalid(m_wvalid), .m_axi_wready(m_wready),
        .m_axi_bid(m_bid), .m_axi_bresp(2'b00), .m_axi_bvalid(m_bvalid), .m_axi_bready(m_bready));

    // ------------------------------------------------------------------ external memory (behavioural)
    // Reads: up to QD bursts accepted ahead (a DDR controller's queue); a burst's first beat comes READ_LATENCY
    // cycles after its AR at the earliest, then a beat a cycle, bursts back to back, RID = its ARID. Writes: up to
    // QD AWs queued, W beats taken every cycle into the head burst, B (BID = its AWID) after its last beat.
    localparam integer QD = 8;
    reg [DATA_W-1:0] mem [0:MEM_WORDS-1];
    reg [63:0]   rq_addr [0:QD-1];
    reg [8:0]    rq_len  [0:QD-1];
    reg [MID_W-1:0] rq_id [0:QD-1];
    longint      rq_due  [0:QD-1];
    reg [63:0]   wq_addr [0:QD-1];
    reg [MID_W-1:0] wq_id [0:QD-1], bq_id [0:QD-1];
    integer      rq_n = 0, rq_h = 0, wq_n = 0, wq_h = 0, bq_n = 0, bq_h = 0;
    reg [63:0]   r_addr;
    reg [8:0]    r_left = 0;
    reg [MID_W-1:0] r_id;
    integer      bad_addr = 0;
    longint      now = 0, r_beats = 0, w_beats = 0;   // external traffic: beats read and written
    always @(posedge clk) now <= now + 1;
    assign m_arready = !rst && rq_n < QD;
    assign m_awready = !rst && wq_n < QD;
    assign m_wready  = !rst && wq_n > 0 && bq_n < QD;
    assign m_bvalid  = bq_n > 0;
    assign m_bid     = bq_id[bq_h];
    /* verilator lint_off BLKSEQ */
    always @(posedge clk) begin
        if (rst) begin
            m_rvalid <= 1'b0; rq_n = 0; rq_h = 0; wq_n = 0; wq_h = 0; bq_n = 0; bq_h = 0; r_left = 0;
        end else begin
            // R: the current burst's next beat, or the next queued burst once it is due
            if (m_rvalid && m_rready) m_rvalid <= 1'b0;
            if (!m_rvalid || m_rready) begin
                if (r_left == 0 && rq_n > 0 && now >= rq_due[rq_h]) begin
                    r_addr = rq_addr[rq_h]; r_left = rq_len[rq_h]; r_id = rq_id[rq_h];
                    rq_h = (rq_h + 1) % QD; rq_n = rq_n - 1;
                end
                if (r_left != 0) begin
                    if ((r_addr >> BBL) >= MEM_WORDS) bad_addr = bad_addr + 1;
                    m_rvalid <= 1'b1; m_rdata <= mem[r_addr >> BBL]; r_beats = r_beats + 1; m_rlast <= (r_left == 9'd1); m_rid <= r_id;
                    r_addr = r_addr + BB; r_left = r_left - 1'b1;
                end
            end
            if (m_arvalid && m_arready) begin
                rq_addr[(rq_h + rq_n) % QD] = m_araddr; rq_len[(rq_h + rq_n) % QD] = {1'b0, m_arlen} + 9'd1;
                rq_id[(rq_h + rq_n) % QD] = m_arid; rq_due[(rq_h + rq_n) % QD] = now + READ_LATENCY;
                rq_n = rq_n + 1;
            end
            // B, W, AW
            if (m_bvalid && m_bready) begin bq_h = (bq_h + 1) % QD; bq_n = bq_n - 1; end
            if (m_wvalid && m_wready) begin
                if ((wq_addr[wq_h] >> BBL) >= MEM_WORDS) bad_addr = bad_addr + 1;
                else mem[wq_addr[wq_h] >> BBL] <= m_wdata;
                w_beats = w_beats + 1;
                wq_addr[wq_h] = wq_addr[wq_h] + BB;
                if (m_wlast) begin
                    bq_id[(bq_h + bq_n) % QD] = wq_id[wq_h]; bq_n = bq_n + 1;
                    wq_h = (wq_h + 1) % QD; wq_n = wq_n - 1;
                end
            end
            if (m_awvalid && m_awready) begin
                wq_addr[(wq_h + wq_n) % QD] = m_awaddr; wq_id[(wq_h + wq_n) % QD] = m_awid; wq_n = wq_n + 1;
            end
        end
    end
    /* verilator lint_on BLKSEQ */

    // ------------------------------------------------------------------ host
    // the host drives and samples at the falling edge, where the block's outputs are stable: a handshake seen
    // there happens at the next rising edge
    task automatic axil_write(input [6:0] a, input [31:0] d);
        reg a_hs, w_hs;
        @(negedge clk); awaddr = a; wdata = d; awvalid = 1'b1; wvalid = 1'b1; bready = 1'b1;
        while (awvalid || wvalid) begin
            a_hs = awvalid && awready; w_hs = wvalid && wready;
            @(negedge clk);
            if (a_hs) awvalid = 1'b0;
            if (w_hs) wvalid = 1'b0;
        end
        while (!bvalid) @(negedge clk);
        @(negedge clk); bready = 1'b0;
    endtask
    task automatic axil_read(input [6:0] a, output [31:0] d);
        @(negedge clk); araddr = a; arvalid = 1'b1; rready = 1'b1;
        while (arvalid) begin
            if (arready) begin @(negedge clk); arvalid = 1'b0; end
            else @(negedge clk);
        end
        while (!rvalid) @(negedge clk);
        d = rdata;
        @(negedge clk); rready = 1'b0;
    endtask

    longint cycles = 0;
    reg [31:0] status;
    always @(posedge clk) cycles <= cycles + 1;
    longint start;
    initial begin
        awvalid = 1'b0; wvalid = 1'b0; bready = 1'b0; arvalid = 1'b0; rready = 1'b0; awaddr = 0; araddr = 0; wdata = 0;
        $readmemh(MEM_FILE, mem);
        repeat (8) @(posedge clk);
        rst = 1'b0;
        repeat (2) @(posedge clk);
        axil_write(7'h10, A_IMAGE[31:0]);   axil_write(7'h14, A_IMAGE[63:32]);
        axil_write(7'h1c, A_OUTPUT[31:0]);  axil_write(7'h20, A_OUTPUT[63:32]);
        axil_write(7'h28, A_SCRATCH[31:0]); axil_write(7'h2c, A_SCRATCH[63:32]);
        axil_write(7'h34, A_WEIGHTS[31:0]); axil_write(7'h38, A_WEIGHTS[63:32]);
        axil_write(7'h40, HEIGHT);          axil_write(7'h48, WIDTH);
        axil_write(7'h08, 32'h1);           axil_write(7'h04, 32'h1);      // IER ap_done, GIE
        start = cycles;
        axil_write(7'h00, 32'h1);                                          // ap_start
        while (!interrupt && cycles - start < MAX_CYCLES) @(posedge clk);
        start = cycles - start;
        status = 32'hffffffff;
        if (interrupt) axil_read(7'h58, status);                           // STATUS (issue 23)
        $display("FAST cycles=%0d interrupt=%0d err=%0d status=%0d bad_addr=%0d read_bytes=%0d written_bytes=%0d seq_state=%0d layer=%0d",
                 start, interrupt, err, status, bad_addr, r_beats * BB, w_beats * BB, dut.g_eng[0].u_engine.u_seq.state, dut.g_eng[0].u_engine.u_seq.li);
        $writememh(DUMP_FILE, mem, DUMP_FIRST, DUMP_LAST);
        $finish;
    end
endmodule
