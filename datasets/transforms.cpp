#include "datasets/transforms.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <numbers>
#include <string>
#include <system_error>

#include "engine/error.h"

// LAPACK from OpenBLAS (libopenblas exports the Fortran symbols; cblas.h does not declare
// them). Fortran calling convention: everything by pointer, plus the hidden lengths of the
// two character arguments.
extern "C" void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
                        double* work, const int* lwork, int* iwork, const int* liwork, int* info, std::size_t jobz_len,
                        std::size_t uplo_len);

namespace laq::datasets {

namespace {

std::string num(int64_t v) { return std::to_string(v); }

void check_rows(const char* fn, const float* x, int64_t n, int64_t dim) {
  if (n < 0 || dim <= 0 || (n > 0 && x == nullptr))
    throw Error(std::string(fn) + ": bad arguments (n = " + num(n) + ", dim = " + num(dim) + ")");
}

}  // namespace

engine::Tensor to_float(const ImageSet& set) {
  std::vector<int64_t> all(static_cast<std::size_t>(set.n));
  for (int64_t i = 0; i < set.n; ++i) all[static_cast<std::size_t>(i)] = i;
  return to_float(set, all);
}

engine::Tensor to_float(const ImageSet& set, const std::vector<int64_t>& rows) {
  const int64_t d = set.image_size();
  if (set.images.size() != static_cast<std::size_t>(set.n * d))
    throw Error("to_float: image set holds " + num(static_cast<int64_t>(set.images.size())) + " bytes, expected " +
                num(set.n) + " x " + num(d));
  engine::Tensor t({static_cast<int64_t>(rows.size()), set.channels, set.rows, set.cols});
  float* out = t.data();
  for (int64_t r : rows) {
    if (r < 0 || r >= set.n) throw Error("to_float: row " + num(r) + " out of range [0, " + num(set.n) + ")");
    const uint8_t* src = set.image(r);
    for (int64_t p = 0; p < d; ++p) *out++ = static_cast<float>(src[p]);
  }
  return t;
}

// ------------------------------------------------------------------------------- GCN

void global_contrast_normalize(float* x, int64_t n, int64_t dim, const GcnOptions& o) {
  check_rows("global_contrast_normalize", x, n, dim);
  if (!(o.scale > 0)) throw Error("global_contrast_normalize: scale must be > 0");
  if (o.use_std && dim < 2) throw Error("global_contrast_normalize: use_std needs dim >= 2 (ddof = 1)");
  std::vector<double> row(static_cast<std::size_t>(dim));
  for (int64_t i = 0; i < n; ++i) {
    float* r = x + i * dim;
    double mean = 0;
    if (o.subtract_mean) {
      for (int64_t p = 0; p < dim; ++p) mean += r[p];
      mean /= static_cast<double>(dim);
    }
    double ss = 0;
    for (int64_t p = 0; p < dim; ++p) {
      row[static_cast<std::size_t>(p)] = static_cast<double>(r[p]) - mean;
      ss += row[static_cast<std::size_t>(p)] * row[static_cast<std::size_t>(p)];
    }
    double s;
    if (o.use_std) {
      // var with ddof = 1 of the (possibly centred) row: numpy's var subtracts the row's
      // own mean again, which is 0 after centring.
      double m2 = 0;
      for (int64_t p = 0; p < dim; ++p) m2 += row[static_cast<std::size_t>(p)];
      m2 /= static_cast<double>(dim);
      double v = 0;
      for (int64_t p = 0; p < dim; ++p) v += (row[static_cast<std::size_t>(p)] - m2) * (row[static_cast<std::size_t>(p)] - m2);
      s = std::sqrt(o.sqrt_bias + v / static_cast<double>(dim - 1)) / o.scale;
    } else {
      s = std::sqrt(o.sqrt_bias + ss) / o.scale;
    }
    if (s < o.min_divisor) s = 1.0;
    for (int64_t p = 0; p < dim; ++p) r[p] = static_cast<float>(row[static_cast<std::size_t>(p)] / s);
  }
}

void global_contrast_normalize(engine::Tensor& x, const GcnOptions& o) {
  if (x.rank() < 2) throw Error("global_contrast_normalize: tensor must have a leading row dimension");
  global_contrast_normalize(x.data(), x.dim(0), x.numel() / x.dim(0), o);
}

// ------------------------------------------------------------------------------- ZCA

Zca fit_zca(const float* x, int64_t n, int64_t dim, double filter_bias) {
  check_rows("fit_zca", x, n, dim);
  if (n < 1) throw Error("fit_zca: needs at least one row");
  if (dim > 46340) throw Error("fit_zca: dim " + num(dim) + " is too large for a dense eigendecomposition");
  const std::size_t d = static_cast<std::size_t>(dim);

  std::vector<double> mean(d, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (std::size_t p = 0; p < d; ++p) mean[p] += x[static_cast<std::size_t>(i) * d + p];
  for (double& m : mean) m /= static_cast<double>(n);

  // C = sum over blocks of Xc^T Xc (upper triangle, row-major).
  std::vector<double> cov(d * d, 0.0);
  const int64_t block = std::max<int64_t>(1, std::min<int64_t>(n, (int64_t{32} << 20) / (8 * dim)));  // ~32 MB
  std::vector<double> xc(static_cast<std::size_t>(block) * d);
  for (int64_t b0 = 0; b0 < n; b0 += block) {
    const int64_t rows = std::min(block, n - b0);
    for (int64_t i = 0; i < rows; ++i)
      for (std::size_t p = 0; p < d; ++p)
        xc[static_cast<std::size_t>(i) * d + p] = x[static_cast<std::size_t>(b0 + i) * d + p] - mean[p];
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, static_cast<blasint>(dim), static_cast<blasint>(rows), 1.0,
                xc.data(), static_cast<blasint>(dim), 1.0, cov.data(), static_cast<blasint>(dim));
  }
  xc = {};
  // Row-major upper = column-major lower; hand LAPACK the full symmetric matrix anyway.
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = i; j < d; ++j) {
      const double c = cov[i * d + j] / static_cast<double>(n) + (i == j ? filter_bias : 0.0);
      cov[i * d + j] = c;
      cov[j * d + i] = c;
    }

  // Eigendecomposition (column-major: column k of `cov` becomes eigenvector k).
  const int nn = static_cast<int>(dim);
  std::vector<double> eig(d);
  int info = 0, lwork = -1, liwork = -1, iwork_query = 0;
  double work_query = 0;
  dsyevd_("V", "U", &nn, cov.data(), &nn, eig.data(), &work_query, &lwork, &iwork_query, &liwork, &info, 1, 1);
  if (info != 0) throw Error("fit_zca: dsyevd workspace query failed (info = " + std::to_string(info) + ")");
  lwork = static_cast<int>(work_query);
  liwork = iwork_query;
  std::vector<double> work(static_cast<std::size_t>(std::max(lwork, 1)));
  std::vector<int> iwork(static_cast<std::size_t>(std::max(liwork, 1)));
  dsyevd_("V", "U", &nn, cov.data(), &nn, eig.data(), work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
  if (info != 0) throw Error("fit_zca: dsyevd failed to converge (info = " + std::to_string(info) + ")");
  if (!(eig.front() > 0))
    throw Error("fit_zca: smallest eigenvalue of covariance + filter_bias is " + std::to_string(eig.front()) +
                ", must be > 0 (filter_bias = " + std::to_string(filter_bias) + ")");

  // P = U diag(1/sqrt(e)) U^T = B B^T with B = U diag(e^-1/4) (column-major, column k scaled).
  for (std::size_t k = 0; k < d; ++k) {
    const double s = 1.0 / std::sqrt(std::sqrt(eig[k]));
    for (std::size_t i = 0; i < d; ++i) cov[k * d + i] *= s;
  }
  std::vector<double> p(d * d, 0.0);
  cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, nn, nn, 1.0, cov.data(), nn, 0.0, p.data(), nn);

  Zca z;
  z.dim = dim;
  z.filter_bias = filter_bias;
  z.mean.resize(d);
  for (std::size_t i = 0; i < d; ++i) z.mean[i] = static_cast<float>(mean[i]);
  z.P.resize(d * d);
  for (std::size_t j = 0; j < d; ++j)  // column-major upper: element (i, j), i <= j, at j*d + i
    for (std::size_t i = 0; i <= j; ++i) {
      const float v = static_cast<float>(p[j * d + i]);
      z.P[i * d + j] = v;
      z.P[j * d + i] = v;
    }
  return z;
}

void apply_zca(const Zca& z, float* x, int64_t n) {
  check_rows("apply_zca", x, n, z.dim);
  const std::size_t d = static_cast<std::size_t>(z.dim);
  if (z.mean.size() != d || z.P.size() != d * d) throw Error("apply_zca: the transform is not fitted");
  const int64_t block = std::max<int64_t>(1, std::min<int64_t>(n, 1024));
  std::vector<float> in(static_cast<std::size_t>(block) * d);
  for (int64_t b0 = 0; b0 < n; b0 += block) {
    const int64_t rows = std::min(block, n - b0);
    float* xb = x + static_cast<std::size_t>(b0) * d;
    for (int64_t i = 0; i < rows; ++i)
      for (std::size_t p = 0; p < d; ++p) in[static_cast<std::size_t>(i) * d + p] = xb[static_cast<std::size_t>(i) * d + p] - z.mean[p];
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<blasint>(rows), static_cast<blasint>(d),
                static_cast<blasint>(d), 1.0f, in.data(), static_cast<blasint>(d), z.P.data(), static_cast<blasint>(d),
                0.0f, xb, static_cast<blasint>(d));
  }
}

void apply_zca(const Zca& z, engine::Tensor& x) {
  if (x.rank() < 1 || x.numel() != x.dim(0) * z.dim)
    throw Error("apply_zca: tensor of shape " + engine::to_string(x.shape()) + " does not have rows of " + num(z.dim));
  apply_zca(z, x.data(), x.dim(0));
}

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
        throw Error(file + ": ZCA cache checksum: the stored checksum does not match the contents (damaged: delete it "
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

// ------------------------------------------------------------------------------- LCN

std::vector<double> gaussian_kernel(int k, double sigma) {
  if (k < 1 || k % 2 == 0) throw Error("gaussian_kernel: kernel size must be odd and >= 1, got " + std::to_string(k));
  if (!(sigma > 0)) throw Error("gaussian_kernel: sigma must be > 0");
  std::vector<double> g(static_cast<std::size_t>(k) * static_cast<std::size_t>(k));
  const double mid = std::floor(k / 2.0);
  double sum = 0;
  for (int i = 0; i < k; ++i)
    for (int j = 0; j < k; ++j) {
      const double a = i - mid, b = j - mid;
      const double v = std::exp(-(a * a + b * b) / (2 * sigma * sigma)) / (2 * std::numbers::pi * sigma * sigma);
      g[static_cast<std::size_t>(i * k + j)] = v;
      sum += v;
    }
  for (double& v : g) v /= sum;
  return g;
}

void lecun_lcn(float* x, int64_t n, int64_t channels, int64_t rows, int64_t cols, const LcnOptions& o) {
  if (n < 0 || channels < 1 || rows < 1 || cols < 1 || (n > 0 && x == nullptr))
    throw Error("lecun_lcn: bad shape [" + num(n) + ", " + num(channels) + ", " + num(rows) + ", " + num(cols) + "]");
  (void)gaussian_kernel(o.kernel_size, o.sigma);  // validates the options
  // The normalised 2-D Gaussian is exactly outer(g1, g1) with g1 the normalised 1-D one, and
  // zero padding keeps it separable: filter rows, then columns (14 taps instead of 49).
  const int k = o.kernel_size, mid = k / 2;
  std::vector<double> g1(static_cast<std::size_t>(k));
  double g1sum = 0;
  for (int i = 0; i < k; ++i) g1sum += g1[static_cast<std::size_t>(i)] = std::exp(-double(i - mid) * (i - mid) / (2 * o.sigma * o.sigma));
  for (double& w : g1) w /= g1sum;
  const std::size_t plane = static_cast<std::size_t>(rows * cols);
  std::vector<double> v(plane), h1(plane), h2(plane), mean_map(plane), denom(plane);
  for (int64_t img = 0; img < n * channels; ++img) {
    float* px = x + static_cast<std::size_t>(img) * plane;
    for (std::size_t p = 0; p < plane; ++p) v[p] = px[p];
    for (int64_t r = 0; r < rows; ++r)  // along each row: h1 = g * v, h2 = g * v^2
      for (int64_t c = 0; c < cols; ++c) {
        double a = 0, b = 0;
        for (int j = std::max<int>(0, static_cast<int>(mid - c)); j < k && c + j - mid < cols; ++j) {
          const double val = v[static_cast<std::size_t>(r * cols + c + j - mid)];
          a += g1[static_cast<std::size_t>(j)] * val;
          b += g1[static_cast<std::size_t>(j)] * val * val;
        }
        h1[static_cast<std::size_t>(r * cols + c)] = a;
        h2[static_cast<std::size_t>(r * cols + c)] = b;
      }
    double denom_sum = 0;
    for (int64_t r = 0; r < rows; ++r)  // then down each column
      for (int64_t c = 0; c < cols; ++c) {
        double a = 0, b = 0;
        for (int i = std::max<int>(0, static_cast<int>(mid - r)); i < k && r + i - mid < rows; ++i) {
          const std::size_t q = static_cast<std::size_t>((r + i - mid) * cols + c);
          a += g1[static_cast<std::size_t>(i)] * h1[q];
          b += g1[static_cast<std::size_t>(i)] * h2[q];
        }
        const std::size_t q = static_cast<std::size_t>(r * cols + c);
        mean_map[q] = a;
        denom[q] = std::sqrt(b);
        denom_sum += denom[q];
      }
    const double per_image = denom_sum / static_cast<double>(plane);
    for (std::size_t p = 0; p < plane; ++p) {
      const double divisor = std::max(std::max(per_image, denom[p]), o.threshold);
      px[p] = static_cast<float>((v[p] - mean_map[p]) / divisor);
    }
  }
}

void lecun_lcn(engine::Tensor& x, const LcnOptions& o) {
  if (x.rank() != 4) throw Error("lecun_lcn: expected [n, C, H, W], got " + engine::to_string(x.shape()));
  lecun_lcn(x.data(), x.dim(0), x.dim(1), x.dim(2), x.dim(3), o);
}

}  // namespace laq::datasets
