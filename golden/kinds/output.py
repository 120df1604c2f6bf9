"""output: the head conv (1x1 or 3x3 of spike words) without a neuron; it accumulates A_t over T (contract §6)."""
from __future__ import annotations

from golden.kinds.spiking_conv import SpikingConv


class Output(SpikingConv):
    name = "output"
    role = "output conv, accumulates over T (no neuron)"
    code = 4
    rtl_name = "KIND_OUTPUT"
    hls_header = "nnet_output.h"
    float_op = "head"
    frame_one_pass = True
    has_neuron = False
    max_sources = 1
    kernels = (1, 3)


KIND = Output()
