// Channel concatenation of two spike streams (contract §3: U-Net skip connection). Nothing is computed: the
// consumer's weights cover all parts (each already scaled by its own lambda), so the concat is wiring: one beat
// of each source in, one wider beat out, the first source (the encoder feature) in the low channels.
#ifndef NNET_CONCAT_H_
#define NNET_CONCAT_H_

#include "nnet_snn_common.h"

namespace nnet {

// in_a: the first source's spike frame (channels 0 .. Ca-1 of the concat), in_b: the second's (channels
// Ca .. Ca+Cb-1), N beats each, raster order, same time step. out: N beats, channel c's K-bit word in bits
// [K*c + K-1 : K*c] (§5), i.e. out = {b, a}. A source that arrives early (the encoder feature, which the
// decoder path reaches only after the bottleneck) waits in its input FIFO, the skip connection's frame buffer
// (its depth is set by the generated top).
template <class beat_a_T, class beat_b_T, class beat_out_T, unsigned N>
void concat2(hls::stream<beat_a_T> &in_a, hls::stream<beat_b_T> &in_b, hls::stream<beat_out_T> &out) {
    static_assert(beat_out_T::width == beat_a_T::width + beat_b_T::width, "concat: out = {b, a}");
    for (unsigned p = 0; p < N; p++) {
        #pragma HLS PIPELINE II=1
        const beat_a_T a = in_a.read();
        const beat_b_T b = in_b.read();
        beat_out_T beat = 0;
        beat.range(beat_a_T::width - 1, 0) = a;
        beat.range(beat_out_T::width - 1, beat_a_T::width) = b;
        out.write(beat);
    }
}

}  // namespace nnet

#endif  // NNET_CONCAT_H_
