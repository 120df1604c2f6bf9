// Shared pieces of the spiking layers (hls4ml nnet_utils style): stream payloads, probes, the 3x3 window.
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
#include <hls_stream.h>
#if defined(__GNUC__) && !defined(__clang__) && !defined(__SYNTHESIS__)
#pragma GCC diagnostic pop
#endif

namespace nnet {

// All channels of one pixel, as one stream beat (like hls4ml's nnet::array; own name to avoid a clash).
template <class T, unsigned N> struct channel_array {
    T data[N];
    T &operator[](unsigned i) { return data[i]; }
    const T &operator[](unsigned i) const { return data[i]; }
};

// The per-layer stream types derived from a layer config (contract §5).
template <class CONFIG> struct layer_types {
    static const unsigned spike_word_bits = CONFIG::num_thresholds;                        // K
    static const unsigned spike_beat_bits = CONFIG::out_channels * CONFIG::num_thresholds;  // C * K
    typedef ap_uint<spike_word_bits> spike_word_t;  // bit i = threshold i (§5)
    typedef ap_uint<spike_beat_bits> spike_beat_t;  // channel c in bits [K*c + K-1 : K*c] (§5)
    typedef channel_array<typename CONFIG::current_t, CONFIG::out_channels> current_beat_t;
    typedef channel_array<typename CONFIG::membrane_t, CONFIG::out_channels> accum_beat_t;  // output layer: A_t
};

// What a layer's probe receives per pixel and time step, in raster order (y outer, x inner), t = 0 .. T-1:
// the spike beat the layer emitted and every channel's membrane after the whole cascade (§4, §8).
template <class CONFIG> struct neuron_probe {
    typename layer_types<CONFIG>::spike_beat_t spikes;
    typename CONFIG::membrane_t membrane[CONFIG::out_channels];
};

// Probe sink that drops everything: the deployable top passes it, so the probe logic is never built.
// hls::stream<neuron_probe<CONFIG>> is the other sink (the debug top); both are used through write().
struct no_probe {
    template <class T> void write(const T &) {}
};

// ---------------------------------------------------------------------------------------------------------
// 3x3 sliding window over a raster stream with two line buffers (contract §3: stride 1, zero padding 1).
// A frame of H x W beats takes (H + 1) x (W + 1) steps. Step (r, c) pushes input pixel (r, c) and, once
// r >= 1 and c >= 1, the window is centred on output pixel (y, x) = (r - 1, c - 1):
// window[ky][kx] = input pixel (y + ky - 1, x + kx - 1), or 0 outside the image. The zero padding comes from
// what is pushed, so the taps need no masking:
//   - the caller pushes 0 at c == W (one zero column per row: the right edge of row r, and, as the window
//     runs on into row r + 1, its left edge) and at r == H (the zero row below the image);
//   - the rows above the image (r - 2 < 0, r - 1 < 0) read as 0 instead of the line buffers, so a frame never
//     depends on what an earlier frame left in them.
template <class T, unsigned W>
void window3x3_push(T line[2][W], T window[3][3], const T &in, unsigned r, unsigned c) {
    #pragma HLS INLINE
    T col[3];
    #pragma HLS ARRAY_PARTITION variable=col complete
    if (c < W) {
        col[0] = r >= 2 ? line[1][c] : T(0);  // row r - 2
        col[1] = r >= 1 ? line[0][c] : T(0);  // row r - 1
        col[2] = in;                          // row r
        line[1][c] = col[1];
        line[0][c] = in;
    } else {
        col[0] = 0;
        col[1] = 0;
        col[2] = 0;
    }
    for (unsigned ky = 0; ky < 3; ky++) {
        #pragma HLS UNROLL
        window[ky][0] = window[ky][1];
        window[ky][1] = window[ky][2];
        window[ky][2] = col[ky];
    }
}

// Frame buffer helpers: one beat per pixel, raster order.
template <class beat_T, unsigned N> void store_frame(hls::stream<beat_T> &in, beat_T frame[N]) {
    for (unsigned p = 0; p < N; p++) {
        #pragma HLS PIPELINE II=1
        frame[p] = in.read();
    }
}

template <class beat_T, unsigned N> void replay_frame(const beat_T frame[N], hls::stream<beat_T> &out) {
    for (unsigned p = 0; p < N; p++) {
        #pragma HLS PIPELINE II=1
        out.write(frame[p]);
    }
}

// A spike frame read by two layers (a U-Net encoder feature: the next stage and the skip connection) is
// duplicated beat by beat, so every stream of a DATAFLOW region keeps one producer and one consumer.
template <class beat_T, unsigned N>
void fork2(hls::stream<beat_T> &in, hls::stream<beat_T> &out_a, hls::stream<beat_T> &out_b) {
    for (unsigned p = 0; p < N; p++) {
        #pragma HLS PIPELINE II=1
        const beat_T beat = in.read();
        out_a.write(beat);
        out_b.write(beat);
    }
}

// Consumes a frame nobody reads (a spiking layer without consumers; not present in a U-Net).
template <class beat_T, unsigned N> void drain(hls::stream<beat_T> &in) {
    for (unsigned p = 0; p < N; p++) {
        #pragma HLS PIPELINE II=1
        in.read();
    }
}

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

}  // namespace nnet

#endif  // NNET_SNN_COMMON_H_
