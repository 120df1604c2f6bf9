// Output layer (contract §3, §6): a 1x1 or 3x3 spiking conv (nnet::spiking_conv, bias at every step) whose
// current is accumulated over the T steps instead of driving a neuron: A_t = A_{t-1} + I_t, A_T is the network
// output (argmax over channels for segmentation, A_T / (T * 2^F) for denoising).
#ifndef NNET_OUTPUT_H_
#define NNET_OUTPUT_H_

#include "nnet_snn_common.h"
#include "nnet_spiking_conv.h"

namespace nnet {

// One time step of the accumulator: current_in H * W beats (raster order), accum [pixel][channel] the state
// across steps (membrane_t: §7 bounds |A_t| by T * Imax). first_step starts from 0 (no reset pass). probe gets
// A_t of every pixel (the golden `<layer>.accum` of this step); pass a no_probe in the deployable design.
template <class CONFIG, class PROBE>
void accumulate(hls::stream<typename layer_types<CONFIG>::current_beat_t> &current_in,
                typename CONFIG::membrane_t accum[CONFIG::height * CONFIG::width][CONFIG::out_channels],
                bool first_step, PROBE &probe) {
    static_assert(!CONFIG::has_neuron, "accumulate is the output layer's (no neuron)");
    typedef typename CONFIG::membrane_t accum_t;
    for (unsigned p = 0; p < CONFIG::height * CONFIG::width; p++) {
        #pragma HLS PIPELINE II=1
        const typename layer_types<CONFIG>::current_beat_t current = current_in.read();
        typename layer_types<CONFIG>::accum_beat_t seen;
        for (unsigned c = 0; c < CONFIG::out_channels; c++) {
            #pragma HLS UNROLL
            const accum_t a = (first_step ? accum_t(0) : accum[p][c]) + current[c];  // §6: A_t = A_{t-1} + I_t
            accum[p][c] = a;
            seen[c] = a;
        }
        probe.write(seen);
    }
}

// After the last step: A_T of every pixel, raster order, one beat per pixel (all channels).
template <class CONFIG>
void emit_accum(const typename CONFIG::membrane_t accum[CONFIG::height * CONFIG::width][CONFIG::out_channels],
                hls::stream<typename layer_types<CONFIG>::accum_beat_t> &accum_out) {
    for (unsigned p = 0; p < CONFIG::height * CONFIG::width; p++) {
        #pragma HLS PIPELINE II=1
        typename layer_types<CONFIG>::accum_beat_t beat;
        for (unsigned c = 0; c < CONFIG::out_channels; c++) {
            #pragma HLS UNROLL
            beat[c] = accum[p][c];
        }
        accum_out.write(beat);
    }
}

}  // namespace nnet

#endif  // NNET_OUTPUT_H_
