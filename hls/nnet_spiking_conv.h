// Spiking convolution (contract §3): shift-and-add, no multiplier. A spike of threshold i stands for 2^e_i and
// adds the weight shifted left by spike_shift[i] = e_i - e_min; the spike bit only gates the add.
// 3x3 (padding 1) for the hidden layers, 1x1 or 3x3 for the output layer (nnet_output.h accumulates its current).
// The frame top's nnet::frame::conv_layer moves the rows and slides the window; this header is the arithmetic.
#ifndef NNET_SPIKING_CONV_H_
#define NNET_SPIKING_CONV_H_

#include "nnet_snn_common.h"

namespace nnet {

// Tap k = ky * KS + kx of output channel o: spike_tap of window[ky][kx] (input pixel (y + ky - KS/2,
// x + kx - KS/2), 0 outside the image) with w[o][ky][kx][.].
template <class CONFIG, unsigned KS, class beat_T> struct spike_conv_taps {
    static const unsigned taps = KS * KS;
    const beat_T (*window)[KS];  // the caller's [KS][KS] window (array parameters decay to pointers)
    const typename CONFIG::weight_rom_t (*weights)[KS][KS][CONFIG::in_channels];
    typename CONFIG::acc_t add(unsigned o, unsigned k) const {
        #pragma HLS INLINE
        return spike_tap<CONFIG>(window[k / KS][k % KS], weights[o][k / KS][k % KS]);
    }
};

// Current of one output pixel from a KS x KS window of spike beats (one K-bit word per input channel, §5; a
// concat of two sources is one wider beat, nnet_concat.h):
// I[o] = b[o] + sum_{ky,kx,c,i} s_i[c] * (w[o][ky][kx][c] << spike_shift[i]). The bias is added at every step.
// One lane group: the LANES channels o = group * LANES + l (nnet_snn_common.h lane_group; current[l]).
// acc_t holds every partial sum (§7: |b| + M * sum |w|, M = sum_i 2^spike_shift[i]), and each shifted weight.
template <class CONFIG, unsigned KS, unsigned LANES, class beat_T>
void spike_conv_pixel(const beat_T window[KS][KS],
                      const typename CONFIG::weight_rom_t weights[CONFIG::out_channels][KS][KS][CONFIG::in_channels],
                      const typename CONFIG::bias_rom_t biases[CONFIG::out_channels], unsigned group,
                      typename lane_group<CONFIG, LANES>::current_t &current) {
    #pragma HLS INLINE
    static_assert(KS == 3 || KS == 1, "contract §3: 3x3 convs, 1x1 or 3x3 output layer");
    static_assert(beat_T::width == CONFIG::in_channels * CONFIG::num_thresholds,
                  "spike beat: one K-bit word per input channel (§5)");
    const spike_conv_taps<CONFIG, KS, beat_T> taps = {window, weights};
    conv_currents<CONFIG, 0, LANES>(taps, biases, group, current);  // §7: current_bits == acc_bits for a spiking conv
}

}  // namespace nnet

#endif  // NNET_SPIKING_CONV_H_
