// Spiking convolution (contract §3): shift-and-add, no multiplier. A spike of threshold i stands for 2^e_i and
// adds the weight shifted left by spike_shift[i] = e_i - e_min; the spike bit only gates the add.
// 3x3 (padding 1) for the hidden layers, 1x1 or 3x3 for the output layer (nnet_output.h accumulates its current).
#ifndef NNET_SPIKING_CONV_H_
#define NNET_SPIKING_CONV_H_

#include "nnet_snn_common.h"

namespace nnet {

// Current of one output pixel from a KS x KS window of spike beats (window[ky][kx] = input pixel
// (y + ky - KS/2, x + kx - KS/2), 0 outside the image):
// I[o] = b[o] + sum_{ky,kx,c,i} s_i[c] * (w[o][ky][kx][c] << spike_shift[i]). The bias is added at every step.
template <class CONFIG, unsigned KS, class beat_T>
void spike_conv_pixel(const beat_T window[KS][KS],
                      const typename CONFIG::weight_rom_t weights[CONFIG::out_channels][KS][KS][CONFIG::in_channels],
                      const typename CONFIG::bias_rom_t biases[CONFIG::out_channels],
                      typename layer_types<CONFIG>::current_beat_t &current) {
    #pragma HLS INLINE
    typedef typename CONFIG::acc_t acc_t;
    for (unsigned o = 0; o < CONFIG::out_channels; o++) {
        #pragma HLS UNROLL
        acc_t acc = typename CONFIG::bias_t(biases[o]);
        for (unsigned ky = 0; ky < KS; ky++) {
            for (unsigned kx = 0; kx < KS; kx++) {
                acc += spike_tap<CONFIG>(window[ky][kx], weights[o][ky][kx]);
            }
        }
        current[o] = acc;  // §7: current_bits == acc_bits for a spiking conv
    }
}

// The streaming loop for one kernel size (specialised below).
template <unsigned KS> struct spike_conv_stream;

// 3x3: two line buffers and a 3x3 window over (H + 1) x (W + 1) steps (window3x3_push, zero padding 1).
template <> struct spike_conv_stream<3> {
    template <class CONFIG, class spike_beat_T>
    static void run(hls::stream<spike_beat_T> &spikes_in,
                    hls::stream<typename layer_types<CONFIG>::current_beat_t> &current_out,
                    const typename CONFIG::weight_rom_t weights[CONFIG::out_channels][3][3][CONFIG::in_channels],
                    const typename CONFIG::bias_rom_t biases[CONFIG::out_channels]) {
        #pragma HLS INLINE
        const unsigned H = CONFIG::height, W = CONFIG::width;
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
                spike_conv_pixel<CONFIG, 3>(window, weights, biases, current);
                current_out.write(current);
            }
        }
    }
};

// 1x1 (the segmentation head): pixel by pixel, no buffering.
template <> struct spike_conv_stream<1> {
    template <class CONFIG, class spike_beat_T>
    static void run(hls::stream<spike_beat_T> &spikes_in,
                    hls::stream<typename layer_types<CONFIG>::current_beat_t> &current_out,
                    const typename CONFIG::weight_rom_t weights[CONFIG::out_channels][1][1][CONFIG::in_channels],
                    const typename CONFIG::bias_rom_t biases[CONFIG::out_channels]) {
        #pragma HLS INLINE
        for (unsigned p = 0; p < CONFIG::height * CONFIG::width; p++) {
            #pragma HLS PIPELINE II=1
            spike_beat_T window[1][1];
            window[0][0] = spikes_in.read();
            typename layer_types<CONFIG>::current_beat_t current;
            spike_conv_pixel<CONFIG, 1>(window, weights, biases, current);
            current_out.write(current);
        }
    }
};

// spikes_in: the source layer's spike frame of this time step (a concat of several sources is one wider beat,
// nnet_concat.h), H * W beats in raster order, one K-bit spike word per input channel (§5).
// current_out: H * W beats of I (above). acc_t holds every partial sum (§7: |b| + M * sum |w|, M =
// sum_i 2^spike_shift[i], bounds the case of every spike firing), and also each shifted weight, so the shift
// is done at acc_t width and loses nothing.
template <class CONFIG, class spike_beat_T>
void spiking_conv(
    hls::stream<spike_beat_T> &spikes_in, hls::stream<typename layer_types<CONFIG>::current_beat_t> &current_out,
    const typename CONFIG::weight_rom_t weights[CONFIG::out_channels][CONFIG::kernel][CONFIG::kernel][CONFIG::in_channels],
    const typename CONFIG::bias_rom_t biases[CONFIG::out_channels]) {
    static_assert(CONFIG::kernel == 3 || CONFIG::kernel == 1, "contract §3: 3x3 convs, 1x1 or 3x3 output layer");
    static_assert(spike_beat_T::width == CONFIG::in_channels * CONFIG::num_thresholds,
                  "spike beat: one K-bit word per input channel (§5)");
    static_assert(CONFIG::in_height == CONFIG::height && CONFIG::in_width == CONFIG::width,
                  "stride 1, padding kernel/2 keeps the size (§3)");
    #pragma HLS ARRAY_PARTITION variable=weights complete dim=0
    #pragma HLS ARRAY_PARTITION variable=biases complete
    spike_conv_stream<CONFIG::kernel>::template run<CONFIG>(spikes_in, current_out, weights, biases);
}

}  // namespace nnet

#endif  // NNET_SPIKING_CONV_H_
