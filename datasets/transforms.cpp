#include "datasets/transforms.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/transform_checks.h"
#include "engine/error.h"

namespace laq::datasets {

using detail::check_rows;
using detail::num;

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

}  // namespace laq::datasets
