// Walking-skeleton slice top functions (see snn_slice.h for the interfaces). Contract: docs/contract.md.
#include "snn_slice.h"

namespace {

const unsigned kPixels = model_config::height * model_config::width;
typedef nnet::layer_types<conv1_config>::current_beat_t conv1_current_beat_t;
typedef nnet::layer_types<conv2_config>::current_beat_t conv2_current_beat_t;

// Static coding (§3): the input layer's current is computed once per frame, from the image stream, and kept
// for all T time steps.
void encode_frame(hls::stream<image_beat_t> &image_in, conv1_current_beat_t current1[kPixels]) {
    #pragma HLS DATAFLOW
    hls::stream<conv1_current_beat_t> current_stream("conv1_current");
    nnet::input_conv<conv1_config>(image_in, current_stream, snn_params::conv1_weight, snn_params::conv1_bias);
    nnet::store_frame<conv1_current_beat_t, kPixels>(current_stream, current1);
}

// One time step (Algorithm 1: layers in order inside the step, §3): conv1 fires on its stored current, conv2
// integrates conv1's spikes of the same step. The four processes stream pixel by pixel.
template <class PROBE1, class PROBE2>
void time_step(const conv1_current_beat_t current1[kPixels],
               conv1_config::membrane_t membrane1[kPixels][conv1_config::out_channels],
               conv2_config::membrane_t membrane2[kPixels][conv2_config::out_channels], bool first_step,
               hls::stream<output_beat_t> &spikes_out, PROBE1 &probe1, PROBE2 &probe2) {
    #pragma HLS DATAFLOW
    hls::stream<conv1_current_beat_t> current1_stream("conv1_current_step");
    hls::stream<conv1_spike_beat_t> spikes1_stream("conv1_spikes");
    hls::stream<conv2_current_beat_t> current2_stream("conv2_current");
    // conv2's window trails its input by one line and one pixel
    #pragma HLS STREAM variable=spikes1_stream depth=2
    #pragma HLS STREAM variable=current2_stream depth=2
    nnet::replay_frame<conv1_current_beat_t, kPixels>(current1, current1_stream);
    nnet::mtif<conv1_config>(current1_stream, membrane1, first_step, spikes1_stream, probe1);
    nnet::spiking_conv<conv2_config>(spikes1_stream, current2_stream, snn_params::conv2_weight,
                                     snn_params::conv2_bias);
    nnet::mtif<conv2_config>(current2_stream, membrane2, first_step, spikes_out, probe2);
}

// One frame: encode the image, then T time steps. The state lives in static arrays sized from the configs;
// each instantiation (deployable / probed top) has its own. Membranes restart at 0 at t = 0 (§4), so a
// frame never sees the previous frame's state.
template <class PROBE1, class PROBE2>
void snn_slice_frame(hls::stream<image_beat_t> &image_in, hls::stream<output_beat_t> &spikes_out,
                     PROBE1 &probe1, PROBE2 &probe2) {
    static conv1_current_beat_t current1[kPixels];
    static conv1_config::membrane_t membrane1[kPixels][conv1_config::out_channels];
    static conv2_config::membrane_t membrane2[kPixels][conv2_config::out_channels];
    #pragma HLS AGGREGATE variable=current1
    #pragma HLS ARRAY_PARTITION variable=membrane1 complete dim=2
    #pragma HLS ARRAY_PARTITION variable=membrane2 complete dim=2

    encode_frame(image_in, current1);
    for (unsigned t = 0; t < model_config::timesteps; t++) {
        time_step(current1, membrane1, membrane2, t == 0, spikes_out, probe1, probe2);
    }
}

}  // namespace

void snn_slice_top(hls::stream<image_beat_t> &image_in, hls::stream<output_beat_t> &spikes_out) {
    #pragma HLS INTERFACE mode=axis port=image_in
    #pragma HLS INTERFACE mode=axis port=spikes_out
    #pragma HLS INTERFACE mode=ap_ctrl_hs port=return
    nnet::no_probe probe1, probe2;
    snn_slice_frame(image_in, spikes_out, probe1, probe2);
}

void snn_slice_top_probe(hls::stream<image_beat_t> &image_in, hls::stream<output_beat_t> &spikes_out,
                         hls::stream<conv1_probe_t> &conv1_probe, hls::stream<conv2_probe_t> &conv2_probe) {
    #pragma HLS INTERFACE mode=axis port=image_in
    #pragma HLS INTERFACE mode=axis port=spikes_out
    #pragma HLS INTERFACE mode=axis port=conv1_probe
    #pragma HLS INTERFACE mode=axis port=conv2_probe
    #pragma HLS INTERFACE mode=ap_ctrl_hs port=return
    snn_slice_frame(image_in, spikes_out, conv1_probe, conv2_probe);
}
