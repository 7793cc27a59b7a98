#include "quant/fast/level_sweep.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace laq::quant::fast {
namespace {

// Per-level data of one sweep: thresholds on |w| for the current alpha, and magnitudes.
struct Thresholds {
  std::vector<double> threshold;  // alpha * midpoint_r
  std::vector<double> magnitude;  // M_r, index 0 = the zero level
  std::vector<float> value;       // float(alpha) * float(M_r): exactly the output values
  Thresholds(const LevelSet& levels, float alpha) {
    magnitude.push_back(0.0);
    value.push_back(0.0f);
    for (std::size_t r = 0; r < levels.nonzero_levels(); ++r) {
      threshold.push_back(double(alpha) * levels.midpoints[r]);
      magnitude.push_back(levels.magnitudes[r]);
      value.push_back(alpha * levels.magnitude_float(r + 1));
    }
    // The sweeps compare every threshold one way (strict for ties toward zero); a lowest
    // midpoint with the other rule (log levels lift |w| = alpha 2^-k to M_1) moves its
    // threshold by one double instead: |w| is a float, so a > nextafter(t, 0) is a >= t.
    if (!threshold.empty() && levels.first_tie != levels.tie)
      threshold[0] = std::nextafter(threshold[0], levels.tie == TieRule::toward_zero
                                                      ? 0.0
                                                      : std::numeric_limits<double>::infinity());
  }
};

// The level index of magnitude a: how many thresholds it passes. Strict for ties toward
// zero (so |w| = alpha/2 stays 0 for LAT), non-strict for ties away from zero.
template <bool TowardZero>
inline std::size_t level_of(double a, const std::vector<double>& threshold) {
  const std::size_t k = threshold.size();
  if (k <= 16) {
    std::size_t r = 0;
    for (std::size_t j = 0; j < k; ++j) r += TowardZero ? (a > threshold[j]) : (a >= threshold[j]);
    return r;
  }
  const auto it = TowardZero ? std::lower_bound(threshold.begin(), threshold.end(), a)
                             : std::upper_bound(threshold.begin(), threshold.end(), a);
  return static_cast<std::size_t>(it - threshold.begin());
}

// sum d (q - w)^2 of the code for this alpha, for the trace only.
template <bool TowardZero>
double objective_of(std::span<const float> w, std::span<const float> d, const Thresholds& grid) {
  double objective = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double a = std::fabs(double(w[i]));
    const double residual = double(grid.value[level_of<TowardZero>(a, grid.threshold)]) - a;
    objective += double(d[i]) * residual * residual;
  }
  return objective;
}

// The hot loop of every alternating solver, without branches and with `lanes` independent
// accumulators (a single double accumulator would be one long chain of dependent adds).
// The level magnitude is built as a sum of steps M_r - M_{r-1} over the thresholds passed.
template <bool TowardZero, std::size_t K>
Sums sweep_fast(std::span<const float> w, std::span<const float> d, const Thresholds& grid) {
  constexpr std::size_t lanes = 8;
  const std::size_t k = K ? K : grid.threshold.size();
  std::vector<double> step(k);
  for (std::size_t j = 0; j < k; ++j) step[j] = grid.magnitude[j + 1] - grid.magnitude[j];
  const double* threshold = grid.threshold.data();
  double d_b_w[lanes] = {}, d_b[lanes] = {}, d_b2[lanes] = {}, support[lanes] = {};
  auto element = [&](std::size_t i, std::size_t lane) {
    const double a = std::fabs(double(w[i]));
    double m = 0;
    // Multiplying by a converted bool keeps the compiler from emitting a branch.
    for (std::size_t j = 0; j < (K ? K : k); ++j) m += step[j] * double(TowardZero ? a > threshold[j] : a >= threshold[j]);
    const double dm = double(d[i]) * m;
    d_b_w[lane] += dm * a;
    d_b[lane] += dm;
    d_b2[lane] += dm * m;
    support[lane] += double(TowardZero ? a > threshold[0] : a >= threshold[0]);
  };
  const std::size_t n = w.size(), blocked = n - n % lanes;
  for (std::size_t i = 0; i < blocked; i += lanes)
    for (std::size_t lane = 0; lane < lanes; ++lane) element(i + lane, lane);
  for (std::size_t i = blocked; i < n; ++i) element(i, i - blocked);
  Sums s;
  for (std::size_t lane = 0; lane < lanes; ++lane) {
    s.d_b_w += d_b_w[lane];
    s.d_b += d_b[lane];
    s.d_b2 += d_b2[lane];
    s.support += static_cast<std::size_t>(support[lane]);
  }
  return s;
}

template <bool TowardZero>
Sums sweep_untraced(std::span<const float> w, std::span<const float> d, const Thresholds& grid) {
  switch (grid.threshold.size()) {
    case 1: return sweep_fast<TowardZero, 1>(w, d, grid);
    case 3: return sweep_fast<TowardZero, 3>(w, d, grid);
    case 7: return sweep_fast<TowardZero, 7>(w, d, grid);
    default: return sweep_fast<TowardZero, 0>(w, d, grid);
  }
}

template <bool TowardZero, std::size_t K>
void write_impl(std::span<const float> w, std::span<float> out, const Thresholds& grid) {
  if constexpr (K == 0) {
    for (std::size_t i = 0; i < w.size(); ++i) {
      const float v = grid.value[level_of<TowardZero>(std::fabs(double(w[i])), grid.threshold)];
      // copysign without a branch; adding +0 turns a -0 into +0, which decode() rebuilds.
      out[i] = std::copysign(v, w[i]) + 0.0f;
    }
  } else {
    // The thresholds ascend, so the value is that of the last one passed: a chain of K
    // selects instead of a table lookup, which vectorises.
    double threshold[K];
    float value[K + 1];
    for (std::size_t j = 0; j < K; ++j) threshold[j] = grid.threshold[j];
    for (std::size_t j = 0; j <= K; ++j) value[j] = grid.value[j];
    for (std::size_t i = 0; i < w.size(); ++i) {
      const double a = std::fabs(double(w[i]));
      float v = value[0];
      for (std::size_t j = 0; j < K; ++j) v = (TowardZero ? a > threshold[j] : a >= threshold[j]) ? value[j + 1] : v;
      out[i] = std::copysign(v, w[i]) + 0.0f;
    }
  }
}

template <bool TowardZero>
void write_for(std::span<const float> w, std::span<float> out, const Thresholds& grid) {
  // The select chain pays from 3 thresholds on (laq-linear 3 bits: 32 -> 27 ms per 4.2M
  // weights); for ternary's one threshold the lookup is faster (23 vs 37 ms).
  switch (grid.threshold.size()) {
    case 3: return write_impl<TowardZero, 3>(w, out, grid);
    case 7: return write_impl<TowardZero, 7>(w, out, grid);
    default: return write_impl<TowardZero, 0>(w, out, grid);
  }
}

}  // namespace

Sums sweep(const LevelSet& levels, std::span<const float> w, std::span<const float> d, float alpha, bool traced) {
  const Thresholds grid(levels, alpha);
  const bool toward_zero = levels.tie == TieRule::toward_zero;
  Sums s = toward_zero ? sweep_untraced<true>(w, d, grid) : sweep_untraced<false>(w, d, grid);
  if (traced) s.objective = toward_zero ? objective_of<true>(w, d, grid) : objective_of<false>(w, d, grid);
  return s;
}

void write_levels(const LevelSet& levels, std::span<const float> w, float alpha, std::span<float> out) {
  const Thresholds grid(levels, alpha);
  if (levels.tie == TieRule::toward_zero) write_for<true>(w, out, grid);
  else write_for<false>(w, out, grid);
}

}  // namespace laq::quant::fast
