// timing_mulchain: a known long path for rtl_tb/test_timing.py. y = a * b * c * d (W bits, wrapping) between
// registers: PIPE = 0 chains the three multipliers in one cycle, PIPE = 1 registers each product (c and d are
// delayed to match), so its Fmax must be higher and its longest path shorter.
module timing_mulchain #(
    parameter integer W    = 16,
    parameter integer PIPE = 0
) (
    input  wire         clk,
    input  wire [W-1:0] a, b, c, d,
    output reg  [W-1:0] y
);
    reg  [W-1:0] ra, rb, rc, rd, rc1, rd1, rd2, p1q, p2q;
    wire [W-1:0] p1 = ra * rb;
    wire [W-1:0] p2 = (PIPE != 0 ? p1q : p1) * (PIPE != 0 ? rc1 : rc);
    wire [W-1:0] p3 = (PIPE != 0 ? p2q : p2) * (PIPE != 0 ? rd2 : rd);

    always @(posedge clk) begin
        ra <= a; rb <= b; rc <= c; rd <= d;
        rc1 <= rc; rd1 <= rd; rd2 <= rd1;
        p1q <= p1; p2q <= p2;
        y <= p3;
    end
endmodule
