// Transposed convolution feeding an MT-IF neuron (contract §3): ConvTranspose2d k=3, s=2, p=1,
// output_padding=1, output 2H x 2W. Shift-and-add like the spiking conv: no multiplier, bias every step.
#ifndef NNET_UPCONV_H_
#define NNET_UPCONV_H_

#include "nnet_snn_common.h"

namespace nnet {

// The contract defines the layer as a scatter: input pixel (iy, ix) adds w[o][ky][kx][c] * m[c][iy][ix] to
// output (2*iy + ky - 1, 2*ix + kx - 1). Regrouped by output pixel (polyphase form), output (oy, ox) receives
// exactly the taps of that scatter that land on it:
//   rows:    oy = 2j even -> input row j with ky = 1;   oy = 2j+1 odd -> row j with ky = 2 and row j+1 with ky = 0
//   columns: ox = 2i even -> input col i with kx = 1;   ox = 2i+1 odd -> col i with kx = 2 and col i+1 with kx = 0
// (an input row/column past the edge contributes nothing). Each input spike still reaches at most 9 outputs,
// each output sums at most 4 input pixels, and the result is the scatter's integer sum, exactly.
//
// Streaming: one output pixel per cycle over height x width = 2IH x 2IW steps, in raster order. A 2x2 register
// window holds input (j + r, i + q), r, q in {0, 1}, j = oy / 2, i = ox / 2; input row j is kept in rows[j & 1]
// (two half-resolution line buffers). Input row 0 is read during output row 0, row j + 1 during output row
// 2j + 1 (where it is first needed); column 0 at ox = 0 and column i + 1 at ox = 2i + 1: every input beat is
// read once, when first needed, so the layer consumes its source at a quarter of its output rate.
template <class CONFIG, class spike_beat_T>
void upconv(hls::stream<spike_beat_T> &spikes_in,
            hls::stream<typename layer_types<CONFIG>::current_beat_t> &current_out,
            const typename CONFIG::weight_rom_t weights[CONFIG::out_channels][3][3][CONFIG::in_channels],
            const typename CONFIG::bias_rom_t biases[CONFIG::out_channels]) {
    const unsigned IH = CONFIG::in_height, IW = CONFIG::in_width;
    static_assert(CONFIG::kernel == 3, "contract §3: ConvTranspose2d k=3");
    static_assert(CONFIG::height == 2 * IH && CONFIG::width == 2 * IW, "stride 2, output_padding 1: 2H x 2W");
    static_assert(spike_beat_T::width == CONFIG::in_channels * CONFIG::num_thresholds,
                  "spike beat: one K-bit word per input channel (§5)");
    typedef typename CONFIG::acc_t acc_t;
    #pragma HLS ARRAY_PARTITION variable=weights complete dim=0
    #pragma HLS ARRAY_PARTITION variable=biases complete

    static spike_beat_T rows[2][IW];
    spike_beat_T win[2][2];
    #pragma HLS ARRAY_PARTITION variable=rows complete dim=1
    #pragma HLS ARRAY_PARTITION variable=win complete dim=0

    for (unsigned oy = 0; oy < CONFIG::height; oy++) {
        for (unsigned ox = 0; ox < CONFIG::width; ox++) {
            #pragma HLS PIPELINE II=1
            const unsigned j = oy >> 1, i = ox >> 1;
            const bool odd_y = oy & 1, odd_x = ox & 1;
            const bool has_below = odd_y && j + 1 < IH;  // input row j + 1 exists and is needed
            if (ox == 0 || (odd_x && i + 1 < IW)) {
                // load input column lc of rows j (slot 0) and j + 1 (slot 1) into window column q
                const unsigned lc = ox == 0 ? 0 : i + 1;
                const unsigned q = ox == 0 ? 0 : 1;
                const bool read_now = oy == 0 || has_below;  // row 0, or row j + 1, arrives now
                spike_beat_T fresh = 0;
                if (read_now) {
                    fresh = spikes_in.read();
                    rows[oy == 0 ? 0 : (j + 1) & 1][lc] = fresh;
                }
                win[0][q] = oy == 0 ? fresh : rows[j & 1][lc];
                win[1][q] = has_below ? fresh : spike_beat_T(0);
            } else if (odd_x) {  // right edge: input column i + 1 is past the image
                win[0][1] = 0;
                win[1][1] = 0;
            } else {  // even ox > 0: the window moves one input column right
                win[0][0] = win[0][1];
                win[1][0] = win[1][1];
            }
            typename layer_types<CONFIG>::current_beat_t current;
            for (unsigned o = 0; o < CONFIG::out_channels; o++) {
                #pragma HLS UNROLL
                acc_t acc = typename CONFIG::bias_t(biases[o]);  // §3: bias at every step
                for (unsigned r = 0; r < 2; r++) {
                    for (unsigned q = 0; q < 2; q++) {
                        if ((r == 1 && !odd_y) || (q == 1 && !odd_x)) continue;  // not a tap of this phase
                        const unsigned ky = odd_y ? (r == 0 ? 2 : 0) : 1;
                        const unsigned kx = odd_x ? (q == 0 ? 2 : 0) : 1;
                        acc += spike_tap<CONFIG>(win[r][q], weights[o][ky][kx]);
                    }
                }
                current[o] = acc;  // §7: current_bits == acc_bits
            }
            current_out.write(current);
        }
    }
}

}  // namespace nnet

#endif  // NNET_UPCONV_H_
