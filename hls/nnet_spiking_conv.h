// Spiking 3x3 convolution (contract §3): shift-and-add, no multiplier. A spike of threshold i stands for
// 2^e_i and adds the weight shifted left by spike_shift[i] = e_i - e_min; the spike bit only gates the add.
#ifndef NNET_SPIKING_CONV_H_
#define NNET_SPIKING_CONV_H_

#include "nnet_snn_common.h"

namespace nnet {

// spikes_in: the source layer's spike frame of this time step, H * W beats in raster order, one K-bit spike
// word per input channel (§5). current_out: H * W beats,
// I[o] = b[o] + sum_{ky,kx,c,i} s_i[c][y+ky-1][x+kx-1] * (w[o][ky][kx][c] << spike_shift[i])   (§3).
// The bias is added at every time step. acc_t holds every partial sum (§7: |b| + M * sum |w|, M = sum_i
// 2^spike_shift[i], bounds the case of every spike firing), and also each shifted weight, so the shift is
// done at acc_t width and loses nothing.
template <class CONFIG, class spike_beat_T>
void spiking_conv(hls::stream<spike_beat_T> &spikes_in,
                  hls::stream<typename layer_types<CONFIG>::current_beat_t> &current_out,
                  const typename CONFIG::weight_t weights[CONFIG::out_channels][3][3][CONFIG::in_channels],
                  const typename CONFIG::bias_t biases[CONFIG::out_channels]) {
    static_assert(CONFIG::kernel == 3, "contract §3: 3x3 convolutions only");
    static_assert(spike_beat_T::width == CONFIG::in_channels * CONFIG::num_thresholds,
                  "spike beat: one K-bit word per input channel (§5)");
    const unsigned K = CONFIG::num_thresholds;
    const unsigned H = CONFIG::height, W = CONFIG::width;
    typedef typename CONFIG::acc_t acc_t;
    #pragma HLS ARRAY_PARTITION variable=weights complete dim=0
    #pragma HLS ARRAY_PARTITION variable=biases complete

    static spike_beat_T line[2][W];
    static spike_beat_T window[3][3];
    #pragma HLS ARRAY_PARTITION variable=line complete dim=1
    #pragma HLS ARRAY_PARTITION variable=window complete dim=0

    for (unsigned r = 0; r <= H; r++) {
        for (unsigned c = 0; c <= W; c++) {
            #pragma HLS PIPELINE II=1
            spike_beat_T in = 0;
            if (r < H && c < W) in = spikes_in.read();
            window3x3_push<spike_beat_T, W>(line, window, in, r, c);
            if (r == 0 || c == 0) continue;  // window not yet centred on a pixel
            typename layer_types<CONFIG>::current_beat_t current;
            for (unsigned o = 0; o < CONFIG::out_channels; o++) {
                #pragma HLS UNROLL
                acc_t acc = biases[o];
                for (unsigned ky = 0; ky < 3; ky++) {
                    for (unsigned kx = 0; kx < 3; kx++) {
                        for (unsigned ci = 0; ci < CONFIG::in_channels; ci++) {
                            const acc_t w = weights[o][ky][kx][ci];
                            for (unsigned i = 0; i < K; i++) {
                                const acc_t shifted = w << CONFIG::spike_shift[i];  // wiring, not logic
                                if (window[ky][kx][K * ci + i]) acc += shifted;       // the spike gates the add
                            }
                        }
                    }
                }
                current[o] = acc;  // §7: current_bits == acc_bits for a spiking conv
            }
            current_out.write(current);
        }
    }
}

}  // namespace nnet

#endif  // NNET_SPIKING_CONV_H_
