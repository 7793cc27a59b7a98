#include "quant/common.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>

#include "base/error.h"
#include "quant/lane_sums.h"
#include "quant/runner.h"

namespace laq::quant {

double objective(std::span<const float> w, std::span<const float> d, std::span<const float> q) {
  require_size(q, w.size(), "objective", "q");
  if (!d.empty()) require_size(d, w.size(), "objective", "d");
  double sum = 0.0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double r = double(q[i]) - double(w[i]);
    sum += (d.empty() ? 1.0 : double(d[i])) * r * r;
  }
  return sum;
}

double weighted_abs_mean(std::span<const float> w, std::span<const float> d) {
  if (!d.empty()) require_size(d, w.size(), "weighted_abs_mean", "d");
  const auto [sum_dw, sum_d] = d.empty()
      ? lane_sums<2>(w.size(), [&](std::size_t i) { return std::array<double, 2>{std::fabs(double(w[i])), 1.0}; })
      : lane_sums<2>(w.size(), [&](std::size_t i) {
          return std::array<double, 2>{double(d[i]) * std::fabs(double(w[i])), double(d[i])};
        });
  if (!std::isfinite(sum_dw) || !std::isfinite(sum_d)) return std::numeric_limits<double>::quiet_NaN();
  return sum_d > 0.0 ? sum_dw / sum_d : 0.0;
}

void write_ternary(std::span<const float> w, Scales scales, std::span<float> out) {
  // Compare against the float scale halved (exact in float), so decode(encode(out)) == out.
  const float up = scales.positive > 0 ? scales.positive * 0.5f : std::numeric_limits<float>::infinity();
  const float down = scales.negative > 0 ? scales.negative * 0.5f : std::numeric_limits<float>::infinity();
  const float* const in = w.data();
  float* const to = out.data();
  const float positive = scales.positive, negative = scales.negative;
  // Elementwise, so any split gives the same bits; captured by value so that it vectorises.
  const auto write = [=](std::size_t first, std::size_t last) {
    for (std::size_t i = first; i < last; ++i)
      to[i] = positive * float(in[i] > up) - negative * float(in[i] < -down);  // no branches
  };
  // Pieces of 64 KB of input and output; below 8 of them a hand-off costs more than it saves.
  constexpr std::size_t kPiece = std::size_t{1} << 14, kFewPieces = 8;
  const std::size_t n = w.size(), pieces = (n + kPiece - 1) / kPiece;
  if (pieces < kFewPieces) return write(0, n);
  run_tasks(pieces, [&](std::size_t p) { write(p * kPiece, std::min(n, (p + 1) * kPiece)); });
}

void throw_non_finite(const char* function) {
  throw Error(std::string(function) + ": a weight or curvature is NaN or infinite; such values have no quantized code");
}

bool all_finite(std::span<const float> a) {
  // Exponent bits all ones is inf or NaN; an OR over a mask keeps the loop free of branches.
  std::uint32_t bad = 0;
  for (const float x : a) bad |= std::uint32_t((std::bit_cast<std::uint32_t>(x) & 0x7f800000u) == 0x7f800000u);
  return bad == 0;
}

std::vector<float> Curvature::materialize(std::size_t n) const {
  std::vector<float> d(n, value);
  if (kind == Kind::values) d.assign(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
  if (kind == Kind::root)
    for (std::size_t i = 0; i < n; ++i) d[i] = std::sqrt(data[i]) + value;
  return d;
}

void require_size(const Curvature& d, std::size_t n, const char* function) {
  if (d.kind != Curvature::Kind::constant) require_size(d.data, n, function, "d");
}

void require_size(std::span<const float> a, std::size_t n, const char* function, const char* what) {
  if (a.size() != n)
    throw Error(std::string(function) + ": " + what + " has " + std::to_string(a.size()) +
                " elements, expected " + std::to_string(n));
}

void require_no_alias(std::span<const float> in, std::span<float> out, const char* function) {
  if (in.empty() || out.empty()) return;
  // std::less gives a total order on pointers even across unrelated arrays.
  const std::less<const float*> before;
  const bool disjoint = !before(in.data(), out.data() + out.size()) || !before(out.data(), in.data() + in.size());
  if (!disjoint) throw Error(std::string(function) + ": the output may not alias the latent weights w");
}

}  // namespace laq::quant
