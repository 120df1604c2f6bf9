// Reader of golden-vector folders (docs/contract.md §8, golden/export/vectors.py) for the C-sim bench: index.json
// names each key's gzip file, encoding, stored dtype, shape and bits; the files are read with zlib (gzopen/gzread,
// link -lz) and unpacked into Tensors. Encodings:
//   image_beats  per pixel (raster order) one beat of C*bits bits, channel c in bits [bits*c+bits-1 : bits*c]
//   spike_beats  per step, per pixel one beat of C*K bits (channel c in bits [K*c+K-1 : K*c]), ceil(C*K/8) bytes
//   int          little-endian two's complement int8/16/32/64, C order
// Every error is printed as one line `ERROR <file>: <what>` and the load returns false.
#ifndef SNN_TB_GOLDEN_VECTORS_H_
#define SNN_TB_GOLDEN_VECTORS_H_

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace golden_vectors {

// ------------------------------------------------------------------------------ a small JSON reader (the index)

struct Json {
    enum Kind { Null, Bool, Int, String, Array, Object } kind = Null;
    bool b = false;
    long long i = 0;
    std::string s;
    std::vector<Json> items;
    std::vector<std::pair<std::string, Json>> fields;

    const Json *get(const std::string &key) const {
        for (const auto &f : fields)
            if (f.first == key) return &f.second;
        return nullptr;
    }
};

class JsonParser {
  public:
    explicit JsonParser(const std::string &text) : t_(text) {}

    bool parse(Json &out, std::string &err) {
        if (!value(out, 0) || (ws(), p_ != t_.size())) {
            err = err_.empty() ? "trailing characters" : err_;
            err += " at offset " + std::to_string(p_);
            return false;
        }
        return true;
    }

  private:
    const std::string &t_;
    size_t p_ = 0;
    std::string err_;

    void ws() {
        while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\n' || t_[p_] == '\r' || t_[p_] == '\t')) p_++;
    }
    bool fail(const char *what) {
        if (err_.empty()) err_ = what;
        return false;
    }
    bool lit(const char *word) {
        const std::string w(word);
        if (t_.compare(p_, w.size(), w) != 0) return fail("unexpected token");
        p_ += w.size();
        return true;
    }
    bool str(std::string &out) {
        if (p_ >= t_.size() || t_[p_] != '"') return fail("expected a string");
        p_++;
        while (p_ < t_.size() && t_[p_] != '"') {
            char c = t_[p_++];
            if (c == '\\') {
                if (p_ >= t_.size()) return fail("unterminated string");
                const char e = t_[p_++];
                if (e == 'u') {  // \uXXXX: the index is ASCII; keep code points below 128 only
                    if (p_ + 4 > t_.size()) return fail("bad \\u escape");
                    for (size_t h = p_; h < p_ + 4; h++)
                        if (!std::isxdigit((unsigned char)t_[h])) return fail("bad \\u escape");
                    const unsigned long cp = std::stoul(t_.substr(p_, 4), nullptr, 16);
                    p_ += 4;
                    if (cp >= 128) return fail("non-ASCII \\u escape");
                    c = (char)cp;
                } else {
                    const std::string from = "\"\\/bfnrt", to = "\"\\/\b\f\n\r\t";
                    const size_t k = from.find(e);
                    if (k == std::string::npos) return fail("bad escape");
                    c = to[k];
                }
            }
            out.push_back(c);
        }
        if (p_ >= t_.size()) return fail("unterminated string");
        p_++;
        return true;
    }
    bool value(Json &out, int depth) {
        if (depth > 16) return fail("nested too deeply");
        ws();
        if (p_ >= t_.size()) return fail("unexpected end");
        const char c = t_[p_];
        if (c == '{') {
            out.kind = Json::Object;
            p_++;
            ws();
            if (p_ < t_.size() && t_[p_] == '}') return ++p_, true;
            while (true) {
                std::string key;
                ws();
                if (!str(key)) return false;
                ws();
                if (p_ >= t_.size() || t_[p_++] != ':') return fail("expected ':'");
                out.fields.emplace_back(key, Json());
                if (!value(out.fields.back().second, depth + 1)) return false;
                ws();
                if (p_ < t_.size() && t_[p_] == ',') { p_++; continue; }
                if (p_ < t_.size() && t_[p_] == '}') return ++p_, true;
                return fail("expected ',' or '}'");
            }
        }
        if (c == '[') {
            out.kind = Json::Array;
            p_++;
            ws();
            if (p_ < t_.size() && t_[p_] == ']') return ++p_, true;
            while (true) {
                out.items.emplace_back();
                if (!value(out.items.back(), depth + 1)) return false;
                ws();
                if (p_ < t_.size() && t_[p_] == ',') { p_++; continue; }
                if (p_ < t_.size() && t_[p_] == ']') return ++p_, true;
                return fail("expected ',' or ']'");
            }
        }
        if (c == '"') return out.kind = Json::String, str(out.s);
        if (c == 't') return out.kind = Json::Bool, out.b = true, lit("true");
        if (c == 'f') return out.kind = Json::Bool, out.b = false, lit("false");
        if (c == 'n') return out.kind = Json::Null, lit("null");
        if (c == '-' || (c >= '0' && c <= '9')) {  // integers only: the index holds no other numbers
            const size_t start = p_;
            if (c == '-') p_++;
            while (p_ < t_.size() && t_[p_] >= '0' && t_[p_] <= '9') p_++;
            if (p_ < t_.size() && (t_[p_] == '.' || t_[p_] == 'e' || t_[p_] == 'E')) return fail("not an integer");
            if (p_ - start > 18 || p_ == start + (c == '-')) return fail("bad integer");
            out.kind = Json::Int;
            out.i = std::stoll(t_.substr(start, p_ - start));
            return true;
        }
        return fail("unexpected character");
    }
};

// ------------------------------------------------------------------------------------------ index and tensors

struct Entry {
    std::string file, encoding, dtype;
    std::vector<long long> shape;
    unsigned bits = 0, beat_bytes = 0;
};

// The decoded values of one key: words (spike words, pixels) as bytes, integers as int64.
struct Tensor {
    std::vector<long long> shape;
    std::vector<unsigned char> words;
    std::vector<long long> ints;

    bool empty() const { return shape.empty(); }
    long long value(size_t i) const { return ints.empty() ? (long long)words[i] : ints[i]; }
    long long at3(unsigned c, unsigned y, unsigned x) const {
        return value(((size_t)c * shape[1] + y) * shape[2] + x);
    }
    long long at4(unsigned t, unsigned c, unsigned y, unsigned x) const {
        return value((((size_t)t * shape[1] + c) * shape[2] + y) * shape[3] + x);
    }
};

inline unsigned dtype_bytes(const std::string &dtype) {
    if (dtype == "uint8" || dtype == "int8") return 1;
    if (dtype == "int16") return 2;
    if (dtype == "int32") return 4;
    if (dtype == "int64") return 8;
    return 0;
}

// The narrowest of int8/16/32/64 that holds `bits` signed bits (the writer's rule).
inline std::string int_dtype(unsigned bits) {
    return bits <= 8 ? "int8" : bits <= 16 ? "int16" : bits <= 32 ? "int32" : "int64";
}

class Index {
  public:
    std::string dir;

    bool load(const std::string &folder) {
        dir = folder;
        const std::string path = folder + "/index.json";
        std::ifstream f(path, std::ios::binary);
        if (!f) return error(path, "cannot open");
        std::stringstream buf;
        buf << f.rdbuf();
        const std::string text = buf.str();
        Json doc;
        std::string err;
        if (!JsonParser(text).parse(doc, err)) return error(path, "not valid JSON (" + err + ")");
        const Json *fmt = doc.get("format"), *ver = doc.get("version"), *vec = doc.get("vectors");
        if (!fmt || fmt->s != "snn-golden-vectors" || !ver || ver->kind != Json::Int || ver->i != 1)
            return error(path, "field format/version must be 'snn-golden-vectors'/1 (re-run the export)");
        if (!vec || vec->kind != Json::Object) return error(path, "field vectors must be a mapping");
        for (const auto &kv : vec->fields) {
            const Json &e = kv.second;
            Entry out;
            const Json *file = e.get("file"), *enc = e.get("encoding"), *dt = e.get("dtype"), *shape = e.get("shape"),
                       *bits = e.get("bits"), *bb = e.get("beat_bytes");
            if (!file || file->kind != Json::String || !enc || enc->kind != Json::String || !dt ||
                dt->kind != Json::String || !shape || shape->kind != Json::Array || !bits || bits->kind != Json::Int)
                return error(path, "field vectors." + kv.first + ": needs file, encoding, dtype, shape and bits");
            out.file = file->s;
            out.encoding = enc->s;
            out.dtype = dt->s;
            out.bits = (unsigned)bits->i;
            if (bb && bb->kind == Json::Int) out.beat_bytes = (unsigned)bb->i;
            for (const Json &d : shape->items) {
                if (d.kind != Json::Int || d.i < 1) return error(path, "field vectors." + kv.first + ".shape: bad");
                out.shape.push_back(d.i);
            }
            if (out.file.find('/') != std::string::npos || out.file == ".." || out.file == ".")
                return error(path, "field vectors." + kv.first + ".file must be a file name in the folder");
            entries_[kv.first] = out;
        }
        return true;
    }

    bool has(const std::string &key) const { return entries_.count(key) != 0; }

    // Read `key` into `out`; its entry must have this encoding, shape and bits (beats) or width (int).
    bool read(const std::string &key, const std::string &encoding, const std::vector<long long> &shape,
              unsigned bits, Tensor &out) const {
        const std::string ipath = dir + "/index.json";
        const auto it = entries_.find(key);
        if (it == entries_.end()) return error(ipath, "no vector " + key);
        const Entry &e = it->second;
        const std::string path = dir + "/" + e.file;
        if (e.encoding != encoding) return error(ipath, "field vectors." + key + ".encoding must be " + encoding);
        if (e.shape != shape)
            return error(ipath, "field vectors." + key + ".shape does not match snn_params.h (rebuild against this export)");
        if (e.bits != bits) return error(ipath, "field vectors." + key + ".bits does not match snn_params.h");
        const bool beats = encoding != "int";
        if (e.dtype != (beats ? std::string("uint8") : int_dtype(bits)))
            return error(ipath, "field vectors." + key + ".dtype=" + e.dtype + " is not the writer's for its bits");
        size_t lead = 1;
        for (size_t d = 0; d + 3 < shape.size(); d++) lead *= (size_t)shape[d];
        const size_t C = (size_t)shape[shape.size() - 3], HW = (size_t)shape[shape.size() - 2] * shape.back();
        const size_t nb = (C * bits + 7) / 8, width = dtype_bytes(e.dtype);
        if (beats && e.beat_bytes != nb) return error(ipath, "field vectors." + key + ".beat_bytes must be ceil(C*bits/8)");
        const size_t n = beats ? lead * HW * nb : lead * C * HW * width;
        std::vector<unsigned char> raw;
        if (!read_gz(path, n, raw)) return false;
        out.shape = shape;
        out.words.clear();
        out.ints.clear();
        if (!beats) {
            out.ints.resize(lead * C * HW);
            for (size_t i = 0; i < out.ints.size(); i++) {
                unsigned long long u = 0;
                for (size_t b = 0; b < width; b++) u |= (unsigned long long)raw[i * width + b] << (8 * b);
                if (width < 8 && (u >> (8 * width - 1)) & 1) u |= ~0ULL << (8 * width);  // sign-extend
                out.ints[i] = (long long)u;
            }
            return true;
        }
        out.words.assign(lead * C * HW, 0);
        for (size_t l = 0; l < lead; l++)
            for (size_t p = 0; p < HW; p++) {
                const unsigned char *beat = &raw[(l * HW + p) * nb];
                for (size_t bit = C * bits; bit < nb * 8; bit++)
                    if ((beat[bit >> 3] >> (bit & 7)) & 1)
                        return error(path, "a beat has a nonzero bit above its fields (" + key + ")");
                for (size_t c = 0; c < C; c++) {
                    unsigned w = 0;
                    for (unsigned k = 0; k < bits; k++) {
                        const size_t bit = c * bits + k;
                        w |= (unsigned)((beat[bit >> 3] >> (bit & 7)) & 1) << k;
                    }
                    out.words[(l * C + c) * HW + p] = (unsigned char)w;
                }
            }
        return true;
    }

  private:
    std::map<std::string, Entry> entries_;

    static bool error(const std::string &path, const std::string &what) {
        std::printf("ERROR %s: %s\n", path.c_str(), what.c_str());
        return false;
    }

    // Exactly n bytes of a complete gzip stream: refuses a file that is not gzip, truncated, or of another size.
    static bool read_gz(const std::string &path, size_t n, std::vector<unsigned char> &out) {
        gzFile f = gzopen(path.c_str(), "rb");
        if (!f) return error(path, "cannot open");
        out.assign(n, 0);
        size_t got = 0;
        bool ok = true;
        std::string why;
        while (got < n) {
            const unsigned chunk = (unsigned)std::min<size_t>(n - got, 1u << 30);
            const int r = gzread(f, out.data() + got, chunk);
            if (r <= 0) break;
            got += (size_t)r;
        }
        unsigned char extra;
        const int more = got == n ? gzread(f, &extra, 1) : 0;
        int errnum = Z_OK;
        const char *msg = gzerror(f, &errnum);
        if (gzdirect(f)) ok = false, why = "not a gzip file";
        else if (errnum != Z_OK && errnum != Z_STREAM_END) ok = false, why = std::string("not a complete gzip stream (") + msg + ")";
        else if (got < n) ok = false, why = "holds " + std::to_string(got) + " bytes, expected " + std::to_string(n);
        else if (more != 0) ok = false, why = "holds more than the expected " + std::to_string(n) + " bytes";
        const int rc = gzclose(f);
        if (ok && rc != Z_OK) ok = false, why = "truncated or corrupt gzip stream (gzclose " + std::to_string(rc) + ")";
        return ok || error(path, why);
    }
};

}  // namespace golden_vectors

#endif
