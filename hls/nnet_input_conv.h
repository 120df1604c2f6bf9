// Input layer: 3x3 convolution of the 8-bit image, static coding (contract §3). The only multipliers of the
// network. The current is computed once per frame and applied unchanged at every time step.
#ifndef NNET_INPUT_CONV_H_
#define NNET_INPUT_CONV_H_

#include "nnet_snn_common.h"

namespace nnet {

// image_in: H * W beats in raster order, channel c of a pixel in bits [P*c + P-1 : P*c] (§5, P = 8).
// current_out: H * W beats, I[o] = (b[o] + sum_{ky,kx,c} w[o][ky][kx][c] * p[c][y+ky-1][x+kx-1]) >>> G (§3).
// acc_t holds every partial sum (§7: |b| + 255 * sum |w| < 2^(acc_bits-1)); the +2^(G-1) of round half up is
// already in the bias (§2), so the shift is a plain arithmetic (floor) shift.
template <class CONFIG, class image_beat_T>
void input_conv(hls::stream<image_beat_T> &image_in,
                hls::stream<typename layer_types<CONFIG>::current_beat_t> &current_out,
                const typename CONFIG::weight_rom_t weights[CONFIG::out_channels][3][3][CONFIG::in_channels],
                const typename CONFIG::bias_rom_t biases[CONFIG::out_channels]) {
    static_assert(CONFIG::kernel == 3, "contract §3: 3x3 convolutions only");
    static_assert(image_beat_T::width % CONFIG::in_channels == 0, "image beat: equal bits per channel (§5)");
    const unsigned P = image_beat_T::width / CONFIG::in_channels;
    const unsigned H = CONFIG::height, W = CONFIG::width;
    typedef typename CONFIG::acc_t acc_t;
    typedef ap_uint<image_beat_T::width / CONFIG::in_channels> pixel_t;
    #pragma HLS ARRAY_PARTITION variable=weights complete dim=0
    #pragma HLS ARRAY_PARTITION variable=biases complete

    static image_beat_T line[2][W];
    static image_beat_T window[3][3];
    #pragma HLS ARRAY_PARTITION variable=line complete dim=1
    #pragma HLS ARRAY_PARTITION variable=window complete dim=0

    for (unsigned r = 0; r <= H; r++) {
        for (unsigned c = 0; c <= W; c++) {
            #pragma HLS PIPELINE II=1
            image_beat_T in = 0;
            if (r < H && c < W) in = image_in.read();
            window3x3_push<image_beat_T, W>(line, window, in, r, c);
            if (r == 0 || c == 0) continue;  // window not yet centred on a pixel
            typename layer_types<CONFIG>::current_beat_t current;
            for (unsigned o = 0; o < CONFIG::out_channels; o++) {
                #pragma HLS UNROLL
                acc_t acc = typename CONFIG::bias_t(biases[o]);
                for (unsigned ky = 0; ky < 3; ky++) {
                    for (unsigned kx = 0; kx < 3; kx++) {
                        for (unsigned ci = 0; ci < CONFIG::in_channels; ci++) {
                            const pixel_t px = window[ky][kx].range(P * ci + P - 1, P * ci);
                            const typename CONFIG::weight_t w = weights[o][ky][kx][ci];
                            acc += w * px;  // §3: signed weight x unsigned pixel
                        }
                    }
                }
                current[o] = acc >> CONFIG::input_shift;  // §3: acc >>> G (acc_t is signed: arithmetic)
            }
            current_out.write(current);
        }
    }
}

}  // namespace nnet

#endif  // NNET_INPUT_CONV_H_
