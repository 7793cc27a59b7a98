#include "quant/curvature.h"

#include <algorithm>

#include "quant/checks.h"

namespace laq::quant {

void Curvature::write(std::span<float> d) const {
  const std::size_t n = d.size();
  if (kind == Kind::values) std::copy_n(data.begin(), n, d.begin());
  else if (kind == Kind::root)
    for (std::size_t i = 0; i < n; ++i) d[i] = root_curvature(data[i], value);
  else std::fill(d.begin(), d.end(), value);
}

std::vector<float> Curvature::materialize(std::size_t n) const {
  std::vector<float> d(n);
  write(d);
  return d;
}

void require_size(const Curvature& d, std::size_t n, const char* function) {
  if (d.kind != Curvature::Kind::constant) require_size(d.data, n, function, "d");
}

}  // namespace laq::quant
