#include "quant/alternating.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "quant/checks.h"
#include "quant/fast/lane_sums.h"
#include "quant/fast/level_histogram.h"
#include "quant/fast/level_sweep.h"
#include "quant/objective.h"
#include "quant/runner.h"

namespace laq::quant {
namespace {

// From this size on the histogram's two passes and few gathers cost less than the sweeps.
constexpr std::size_t kHistogramFrom = std::size_t{1} << 15;
// Per-piece lane sums (quant/runner.h's kPassPiece) added in piece order: the same bits on
// any thread count, and for a tensor of one piece those of lane_sums itself.
template <std::size_t N, class Terms>
std::array<double, N> piecewise_lane_sums(std::size_t n, Terms&& terms) {
  std::vector<std::array<double, N>> pieces((n + kPassPiece - 1) / kPassPiece);
  for_each_piece(n, kPassPiece, [&](std::size_t p, std::size_t first, std::size_t last) {
    pieces[p] = lane_sums<N>(last - first, [&](std::size_t j) { return terms(first + j); });
  });
  std::array<double, N> total{};
  for (const auto& piece : pieces)
    for (std::size_t k = 0; k < N; ++k) total[k] += piece[k];
  return total;
}

void check(std::span<const float> w, std::span<const float> d, std::span<const float> warm, std::span<float> out,
           const Options& options, const char* function) {
  require_size(d, w.size(), function, "d");
  require_size(warm, w.size(), function, "warm");
  require_size(out, w.size(), function, "out");
  require_no_alias(w, out, function);
  if (options.max_iterations < 0) throw Error(std::string(function) + ": max_iterations must be >= 0");
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
  const auto [sum_dw, sum_d] = piecewise_lane_sums<2>(w.size(), [&](std::size_t i) {
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

  // Large tensors take each alternation's sums from one histogram of |w|
  // (quant/fast/level_histogram.h) instead of a pass over every weight.
  std::optional<fast::LevelHistogram> histogram;
  if (w.size() >= kHistogramFrom) histogram.emplace(levels, w, d, options.least_squares_alpha);
  auto sweep = [&](float scale) {
    if (!histogram) return fast::sweep(levels, w, d, scale, trace != nullptr);
    fast::Sums s = histogram->sums(scale);
    if (trace) s.objective = fast::sweep(levels, w, d, scale, true).objective;
    return s;
  };
  fast::Sums sums = sweep(alpha);
  if (trace) trace->iteration({0, alpha, alpha, sums.support, sums.objective});
  for (int iteration = 1; iteration <= options.max_iterations; ++iteration) {
    const double denominator = options.least_squares_alpha ? sums.d_b2 : sums.d_b;
    const float next = denominator > 0 ? static_cast<float>(sums.d_b_w / denominator) : alpha;
    sums = sweep(next);
    if (trace) trace->iteration({iteration, next, next, sums.support, sums.objective});
    const bool converged = std::fabs(double(next) - double(alpha)) < options.tolerance;
    alpha = next;
    if (converged) break;
  }
  if (levels.nonzero_levels() == 1 && levels.first_tie == TieRule::toward_zero) {
    write_ternary(w, {alpha, alpha}, out);  // the same values, vectorised: alpha / 2 is exact
  } else {
    for_each_piece(w.size(), kPassPiece, [&](std::size_t, std::size_t first, std::size_t last) {
      fast::write_levels(levels, w.subspan(first, last - first), alpha, out.subspan(first, last - first));
    });
  }
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
      piecewise_lane_sums<8>(w.size(), [&](std::size_t i) {  // masks, not branches
        const double a = std::fabs(double(w[i])), di = d[i];
        const double warm_pos = di * mask(warm[i] >= 0.0f), w_pos = di * mask(w[i] > 0), w_neg = di * mask(w[i] < 0);
        return std::array<double, 8>{warm_pos * a, warm_pos, (di - warm_pos) * a, di - warm_pos,
                                     w_pos * a, w_pos, w_neg * a, w_neg};
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

  // Large tensors: each side's sums from a histogram of its own magnitudes
  // (quant/fast/level_histogram.h); a zero scale marks an empty side, which selects nothing.
  std::optional<fast::LevelHistogram> positive, negative;
  static const LevelSet ternary = ternary_levels();
  if (w.size() >= kHistogramFrom) {
    positive.emplace(ternary, w, d, false, Side::positive);
    negative.emplace(ternary, w, d, false, Side::negative);
  }
  auto run = [&](Scales scales) {
    if (!positive) return trace ? sweep_two<true>(w, d, scales) : sweep_two<false>(w, d, scales);
    TwoSums t;
    if (scales.positive > 0) {
      const fast::Sums p = positive->sums(scales.positive);
      t.pos_dw = p.d_b_w, t.pos_d = p.d_b, t.support += p.support;
    }
    if (scales.negative > 0) {
      const fast::Sums n = negative->sums(scales.negative);
      t.neg_dw = n.d_b_w, t.neg_d = n.d_b, t.support += n.support;
    }
    if (trace) t.objective = sweep_two<true>(w, d, scales).objective;
    return t;
  };
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
