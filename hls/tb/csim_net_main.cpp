// C-simulation test bench of the whole network (generated top, golden/backends/hls/top.py). Compares
// with == against the integer golden model (contract §3-§6, §8); no tolerance.
//
// usage: csim <export dir>        network run: the golden vectors of <export dir>/vectors (index.json, .gz files)
//        csim --units <stim dir>  every layer alone on the stimulus of <stim dir> (`python -m golden csim --units` writes it)
// The binary is built against one export's snn_params.h and generated top by `python -m golden csim` (link -lz).
// Vectors are read through golden_vectors.h: each key's file, encoding, dtype and shape come from index.json and
// must agree with snn_params.h.
//
// Network run: two frames through snn_net_top_probe (every layer's spike words and membranes, and the output
// layer's running sum A_t, at every time step, plus A_T on accum_out; the second frame checks that nothing leaks
// from one frame into the next), then one frame through snn_net_top (A_T only). Values are compared time step by
// time step, layers in network order, so the first mismatch printed is the earliest one:
// `MISMATCH <run> <signal>: layer=.. t=.. channel=.. y=.. x=.. expected=.. got=..`. Membranes are compared when the
// export recorded them (`export-net --membranes`); a line `CSIM membranes: compared` or `CSIM membranes: not
// compared (...)` says which. Last line:
// `CSIM PASS layers=L timesteps=T values=N mismatches=0` (exit 0) or `CSIM FAIL ... mismatches=M` (exit 1).
//
// Units run: for each layer, its kind's processes alone for T steps (concat + conv/pool/upconv + MT-IF, or
// conv + accumulate), fed with the stimulus keys <layer>.in<k> (source k's spike words [T][C][H][W]; the image
// [C][H][W] for the input layer) and compared with <layer>.spikes/.membrane or <layer>.accum of the same
// folder (membranes when it has them). One line per layer `UNIT <layer> values=N mismatches=M`, last line
// `CSIM UNITS PASS|FAIL layers=L timesteps=T values=N mismatches=M`.
#include <cstdio>
#include <string>
#include <vector>

#include "golden_vectors.h"
#include "snn_net_top.h"

using namespace snn_net;

namespace {

const unsigned T = model_config::timesteps;
const unsigned K = model_config::num_thresholds;

using golden_vectors::Index;
using golden_vectors::Tensor;

template <class CFG> std::vector<long long> frames_shape() {
    return {(long long)T, (long long)CFG::out_channels, (long long)CFG::height, (long long)CFG::width};
}

std::vector<long long> image_shape() {
    return {(long long)model_config::in_channels, (long long)model_config::height, (long long)model_config::width};
}

bool load_image(const Index &ix, const std::string &key, Tensor &out) {
    return ix.read(key, "image_beats", image_shape(), model_config::pixel_bits, out);
}
template <class CFG> bool load_spikes(const Index &ix, const std::string &key, Tensor &out) {
    return ix.read(key, "spike_beats", frames_shape<CFG>(), K, out);
}
// membranes and the output layer's A_t: integers of the layer's membrane_bits
template <class CFG> bool load_membrane(const Index &ix, const std::string &key, Tensor &out) {
    return ix.read(key, "int", frames_shape<CFG>(), CFG::membrane_bits, out);
}

struct Checker {
    unsigned long long values = 0;
    unsigned long long mismatches = 0;

    void check(const std::string &what, const char *layer, const Tensor &expected, unsigned t, unsigned c,
               unsigned y, unsigned x, long long got) {
        const long long want = expected.at4(t, c, y, x);
        values++;
        if (want == got) return;
        if (mismatches++ == 0)
            std::printf("MISMATCH %s: layer=%s t=%u channel=%u y=%u x=%u expected=%lld got=%lld\n", what.c_str(),
                        layer, t, c, y, x, want, got);
    }

    void error(const std::string &message) {  // structural (wrong number of beats): always reported
        mismatches++;
        std::printf("ERROR %s\n", message.c_str());
    }
};

template <class beat_T> bool holds(hls::stream<beat_T> &s, size_t want, const std::string &what, Checker &chk) {
    if (s.size() == want) return true;
    chk.error(what + " holds " + std::to_string(s.size()) + " beats, expected " + std::to_string(want));
    return false;
}

void push_image(const Tensor &image, hls::stream<image_beat_t> &image_in) {
    const unsigned C = (unsigned)image.shape[0], H = (unsigned)image.shape[1], W = (unsigned)image.shape[2];
    const unsigned P = model_config::pixel_bits;
    for (unsigned y = 0; y < H; y++)
        for (unsigned x = 0; x < W; x++) {
            image_beat_t beat = 0;
            for (unsigned c = 0; c < C; c++)  // §5: channel c in bits [8c+7 : 8c]
                beat.range(P * c + P - 1, P * c) = (unsigned)image.at3(c, y, x);
            image_in.write(beat);
        }
}

// Step t of a [T][C][H][W] spike-word tensor as a §5 spike frame of layer CFG.
template <class CFG>
void push_spikes(const Tensor &spikes, unsigned t, hls::stream<typename nnet::layer_types<CFG>::spike_beat_t> &s) {
    for (unsigned y = 0; y < CFG::height; y++)
        for (unsigned x = 0; x < CFG::width; x++) {
            typename nnet::layer_types<CFG>::spike_beat_t beat = 0;
            for (unsigned c = 0; c < CFG::out_channels; c++)
                beat.range(K * c + K - 1, K * c) = (unsigned)spikes.at4(t, c, y, x);
            s.write(beat);
        }
}

template <class beat_T> long long spike_word(const beat_T &beat, unsigned c) {
    return (long long)beat.range(K * c + K - 1, K * c).to_uint64();
}

// Compare step t of a spiking layer's probe stream (H*W beats) with its golden spikes and membranes (when
// `membrane` holds any: an export without membranes has none to compare).
template <class CFG>
void check_neuron_step(Checker &chk, const std::string &run, const char *layer, hls::stream<nnet::neuron_probe<CFG>> &probe,
                       const Tensor &spikes, const Tensor &membrane, unsigned t) {
    const std::string ws = run + " " + layer + ".spikes", wv = run + " " + layer + ".membrane";
    const bool membranes = !membrane.empty();
    for (unsigned y = 0; y < CFG::height; y++)
        for (unsigned x = 0; x < CFG::width; x++) {
            const nnet::neuron_probe<CFG> beat = probe.read();
            for (unsigned c = 0; c < CFG::out_channels; c++) {
                chk.check(ws, layer, spikes, t, c, y, x, spike_word(beat.spikes, c));
                if (membranes) chk.check(wv, layer, membrane, t, c, y, x, beat.membrane[c].to_int64());
            }
        }
}

// Compare H*W accumulator beats with step t of the golden [T][O][H][W] running sum.
template <class CFG>
void check_accum_step(Checker &chk, const std::string &what, const char *layer,
                      hls::stream<typename nnet::layer_types<CFG>::accum_beat_t> &s, const Tensor &accum, unsigned t) {
    for (unsigned y = 0; y < CFG::height; y++)
        for (unsigned x = 0; x < CFG::width; x++) {
            const typename nnet::layer_types<CFG>::accum_beat_t beat = s.read();
            for (unsigned c = 0; c < CFG::out_channels; c++)
                chk.check(what, layer, accum, t, c, y, x, beat[c].to_int64());
        }
}

#define HEAD SNN_NET_OUTPUT_LAYER
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define STR2(a) #a
#define STR(a) STR2(a)
typedef CAT(HEAD, _config) head_config;

// ------------------------------------------------------------------------------------------------- network run

struct Golden {
    Tensor input, head_accum;
#define X(n) Tensor n##_spikes, n##_membrane;
    SNN_NET_SPIKING_LAYERS(X)
#undef X
};

struct ProbeStreams {
#define X(n) hls::stream<n##_probe_t> n{#n "_probe"};
    SNN_NET_SPIKING_LAYERS(X)
#undef X
    hls::stream<CAT(HEAD, _probe_t)> HEAD{STR(HEAD) "_probe"};
};

// Whether a vectors folder has the membranes of every spiking layer (true), of none (false); -1: of some only.
int membranes_in(const Index &ix) {
    unsigned with = 0, all = 0;
#define X(n) all++, with += ix.has(#n ".membrane");
    SNN_NET_SPIKING_LAYERS(X)
#undef X
    return with == all ? 1 : with == 0 ? 0 : -1;
}

int run_network(const std::string &dir) {
    Golden g;
    Index ix;
    bool ok = ix.load(dir + "/vectors");
    const int membranes = ok ? membranes_in(ix) : 0;
    if (membranes < 0) {
        std::printf("ERROR %s/vectors/index.json: membranes of some spiking layers only\n", dir.c_str());
        ok = false;
    }
    ok = ok && load_image(ix, "input", g.input);
#define X(n)                                                                                 \
    ok = ok && load_spikes<n##_config>(ix, #n ".spikes", g.n##_spikes) &&                   \
         (!membranes || load_membrane<n##_config>(ix, #n ".membrane", g.n##_membrane));
    SNN_NET_SPIKING_LAYERS(X)
#undef X
    ok = ok && load_membrane<head_config>(ix, STR(HEAD) ".accum", g.head_accum);
    if (!ok) {
        std::printf("CSIM FAIL layers=%u timesteps=%u values=0 mismatches=0 (cannot read the vectors)\n",
                    SNN_NET_NUM_LAYERS, T);
        return 1;
    }
    if (membranes)
        std::printf("CSIM membranes: compared\n");
    else
        std::printf("CSIM membranes: not compared (the export has no membrane vectors: export-net --membranes off)\n");
    const size_t out_beats = (size_t)head_config::height * head_config::width;
    Checker chk;
    for (unsigned frame = 0; frame < 2 && chk.mismatches == 0; frame++) {
        const std::string run = "snn_net_top_probe frame " + std::to_string(frame);
        hls::stream<image_beat_t> image_in("image_in");
        hls::stream<accum_beat_t> accum_out("accum_out");
        ProbeStreams p;
        push_image(g.input, image_in);
        snn_net_top_probe(image_in, accum_out, SNN_NET_PROBE_ARGS(p));
        if (!image_in.empty()) chk.error(run + ": image_in not fully consumed");
        bool sizes = holds(accum_out, out_beats, run + ": accum_out", chk);
#define X(n) sizes = holds(p.n, (size_t)T * n##_config::height * n##_config::width, run + ": " #n "_probe", chk) && sizes;
        SNN_NET_SPIKING_LAYERS(X)
#undef X
        sizes = holds(p.HEAD, (size_t)T * out_beats, run + ": " STR(HEAD) "_probe", chk) && sizes;
        if (!sizes) break;
        for (unsigned t = 0; t < T; t++) {  // time step by time step, layers in network order
#define X(n) check_neuron_step<n##_config>(chk, run, #n, p.n, g.n##_spikes, g.n##_membrane, t);
            SNN_NET_SPIKING_LAYERS(X)
#undef X
            check_accum_step<head_config>(chk, run + " " STR(HEAD) ".accum", STR(HEAD), p.HEAD, g.head_accum, t);
        }
        check_accum_step<head_config>(chk, run + " accum_out", STR(HEAD), accum_out, g.head_accum, T - 1);
    }
    {  // the deployable top: A_T only
        const std::string run = "snn_net_top";
        hls::stream<image_beat_t> image_in("image_in");
        hls::stream<accum_beat_t> accum_out("accum_out");
        push_image(g.input, image_in);
        snn_net_top(image_in, accum_out);
        if (!image_in.empty()) chk.error(run + ": image_in not fully consumed");
        if (holds(accum_out, out_beats, run + ": accum_out", chk))
            check_accum_step<head_config>(chk, run + " accum_out", STR(HEAD), accum_out, g.head_accum, T - 1);
    }
    std::printf("CSIM %s layers=%u timesteps=%u values=%llu mismatches=%llu\n", chk.mismatches ? "FAIL" : "PASS",
                SNN_NET_NUM_LAYERS, T, chk.values, chk.mismatches);
    return chk.mismatches ? 1 : 0;
}

// --------------------------------------------------------------------------------------------------- units run

template <class CFG> struct UnitExpect {
    Tensor spikes, membrane, accum;
};

struct UnitBench {
    Index ix;
    Checker chk;
    unsigned layers = 0;
    bool failed_load = false;
    unsigned long long layer_values = 0, layer_mismatches = 0;

    static std::string key(const char *layer, const std::string &what) { return std::string(layer) + "." + what; }

    bool fail_load() {
        failed_load = true;
        chk.mismatches++;
        return false;
    }
    bool load_image(const char *layer, Tensor &out) {
        return ::load_image(ix, key(layer, "in0"), out) || fail_load();
    }
    template <class SRC> bool load_source(const char *layer, unsigned i, Tensor &out) {
        return load_spikes<SRC>(ix, key(layer, "in" + std::to_string(i)), out) || fail_load();
    }
    // spikes, and the membranes when the stimulus folder has them
    template <class CFG> bool load_expect_neuron(const char *layer, UnitExpect<CFG> &e) {
        return (load_spikes<CFG>(ix, key(layer, "spikes"), e.spikes) &&
                (!ix.has(key(layer, "membrane")) || load_membrane<CFG>(ix, key(layer, "membrane"), e.membrane))) ||
               fail_load();
    }
    template <class CFG> bool load_expect_accum(const char *layer, UnitExpect<CFG> &e) {
        return load_membrane<CFG>(ix, key(layer, "accum"), e.accum) || fail_load();
    }
    template <class CFG>
    void check_neuron(const char *layer, const UnitExpect<CFG> &e, unsigned t,
                      hls::stream<typename nnet::layer_types<CFG>::spike_beat_t> &spikes,
                      hls::stream<nnet::neuron_probe<CFG>> &probe) {
        const std::string run = std::string("unit ") + layer;
        const size_t n = (size_t)CFG::height * CFG::width;
        if (!holds(spikes, n, run + ": spikes", chk) || !holds(probe, n, run + ": probe", chk)) return;
        for (unsigned y = 0; y < CFG::height; y++)
            for (unsigned x = 0; x < CFG::width; x++) {
                const typename nnet::layer_types<CFG>::spike_beat_t beat = spikes.read();
                for (unsigned c = 0; c < CFG::out_channels; c++)
                    chk.check(run + " " + layer + ".spikes", layer, e.spikes, t, c, y, x, spike_word(beat, c));
            }
        check_neuron_step<CFG>(chk, run + " probe", layer, probe, e.spikes, e.membrane, t);
    }
    template <class CFG>
    void check_accum(const char *layer, const UnitExpect<CFG> &e, unsigned t,
                     hls::stream<typename nnet::layer_types<CFG>::accum_beat_t> &probe) {
        const std::string run = std::string("unit ") + layer;
        if (!holds(probe, (size_t)CFG::height * CFG::width, run + ": accum", chk)) return;
        check_accum_step<CFG>(chk, run + " " + layer + ".accum", layer, probe, e.accum, t);
    }
};

}  // namespace

#include "snn_net_units.h"

namespace {

int run_units(const std::string &dir) {
    UnitBench bench;
    if (!bench.ix.load(dir)) {
        std::printf("CSIM UNITS FAIL layers=0 timesteps=%u values=0 mismatches=1 (cannot read the stimulus)\n", T);
        return 1;
    }
#define X(n)                                                                                                \
    {                                                                                                       \
        const unsigned long long v0 = bench.chk.values, m0 = bench.chk.mismatches;                          \
        unit_##n(bench);                                                                                    \
        bench.layers++;                                                                                     \
        std::printf("UNIT %s values=%llu mismatches=%llu\n", #n, bench.chk.values - v0, bench.chk.mismatches - m0); \
    }
    SNN_NET_UNITS(X)
#undef X
    const bool pass = bench.chk.mismatches == 0;
    std::printf("CSIM UNITS %s layers=%u timesteps=%u values=%llu mismatches=%llu\n", pass ? "PASS" : "FAIL",
                bench.layers, T, bench.chk.values, bench.chk.mismatches);
    return pass ? 0 : 1;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc == 2) return run_network(argv[1]);
    if (argc == 3 && std::string(argv[1]) == "--units") return run_units(argv[2]);
    std::printf("usage: %s <export dir> | --units <stimulus dir>\n", argv[0]);
    return 2;
}
