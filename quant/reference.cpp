#include "quant/reference.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

#include "quant/baselines.h"

namespace laq::quant {

double weighted_abs_mean_reference(std::span<const float> w, std::span<const float> d) {
  double sum_dw = 0, sum_d = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double di = d.empty() ? 1.0 : double(d[i]);
    sum_dw += di * std::fabs(double(w[i]));
    sum_d += di;
  }
  return sum_d > 0 ? sum_dw / sum_d : 0.0;
}

namespace {

// The next scale of the code b = Pi(w / alpha).
struct Update {
  double numerator = 0, denominator = 0;
};

Update code_sums(const LevelSet& levels, std::span<const float> w, std::span<const float> d, float alpha,
                 bool least_squares) {
  Update u;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double b = std::fabs(project(levels, double(w[i]) / double(alpha)));  // |b_i|, b_i = sign(w_i) |b_i|
    u.numerator += double(d[i]) * b * std::fabs(double(w[i]));
    u.denominator += least_squares ? double(d[i]) * b * b : double(d[i]) * b;  // the fast path's order
  }
  return u;
}

}  // namespace

Scales alternate_reference(const LevelSet& levels, std::span<const float> w, std::span<const float> d,
                           std::span<const float> warm, std::span<float> out, const Options& options) {
  if (w.empty()) return {};
  // alpha0: the d-weighted mean |w| over the warm start's support.
  double sum_dw = 0, sum_d = 0;
  for (std::size_t i = 0; i < w.size(); ++i)
    if (warm[i] != 0.0f) sum_dw += double(d[i]) * std::fabs(double(w[i])), sum_d += double(d[i]);
  double alpha0 = sum_d > 0 ? sum_dw / sum_d : 0.0;
  if (!(alpha0 > 0)) alpha0 = weighted_abs_mean_reference(w, d);
  if (!(alpha0 > 0)) {
    for (float& x : out) x = 0.0f;
    return {};
  }
  float alpha = static_cast<float>(alpha0);
  Update u = code_sums(levels, w, d, alpha, options.least_squares_alpha);
  for (int iteration = 1; iteration <= options.max_iterations; ++iteration) {
    const float next = u.denominator > 0 ? static_cast<float>(u.numerator / u.denominator) : alpha;
    u = code_sums(levels, w, d, next, options.least_squares_alpha);
    const bool converged = std::fabs(double(next) - double(alpha)) < options.tolerance;
    alpha = next;
    if (converged) break;
  }
  for (std::size_t i = 0; i < w.size(); ++i) {
    const std::size_t r = nearest_index(levels, std::fabs(double(w[i]) / double(alpha)));
    const float v = alpha * levels.magnitude_float(r);
    out[i] = r == 0 ? 0.0f : (w[i] < 0 ? -v : v);
  }
  return {alpha, alpha};
}

namespace {

struct SideSums {
  double pos_dw = 0, pos_d = 0, neg_dw = 0, neg_d = 0;
};

// A zero scale marks an empty side: it selects nothing.
float threshold_of(float scale) { return scale > 0 ? scale * 0.5f : std::numeric_limits<float>::infinity(); }

SideSums ternary_sums(std::span<const float> w, std::span<const float> d, Scales s) {
  SideSums t;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (w[i] > threshold_of(s.positive)) t.pos_dw += double(d[i]) * w[i], t.pos_d += d[i];
    if (w[i] < -threshold_of(s.negative)) t.neg_dw += -(double(d[i]) * w[i]), t.neg_d += d[i];
  }
  return t;
}

}  // namespace

Scales lat2_alternating_reference(std::span<const float> w, std::span<const float> d, std::span<const float> warm,
                                  std::span<float> out, const Options& options) {
  if (w.empty()) return {};
  // The initial sets are {warm >= 0} and {warm < 0}, scales over |w|; each side's own
  // weights give the fallback scale.
  SideSums warm_sets, sides;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double a = std::fabs(double(w[i])), di = d[i];
    if (warm[i] >= 0.0f) warm_sets.pos_dw += di * a, warm_sets.pos_d += di;
    else warm_sets.neg_dw += di * a, warm_sets.neg_d += di;
    if (w[i] > 0) sides.pos_dw += di * a, sides.pos_d += di;
    if (w[i] < 0) sides.neg_dw += di * a, sides.neg_d += di;
  }
  auto initial = [](double dw, double dd, double side_dw, double side_d) {
    if (side_d == 0) return 0.0f;
    const double alpha = dd > 0 ? dw / dd : 0.0;
    return static_cast<float>(alpha > 0 ? alpha : side_dw / side_d);
  };
  Scales s{initial(warm_sets.pos_dw, warm_sets.pos_d, sides.pos_dw, sides.pos_d),
           initial(warm_sets.neg_dw, warm_sets.neg_d, sides.neg_dw, sides.neg_d)};
  auto update = [](double dw, double dd, double side_dw, double side_d, float previous) {
    if (dd > 0) return static_cast<float>(dw / dd);
    return side_d > 0 ? static_cast<float>(side_dw / side_d) : previous;
  };
  SideSums t = ternary_sums(w, d, s);
  for (int iteration = 1; iteration <= options.max_iterations; ++iteration) {
    const Scales next{update(t.pos_dw, t.pos_d, sides.pos_dw, sides.pos_d, s.positive),
                      update(t.neg_dw, t.neg_d, sides.neg_dw, sides.neg_d, s.negative)};
    t = ternary_sums(w, d, next);
    const bool pos_done = std::fabs(double(next.positive) - s.positive) < options.tolerance;
    const bool neg_done = std::fabs(double(next.negative) - s.negative) < options.tolerance;
    s = next;
    if (options.code_faithful ? neg_done : (pos_done && neg_done)) break;
  }
  for (std::size_t i = 0; i < w.size(); ++i)
    out[i] = w[i] > threshold_of(s.positive) ? s.positive : (w[i] < -threshold_of(s.negative) ? -s.negative : 0.0f);
  return s;
}

Scales twn_reference(std::span<const float> w, std::span<float> out) {
  const double delta = 0.7 * weighted_abs_mean_reference(w, {});
  double sum = 0, count = 0;
  for (const float x : w)
    if (std::fabs(double(x)) > delta) sum += std::fabs(double(x)), ++count;
  const float alpha = count > 0 ? static_cast<float>(sum / count) : 0.0f;
  for (std::size_t i = 0; i < w.size(); ++i) out[i] = w[i] > delta ? alpha : (w[i] < -delta ? -alpha : 0.0f);
  return {alpha, alpha};
}

void ttq_backward_reference(std::span<const float> w, std::span<const float> g, float wp, float wn, float t,
                            std::span<float> grad_w, float& grad_wp, float& grad_wn) {
  float largest = 0;
  for (const float x : w) largest = std::max(largest, std::fabs(x));
  const float delta = t * largest;
  double sum_pos = 0, sum_neg = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (w[i] > delta) {
      grad_w[i] = wp * g[i];
      sum_pos += g[i];
    } else if (w[i] < -delta) {
      grad_w[i] = wn * g[i];
      sum_neg += g[i];
    } else {
      grad_w[i] = g[i];
    }
  }
  grad_wp = static_cast<float>(sum_pos);
  grad_wn = static_cast<float>(-sum_neg);
}

namespace {

// max |tanh w_i| = tanh(max |w_i|), and the first i with the largest |w_i| (tanh rounds to 1
// for every |w| above 19 or so, so the largest |tanh| alone would not name the maximiser).
std::pair<double, std::size_t> largest_tanh(std::span<const float> w) {
  float largest = 0;
  std::size_t arg = 0;
  for (std::size_t i = 0; i < w.size(); ++i)
    if (std::fabs(w[i]) > largest) largest = std::fabs(w[i]), arg = i;
  return {std::tanh(double(largest)), arg};
}

}  // namespace

Scales dorefa_reference(std::span<const float> w, int bits, std::span<float> out) {
  const double M = largest_tanh(w).first;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double r = M > 0 ? std::tanh(double(w[i])) / (2 * M) + 0.5 : 0.5;
    out[i] = dorefa_level(dorefa_code(r, bits), bits);
  }
  return {1.0f, 1.0f};
}

void dorefa_backward_reference(std::span<const float> w, std::span<const float> g, std::span<float> grad_w) {
  const auto [M, arg] = largest_tanh(w);
  if (M == 0) {
    std::fill(grad_w.begin(), grad_w.end(), 0.0f);
    return;
  }
  double g_dot_t = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double t = std::tanh(double(w[i])), c = std::cosh(double(w[i]));
    g_dot_t += double(g[i]) * t;
    grad_w[i] = static_cast<float>(g[i] / (c * c) / M);
  }
  const double t = std::tanh(double(w[arg])), c = std::cosh(double(w[arg])), slope = 1 / (c * c);
  grad_w[arg] = static_cast<float>(g[arg] * slope / M - (t > 0 ? 1.0 : -1.0) * slope * g_dot_t / (M * M));
}

}  // namespace laq::quant
