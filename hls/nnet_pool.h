// Average pool 2x2 (stride 2) feeding an MT-IF neuron (contract §3): no weights, no bias, no multiplier.
#ifndef NNET_POOL_H_
#define NNET_POOL_H_

#include "nnet_snn_common.h"

namespace nnet {

// spikes_in: the source layer's spike frame of this time step, in_height * in_width beats in raster order
// (one K-bit spike word per channel, §5). current_out: height * width = (in_height / 2) * (in_width / 2) beats,
// I[c] = (m[c](2y, 2x) + m[c](2y, 2x+1) + m[c](2y+1, 2x) + m[c](2y+1, 2x+1)) << input_shift,
// m = the spike word's magnitude sum_i s_i << spike_shift[i] (units of 2^e_min); input_shift = F + e_min - 2
// makes I the block mean in units of 2^-F (§3). acc_t holds (4 * M) << input_shift (§7).
// One input beat per cycle: an even input column keeps its magnitudes in a register, an odd one adds them
// (horizontal pair); on even input rows the pair sum waits in a half-width line buffer, on odd rows it is
// added to it and the block's current is written.
template <class CONFIG, class spike_beat_T>
void pool(hls::stream<spike_beat_T> &spikes_in,
          hls::stream<typename layer_types<CONFIG>::current_beat_t> &current_out) {
    const unsigned K = CONFIG::num_thresholds;
    const unsigned C = CONFIG::out_channels;
    const unsigned IH = CONFIG::in_height, IW = CONFIG::in_width;
    static_assert(CONFIG::in_channels == C, "pooling keeps the channels");
    static_assert(IH == 2 * CONFIG::height && IW == 2 * CONFIG::width, "2x2 pooling of an even-sized frame");
    static_assert(spike_beat_T::width == C * K, "spike beat: one K-bit word per channel (§5)");
    static_assert(CONFIG::input_shift >= 0, "contract §3: the pool needs F >= 2 - e_min");
    typedef typename CONFIG::acc_t acc_t;

    static acc_t upper[CONFIG::width][C];  // pair sums of the block's upper row, one per output column
    acc_t left[C];                         // magnitude of the block's left pixel, this row
    #pragma HLS ARRAY_PARTITION variable=upper complete dim=2
    #pragma HLS ARRAY_PARTITION variable=left complete

    for (unsigned y = 0; y < IH; y++) {
        for (unsigned x = 0; x < IW; x++) {
            #pragma HLS PIPELINE II=1
            const spike_beat_T beat = spikes_in.read();
            typename layer_types<CONFIG>::current_beat_t current;
            for (unsigned c = 0; c < C; c++) {
                #pragma HLS UNROLL
                const typename layer_types<CONFIG>::spike_word_t word = beat.range(K * c + K - 1, K * c);
                const acc_t m = spike_magnitude<CONFIG, acc_t>(word);
                if ((x & 1) == 0) {
                    left[c] = m;
                } else {
                    const acc_t pair = left[c] + m;
                    if ((y & 1) == 0) {
                        upper[x >> 1][c] = pair;
                    } else {
                        const acc_t sum = upper[x >> 1][c] + pair;
                        current[c] = sum << CONFIG::input_shift;  // §3: block sum << (F + e_min - 2)
                    }
                }
            }
            if ((x & 1) && (y & 1)) current_out.write(current);
        }
    }
}

}  // namespace nnet

#endif  // NNET_POOL_H_
