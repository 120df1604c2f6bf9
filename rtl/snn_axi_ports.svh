// snn_axi_ports.svh: the AXI4 master (m_axi_*) and AXI4-Lite slave (s_axil_*) port lists of the frame engine's
// modules, and their pass-through connections, written once. Plain ports, not interfaces: cocotbext-axi finds the
// top's by prefix (AxiBus "m_axi", AxiLiteBus "s_axil"), Verilator and yosys see ordinary ports. Each macro is a
// comma-separated list without a trailing comma, for a port list or an instance's connections:
//   module m #(...) (input wire clk, ..., `SNN_M_AXI_RD_PORTS(ID_W, ADDR_W, DATA_W), ...);
//   sub #(...) u_sub (.clk(clk), ..., `SNN_M_AXI_RD_CONNECT);
// SNN_AXI_MASTER_PARAMS: the parameters of snn_axi_reader, snn_axi_writer and their snn_axi_burst: ADDR_W, DATA_W
// (32, 64, 128, 256 or 512), ID_W, LEN_W (command length bits), MAX_BURST (beats per burst: a power of two, 1..256),
// CMD_DEPTH (queued commands); SNN_AXI_MASTER_PASS passes them on. SNN_AXI_CMD_PORTS: clk, rst (synchronous, active
// high) and the command input (cmd_valid / cmd_ready, byte address cmd_addr, cmd_beats); SNN_AXI_CMD_CONNECT.
// SNN_AXI_BURST_BEATS(DW, MB): the longest burst of an AXI master (snn_axi_burst): MB beats (at least 1), at most
// one 4 KiB page of DW-bit beats (guarded, so that illegal parameters still elaborate as far as the checks).
`ifndef SNN_AXI_PORTS_SVH
`define SNN_AXI_PORTS_SVH
`define SNN_AXI_BURST_BEATS(DW, MB) \
    ((((MB) >= 1) ? (MB) : 1) < (4096 >> $clog2(((DW) >= 8) ? (DW) / 8 : 1)) ? \
     (((MB) >= 1) ? (MB) : 1) : (4096 >> $clog2(((DW) >= 8) ? (DW) / 8 : 1)))
`define SNN_AXI_MASTER_PARAMS \
    parameter integer ADDR_W    = 64, \
    parameter integer DATA_W    = 64, \
    parameter integer ID_W      = 1, \
    parameter integer LEN_W     = 24, \
    parameter integer MAX_BURST = 16, \
    parameter integer CMD_DEPTH = 4
`define SNN_AXI_MASTER_PASS \
    .ADDR_W(ADDR_W), .DATA_W(DATA_W), .ID_W(ID_W), .LEN_W(LEN_W), .MAX_BURST(MAX_BURST), .CMD_DEPTH(CMD_DEPTH)
`define SNN_AXI_CMD_PORTS \
    input  wire                clk, \
    input  wire                rst, \
    input  wire                cmd_valid, \
    output wire                cmd_ready, \
    input  wire [ADDR_W-1:0]   cmd_addr, \
    input  wire [LEN_W-1:0]    cmd_beats
`define SNN_AXI_CMD_CONNECT \
    .clk(clk), .rst(rst), .cmd_valid(cmd_valid), .cmd_ready(cmd_ready), .cmd_addr(cmd_addr), .cmd_beats(cmd_beats)
// AR and R: the read half of an AXI4 master
`define SNN_M_AXI_RD_PORTS(IW, AW, DW) \
    output wire [(IW)-1:0]     m_axi_arid, \
    output wire [(AW)-1:0]     m_axi_araddr, \
    output wire [7:0]          m_axi_arlen, \
    output wire [2:0]          m_axi_arsize, \
    output wire [1:0]          m_axi_arburst, \
    output wire                m_axi_arlock, \
    output wire [3:0]          m_axi_arcache, \
    output wire [2:0]          m_axi_arprot, \
    output wire [3:0]          m_axi_arqos, \
    output wire                m_axi_arvalid, \
    input  wire                m_axi_arready, \
    input  wire [(IW)-1:0]     m_axi_rid, \
    input  wire [(DW)-1:0]     m_axi_rdata, \
    input  wire [1:0]          m_axi_rresp, \
    input  wire                m_axi_rlast, \
    input  wire                m_axi_rvalid, \
    output wire                m_axi_rready
`define SNN_M_AXI_RD_CONNECT \
    .m_axi_arid(m_axi_arid), .m_axi_araddr(m_axi_araddr), .m_axi_arlen(m_axi_arlen), \
    .m_axi_arsize(m_axi_arsize), .m_axi_arburst(m_axi_arburst), .m_axi_arlock(m_axi_arlock), \
    .m_axi_arcache(m_axi_arcache), .m_axi_arprot(m_axi_arprot), .m_axi_arqos(m_axi_arqos), \
    .m_axi_arvalid(m_axi_arvalid), .m_axi_arready(m_axi_arready), .m_axi_rid(m_axi_rid), \
    .m_axi_rdata(m_axi_rdata), .m_axi_rresp(m_axi_rresp), .m_axi_rlast(m_axi_rlast), \
    .m_axi_rvalid(m_axi_rvalid), .m_axi_rready(m_axi_rready)
// AW, W and B: the write half
`define SNN_M_AXI_WR_PORTS(IW, AW, DW) \
    output wire [(IW)-1:0]     m_axi_awid, \
    output wire [(AW)-1:0]     m_axi_awaddr, \
    output wire [7:0]          m_axi_awlen, \
    output wire [2:0]          m_axi_awsize, \
    output wire [1:0]          m_axi_awburst, \
    output wire                m_axi_awlock, \
    output wire [3:0]          m_axi_awcache, \
    output wire [2:0]          m_axi_awprot, \
    output wire [3:0]          m_axi_awqos, \
    output wire                m_axi_awvalid, \
    input  wire                m_axi_awready, \
    output wire [(DW)-1:0]     m_axi_wdata, \
    output wire [(DW)/8-1:0]   m_axi_wstrb, \
    output wire                m_axi_wlast, \
    output wire                m_axi_wvalid, \
    input  wire                m_axi_wready, \
    input  wire [(IW)-1:0]     m_axi_bid, \
    input  wire [1:0]          m_axi_bresp, \
    input  wire                m_axi_bvalid, \
    output wire                m_axi_bready
`define SNN_M_AXI_WR_CONNECT \
    .m_axi_awid(m_axi_awid), .m_axi_awaddr(m_axi_awaddr), .m_axi_awlen(m_axi_awlen), \
    .m_axi_awsize(m_axi_awsize), .m_axi_awburst(m_axi_awburst), .m_axi_awlock(m_axi_awlock), \
    .m_axi_awcache(m_axi_awcache), .m_axi_awprot(m_axi_awprot), .m_axi_awqos(m_axi_awqos), \
    .m_axi_awvalid(m_axi_awvalid), .m_axi_awready(m_axi_awready), .m_axi_wdata(m_axi_wdata), \
    .m_axi_wstrb(m_axi_wstrb), .m_axi_wlast(m_axi_wlast), .m_axi_wvalid(m_axi_wvalid), \
    .m_axi_wready(m_axi_wready), .m_axi_bid(m_axi_bid), .m_axi_bresp(m_axi_bresp), \
    .m_axi_bvalid(m_axi_bvalid), .m_axi_bready(m_axi_bready)
// the AXI4-Lite slave (snn_ctrl_axil)
`define SNN_S_AXIL_PORTS(AW, DW) \
    input  wire [(AW)-1:0]     s_axil_awaddr, \
    input  wire                s_axil_awvalid, \
    output wire                s_axil_awready, \
    input  wire [(DW)-1:0]     s_axil_wdata, \
    input  wire [(DW)/8-1:0]   s_axil_wstrb, \
    input  wire                s_axil_wvalid, \
    output wire                s_axil_wready, \
    output wire [1:0]          s_axil_bresp, \
    output wire                s_axil_bvalid, \
    input  wire                s_axil_bready, \
    input  wire [(AW)-1:0]     s_axil_araddr, \
    input  wire                s_axil_arvalid, \
    output wire                s_axil_arready, \
    output wire [(DW)-1:0]     s_axil_rdata, \
    output wire [1:0]          s_axil_rresp, \
    output wire                s_axil_rvalid, \
    input  wire                s_axil_rready
`define SNN_S_AXIL_CONNECT \
    .s_axil_awaddr(s_axil_awaddr), .s_axil_awvalid(s_axil_awvalid), .s_axil_awready(s_axil_awready), \
    .s_axil_wdata(s_axil_wdata), .s_axil_wstrb(s_axil_wstrb), .s_axil_wvalid(s_axil_wvalid), \
    .s_axil_wready(s_axil_wready), .s_axil_bresp(s_axil_bresp), .s_axil_bvalid(s_axil_bvalid), \
    .s_axil_bready(s_axil_bready), .s_axil_araddr(s_axil_araddr), .s_axil_arvalid(s_axil_arvalid), \
    .s_axil_arready(s_axil_arready), .s_axil_rdata(s_axil_rdata), .s_axil_rresp(s_axil_rresp), \
    .s_axil_rvalid(s_axil_rvalid), .s_axil_rready(s_axil_rready)
`endif
