// Input layer: 3x3 convolution of the 8-bit image, static coding (contract §3). The only multipliers of the
// network. The current is computed once per pixel and applied unchanged at every time step (the frame top's
// nnet::frame::input_conv_layer moves the image rows; this header is the arithmetic).
#ifndef NNET_INPUT_CONV_H_
#define NNET_INPUT_CONV_H_

#include "nnet_snn_common.h"

namespace nnet {

// Tap k = (ky * 3 + kx) * C_in + c of output channel o: w[o][ky][kx][c] * p[c](y + ky - 1, x + kx - 1), the
// signed weight times the unsigned 8-bit pixel (§3). window[ky][kx]: the pixel's channels, c in bits [8c +: 8]
// (§5), 0 outside the image.
template <class CONFIG, class pixel_T> struct input_conv_taps {
    static const unsigned taps = 9 * CONFIG::in_channels;
    const pixel_T (*window)[3];  // the caller's [3][3] window (array parameters decay to pointers)
    const typename CONFIG::weight_rom_t (*weights)[3][3][CONFIG::in_channels];
    typename CONFIG::acc_t add(unsigned o, unsigned k) const {
        #pragma HLS INLINE
        const unsigned c = k % CONFIG::in_channels, kk = k / CONFIG::in_channels;
        const ap_uint<8> px = window[kk / 3][kk % 3].range(8 * c + 7, 8 * c);
        const typename CONFIG::weight_t w = weights[o][kk / 3][kk % 3][c];
        return w * px;  // §3: signed weight x unsigned pixel
    }
};

// I[o] = (b[o] + sum_{ky,kx,c} w[o][ky][kx][c] * p[c][y+ky-1][x+kx-1]) >>> G (§3) of one output pixel, for the
// LANES channels o = group * LANES + l of one lane group (nnet_snn_common.h lane_group; current[l]). acc_t
// holds every partial sum (§7: |b| + 255 * sum |w| < 2^(acc_bits-1)); the +2^(G-1) of round half up is already
// in the bias (§2), so the shift is a plain arithmetic (floor) shift.
template <class CONFIG, unsigned LANES, class pixel_T>
void input_conv_pixel(const pixel_T window[3][3],
                      const typename CONFIG::weight_rom_t weights[CONFIG::out_channels][3][3][CONFIG::in_channels],
                      const typename CONFIG::bias_rom_t biases[CONFIG::out_channels], unsigned group,
                      typename lane_group<CONFIG, LANES>::current_t &current) {
    #pragma HLS INLINE
    static_assert(CONFIG::kernel == 3, "contract §3: the input layer is a 3x3 conv");
    static_assert(pixel_T::width == 8 * CONFIG::in_channels, "image pixel: 8 bits per channel (§5)");
    const input_conv_taps<CONFIG, pixel_T> taps = {window, weights};
    conv_currents<CONFIG, CONFIG::input_shift, LANES>(taps, biases, group, current);
}

}  // namespace nnet

#endif  // NNET_INPUT_CONV_H_
