// C-simulation test bench: runs the slice tops on an export's golden vectors and compares every spike word and
// every membrane of both layers at every time step with == (contract §4, §5, §8). No tolerance.
//
// usage: csim <export dir>    (reads <export dir>/vectors/<key>.txt; the binary is built against the same
//                              export's snn_params.h by scripts/run_csim.py)
// Runs: two frames through snn_slice_top_probe (the second checks that nothing leaks from one frame into the
// next), then one through snn_slice_top (the deployable datapath, output spikes only). The first mismatch is
// reported as `MISMATCH <what>: layer=.. t=.. channel=.. y=.. x=.. expected=.. got=..`. The last line is
// `CSIM PASS layers=2 timesteps=T values=N mismatches=0` (exit 0) or `CSIM FAIL ... mismatches=M` (exit 1);
// values = number of == comparisons made.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "snn_slice.h"

namespace {

const unsigned T = model_config::timesteps;
const unsigned H = model_config::height;
const unsigned W = model_config::width;
const unsigned K = model_config::num_thresholds;
const unsigned C0 = model_config::in_channels;
const unsigned C1 = conv1_config::out_channels;
const unsigned C2 = conv2_config::out_channels;

struct Tensor {
    std::vector<long long> shape;
    std::vector<long long> values;
};

bool load(const std::string &dir, const std::string &key, const std::vector<long long> &shape, Tensor &out) {
    const std::string path = dir + "/vectors/" + key + ".txt";
    std::ifstream f(path);
    if (!f) {
        std::printf("ERROR %s: cannot open\n", path.c_str());
        return false;
    }
    std::string line;
    std::getline(f, line);
    std::istringstream header(line);
    std::string hash, word;
    header >> hash >> word;
    if (hash != "#" || word != "shape") {
        std::printf("ERROR %s: first line must be '# shape d0 d1 ...'\n", path.c_str());
        return false;
    }
    long long d;
    while (header >> d) out.shape.push_back(d);
    if (out.shape != shape) {
        std::printf("ERROR %s: shape does not match snn_params.h (rebuild against this export)\n", path.c_str());
        return false;
    }
    long long n = 1;
    for (long long s : shape) n *= s;
    long long v;
    while (f >> v) out.values.push_back(v);
    if (!f.eof() || (long long)out.values.size() != n) {
        std::printf("ERROR %s: expected %lld integers, read %zu\n", path.c_str(), n, out.values.size());
        return false;
    }
    return true;
}

struct Checker {
    unsigned long long values = 0;
    unsigned long long mismatches = 0;

    // Compare one value of a [T][C][H][W] tensor.
    void check(const char *what, const char *layer, const Tensor &expected, unsigned t, unsigned c, unsigned y,
               unsigned x, long long got) {
        const unsigned channels = (unsigned)expected.shape[1];
        const long long want = expected.values[((t * channels + c) * H + y) * W + x];
        values++;
        if (want == got) return;
        if (mismatches++ == 0)
            std::printf("MISMATCH %s: layer=%s t=%u channel=%u y=%u x=%u expected=%lld got=%lld\n", what, layer, t,
                        c, y, x, want, got);
    }

    // A structural error (wrong number of beats): always reported, counts as a mismatch.
    void error(const std::string &message) {
        mismatches++;
        std::printf("ERROR %s\n", message.c_str());
    }
};

void push_image(const Tensor &image, hls::stream<image_beat_t> &image_in) {
    for (unsigned y = 0; y < H; y++)
        for (unsigned x = 0; x < W; x++) {
            image_beat_t beat = 0;
            for (unsigned c = 0; c < C0; c++)  // §5: channel c in bits [8c+7 : 8c]
                beat.range(8 * c + 7, 8 * c) = (unsigned)image.values[(c * H + y) * W + x];
            image_in.write(beat);
        }
}

template <class beat_T> bool enough(hls::stream<beat_T> &s, const char *name, const char *run, Checker &chk) {
    const size_t want = (size_t)T * H * W;
    if (s.size() == want) return true;
    chk.error(std::string(run) + ": stream " + name + " holds " + std::to_string(s.size()) + " beats, expected " +
              std::to_string(want));
    return false;
}

template <class beat_T> long long spike_word(const beat_T &beat, unsigned c) {
    return (long long)beat.range(K * c + K - 1, K * c).to_uint64();
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 2) {
        std::printf("usage: %s <export dir>\n", argv[0]);
        return 2;
    }
    const std::string dir = argv[1];
    Tensor image, spikes1, membrane1, spikes2, membrane2;
    const long long t_ = T, h_ = H, w_ = W;
    if (!load(dir, "input", {(long long)C0, h_, w_}, image) ||
        !load(dir, "conv1.spikes", {t_, (long long)C1, h_, w_}, spikes1) ||
        !load(dir, "conv1.membrane", {t_, (long long)C1, h_, w_}, membrane1) ||
        !load(dir, "conv2.spikes", {t_, (long long)C2, h_, w_}, spikes2) ||
        !load(dir, "conv2.membrane", {t_, (long long)C2, h_, w_}, membrane2)) {
        std::printf("CSIM FAIL layers=2 timesteps=%u values=0 mismatches=0 (cannot read the vectors)\n", T);
        return 1;
    }

    Checker chk;
    // Two frames through the probed top: both layers, spikes and membranes, every time step.
    for (unsigned frame = 0; frame < 2; frame++) {
        const std::string run = "snn_slice_top_probe frame " + std::to_string(frame);
        hls::stream<image_beat_t> image_in("image_in");
        hls::stream<output_beat_t> spikes_out("spikes_out");
        hls::stream<conv1_probe_t> probe1("conv1_probe");
        hls::stream<conv2_probe_t> probe2("conv2_probe");
        push_image(image, image_in);
        snn_slice_top_probe(image_in, spikes_out, probe1, probe2);
        if (!image_in.empty()) chk.error(run + ": image_in not fully consumed");
        if (!enough(spikes_out, "spikes_out", run.c_str(), chk) || !enough(probe1, "conv1_probe", run.c_str(), chk) ||
            !enough(probe2, "conv2_probe", run.c_str(), chk))
            break;
        const std::string w1 = run + " conv1.spikes", v1 = run + " conv1.membrane";
        const std::string w2 = run + " conv2.spikes", v2 = run + " conv2.membrane";
        const std::string p2 = run + " conv2_probe.spikes";
        for (unsigned t = 0; t < T; t++)
            for (unsigned y = 0; y < H; y++)
                for (unsigned x = 0; x < W; x++) {
                    const conv1_probe_t a = probe1.read();
                    const conv2_probe_t b = probe2.read();
                    const output_beat_t out = spikes_out.read();
                    for (unsigned c = 0; c < C1; c++) {
                        chk.check(w1.c_str(), "conv1", spikes1, t, c, y, x, spike_word(a.spikes, c));
                        chk.check(v1.c_str(), "conv1", membrane1, t, c, y, x, a.membrane[c].to_int64());
                    }
                    for (unsigned c = 0; c < C2; c++) {
                        chk.check(w2.c_str(), "conv2", spikes2, t, c, y, x, spike_word(out, c));  // the real output
                        chk.check(p2.c_str(), "conv2", spikes2, t, c, y, x, spike_word(b.spikes, c));
                        chk.check(v2.c_str(), "conv2", membrane2, t, c, y, x, b.membrane[c].to_int64());
                    }
                }
    }
    // One frame through the deployable top: its output stream.
    {
        const std::string run = "snn_slice_top";
        hls::stream<image_beat_t> image_in("image_in");
        hls::stream<output_beat_t> spikes_out("spikes_out");
        push_image(image, image_in);
        snn_slice_top(image_in, spikes_out);
        if (!image_in.empty()) chk.error(run + ": image_in not fully consumed");
        if (enough(spikes_out, "spikes_out", run.c_str(), chk)) {
            const std::string w2 = run + " conv2.spikes";
            for (unsigned t = 0; t < T; t++)
                for (unsigned y = 0; y < H; y++)
                    for (unsigned x = 0; x < W; x++) {
                        const output_beat_t out = spikes_out.read();
                        for (unsigned c = 0; c < C2; c++)
                            chk.check(w2.c_str(), "conv2", spikes2, t, c, y, x, spike_word(out, c));
                    }
        }
    }

    std::printf("CSIM %s layers=2 timesteps=%u values=%llu mismatches=%llu\n", chk.mismatches ? "FAIL" : "PASS", T,
                chk.values, chk.mismatches);
    return chk.mismatches ? 1 : 0;
}
