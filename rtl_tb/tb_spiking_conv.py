"""cocotb test module: spiking_conv vs the golden vectors (see tb_layers.py)."""
import cocotb

import tb_layers


@cocotb.test()
async def spiking_conv_matches_golden(dut):
    await tb_layers.spiking_conv(dut)
