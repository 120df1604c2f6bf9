// MT-IF neuron (contract §4): integrate, then fire coarse to fine with reset by subtraction. Shared by every
// spiking layer kind.
#ifndef NNET_MTIF_H_
#define NNET_MTIF_H_

#include "nnet_snn_common.h"

namespace nnet {

// One update of one neuron (contract §4). On entry v is the membrane before the step (the caller passes 0 at
// t = 0 of a frame); on return it is the membrane after the whole cascade (what the golden vectors record).
// Returns the K-bit spike word: bit i = threshold i, bit 0 = the highest threshold, fired first (§5).
// Widths: V + I and every V in the cascade fit membrane_t (§7). A threshold that does not fit membrane_t can
// never be reached, so its subtraction is never taken.
template <class CONFIG>
typename layer_types<CONFIG>::spike_word_t mtif_update(typename CONFIG::membrane_t &v,
                                                       const typename CONFIG::current_t &current) {
    #pragma HLS INLINE
    typedef typename CONFIG::membrane_t membrane_t;
    membrane_t m = v + current;  // §4 integrate (no leak, no clamp: V may go and stay negative)
    typename layer_types<CONFIG>::spike_word_t word = 0;
    for (unsigned i = 0; i < CONFIG::num_thresholds; i++) {
        #pragma HLS UNROLL
        // §4 compare rule from the manifest: "ge" fires at V >= TH_i, "gt" (authors' code) at V > TH_i
        const bool fire = CONFIG::compare_ge ? (m >= CONFIG::thresholds[i]) : (m > CONFIG::thresholds[i]);
        if (fire) m -= CONFIG::thresholds[i];  // §4 reset by subtraction
        word[i] = fire;
    }
    v = m;
    return word;
}

// One time step of the MT-IF neurons of one pixel's lane group: channels o = group * LANES + l (current[l]);
// v[o] the membranes (the caller's state; first: the frame's t = 0, every membrane starts from 0, §4, so there is
// no reset pass and no frame depends on the one before). Writes channel o's K-bit word into bits [K*o + K-1 : K*o]
// of the pixel's spike beat (§5); the other groups' bits are left as they are.
template <class CONFIG, unsigned LANES>
void mtif_pixel(typename CONFIG::membrane_t v[CONFIG::out_channels], unsigned group, bool first,
                const typename lane_group<CONFIG, LANES>::current_t &current,
                typename layer_types<CONFIG>::spike_beat_t &beat) {
    #pragma HLS INLINE
    static_assert(CONFIG::has_neuron, "the output layer has no neuron (nnet_output.h)");
    const unsigned K = CONFIG::num_thresholds;
    for (unsigned l = 0; l < LANES; l++) {
        #pragma HLS UNROLL
        const unsigned o = group * LANES + l;
        if (o < CONFIG::out_channels) {
            typename CONFIG::membrane_t m = first ? typename CONFIG::membrane_t(0) : v[o];
            beat.range(K * o + K - 1, K * o) = mtif_update<CONFIG>(m, current[l]);
            v[o] = m;
        }
    }
}

}  // namespace nnet

#endif  // NNET_MTIF_H_
