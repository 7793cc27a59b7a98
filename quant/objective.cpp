#include "quant/objective.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>

#include "quant/checks.h"
#include "quant/fast/lane_sums.h"
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

}  // namespace laq::quant
