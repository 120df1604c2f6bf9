"""cocotb test module: slice_top vs the golden vectors (see tb_layers.py)."""
import cocotb

import tb_layers


@cocotb.test()
async def slice_top_matches_golden(dut):
    await tb_layers.slice_top(dut)
