#include "quant/ternary_exact.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "quant/checks.h"
#include "quant/objective.h"
#include "quant/top_support.h"

namespace laq::quant {

namespace {

// An explicit d is tested here (the searches test w on their first pass); the training path
// reads d through a view of Adam's v, which is NaN only where the weights already are.
void check(std::span<const float> w, const Curvature& d, std::span<float> out, const char* function) {
  require_size(d, w.size(), function);
  require_size(out, w.size(), function, "out");
  require_no_alias(w, out, function);
  if (d.kind == Curvature::Kind::values && !all_finite(d.data)) throw_non_finite(function);
}

// The authors' solvers sort and index d, so they take it as values.
std::span<const float> values_of(const Curvature& d, std::size_t n, std::vector<float>& buffer) {
  if (d.kind == Curvature::Kind::values) return d.data;
  buffer = d.materialize(n);
  return buffer;
}

std::string number(double x) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.9g", x);
  return buffer;
}

// The code's threshold choice over one descending sequence of magnitudes (findalpha, and
// each branch of findalpha2). `select_c` is the c array used in the score; `c` is the
// one returned (they differ only in the lat2 negative-branch bug).
struct FaithfulChoice {
  double threshold;
  std::size_t j;  // 0 when the 0.7 fallback fired
};

FaithfulChoice faithful_choice(const std::vector<double>& magnitude, const std::vector<double>& c,
                               const std::vector<double>& D, const std::vector<double>& select_c, std::size_t n,
                               const char* side, Trace* trace) {
  // Elements 0..n-1 of the arrays are this side's prefix; c[i] belongs to support j = i+1.
  double best_score = 0;
  std::size_t best = 0;
  bool any = false;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    const bool separates = (magnitude[i] - c[i]) * (magnitude[i + 1] - c[i]) < 0;
    if (!separates) continue;
    const double score = select_c[i] * select_c[i] * D[i];
    if (!any || score > best_score) best_score = score, best = i, any = true;  // argmax: first maximum
  }
  FaithfulChoice choice = any ? FaithfulChoice{c[best], best + 1} : FaithfulChoice{0.7 * c[n - 1], 0};
  if (trace) {
    for (std::size_t i = 0; i < n; ++i) {
      if (!trace->shows_row(i + 1, n, choice.j)) continue;
      const bool separates = i + 1 < n && (magnitude[i] - c[i]) * (magnitude[i + 1] - c[i]) < 0;
      const double P = 2 * c[i] * D[i];
      trace->exact_row({side, i + 1, magnitude[i], D[i] - (i ? D[i - 1] : 0.0), P, D[i], c[i],
                        select_c[i] * select_c[i] * D[i] * 4, separates});
    }
    trace->note(std::string(side) + ": " +
                (any ? "chosen j* = " + std::to_string(choice.j) + ", threshold c_j* = " + number(choice.threshold)
                     : "no j passes the separation filter; fallback threshold 0.7*c_n = " + number(choice.threshold)));
  }
  return choice;
}

// Prefix sums of d|w| and d over the given order, and c = P/(2D).
void prefix(std::span<const float> w, std::span<const float> d, const std::vector<std::size_t>& order,
            std::vector<double>& c, std::vector<double>& D) {
  c.resize(order.size());
  D.resize(order.size());
  double P = 0, sum_d = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    P += std::fabs(double(d[order[i]]) * w[order[i]]);
    sum_d += d[order[i]];
    c[i] = sum_d > 0 ? P / sum_d / 2 : 0.0;  // a prefix with no curvature yet (d = 0): no scale, not 0/0
    D[i] = sum_d;
  }
}

Scales lat_exact_code(std::span<const float> w, std::span<const float> d, std::span<float> out, Trace* trace) {
  if (!all_finite(w)) throw_non_finite("lat_exact");  // (a NaN would also break the sort's ordering)
  const std::size_t n = w.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return std::fabs(w[a]) > std::fabs(w[b]); });
  std::vector<double> magnitude(n), c, D;
  for (std::size_t i = 0; i < n; ++i) magnitude[i] = std::fabs(w[order[i]]);
  prefix(w, d, order, c, D);
  if (trace) trace->note("lat-e, code-faithful (findalpha): descending argsort, separation filter over j = 1..n-1");
  const auto choice = faithful_choice(magnitude, c, D, c, n, "|w|", trace);
  const float alpha = static_cast<float>(2 * choice.threshold);
  const Scales scales{alpha, alpha};
  write_ternary(w, scales, out);
  return scales;
}

Scales lat2_exact_code(std::span<const float> w, std::span<const float> d, std::span<float> out, Trace* trace) {
  if (!all_finite(w)) throw_non_finite("lat2_exact");  // (a NaN would also break the sort's ordering)
  const std::size_t n = w.size();
  std::size_t n_pos = 0, n_neg = 0;
  for (float x : w) n_pos += x > 0, n_neg += x < 0;
  // ind1 = descending argsort of the signed weights; ind2 = its reverse.
  std::vector<std::size_t> down(n);
  std::iota(down.begin(), down.end(), std::size_t{0});
  std::stable_sort(down.begin(), down.end(), [&](std::size_t a, std::size_t b) { return w[a] > w[b]; });
  std::vector<std::size_t> up(down.rbegin(), down.rend());
  std::vector<double> c_pos, D_pos, c_neg, D_neg, m_pos(n), m_neg(n);
  prefix(w, d, down, c_pos, D_pos);  // over all n, as the code's cumsum: past n+ it sums |w| of w <= 0
  prefix(w, d, up, c_neg, D_neg);
  for (std::size_t i = 0; i < n; ++i) m_pos[i] = w[down[i]], m_neg[i] = -w[up[i]];
  if (trace) trace->note("lat2-e, code-faithful (findalpha2): the negative side is scored with the positive side's c");
  Scales scales;
  if (n_pos > 0) scales.positive = static_cast<float>(2 * faithful_choice(m_pos, c_pos, D_pos, c_pos, n_pos, "w>0", trace).threshold);
  if (n_neg > 0) scales.negative = static_cast<float>(2 * faithful_choice(m_neg, c_neg, D_neg, c_pos, n_neg, "w<0", trace).threshold);
  write_ternary(w, scales, out);
  return scales;
}

}  // namespace

Scales lat_exact(std::span<const float> w, const Curvature& d, std::span<float> out, bool code_faithful,
                 Trace* trace) {
  check(w, d, out, "lat_exact");
  if (w.empty()) return {};
  std::vector<float> buffer;
  if (code_faithful) return lat_exact_code(w, values_of(d, w.size(), buffer), out, trace);
  const float alpha = static_cast<float>(best_support(w, d, Side::all, trace).alpha());
  const Scales scales{alpha, alpha};
  write_ternary(w, scales, out);
  return scales;
}

Scales lat_exact_sorted(std::span<const float> w, std::span<const float> d, std::span<float> out, Trace* trace) {
  check(w, Curvature::values(d), out, "lat_exact_sorted");
  const float alpha = static_cast<float>(best_support_sorted(w, d, Side::all, trace).alpha());
  const Scales scales{alpha, alpha};
  write_ternary(w, scales, out);
  return scales;
}

Scales lat2_exact(std::span<const float> w, const Curvature& d, std::span<float> out, bool code_faithful,
                  Trace* trace) {
  check(w, d, out, "lat2_exact");
  if (w.empty()) return {};
  std::vector<float> buffer;
  if (code_faithful) return lat2_exact_code(w, values_of(d, w.size(), buffer), out, trace);
  const auto [positive, negative] = best_support_both_sides(w, d, trace);
  const Scales scales{static_cast<float>(positive.alpha()), static_cast<float>(negative.alpha())};
  write_ternary(w, scales, out);
  return scales;
}

}  // namespace laq::quant
