// snn_check.svh: SNN_REQUIRE(label, condition, message), the elaboration-time parameter check of every module.
//
// Under Verilator and yosys this is a generate-if with $error, run while they elaborate, so an illegal parameter
// stops the build (or the lint) with the message, which names the parameter. Icarus 11 has no elaboration system
// tasks, so there the same check runs at time 0 (verilog-axis style: $error, then $finish). Module-item level:
//   `SNN_REQUIRE(g_check_p, P >= 1, "Error: P must be >= 1 (instance %m)")
`ifndef SNN_CHECK_SVH
`define SNN_CHECK_SVH
`ifdef __ICARUS__
`define SNN_REQUIRE(LABEL, COND, MSG) initial begin : LABEL if (!(COND)) begin $error(MSG); $finish; end end
`else
`define SNN_REQUIRE(LABEL, COND, MSG) if (!(COND)) begin : LABEL $error(MSG); end
`endif
// SNN_FIELD(i): field i of the frame engine's current layer descriptor `desc` (DESC_FW bits each, snn_frame_pkg.svh).
// A macro, not a function: Icarus 11 evaluates a continuous assignment through a function only when the function's
// arguments change, not when a signal its body reads (desc) does.
`define SNN_FIELD(I) desc[DESC_FW*(I) +: DESC_FW]
`endif
