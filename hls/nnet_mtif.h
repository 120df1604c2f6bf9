// MT-IF neuron layer (contract §4): integrate, then fire coarse to fine with reset by subtraction.
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

// A layer of MT-IF neurons for one time step: one current beat in, one spike beat out per pixel (raster
// order, §5). `membrane` is the layer's state across time steps ([pixel][channel], owned by the caller as a
// static array); first_step starts every membrane at 0 (§4: V = 0 at t = 0 of every frame), so no reset pass
// is needed between frames. `probe` receives the spike beat and all membranes of every pixel (see
// neuron_probe); pass a no_probe to build the deployable datapath.
template <class CONFIG, class PROBE>
void mtif(hls::stream<typename layer_types<CONFIG>::current_beat_t> &current_in,
          typename CONFIG::membrane_t membrane[CONFIG::height * CONFIG::width][CONFIG::out_channels],
          bool first_step, hls::stream<typename layer_types<CONFIG>::spike_beat_t> &spikes_out, PROBE &probe) {
    static_assert(CONFIG::has_neuron, "the output layer has no neuron (nnet::accumulate)");
    typedef typename CONFIG::membrane_t membrane_t;
    const unsigned K = CONFIG::num_thresholds;
    for (unsigned p = 0; p < CONFIG::height * CONFIG::width; p++) {
        #pragma HLS PIPELINE II=1
        const typename layer_types<CONFIG>::current_beat_t current = current_in.read();
        typename layer_types<CONFIG>::spike_beat_t beat = 0;
        neuron_probe<CONFIG> seen;
        for (unsigned c = 0; c < CONFIG::out_channels; c++) {
            #pragma HLS UNROLL
            membrane_t v = first_step ? membrane_t(0) : membrane[p][c];
            beat.range(K * c + K - 1, K * c) = mtif_update<CONFIG>(v, current[c]);
            membrane[p][c] = v;
            seen.membrane[c] = v;
        }
        seen.spikes = beat;
        spikes_out.write(beat);
        probe.write(seen);
    }
}

}  // namespace nnet

#endif  // NNET_MTIF_H_
