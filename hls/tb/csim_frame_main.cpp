// C-simulation bench of the external-memory frame top (snn_frame_top, golden/backends/hls/frame_top.py).
//
// usage: csim_frame IMAGE HEIGHT WIDTH SCRATCH OUTPUT [IMAGE HEIGHT WIDTH SCRATCH OUTPUT ...]
//        csim_frame --check-args
//
// For each group of five arguments, one frame, in order, through the same top (so nothing may leak from one frame
// into the next, also at a different size): IMAGE is the image buffer (golden/ir/frame_memory.py pack_image: its
// size must be exactly the image buffer of a HEIGHT x WIDTH frame), SCRATCH and OUTPUT are written with the
// scratch buffer (every spiking layer's spike trains) and the output buffer (A_T) after the call. Both buffers are
// filled with 0xA5 before the call, so a byte the top does not write shows. The comparison with the golden model
// is golden/backends/hls/csim.py's (`python -m golden csim`). Per frame two lines:
//   FRAME frame=HxW image_bytes=.. scratch_bytes=.. output_bytes=.. seconds=..
//   REGIONS <layer>=<byte offset> ... end=<scratch bytes>
// (FRAME also carries status=: the top's STATUS output, 0 after a frame.)
// Exit 0 when every frame ran; 2 for bad arguments, a frame size the top refuses, or a file error.
//
// --check-args (issue 23): calls the top with every bad argument it refuses (height or width 0, not a multiple
// of 2^LEVELS, a width not a multiple of ENGINES x 2^LEVELS (with ENGINES > 1), width above MAX_WIDTH, height
// above MAX_HEIGHT, a written buffer overlapping another: output over the image, scratch over the output,
// scratch over the image), all buffers in one pool filled with 0xA5, and
// checks STATUS = STATUS_BAD_ARG and that no byte of the pool changed; one line per call
//   ARGS case=<name> status=<n> untouched=<0|1>
// and exit 0 when every call was refused and wrote nothing, 1 otherwise.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "snn_frame_top.h"

namespace {

using snn_frame::addr_t;
using snn_frame::beat_t;
using snn_frame::DW;

const unsigned BEAT_BYTES = DW / 8;
const unsigned char CANARY = 0xA5;

int fail(const std::string &msg) {
    std::printf("error: %s\n", msg.c_str());
    return 2;
}

bool read_beats(const std::string &path, std::vector<beat_t> &beats, std::string &why) {
    FILE *f = std::fopen(path.c_str(), "rb");
    if (!f) {
        why = path + ": cannot open";
        return false;
    }
    std::vector<unsigned char> bytes;
    unsigned char chunk[1 << 16];
    size_t n;
    while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0) bytes.insert(bytes.end(), chunk, chunk + n);
    std::fclose(f);
    if (bytes.size() != beats.size() * BEAT_BYTES) {
        why = path + ": " + std::to_string(bytes.size()) + " bytes, the image buffer of this frame has " +
              std::to_string(beats.size() * BEAT_BYTES);
        return false;
    }
    for (size_t i = 0; i < beats.size(); i++) {
        beat_t b = 0;
        for (unsigned k = 0; k < BEAT_BYTES; k++) b.range(8 * k + 7, 8 * k) = bytes[i * BEAT_BYTES + k];
        beats[i] = b;
    }
    return true;
}

bool write_beats(const std::string &path, const std::vector<beat_t> &beats) {
    std::vector<unsigned char> bytes(beats.size() * BEAT_BYTES);
    for (size_t i = 0; i < beats.size(); i++) {
        for (unsigned k = 0; k < BEAT_BYTES; k++) bytes[i * BEAT_BYTES + k] = beats[i].range(8 * k + 7, 8 * k).to_uint();
    }
    FILE *f = std::fopen(path.c_str(), "wb");
    if (!f) return false;
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    return std::fclose(f) == 0 && ok;
}

beat_t canary_beat() {
    beat_t b = 0;
    for (unsigned k = 0; k < BEAT_BYTES; k++) b.range(8 * k + 7, 8 * k) = CANARY;
    return b;
}

bool parse_size(const char *s, unsigned &v) {
    char *end = nullptr;
    const unsigned long x = std::strtoul(s, &end, 10);
    if (!*s || *end || x == 0 || x > 1u << 20) return false;
    v = static_cast<unsigned>(x);
    return true;
}

struct BadCall {
    const char *name;
    unsigned height, width;
    long image_at, output_at, scratch_at;  // beat offsets in the pool
};

int check_args() {
    const unsigned H = snn_frame::NOMINAL_HEIGHT, W = snn_frame::NOMINAL_WIDTH, step = 1u << snn_frame::LEVELS;
    const long ni = (long)snn_frame::image_beats(H, W), no = (long)snn_frame::output_beats(H, W);
    const long ns = (long)snn_frame::scratch_beats(H, W);
    const long img = 0, out = ni, scr = ni + no;   // a valid placement
    std::vector<BadCall> calls = {
        {"height-0", 0, W, img, out, scr},
        {"width-0", H, 0, img, out, scr},
        {"width-above-max", H, snn_frame::MAX_WIDTH + step, img, out, scr},
        {"height-above-max", snn_frame::MAX_HEIGHT + 1, W, img, out, scr},
        {"output-over-image", H, W, img, img + ni / 2, scr},
        {"scratch-over-output", H, W, img, out, out},
        {"scratch-over-image", H, W, img, out, img + ni - 1},
    };
    if (snn_frame::LEVELS > 0) {
        calls.push_back({"height-not-multiple", H + 1, W, img, out, scr});
        calls.push_back({"width-not-multiple", H, W - 1, img, out, scr});
    }
    if (snn_frame::ENGINES > 1) {  // a multiple of 2^LEVELS, not of ENGINES x 2^LEVELS (not whole strips)
        calls.push_back({"width-not-multiple-of-engines", H, snn_frame::MAX_WIDTH - step, img, out, scr});
    }
    std::vector<beat_t> pool(2 * (ni + no + ns) + 16, canary_beat());
    std::vector<beat_t> weights(1, beat_t(0));
    int bad = 0;
    for (const BadCall &c : calls) {
        unsigned status = 0xDEADBEEF;
        snn_frame_top(pool.data() + c.image_at, pool.data() + c.output_at, pool.data() + c.scratch_at, weights.data(),
                      c.height, c.width, 0, &status);
        bool untouched = true;
        for (const beat_t &b : pool) untouched = untouched && b == canary_beat();
        std::printf("ARGS case=%s status=%u untouched=%d\n", c.name, status, untouched ? 1 : 0);
        if (status != snn_frame::STATUS_BAD_ARG || !untouched) bad++;
    }
    std::fflush(stdout);
    return bad ? 1 : 0;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc == 2 && std::string(argv[1]) == "--check-args") return check_args();
    if (argc < 6 || (argc - 1) % 5 != 0) {
        return fail("usage: csim_frame IMAGE HEIGHT WIDTH SCRATCH OUTPUT [IMAGE HEIGHT WIDTH SCRATCH OUTPUT ...]");
    }
    std::printf("CSIM bench: DW=%u MAX_WIDTH=%u LEVELS=%u ENGINES=%u LANES=%u regions=%u T=%u\n", DW,
                snn_frame::MAX_WIDTH, snn_frame::LEVELS, snn_frame::ENGINES, snn_frame::LANES, snn_frame::NUM_REGIONS,
                snn_frame::model_config::timesteps);
    for (int a = 1; a < argc; a += 5) {
        const std::string image_path = argv[a], scratch_path = argv[a + 3], output_path = argv[a + 4];
        unsigned height = 0, width = 0;
        if (!parse_size(argv[a + 1], height) || !parse_size(argv[a + 2], width)) {
            return fail(std::string("frame ") + argv[a + 1] + "x" + argv[a + 2] + ": not a size");
        }
        const std::string frame = std::to_string(height) + "x" + std::to_string(width);
        if (!snn_frame::frame_size_ok(height, width)) {
            return fail("frame " + frame + ": height and width must be positive multiples of " +
                        std::to_string(1u << snn_frame::LEVELS) + ", the width of ENGINES x 2^LEVELS = " +
                        std::to_string(snn_frame::ENGINES << snn_frame::LEVELS) + " and width <= MAX_WIDTH " +
                        std::to_string(snn_frame::MAX_WIDTH));
        }
        std::vector<beat_t> image(snn_frame::image_beats(height, width));
        std::vector<beat_t> scratch(snn_frame::scratch_beats(height, width), canary_beat());
        std::vector<beat_t> output(snn_frame::output_beats(height, width), canary_beat());
        std::vector<beat_t> weights(1, beat_t(0));
        std::string why;
        if (!read_beats(image_path, image, why)) return fail(why);

        const auto start = std::chrono::steady_clock::now();
        unsigned status = 0xDEADBEEF;
        snn_frame_top(image.data(), output.data(), scratch.data(), weights.data(), height, width, 0, &status);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

        if (!write_beats(scratch_path, scratch)) return fail(scratch_path + ": cannot write");
        if (!write_beats(output_path, output)) return fail(output_path + ": cannot write");
        std::printf("FRAME frame=%s image_bytes=%llu scratch_bytes=%llu output_bytes=%llu seconds=%.2f status=%u\n",
                    frame.c_str(), (unsigned long long)(image.size() * BEAT_BYTES),
                    (unsigned long long)(scratch.size() * BEAT_BYTES),
                    (unsigned long long)(output.size() * BEAT_BYTES), seconds, status);
        addr_t offset[snn_frame::NUM_REGIONS + 1];
        snn_frame::region_offsets(height, width, offset);
        std::string regions = "REGIONS";
        for (unsigned i = 0; i <= snn_frame::NUM_REGIONS; i++) {
            regions += std::string(" ") + snn_frame::region_name(i) + "=" +
                       std::to_string((unsigned long long)(offset[i] * BEAT_BYTES));
        }
        std::printf("%s\n", regions.c_str());
        std::fflush(stdout);
    }
    return 0;
}
