#pragma once
// The exact on-disk bytes of the data-set formats laq reads, built in memory: IDX headers
// and MNIST-shaped files, CIFAR binary records, MAT-file Level 5 variables (plain and
// miCOMPRESSED), gzip streams. Free of GoogleTest so that the unit tests and the fuzz seed
// generator (fuzz/make_seeds.cpp) write the same files; no dataset bytes are committed.
//
// MAT-file recipe (docs/formats.md §1.4, checked there against scipy's loadmat): header text
// padded with spaces to 116 bytes, 8 zero bytes, version 00 01, endian "IM"; each variable
// an miMATRIX (flags, dims, name, real part; names and payloads of <= 4 bytes in the small
// element form), optionally wrapped as miCOMPRESSED = tag(15, len(z)) + zlib(miMATRIX).
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace laq::test {

inline std::vector<uint8_t> be32(uint32_t v) {
  return {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 8),
          static_cast<uint8_t>(v)};
}

// Header bytes: 00 00 type ndims, then each dim as BE u32.
inline std::vector<uint8_t> idx_header(uint8_t type, const std::vector<uint32_t>& dims) {
  std::vector<uint8_t> h = {0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims) {
    auto b = be32(d);
    h.insert(h.end(), b.begin(), b.end());
  }
  return h;
}

inline std::vector<uint8_t> concat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// MNIST-shaped files: images magic 2051 with n x rows x cols, labels magic 2049 with n.
inline std::vector<uint8_t> mnist_images(uint32_t n, const std::vector<uint8_t>& pixels, uint32_t rows = 28,
                                         uint32_t cols = 28) {
  return concat(idx_header(0x08, {n, rows, cols}), pixels);
}

inline std::vector<uint8_t> mnist_labels(const std::vector<uint8_t>& labels) {
  return concat(idx_header(0x08, {static_cast<uint32_t>(labels.size())}), labels);
}

// Deterministic pixels: image i, pixel p -> (7*i + 3*p) mod 256.
inline std::vector<uint8_t> pattern_pixels(uint32_t n, uint32_t per_image = 784) {
  std::vector<uint8_t> px(size_t{n} * per_image);
  for (uint32_t i = 0; i < n; ++i)
    for (uint32_t p = 0; p < per_image; ++p) px[size_t{i} * per_image + p] = static_cast<uint8_t>((7 * i + 3 * p) & 255);
  return px;
}

// gzip (not zlib) framing of `raw`, as gzwrite would write it, in memory.
inline std::vector<uint8_t> gzip_compress(const std::vector<uint8_t>& raw) {
  z_stream zs{};
  if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("gzip_compress: deflateInit2 failed");
  std::vector<uint8_t> out(deflateBound(&zs, static_cast<uLong>(raw.size())) + 32);
  zs.next_in = const_cast<Bytef*>(raw.data());
  zs.avail_in = static_cast<uInt>(raw.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("gzip_compress: deflate did not finish");
  return out;
}

using Bytes = std::vector<uint8_t>;

inline void put32(Bytes& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
inline void pad_to8(Bytes& b) {
  while (b.size() % 8) b.push_back(0);
}

// One subelement: small form if it fits in 4 bytes (and `allow_small`), else tag + data + padding.
inline Bytes mat_element(uint32_t type, const Bytes& data, bool allow_small = true) {
  Bytes b;
  // The whole element (8-byte tag, data, up to 7 bytes of padding) in one allocation. It also
  // keeps GCC 12 from a false -Wstringop-overread: when insert() below had to reallocate a
  // buffer that only held the tag's push_backs, GCC's inlined copy of it looked like a read
  // from an empty region.
  b.reserve(16 + data.size());
  if (allow_small && data.size() <= 4) {
    put32(b, type | (static_cast<uint32_t>(data.size()) << 16));
    b.insert(b.end(), data.begin(), data.end());
    while (b.size() < 8) b.push_back(0);
    return b;
  }
  put32(b, type);
  put32(b, static_cast<uint32_t>(data.size()));
  b.insert(b.end(), data.begin(), data.end());
  pad_to8(b);
  return b;
}

struct MatVarSpec {
  std::string name;
  uint32_t mx_class = 9;  // mxUINT8
  uint32_t storage = 2;   // miUINT8
  std::vector<int32_t> dims;
  Bytes data;                // real part, little-endian elements
  uint32_t extra_flags = 0;  // e.g. 0x0800 complex
};

// The full miMATRIX element (tag + body). body_delta changes the claimed nbytes only.
inline Bytes mat_matrix(const MatVarSpec& v, int64_t body_delta = 0) {
  Bytes body;
  Bytes flags;
  put32(flags, v.mx_class | v.extra_flags);
  put32(flags, 0);
  auto f = mat_element(6, flags, false);
  body.insert(body.end(), f.begin(), f.end());
  Bytes dims;
  for (int32_t d : v.dims) put32(dims, static_cast<uint32_t>(d));
  auto d = mat_element(5, dims, false);
  body.insert(body.end(), d.begin(), d.end());
  auto n = mat_element(1, Bytes(v.name.begin(), v.name.end()));
  body.insert(body.end(), n.begin(), n.end());
  auto r = mat_element(v.storage, v.data);
  body.insert(body.end(), r.begin(), r.end());
  Bytes out;
  put32(out, 14);
  put32(out, static_cast<uint32_t>(static_cast<int64_t>(body.size()) + body_delta));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

inline Bytes zlib_compress(const Bytes& raw) {
  uLongf len = compressBound(static_cast<uLong>(raw.size()));
  Bytes z(len);
  if (compress2(z.data(), &len, raw.data(), static_cast<uLong>(raw.size()), 6) != Z_OK)
    throw std::runtime_error("zlib_compress: compress2 failed");
  z.resize(len);
  return z;
}

inline Bytes mat_compressed(const Bytes& element) {
  const Bytes z = zlib_compress(element);
  Bytes out;
  put32(out, 15);
  put32(out, static_cast<uint32_t>(z.size()));
  out.insert(out.end(), z.begin(), z.end());
  return out;
}

inline Bytes mat_header(const std::string& text = "MATLAB 5.0 MAT-file, Platform: laq-test, Created on: test time",
                        const char endian[2] = "IM", uint16_t version = 0x0100) {
  Bytes h(text.begin(), text.end());
  h.resize(116, ' ');
  h.resize(124, 0);
  h.push_back(static_cast<uint8_t>(version & 0xFF));
  h.push_back(static_cast<uint8_t>(version >> 8));
  h.push_back(static_cast<uint8_t>(endian[0]));
  h.push_back(static_cast<uint8_t>(endian[1]));
  return h;
}

inline Bytes mat_file(const std::vector<MatVarSpec>& vars, bool compressed) {
  Bytes out = mat_header();
  for (const auto& v : vars) {
    Bytes e = mat_matrix(v);
    if (compressed) e = mat_compressed(e);
    const std::size_t at = out.size();
    out.resize(at + e.size());
    std::memcpy(out.data() + at, e.data(), e.size());
  }
  return out;
}

// Pixel of image n, channel ch, row r, col c: distinct under a row/column swap.
inline uint8_t svhn_pixel(int64_t n, int64_t ch, int64_t r, int64_t c) {
  return static_cast<uint8_t>((r * 7 + c * 3 + ch * 101 + n * 13) & 255);
}

// X as MATLAB stores it: column-major [32, 32, 3, N].
inline MatVarSpec svhn_x(int32_t n) {
  MatVarSpec v{"X", 9, 2, {32, 32, 3, n}, {}, 0};
  v.data.resize(static_cast<std::size_t>(n) * 3072);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < 3; ++ch)
      for (int64_t c = 0; c < 32; ++c)
        for (int64_t r = 0; r < 32; ++r) v.data[static_cast<std::size_t>(i * 3072 + ch * 1024 + c * 32 + r)] = svhn_pixel(i, ch, r, c);
  return v;
}

// y: labels 1..10 as uint8 (mxUINT8/miUINT8), or as double (mxDOUBLE/miDOUBLE).
inline MatVarSpec svhn_y(const std::vector<int>& labels, bool as_double = false) {
  MatVarSpec v{"y", as_double ? 6u : 9u, as_double ? 9u : 2u, {static_cast<int32_t>(labels.size()), 1}, {}, 0};
  for (int l : labels) {
    if (as_double) {
      const double d = l;
      const auto* p = reinterpret_cast<const uint8_t*>(&d);
      v.data.insert(v.data.end(), p, p + 8);
    } else {
      v.data.push_back(static_cast<uint8_t>(l));
    }
  }
  return v;
}

// CIFAR record pixels: file f, record i, channel ch, row r, col c.
inline uint8_t cifar_pixel(int64_t f, int64_t i, int64_t ch, int64_t r, int64_t c) {
  return static_cast<uint8_t>((ch * 101 + r * 7 + c * 3 + i * 13 + f * 29) & 255);
}

inline Bytes cifar_records(int64_t f, const std::vector<std::vector<uint8_t>>& labels) {
  Bytes b;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    b.insert(b.end(), labels[i].begin(), labels[i].end());
    for (int64_t ch = 0; ch < 3; ++ch)
      for (int64_t r = 0; r < 32; ++r)
        for (int64_t c = 0; c < 32; ++c) b.push_back(cifar_pixel(f, static_cast<int64_t>(i), ch, r, c));
  }
  return b;
}

}  // namespace laq::test
