#include "datasets/transforms.h"

#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "datasets/transform_checks.h"
#include "engine/error.h"

namespace laq::datasets {

using detail::check_rows;
using detail::num;

namespace {

// 4-lane multiply-xorshift hash over 64-bit words (not cryptographic: it identifies
// inputs, it does not defend against forgery).
uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

uint64_t hash_bytes(const uint8_t* p, std::size_t len, uint64_t seed) {
  uint64_t lane[4] = {seed ^ 0x9E3779B97F4A7C15ULL, seed + 1, seed + 2, seed + 3};
  std::size_t i = 0;
  for (; i + 32 <= len; i += 32)
    for (int k = 0; k < 4; ++k) {
      uint64_t w;
      std::memcpy(&w, p + i + 8 * k, 8);
      lane[k] = (lane[k] ^ w) * 0x100000001b3ULL + (lane[k] >> 29);
    }
  uint64_t h = len;
  for (; i < len; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
  for (uint64_t l : lane) h = mix(h ^ mix(l));
  return h;
}

constexpr char kMagic[8] = {'L', 'A', 'Q', 'Z', 'C', 'A', '1', '\n'};
constexpr std::size_t kCacheHeader = 40;

template <class T>
void put(std::vector<uint8_t>& b, T v) {
  const auto* p = reinterpret_cast<const uint8_t*>(&v);
  b.insert(b.end(), p, p + sizeof v);
}
template <class T>
T get(const std::vector<uint8_t>& b, std::size_t off) {
  T v;
  std::memcpy(&v, b.data() + off, sizeof v);
  return v;
}

}  // namespace

uint64_t fingerprint(const float* x, int64_t n, int64_t dim) {
  check_rows("fingerprint", x, n, dim);
  const uint64_t h = hash_bytes(reinterpret_cast<const uint8_t*>(x), static_cast<std::size_t>(n * dim) * sizeof(float), 0x5A);
  return mix(h ^ mix(static_cast<uint64_t>(n) * 0x9E3779B97F4A7C15ULL ^ static_cast<uint64_t>(dim)));
}

void save_zca(const std::filesystem::path& path, const Zca& z, int64_t n, uint64_t input_fingerprint) {
  const std::size_t d = static_cast<std::size_t>(z.dim);
  std::vector<uint8_t> b;
  b.reserve(kCacheHeader + 4 * (d + d * d) + 8);
  b.insert(b.end(), kMagic, kMagic + 8);
  put<uint64_t>(b, static_cast<uint64_t>(z.dim));
  put<uint64_t>(b, static_cast<uint64_t>(n));
  put<double>(b, z.filter_bias);
  put<uint64_t>(b, input_fingerprint);
  const auto* m = reinterpret_cast<const uint8_t*>(z.mean.data());
  b.insert(b.end(), m, m + 4 * d);
  const auto* pp = reinterpret_cast<const uint8_t*>(z.P.data());
  b.insert(b.end(), pp, pp + 4 * d * d);
  put<uint64_t>(b, hash_bytes(b.data(), b.size(), 0xC5));
  auto tmp = path;
  tmp += ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    if (!f.good()) throw Error(tmp.string() + ": cannot write the ZCA cache");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw Error(path.string() + ": cannot rename the ZCA cache into place (" + ec.message() + ")");
}

Zca fit_zca_cached(const float* x, int64_t n, int64_t dim, double filter_bias, const std::filesystem::path& cache,
                   bool* hit) {
  check_rows("fit_zca_cached", x, n, dim);
  const uint64_t fp = fingerprint(x, n, dim);
  const std::string file = cache.string();
  const std::size_t d = static_cast<std::size_t>(dim);
  std::error_code ec;
  if (std::filesystem::exists(cache, ec)) {
    const uint64_t size = std::filesystem::file_size(cache, ec);
    if (ec) throw Error(file + ": cannot stat the ZCA cache (" + ec.message() + ")");
    std::ifstream f(cache, std::ios::binary);
    std::vector<uint8_t> head(kCacheHeader);
    if (size < kCacheHeader + 8 || !f.read(reinterpret_cast<char*>(head.data()), kCacheHeader))
      throw Error(file + ": ZCA cache truncated: " + std::to_string(size) + " bytes, less than the header");
    if (std::memcmp(head.data(), kMagic, 8) != 0)
      throw Error(file + ": magic: not a laq ZCA cache file (refusing to overwrite it)");
    const auto cdim = get<uint64_t>(head, 8);
    const auto cn = get<uint64_t>(head, 16);
    const auto cbias = get<double>(head, 24);
    const auto cfp = get<uint64_t>(head, 32);
    if (cdim == d && cn == static_cast<uint64_t>(n) && cbias == filter_bias && cfp == fp) {
      const uint64_t expect = kCacheHeader + 4 * (d + d * d) + 8;
      if (size != expect)
        throw Error(file + ": ZCA cache size: " + std::to_string(size) + " bytes, expected " + std::to_string(expect) +
                    " for dim " + std::to_string(d) + " (damaged: delete it to refit)");
      std::vector<uint8_t> all(size);
      std::memcpy(all.data(), head.data(), kCacheHeader);
      if (!f.read(reinterpret_cast<char*>(all.data() + kCacheHeader), static_cast<std::streamsize>(size - kCacheHeader)))
        throw Error(file + ": read error in the ZCA cache");
      if (get<uint64_t>(all, size - 8) != hash_bytes(all.data(), size - 8, 0xC5))
        throw Error(file +
                    ": ZCA cache checksum: the stored checksum does not match the contents (damaged: delete it "
                    "to refit)");
      Zca z;
      z.dim = dim;
      z.filter_bias = filter_bias;
      z.mean.resize(d);
      z.P.resize(d * d);
      std::memcpy(z.mean.data(), all.data() + kCacheHeader, 4 * d);
      std::memcpy(z.P.data(), all.data() + kCacheHeader + 4 * d, 4 * d * d);
      if (hit) *hit = true;
      return z;
    }
  }
  Zca z = fit_zca(x, n, dim, filter_bias);
  save_zca(cache, z, n, fp);
  if (hit) *hit = false;
  return z;
}

}  // namespace laq::datasets
