// GCN, ZCA (with its cache) and LeCun LCN against small hand-computed cases and, for
// LCN, a naive direct 2-D reference kept beside the separable implementation.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "datasets/transforms.h"
#include "engine/rng.h"
#include "idx_fixtures.h"

namespace laq::test {
namespace {

using namespace datasets;

TEST(Gcn, FourPixelImage) {
  std::vector<float> x = {1, 2, 3, 4, 7, 7, 7, 7};  // two rows of 4
  GcnOptions o;
  o.scale = 55;
  global_contrast_normalize(x.data(), 2, 4, o);
  const double k = 55 / std::sqrt(5.0);  // centred (-1.5, -0.5, 0.5, 1.5), norm sqrt(5)
  EXPECT_NEAR(x[0], -1.5 * k, 1e-5);
  EXPECT_NEAR(x[1], -0.5 * k, 1e-5);
  EXPECT_NEAR(x[2], 0.5 * k, 1e-5);
  EXPECT_NEAR(x[3], 1.5 * k, 1e-5);
  for (int p = 4; p < 8; ++p) EXPECT_EQ(x[static_cast<std::size_t>(p)], 0.0f);  // constant: divisor -> 1
  // SVHN variant (scale 1): unit norm.
  std::vector<float> y = {1, 2, 3, 4};
  global_contrast_normalize(y.data(), 1, 4);
  EXPECT_NEAR(y[3], 1.5 / std::sqrt(5.0), 1e-7);
}

TEST(Gcn, UseStdSqrtBiasAndMinDivisorAfterScale) {
  std::vector<float> x = {1, 2, 3, 4};
  GcnOptions o;
  o.use_std = true;  // var with ddof 1 = 5/3
  global_contrast_normalize(x.data(), 1, 4, o);
  EXPECT_NEAR(x[0], -1.5 / std::sqrt(5.0 / 3.0), 1e-6);
  x = {1, 2, 3, 4};
  o = {};
  o.sqrt_bias = 10;
  global_contrast_normalize(x.data(), 1, 4, o);
  EXPECT_NEAR(x[0], -1.5 / std::sqrt(15.0), 1e-6);
  // norm 7.07e-10: with scale 1 the divisor is below 1e-8 and becomes 1 (row only centred);
  // with scale 1e-3 it is 7.07e-7 and the row is normalised: the test is on norm / scale.
  x = {0.0f, 1e-9f};
  global_contrast_normalize(x.data(), 1, 2);
  EXPECT_NEAR(x[1], 5e-10, 1e-15);
  x = {0.0f, 1e-9f};
  o = {};
  o.scale = 1e-3;
  global_contrast_normalize(x.data(), 1, 2, o);
  EXPECT_NEAR(x[1], 1e-3 / std::sqrt(2.0), 1e-8);
}

TEST(Zca, TwoDimensionalKnownCovariance) {
  // Points m +- 4u, m +- 2v with u = (1,1)/sqrt2, v = (1,-1)/sqrt2, m = (1,-3):
  // mean m, covariance (biased, /4) = 8 uu^T + 2 vv^T, so with filter_bias 0.1
  // P = uu^T / sqrt(8.1) + vv^T / sqrt(2.1).
  const double r = 1 / std::sqrt(2.0);
  const double u[2] = {r, r}, v[2] = {r, -r};
  std::vector<float> x;
  for (double s : {4.0, -4.0}) x.insert(x.end(), {static_cast<float>(1 + s * u[0]), static_cast<float>(-3 + s * u[1])});
  for (double s : {2.0, -2.0}) x.insert(x.end(), {static_cast<float>(1 + s * v[0]), static_cast<float>(-3 + s * v[1])});
  const Zca z = fit_zca(x.data(), 4, 2, 0.1);
  EXPECT_NEAR(z.mean[0], 1.0, 1e-6);
  EXPECT_NEAR(z.mean[1], -3.0, 1e-6);
  const double pu = 1 / std::sqrt(8.1), pv = 1 / std::sqrt(2.1);
  EXPECT_NEAR(z.P[0], 0.5 * (pu + pv), 1e-6);
  EXPECT_NEAR(z.P[1], 0.5 * (pu - pv), 1e-6);
  EXPECT_NEAR(z.P[2], 0.5 * (pu - pv), 1e-6);
  EXPECT_NEAR(z.P[3], 0.5 * (pu + pv), 1e-6);
  apply_zca(z, x.data(), 4);  // row 0 = m + 4u -> 4 pu u
  EXPECT_NEAR(x[0], 4 * pu * r, 1e-5);
  EXPECT_NEAR(x[1], 4 * pu * r, 1e-5);
  EXPECT_NEAR(x[4], 2 * pv * r, 1e-5);
  EXPECT_NEAR(x[5], -2 * pv * r, 1e-5);
}

TEST(Zca, WithoutBiasWhitenedCovarianceIsIdentity) {
  const int64_t n = 3000, d = 6;
  engine::Rng rng(11);
  std::vector<float> x(static_cast<std::size_t>(n * d));
  for (int64_t i = 0; i < n; ++i) {
    double z[6];
    for (double& zi : z) zi = engine::standard_normal(rng);
    for (int64_t j = 0; j < d; ++j)  // correlated, different scales, offset means
      x[static_cast<std::size_t>(i * d + j)] = static_cast<float>(3 * j + (j + 1) * z[j] + 0.8 * z[(j + 1) % 6]);
  }
  const Zca zca = fit_zca(x.data(), n, d, 0.0);
  apply_zca(zca, x.data(), n);
  for (int64_t a = 0; a < d; ++a)
    for (int64_t b = 0; b < d; ++b) {
      double s = 0, ma = 0, mb = 0;
      for (int64_t i = 0; i < n; ++i) {
        ma += x[static_cast<std::size_t>(i * d + a)];
        mb += x[static_cast<std::size_t>(i * d + b)];
      }
      ma /= n;
      mb /= n;
      for (int64_t i = 0; i < n; ++i) s += (x[static_cast<std::size_t>(i * d + a)] - ma) * (x[static_cast<std::size_t>(i * d + b)] - mb);
      EXPECT_NEAR(s / n, a == b ? 1.0 : 0.0, 2e-4) << a << "," << b;
      EXPECT_NEAR(ma, 0.0, 1e-4);
    }
  // P is symmetric (ZCA, not PCA whitening).
  for (int64_t a = 0; a < d; ++a)
    for (int64_t b = 0; b < d; ++b) EXPECT_EQ(zca.P[static_cast<std::size_t>(a * d + b)], zca.P[static_cast<std::size_t>(b * d + a)]);
}

TEST(Zca, CacheHitMissStaleAndDamaged) {
  TempDir dir;
  const auto cache = dir / "zca.bin";
  const int64_t n = 50, d = 8;
  engine::Rng rng(3);
  std::vector<float> x(static_cast<std::size_t>(n * d));
  for (float& v : x) v = static_cast<float>(engine::standard_normal(rng));
  bool hit = true;
  const Zca a = fit_zca_cached(x.data(), n, d, 0.1, cache, &hit);
  EXPECT_FALSE(hit);
  ASSERT_TRUE(fs::is_regular_file(cache));
  EXPECT_EQ(fs::file_size(cache), 40u + 4 * (8 + 64) + 8);
  const Zca b = fit_zca_cached(x.data(), n, d, 0.1, cache, &hit);
  EXPECT_TRUE(hit);
  EXPECT_EQ(a.P, b.P);
  EXPECT_EQ(a.mean, b.mean);
  fit_zca_cached(x.data(), n, d, 0.2, cache, &hit);  // another filter_bias: refit, replace
  EXPECT_FALSE(hit);
  x[17] += 1.0f;  // other data: refit
  fit_zca_cached(x.data(), n, d, 0.2, cache, &hit);
  EXPECT_FALSE(hit);
  fit_zca_cached(x.data(), n, d, 0.2, cache, &hit);
  EXPECT_TRUE(hit);
  // Damaged payload, same key.
  auto bytes = read_all(cache);
  bytes[100] ^= 1;
  write_raw(cache, bytes);
  expect_error([&] { fit_zca_cached(x.data(), n, d, 0.2, cache); }, {cache.string(), "checksum"});
  bytes[100] ^= 1;
  bytes.resize(bytes.size() - 4);
  write_raw(cache, bytes);
  expect_error([&] { fit_zca_cached(x.data(), n, d, 0.2, cache); }, {cache.string(), "size"});
  write_raw(cache, std::vector<uint8_t>(64, 'x'));
  expect_error([&] { fit_zca_cached(x.data(), n, d, 0.2, cache); }, {cache.string(), "magic", "not a laq ZCA cache"});
  EXPECT_EQ(read_all(cache), std::vector<uint8_t>(64, 'x'));  // left alone
}

// Naive LeCunLCN of one plane, straight from pylearn2's lecun_lcn: 2-D kernel, 'full'
// convolution cropped by mid on each side (= 'same' with zero padding).
std::vector<double> lcn_reference(const std::vector<double>& x, int rows, int cols, int k = 7) {
  const std::vector<double> g = gaussian_kernel(k);
  const int mid = k / 2;
  std::vector<double> m(x.size()), s(x.size()), out(x.size());
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      double a = 0, b = 0;
      for (int i = 0; i < k; ++i)
        for (int j = 0; j < k; ++j) {
          const int rr = r + i - mid, cc = c + j - mid;
          if (rr < 0 || rr >= rows || cc < 0 || cc >= cols) continue;
          const double v = x[static_cast<std::size_t>(rr * cols + cc)];
          a += g[static_cast<std::size_t>(i * k + j)] * v;
          b += g[static_cast<std::size_t>(i * k + j)] * v * v;
        }
      m[static_cast<std::size_t>(r * cols + c)] = a;
      s[static_cast<std::size_t>(r * cols + c)] = std::sqrt(b);
    }
  double mean = 0;
  for (double v : s) mean += v;
  mean /= static_cast<double>(s.size());
  for (std::size_t p = 0; p < x.size(); ++p) out[p] = (x[p] - m[p]) / std::max(std::max(mean, s[p]), 1e-4);
  return out;
}

TEST(Lcn, GaussianKernel) {
  const auto g = gaussian_kernel(7);
  double sum = 0, z = 0;
  for (double v : g) sum += v;
  for (int a = -3; a <= 3; ++a)
    for (int b = -3; b <= 3; ++b) z += std::exp(-(a * a + b * b) / 8.0);
  EXPECT_NEAR(sum, 1.0, 1e-12);
  EXPECT_NEAR(g[24], 1.0 / z, 1e-12);  // centre
  EXPECT_NEAR(g[0], std::exp(-18.0 / 8.0) / z, 1e-12);
  EXPECT_EQ(g[1], g[7]);
  expect_error([] { gaussian_kernel(6); }, {"odd"});
}

TEST(Lcn, ConstantImage) {
  std::vector<float> x(32 * 32, 5.0f);
  lecun_lcn(x.data(), 1, 1, 32, 32);
  // Interior: the whole kernel sees 5, mean_map = 5, centred 0.
  for (int r = 3; r < 29; ++r)
    for (int c = 3; c < 29; ++c) ASSERT_NEAR(x[static_cast<std::size_t>(r * 32 + c)], 0.0, 1e-6);
  // Corner (0, 0): kernel mass inside M = sum of g over offsets 0..3 x 0..3;
  // mean_map = 5M, denom = 5 sqrt(M); per-image mean of denom from the mass at every pixel.
  const auto g = gaussian_kernel(7);
  auto mass = [&](int r, int c) {
    double m = 0;
    for (int i = 0; i < 7; ++i)
      for (int j = 0; j < 7; ++j)
        if (r + i - 3 >= 0 && r + i - 3 < 32 && c + j - 3 >= 0 && c + j - 3 < 32) m += g[static_cast<std::size_t>(i * 7 + j)];
    return m;
  };
  double mean = 0;
  for (int r = 0; r < 32; ++r)
    for (int c = 0; c < 32; ++c) mean += 5 * std::sqrt(mass(r, c));
  mean /= 1024;
  const double M = mass(0, 0);
  EXPECT_NEAR(x[0], 5 * (1 - M) / std::max(mean, 5 * std::sqrt(M)), 1e-6);
  EXPECT_GT(x[0], 0.0f);
}

TEST(Lcn, Impulse) {
  std::vector<float> x(32 * 32, 0.0f);
  x[16 * 32 + 16] = 10.0f;
  lecun_lcn(x.data(), 1, 1, 32, 32);
  const auto g = gaussian_kernel(7);
  double mean = 0;  // denom = 10 sqrt(K) on the 7x7 neighbourhood, 0 elsewhere
  for (double v : g) mean += 10 * std::sqrt(v);
  mean /= 1024;
  const double k00 = g[24], k01 = g[25], k22 = g[24 + 2 * 7 + 2];
  ASSERT_GT(10 * std::sqrt(k01), mean);
  EXPECT_NEAR(x[16 * 32 + 16], 10 * (1 - k00) / (10 * std::sqrt(k00)), 1e-6);
  EXPECT_NEAR(x[16 * 32 + 17], -10 * k01 / std::max(mean, 10 * std::sqrt(k01)), 1e-6);
  EXPECT_NEAR(x[18 * 32 + 18], -10 * k22 / std::max(mean, 10 * std::sqrt(k22)), 1e-6);
  EXPECT_EQ(x[0], 0.0f);  // outside the kernel: centred 0
  EXPECT_EQ(x[16 * 32 + 20], 0.0f);
}

TEST(Lcn, ChannelsAreIndependentAndMatchTheNaiveReference) {
  engine::Rng rng(5);
  const int rows = 32, cols = 32;
  std::vector<double> plane(rows * cols);
  for (double& v : plane) v = engine::standard_normal(rng);
  engine::Tensor t({2, 3, rows, cols});
  for (int n = 0; n < 2; ++n)
    for (int p = 0; p < rows * cols; ++p) {
      t[(n * 3 + 0) * 1024 + p] = static_cast<float>(plane[static_cast<std::size_t>(p)]);
      t[(n * 3 + 1) * 1024 + p] = static_cast<float>(100 * plane[static_cast<std::size_t>(p)]);  // scale-invariant
      t[(n * 3 + 2) * 1024 + p] = 0.0f;                                                          // stays 0
    }
  std::vector<double> ref_in(plane.size());
  for (std::size_t p = 0; p < plane.size(); ++p) ref_in[p] = static_cast<float>(plane[p]);
  const auto ref = lcn_reference(ref_in, rows, cols);
  lecun_lcn(t);
  for (int n = 0; n < 2; ++n)
    for (int p = 0; p < rows * cols; ++p) {
      ASSERT_NEAR(t[(n * 3 + 0) * 1024 + p], ref[static_cast<std::size_t>(p)], 1e-5) << p;
      ASSERT_NEAR(t[(n * 3 + 1) * 1024 + p], ref[static_cast<std::size_t>(p)], 1e-5) << p;
      ASSERT_EQ(t[(n * 3 + 2) * 1024 + p], 0.0f);
    }
  // A non-square plane against the reference too.
  std::vector<double> odd(5 * 9);
  for (double& v : odd) v = engine::uniform01(rng) * 255;
  std::vector<float> f(odd.begin(), odd.end());
  std::vector<double> odd_f(f.begin(), f.end());
  const auto r2 = lcn_reference(odd_f, 5, 9);
  lecun_lcn(f.data(), 1, 1, 5, 9);
  for (std::size_t p = 0; p < f.size(); ++p) EXPECT_NEAR(f[p], r2[p], 1e-5);
}

TEST(Transforms, ToFloatAndBadArguments) {
  ImageSet s;
  s.n = 2;
  s.channels = 1;
  s.rows = 1;
  s.cols = 2;
  s.images = {0, 255, 7, 9};
  s.labels = {0, 1};
  const auto t = to_float(s, {1, 0});
  EXPECT_EQ(t.shape(), (engine::Shape{2, 1, 1, 2}));
  EXPECT_EQ(t[0], 7.0f);
  EXPECT_EQ(t[3], 255.0f);
  expect_error([&] { to_float(s, {2}); }, {"row 2 out of range"});
  engine::Tensor bad({2, 3});
  expect_error([&] { lecun_lcn(bad); }, {"[n, C, H, W]"});
  Zca z;
  expect_error([&] { apply_zca(z, bad.data(), 2); }, {"apply_zca"});
}

}  // namespace
}  // namespace laq::test
