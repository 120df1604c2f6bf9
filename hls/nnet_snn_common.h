// Shared pieces of the layer kinds (hls4ml nnet_utils style): per-pixel payload types, the spike magnitude, one
// shift-and-add tap, and the bias + taps sum every conv-like kind forms per output channel.
// Arithmetic is defined in docs/contract.md; section numbers below refer to it.
#ifndef NNET_SNN_COMMON_H_
#define NNET_SNN_COMMON_H_

// Include this header BEFORE the generated snn_params.h (it includes <ap_int.h> too; the include guards make
// the first inclusion the one that counts). In C-sim with GCC >= 12 at -O2, ap_private's default constructor
// (it masks its own still-uninitialised word) is reported as -W(maybe-)uninitialized wherever it is inlined,
// and the reversed-range branch of _private_range_ref::get() as -Waggressive-loop-optimizations. GCC
// attributes these warnings to the vendor header's lines, so silencing them around the include keeps them
// fully active for our own code.
#if defined(__GNUC__) && !defined(__clang__) && !defined(__SYNTHESIS__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Waggressive-loop-optimizations"
#endif
#include <ap_int.h>
#if defined(__GNUC__) && !defined(__clang__) && !defined(__SYNTHESIS__)
#pragma GCC diagnostic pop
#endif

namespace nnet {

// All channels of one pixel (like hls4ml's nnet::array; own name to avoid a clash).
template <class T, unsigned N> struct channel_array {
    T data[N];
    T &operator[](unsigned i) { return data[i]; }
    const T &operator[](unsigned i) const { return data[i]; }
};

// The per-pixel types derived from a layer config (contract §5).
template <class CONFIG> struct layer_types {
    static const unsigned spike_word_bits = CONFIG::num_thresholds;                        // K
    static const unsigned spike_beat_bits = CONFIG::out_channels * CONFIG::num_thresholds;  // C * K
    typedef ap_uint<spike_word_bits> spike_word_t;  // bit i = threshold i (§5)
    typedef ap_uint<spike_beat_bits> spike_beat_t;  // channel c in bits [K*c + K-1 : K*c] (§5)
    typedef channel_array<typename CONFIG::current_t, CONFIG::out_channels> current_beat_t;
    typedef channel_array<typename CONFIG::membrane_t, CONFIG::out_channels> accum_beat_t;  // output layer: A_t
};

// Spike magnitude of one K-bit spike word in units of 2^e_min (contract §3): sum_i s_i << spike_shift[i].
// Shift-and-add: each spike bit gates a constant.
template <class CONFIG, class T, class word_T> T spike_magnitude(const word_T &word) {
    #pragma HLS INLINE
    T m = 0;
    for (unsigned i = 0; i < CONFIG::num_thresholds; i++) {
        #pragma HLS UNROLL
        if (word[i]) m += T(1) << CONFIG::spike_shift[i];
    }
    return m;
}

// sum_{c,i} s_i[c] * (w[c] << spike_shift[i]) for one tap (one input pixel's spike beat) and one output
// channel: the spike bit gates the add of the shifted weight, no multiplier (contract §3). CONFIG is the
// consuming layer; acc_t holds every partial sum (§7: |b| + M * sum |w| bounds them all).
template <class CONFIG, class beat_T>
typename CONFIG::acc_t spike_tap(const beat_T &beat, const typename CONFIG::weight_rom_t w[CONFIG::in_channels]) {
    #pragma HLS INLINE
    typedef typename CONFIG::acc_t acc_t;
    const unsigned K = CONFIG::num_thresholds;
    acc_t sum = 0;
    for (unsigned ci = 0; ci < CONFIG::in_channels; ci++) {
        #pragma HLS UNROLL
        const acc_t wv = typename CONFIG::weight_t(w[ci]);  // the ROM word at its exact width
        for (unsigned i = 0; i < K; i++) {
            #pragma HLS UNROLL
            const acc_t shifted = wv << CONFIG::spike_shift[i];  // wiring, not logic
            if (beat[K * ci + i]) sum += shifted;                  // the spike gates the add
        }
    }
    return sum;
}

// The output channels of a layer in groups of LANES (the frame engine's P lanes, docs/frame_engine.md): lane l of
// group g is channel g * LANES + l; a layer takes `groups` = ceil(C_out / LANES) passes of its output-channel
// loop, unrolled by LANES (with fewer channels than lanes one group holds them all, the spare lanes idle: the taps
// of a channel are unrolled within its lane anyway). `factor`: the cyclic ARRAY_PARTITION factor of the arrays a
// group reads or writes in one cycle (weights, biases, membranes), LANES or C_out if that is smaller.
template <class CONFIG, unsigned LANES> struct lane_group {
    static_assert(LANES >= 1 && (LANES & (LANES - 1)) == 0, "LANES: a power of two");
    static const unsigned channels = CONFIG::out_channels;
    static const unsigned groups = (channels + LANES - 1) / LANES;
    static const unsigned factor = LANES < channels ? LANES : channels;
    typedef channel_array<typename CONFIG::current_t, LANES> current_t;  // the currents of one group, by lane
};

// current[l] = (b[o] + sum over the taps of TAP::add(o, tap)) >> SHIFT for the channels o = group * LANES + l of
// one lane group (contract §3; a lane past C_out gets 0): the one multiply/shift-and-add loop of the conv-like
// kinds (input conv: pixel x weight products, SHIFT = G; spiking conv, output, upconv: spike_tap, SHIFT = 0).
// TAP::taps is the number of taps; TAP::add(o, k) returns tap k's acc_t contribution to channel o (0 for a tap
// that does not apply). The lanes and the taps are unrolled: LANES channels a cycle.
template <class CONFIG, int SHIFT, unsigned LANES, class TAP>
void conv_currents(const TAP &tap, const typename CONFIG::bias_rom_t biases[CONFIG::out_channels], unsigned group,
                   typename lane_group<CONFIG, LANES>::current_t &current) {
    #pragma HLS INLINE
    typedef typename CONFIG::acc_t acc_t;
    for (unsigned l = 0; l < LANES; l++) {
        #pragma HLS UNROLL
        const unsigned o = group * LANES + l;
        acc_t acc = 0;
        if (o < CONFIG::out_channels) {
            acc = typename CONFIG::bias_t(biases[o]);  // §3: the bias at every step
            for (unsigned k = 0; k < TAP::taps; k++) {
                #pragma HLS UNROLL
                acc += tap.add(o, k);
            }
        }
        current[l] = acc >> SHIFT;  // §3: acc >>> G for the input conv (acc_t is signed); §7: else the identity
    }
}

}  // namespace nnet

#endif  // NNET_SNN_COMMON_H_
