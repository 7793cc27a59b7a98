#include "datasets/transforms.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <string>
#include <vector>

#include "datasets/transform_checks.h"
#include "engine/error.h"

namespace laq::datasets {

using detail::check_rows;
using detail::num;

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
