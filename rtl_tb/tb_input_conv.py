"""cocotb test module: input_conv vs the golden vectors (see tb_layers.py)."""
import cocotb

import tb_layers


@cocotb.test()
async def input_conv_matches_golden(dut):
    await tb_layers.input_conv(dut)
