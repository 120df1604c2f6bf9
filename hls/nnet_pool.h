// Average pool 2x2 (stride 2) feeding an MT-IF neuron (contract §3): no weights, no bias, no multiplier.
// The frame top's nnet::frame::pool_layer moves the rows; this header is the arithmetic.
#ifndef NNET_POOL_H_
#define NNET_POOL_H_

#include "nnet_snn_common.h"

namespace nnet {

// Current of one output pixel from its 2x2 block of source spike beats (one K-bit word per channel, §5):
// I[c] = (m[c](2y, 2x) + m[c](2y, 2x+1) + m[c](2y+1, 2x) + m[c](2y+1, 2x+1)) << input_shift,
// m = the spike word's magnitude sum_i s_i << spike_shift[i] (units of 2^e_min); input_shift = F + e_min - 2
// makes I the block mean in units of 2^-F (§3). acc_t holds (4 * M) << input_shift (§7). One lane group: the
// LANES channels c = group * LANES + l (nnet_snn_common.h lane_group; current[l], 0 past C).
template <class CONFIG, unsigned LANES, class beat_T>
void pool_pixel(const beat_T block[4], unsigned group, typename lane_group<CONFIG, LANES>::current_t &current) {
    #pragma HLS INLINE
    const unsigned K = CONFIG::num_thresholds, C = CONFIG::out_channels;
    static_assert(CONFIG::in_channels == C, "pooling keeps the channels");
    static_assert(beat_T::width == C * K, "spike beat: one K-bit word per channel (§5)");
    static_assert(CONFIG::input_shift >= 0, "contract §3: the pool needs F >= 2 - e_min");
    typedef typename CONFIG::acc_t acc_t;
    for (unsigned l = 0; l < LANES; l++) {
        #pragma HLS UNROLL
        const unsigned c = group * LANES + l;
        acc_t sum = 0;
        if (c < C) {
            for (unsigned p = 0; p < 4; p++) {
                #pragma HLS UNROLL
                const typename layer_types<CONFIG>::spike_word_t word = block[p].range(K * c + K - 1, K * c);
                sum += spike_magnitude<CONFIG, acc_t>(word);
            }
        }
        current[l] = sum << CONFIG::input_shift;  // §3: block sum << (F + e_min - 2)
    }
}

}  // namespace nnet

#endif  // NNET_POOL_H_
