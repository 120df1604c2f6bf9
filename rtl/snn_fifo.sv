// snn_fifo: a small first-word-fall-through FIFO (register array, combinational read of the head).
//
// The frame engine uses it for the event FIFO between the scanner and the scatter, the chunk FIFO in front of the
// packer, and the AXI masters for their command, data and burst FIFOs. Consumers look at the head word and pop it
// in the same cycle (FWFT); producers that have words already in flight use the fill level, not just `full`, to
// keep headroom (snn_frame_engine, snn_axi_reader). A pushed word is
// visible at `dout` the cycle after the push. A push into a full FIFO (unless it pops in the same cycle) and a pop
// of an empty one are ignored. Widths follow from DEPTH: pointers $clog2(DEPTH), count $clog2(DEPTH + 1).
// OUT_REG = 1 puts a register behind the array: the head word and `empty` are registers (the array's read drives
// nothing but that register, which a consumer that computes on the head needs for timing), a pushed word reaches
// `dout` a cycle later, and `count` still counts every word (the array's and the head's).
// OUT_REG = 2 is for a FIFO in block RAM whose consumer's pop is a long path: the array's read register (the RAM's
// own output), a fabric register right behind it, then a two-word fabric queue whose head is `dout`; a word moves
// on by registered room only, so neither the RAM's output (4.3 ns clock-to-output on an ECP5) nor the consumer's
// pop reaches the RAM's read enable or any logic before a register. A pushed word reaches `dout` four cycles
// later than with OUT_REG = 0; one word a cycle still.
`include "snn_check.svh"
module snn_fifo #(
    parameter integer WIDTH = 8,
    parameter integer DEPTH = 4,
    parameter integer OUT_REG = 0
) (
    input  wire                       clk,
    input  wire                       rst,      // synchronous, active high: empties the FIFO
    input  wire                       push,
    input  wire [WIDTH-1:0]           din,
    input  wire                       pop,
    output wire [WIDTH-1:0]           dout,     // the head word, valid while !empty
    output wire                       empty,
    output wire                       full,
    output reg  [CNT_W-1:0]           count     // words stored
);
    `SNN_REQUIRE(g_check_width, WIDTH >= 1, "Error: WIDTH must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_depth, DEPTH >= 1, "Error: DEPTH must be >= 1 (instance %m)")
    `SNN_REQUIRE(g_check_out_reg, OUT_REG >= 0 && OUT_REG <= 2, "Error: OUT_REG must be 0, 1 or 2 (instance %m)")

    localparam integer AW    = (DEPTH > 1) ? $clog2(DEPTH) : 1;
    localparam integer CNT_W = (DEPTH > 0) ? $clog2(DEPTH + 1) : 1;   // (guarded: DEPTH = 0 reaches the check)
    localparam [AW-1:0]    PTR_LAST = AW'(DEPTH - 1);

    reg  [WIDTH-1:0] mem [0:DEPTH-1];
    reg  [AW-1:0]    wp, rp;
    wire             do_pop  = pop && !empty;
    wire             do_push = push && (!full || do_pop);
    wire             rd_adv;               // the array's head is read out (OUT_REG = 0: popped)
    assign full  = (count == CNT_W'(DEPTH));

    // pointers wrap at DEPTH, which need not be a power of two
    function automatic [AW-1:0] next_ptr(input [AW-1:0] ptr);
        next_ptr = (ptr == PTR_LAST) ? {AW{1'b0}} : ptr + 1'b1;
    endfunction

    always @(posedge clk) begin
        if (rst) begin
            wp <= {AW{1'b0}}; rp <= {AW{1'b0}}; count <= {CNT_W{1'b0}};
        end else begin
            if (do_push) begin
                mem[wp] <= din;
                wp <= next_ptr(wp);
            end
            if (rd_adv) rp <= next_ptr(rp);
            count <= count + CNT_W'(do_push) - CNT_W'(do_pop);
        end
    end

    generate
        if (OUT_REG == 0) begin : g_fwft
            assign empty  = (count == {CNT_W{1'b0}});
            assign dout   = mem[rp];
            assign rd_adv = do_pop;
        end else if (OUT_REG == 1) begin : g_out_reg
            // the array holds count - hv words; the head register is refilled when it is empty or popped
            reg              hv;
            reg [WIDTH-1:0]  hd;
            reg [CNT_W-1:0]  acount;               // words in the array
            assign rd_adv = (!hv || do_pop) && acount != {CNT_W{1'b0}};
            assign empty  = !hv;
            assign dout   = hd;
            always @(posedge clk) begin
                if (rst) begin
                    hv <= 1'b0; acount <= {CNT_W{1'b0}};
                end else begin
                    if (rd_adv) hd <= mem[rp];
                    if (rd_adv) hv <= 1'b1;
                    else if (do_pop) hv <= 1'b0;
                    acount <= acount + CNT_W'(do_push) - CNT_W'(rd_adv);
                end
            end
        end else begin : g_out_reg2
            // rd: the array's read register (in a block RAM, the RAM's own output); r2: a fabric register right
            // behind it; f0 (the head), f1: a two-word fabric queue. A word moves on when the next place is free by
            // its registers alone (f: fewer than two words a cycle ago), so the RAM's read enable and the two
            // registers' enables depend only on registers; the consumer's pop reaches only the queue
            reg              rv, r2v;
            reg [WIDTH-1:0]  rd, r2, f0, f1;
            reg [1:0]        fc;                   // words in f0, f1
            reg [CNT_W-1:0]  acount;               // words in the array
            wire             r2_to_f = r2v && fc != 2'd2;
            wire             rd_to_r2 = rv && (!r2v || r2_to_f);
            assign rd_adv = (!rv || rd_to_r2) && acount != {CNT_W{1'b0}};
            assign empty  = (fc == 2'd0);
            assign dout   = f0;
            always @(posedge clk) begin
                if (rst) begin
                    rv <= 1'b0; r2v <= 1'b0; fc <= 2'd0; acount <= {CNT_W{1'b0}};
                end else begin
                    if (rd_adv) rd <= mem[rp];
                    if (rd_adv) rv <= 1'b1;
                    else if (rd_to_r2) rv <= 1'b0;
                    if (rd_to_r2) begin r2 <= rd; r2v <= 1'b1; end
                    else if (r2_to_f) r2v <= 1'b0;
                    // the queue: in from r2, out to the consumer (a pop needs a word, an input needs a place)
                    // (in and out together: one word there, f0; in alone: to the first free place; out alone: f1 on)
                    if (r2_to_f && do_pop) f0 <= r2;
                    else if (r2_to_f) begin if (fc == 2'd0) f0 <= r2; else f1 <= r2; end
                    else if (do_pop) f0 <= f1;
                    fc <= fc + 2'(r2_to_f) - 2'(do_pop);
                    acount <= acount + CNT_W'(do_push) - CNT_W'(rd_adv);
                end
            end
        end
    endgenerate
endmodule
