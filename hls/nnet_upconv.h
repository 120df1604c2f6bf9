// Transposed convolution feeding an MT-IF neuron (contract §3): ConvTranspose2d k=3, s=2, p=1,
// output_padding=1, output 2H x 2W. Shift-and-add like the spiking conv: no multiplier, bias every step.
// The frame top's nnet::frame::upconv_layer moves the rows; this header is the arithmetic.
#ifndef NNET_UPCONV_H_
#define NNET_UPCONV_H_

#include "nnet_snn_common.h"

namespace nnet {

// The contract defines the layer as a scatter: input pixel (iy, ix) adds w[o][ky][kx][c] * m[c][iy][ix] to
// output (2*iy + ky - 1, 2*ix + kx - 1). Regrouped by output pixel (polyphase form), output (oy, ox) receives
// exactly the taps of that scatter that land on it:
//   rows:    oy = 2j even -> input row j with ky = 1;   oy = 2j+1 odd -> row j with ky = 2 and row j+1 with ky = 0
//   columns: ox = 2i even -> input col i with kx = 1;   ox = 2i+1 odd -> col i with kx = 2 and col i+1 with kx = 0
// (an input row/column past the edge contributes nothing: the caller passes 0 there). Each input spike still
// reaches at most 9 outputs, each output sums at most 4 input pixels, and the result is the scatter's integer
// sum, exactly. Tap k = 2r + q: input (j + r, i + q) = win[r][q].
template <class CONFIG, class beat_T> struct upconv_taps {
    static const unsigned taps = 4;
    const beat_T (*win)[2];  // the caller's [2][2] window
    const typename CONFIG::weight_rom_t (*weights)[3][3][CONFIG::in_channels];
    bool odd_y, odd_x;
    typename CONFIG::acc_t add(unsigned o, unsigned k) const {
        #pragma HLS INLINE
        const unsigned r = k >> 1, q = k & 1;
        if ((r == 1 && !odd_y) || (q == 1 && !odd_x)) return 0;  // not a tap of this phase
        const unsigned ky = odd_y ? (r == 0 ? 2 : 0) : 1;
        const unsigned kx = odd_x ? (q == 0 ? 2 : 0) : 1;
        return spike_tap<CONFIG>(win[r][q], weights[o][ky][kx]);
    }
};

// Current of output pixel (oy, ox) (odd_y = oy & 1, odd_x = ox & 1) from the 2x2 input window above, for the
// LANES channels o = group * LANES + l of one lane group (nnet_snn_common.h lane_group; current[l]).
template <class CONFIG, unsigned LANES, class beat_T>
void upconv_pixel(const beat_T win[2][2], bool odd_y, bool odd_x,
                  const typename CONFIG::weight_rom_t weights[CONFIG::out_channels][3][3][CONFIG::in_channels],
                  const typename CONFIG::bias_rom_t biases[CONFIG::out_channels], unsigned group,
                  typename lane_group<CONFIG, LANES>::current_t &current) {
    #pragma HLS INLINE
    static_assert(CONFIG::kernel == 3, "contract §3: ConvTranspose2d k=3");
    static_assert(beat_T::width == CONFIG::in_channels * CONFIG::num_thresholds,
                  "spike beat: one K-bit word per input channel (§5)");
    const upconv_taps<CONFIG, beat_T> taps = {win, weights, odd_y, odd_x};
    conv_currents<CONFIG, 0, LANES>(taps, biases, group, current);  // §7: current_bits == acc_bits
}

}  // namespace nnet

#endif  // NNET_UPCONV_H_
