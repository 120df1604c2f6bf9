// Output layer (contract §3, §6): a 1x1 or 3x3 spiking conv (nnet_spiking_conv.h, bias at every step) whose
// current is accumulated over the T steps instead of driving a neuron: A_t = A_{t-1} + I_t, A_T is the network
// output (argmax over channels for segmentation, A_T / (T * 2^F) for denoising).
#ifndef NNET_OUTPUT_H_
#define NNET_OUTPUT_H_

#include "nnet_snn_common.h"
#include "nnet_spiking_conv.h"

namespace nnet {

// One time step of one pixel's accumulators a[o] (membrane_t: §7 bounds |A_t| by T * Imax) of one lane group
// (channels o = group * LANES + l, current[l]); first: t = 0, the accumulators start from 0 (no reset pass).
template <class CONFIG, unsigned LANES>
void accumulate_pixel(typename CONFIG::membrane_t a[CONFIG::out_channels], unsigned group, bool first,
                      const typename lane_group<CONFIG, LANES>::current_t &current) {
    #pragma HLS INLINE
    static_assert(!CONFIG::has_neuron, "accumulate is the output layer's (no neuron)");
    for (unsigned l = 0; l < LANES; l++) {
        #pragma HLS UNROLL
        const unsigned o = group * LANES + l;
        if (o < CONFIG::out_channels) {
            a[o] = (first ? typename CONFIG::membrane_t(0) : a[o]) + current[l];  // §6: A_t = A_{t-1} + I_t
        }
    }
}

}  // namespace nnet

#endif  // NNET_OUTPUT_H_
