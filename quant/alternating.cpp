#include "quant/alternating.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "base/error.h"
#include "quant/common.h"
#include "quant/lane_sums.h"

namespace laq::quant {
namespace {

void check(std::span<const float> w, std::span<const float> d, std::span<const float> warm, std::span<float> out,
           const Options& options, const char* function) {
  require_size(d, w.size(), function, "d");
  require_size(warm, w.size(), function, "warm");
  require_size(out, w.size(), function, "out");
  require_no_alias(w, out, function);
  if (options.max_iterations < 0) throw Error(std::string(function) + ": max_iterations must be >= 0");
}

// Per-level data of one sweep: thresholds on |w| for the current alpha, and magnitudes.
struct Grid {
  std::vector<double> threshold;  // alpha * midpoint_r
  std::vector<double> magnitude;  // M_r, index 0 = the zero level
  std::vector<float> value;       // float(alpha) * float(M_r): exactly the output values
  Grid(const LevelSet& levels, float alpha) {
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

// What the next scale update needs from the code b = Pi(w / alpha), gathered in one pass.
struct Sums {
  double d_b_w = 0;   // sum d |b| |w|
  double d_b = 0;     // sum d |b|
  double d_b2 = 0;    // sum d b^2
  std::size_t support = 0;
  double objective = 0;  // only when traced
};

// sum d (q - w)^2 of the code for this alpha, for the trace only.
template <bool TowardZero>
double objective_of(std::span<const float> w, std::span<const float> d, const Grid& grid) {
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
Sums sweep_fast(std::span<const float> w, std::span<const float> d, const Grid& grid) {
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
Sums sweep_untraced(std::span<const float> w, std::span<const float> d, const Grid& grid) {
  switch (grid.threshold.size()) {
    case 1: return sweep_fast<TowardZero, 1>(w, d, grid);
    case 3: return sweep_fast<TowardZero, 3>(w, d, grid);
    case 7: return sweep_fast<TowardZero, 7>(w, d, grid);
    default: return sweep_fast<TowardZero, 0>(w, d, grid);
  }
}

// The sums are the same with or without a trace (the same lanes, the same order), so that
// --explain shows the very run a plain call makes.
Sums sweep(const LevelSet& levels, std::span<const float> w, std::span<const float> d, float alpha, bool traced) {
  const Grid grid(levels, alpha);
  const bool toward_zero = levels.tie == TieRule::toward_zero;
  Sums s = toward_zero ? sweep_untraced<true>(w, d, grid) : sweep_untraced<false>(w, d, grid);
  if (traced) s.objective = toward_zero ? objective_of<true>(w, d, grid) : objective_of<false>(w, d, grid);
  return s;
}

template <bool TowardZero, std::size_t K>
void write_impl(std::span<const float> w, std::span<float> out, const Grid& grid) {
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
void write_for(std::span<const float> w, std::span<float> out, const Grid& grid) {
  // The select chain pays from 3 thresholds on (laq-linear 3 bits: 32 -> 27 ms per 4.2M
  // weights); for ternary's one threshold the lookup is faster (23 vs 37 ms).
  switch (grid.threshold.size()) {
    case 3: return write_impl<TowardZero, 3>(w, out, grid);
    case 7: return write_impl<TowardZero, 7>(w, out, grid);
    default: return write_impl<TowardZero, 0>(w, out, grid);
  }
}

void write_levels(const LevelSet& levels, std::span<const float> w, float alpha, std::span<float> out) {
  const Grid grid(levels, alpha);
  if (levels.tie == TieRule::toward_zero) write_for<true>(w, out, grid);
  else write_for<false>(w, out, grid);
}

std::string number(double x) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.9g", x);
  return buffer;
}

}  // namespace

Scales alternate(const LevelSet& levels, std::span<const float> w, std::span<const float> d,
                 std::span<const float> warm, std::span<float> out, const Options& options, Trace* trace) {
  check(w, d, warm, out, options, "alternate");
  if (w.empty()) return {};

  // alpha0: the d-weighted mean |w| over the warm start's support (read before out is
  // written, since out may alias warm).
  const auto [sum_dw, sum_d] = lane_sums<2>(w.size(), [&](std::size_t i) {
    const double di = double(d[i]) * mask(warm[i] != 0.0f);  // the support is a random pattern
    return std::array<double, 2>{di * std::fabs(w[i]), di};
  });
  // Every element enters these sums (masked ones as 0 * x), so any NaN or inf shows here.
  require_finite(sum_dw, "alternate");
  require_finite(sum_d, "alternate");
  double alpha0 = sum_d > 0 ? sum_dw / sum_d : 0.0;
  if (!(alpha0 > 0)) {
    alpha0 = weighted_abs_mean(w, d);
    if (trace) trace->note("warm start has an empty support (or |w| = 0 on it): alpha0 = weighted mean |w|");
  }
  if (!(alpha0 > 0)) {
    std::fill(out.begin(), out.end(), 0.0f);
    if (trace) trace->note("all weights are 0: output 0, scale 0");
    return {};
  }
  float alpha = static_cast<float>(alpha0);
  if (trace)
    trace->note("alternating solver, " + std::to_string(levels.nonzero_levels() * 2 + 1) + " levels, alpha0 = " +
                number(alpha) + " from the warm start's support; alpha = " +
                (options.least_squares_alpha ? "sum d b w / sum d b^2" : "sum d|b||w| / sum d|b|"));

  Sums sums = sweep(levels, w, d, alpha, trace != nullptr);
  if (trace) trace->iteration({0, alpha, alpha, sums.support, sums.objective});
  for (int iteration = 1; iteration <= options.max_iterations; ++iteration) {
    const double denominator = options.least_squares_alpha ? sums.d_b2 : sums.d_b;
    const float next = denominator > 0 ? static_cast<float>(sums.d_b_w / denominator) : alpha;
    sums = sweep(levels, w, d, next, trace != nullptr);
    if (trace) trace->iteration({iteration, next, next, sums.support, sums.objective});
    const bool converged = std::fabs(double(next) - double(alpha)) < options.tolerance;
    alpha = next;
    if (converged) break;
  }
  write_levels(levels, w, alpha, out);
  return {alpha, alpha};
}

Scales lat_alternating(std::span<const float> w, std::span<const float> d, std::span<const float> warm,
                       std::span<float> out, const Options& options, Trace* trace) {
  static const LevelSet levels = ternary_levels();
  return alternate(levels, w, d, warm, out, options, trace);
}

Scales laq_linear(std::span<const float> w, std::span<const float> d, std::span<const float> warm,
                  std::span<float> out, const Options& options, Trace* trace) {
  return alternate(linear_levels(options.bits), w, d, warm, out, options, trace);
}

Scales laq_log(std::span<const float> w, std::span<const float> d, std::span<const float> warm, std::span<float> out,
               const Options& options, Trace* trace) {
  return alternate(log_levels(options.bits), w, d, warm, out, options, trace);
}

namespace {

// One pass of LAT2-a: the two ternary half-problems side by side.
struct TwoSums {
  double pos_dw = 0, pos_d = 0, neg_dw = 0, neg_d = 0, objective = 0;
  std::size_t support = 0;
};

template <bool Traced>
TwoSums sweep_two(std::span<const float> w, std::span<const float> d, Scales s) {
  // A zero scale marks an empty side: it selects nothing.
  const float up = s.positive > 0 ? s.positive * 0.5f : std::numeric_limits<float>::infinity();
  const float down = s.negative > 0 ? -s.negative * 0.5f : -std::numeric_limits<float>::infinity();
  const auto sums = lane_sums<5>(w.size(), [&](std::size_t i) {
    const double x = w[i], di = d[i];
    const double p = double(w[i] > up), n = double(w[i] < down);  // converted bools: here GCC keeps them branch-free
    return std::array<double, 5>{di * p * x, di * p, -(di * n * x), di * n, p + n};
  });
  TwoSums t;
  if constexpr (Traced) {  // the objective, for the trace only; the sums are the same either way
    for (std::size_t i = 0; i < w.size(); ++i) {
      const double x = w[i], q = w[i] > up ? s.positive : (w[i] < down ? -double(s.negative) : 0.0);
      t.objective += double(d[i]) * (q - x) * (q - x);
    }
  }
  t.pos_dw = sums[0], t.pos_d = sums[1], t.neg_dw = sums[2], t.neg_d = sums[3];
  t.support = static_cast<std::size_t>(sums[4]);
  return t;
}

}  // namespace

Scales lat2_alternating(std::span<const float> w, std::span<const float> d, std::span<const float> warm,
                        std::span<float> out, const Options& options, Trace* trace) {
  check(w, d, warm, out, options, "lat2_alternating");
  if (w.empty()) return {};

  // Initial sets as the code builds them: {warm >= 0} and {warm < 0}, scales over |w|.
  // The side sums are the fallbacks for a warm set with nothing on it.
  const auto [pos_dw, pos_d, neg_dw, neg_d, side_pos_dw, side_pos_d, side_neg_dw, side_neg_d] =
      lane_sums<8>(w.size(), [&](std::size_t i) {  // masks, not branches
        const double a = std::fabs(double(w[i])), di = d[i];
        const double warm_pos = di * mask(warm[i] >= 0.0f), w_pos = di * mask(w[i] > 0), w_neg = di * mask(w[i] < 0);
        return std::array<double, 8>{warm_pos * a, warm_pos, (di - warm_pos) * a, di - warm_pos,
                                     w_pos * a,    w_pos,    w_neg * a,            w_neg};
      });
  // Every element enters these sums (masked ones as 0 * x), so any NaN or inf shows here.
  for (const double sum : {pos_dw, pos_d, neg_dw, neg_d}) require_finite(sum, "lat2_alternating");
  auto initial = [](double dw, double dd, double side_dw, double side_d) {
    if (side_d == 0) return 0.0f;  // no element on this side at all
    const double alpha = dd > 0 ? dw / dd : 0.0;
    return static_cast<float>(alpha > 0 ? alpha : side_dw / side_d);
  };
  Scales s{initial(pos_dw, pos_d, side_pos_dw, side_pos_d), initial(neg_dw, neg_d, side_neg_dw, side_neg_d)};
  if (trace)
    trace->note("lat2-a: alpha+ starts over {warm >= 0}, alpha- over {warm < 0}; stop when " +
                std::string(options.code_faithful ? "alpha- converged (code quirk)" : "both converged"));

  auto run = [&](Scales scales) { return trace ? sweep_two<true>(w, d, scales) : sweep_two<false>(w, d, scales); };
  TwoSums t = run(s);
  if (trace) trace->iteration({0, s.positive, s.negative, t.support, t.objective});
  for (int iteration = 1; iteration <= options.max_iterations; ++iteration) {
    // A side whose support emptied (its scale above twice its largest weight, which the
    // initial scale over {warm >= 0} or {warm < 0} can be) restarts from the d-weighted mean
    // of its own weights, which the largest of them always passes: keeping the old scale
    // would keep the side empty for good (the authors' code divides 0 by 0 there).
    auto update = [](double dw, double dd, double side_dw, double side_d, float previous) {
      if (dd > 0) return static_cast<float>(dw / dd);
      return side_d > 0 ? static_cast<float>(side_dw / side_d) : previous;
    };
    const Scales next{update(t.pos_dw, t.pos_d, side_pos_dw, side_pos_d, s.positive),
                      update(t.neg_dw, t.neg_d, side_neg_dw, side_neg_d, s.negative)};
    if (trace && ((t.pos_d == 0 && side_pos_d > 0) || (t.neg_d == 0 && side_neg_d > 0)))
      trace->note("a side's support is empty: its scale restarts from the d-weighted mean of its weights");
    t = run(next);
    if (trace) trace->iteration({iteration, next.positive, next.negative, t.support, t.objective});
    const bool pos_done = std::fabs(double(next.positive) - s.positive) < options.tolerance;
    const bool neg_done = std::fabs(double(next.negative) - s.negative) < options.tolerance;
    s = next;
    if (options.code_faithful ? neg_done : (pos_done && neg_done)) break;
  }
  write_ternary(w, s, out);
  return s;
}

}  // namespace laq::quant
