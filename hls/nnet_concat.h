// Channel concatenation of two sources (contract §3: U-Net skip connection). Nothing is computed: the
// consumer's weights cover all parts (each already scaled by its own lambda), so the concat is wiring: the
// consumer's input beat is {b, a}, the first source (the encoder feature) in the low channels. The frame top
// (nnet::frame::two_sources) reads each source's row into its bits of that beat.
#ifndef NNET_CONCAT_H_
#define NNET_CONCAT_H_

#include "nnet_snn_common.h"

namespace nnet {

// A (channels 0 .. Ca-1) and B (channels Ca .. Ca+Cb-1), configs of the two sources: channel c's K-bit word in
// bits [K*c + K-1 : K*c] of beat_t (§5); B's words start at bit lo_b.
template <class A, class B> struct concat2 {
    static_assert(A::num_thresholds == B::num_thresholds, "one threshold set (§1)");
    static const unsigned channels = A::out_channels + B::out_channels;
    static const unsigned lo_b = A::out_channels * A::num_thresholds;
    typedef ap_uint<channels * A::num_thresholds> beat_t;
};

}  // namespace nnet

#endif  // NNET_CONCAT_H_
