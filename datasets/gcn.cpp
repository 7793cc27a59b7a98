#include "datasets/transforms.h"

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "datasets/transform_checks.h"
#include "engine/error.h"

namespace laq::datasets {

using detail::check_rows;
using detail::num;

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

}  // namespace laq::datasets
