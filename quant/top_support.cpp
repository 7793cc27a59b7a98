#include "quant/top_support.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "quant/checks.h"
#include "quant/fast/histogram_search.h"
#include "quant/fast/support_scan.h"

namespace laq::quant {
namespace {

// The magnitude of w on `side`, or a negative value when w does not take part.
inline float side_magnitude(float w, Side side) {
  switch (side) {
    case Side::all: return std::fabs(w);
    case Side::positive: return w > 0.0f ? w : -1.0f;
    case Side::negative: return w < 0.0f ? -w : -1.0f;
  }
  return -1.0f;
}

using scan::Best;
using scan::Entry;
using scan::score_of;
using scan::side_label;
using scan::sort_descending;

}  // namespace

Support best_support_sorted(std::span<const float> w, std::span<const float> d, Side side, Trace* trace) {
  require_size(d, w.size(), "best_support_sorted", "d");
  if (!all_finite(w) || !all_finite(d)) throw_non_finite("best_support");
  std::vector<Entry> entries;
  entries.reserve(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) {
    const float a = side_magnitude(w[i], side);
    if (a >= 0.0f) entries.emplace_back(a, d[i]);
  }
  sort_descending(entries);
  const std::size_t n = entries.size();

  Best best;
  double P = 0, D = 0;
  for (std::size_t i = 0; i < n; ++i) {
    P += double(entries[i].second) * entries[i].first;
    D += entries[i].second;
    const bool group_end = i + 1 == n || entries[i].first > entries[i + 1].first;
    if (group_end) best.offer(score_of(P, D), i + 1, P, D);
  }

  if (trace) {
    trace->note(std::string("exact support search on ") + side_label(side) + ", " + std::to_string(n) +
                " elements sorted by magnitude, descending; candidates are the ends of tie groups");
    P = D = 0;
    for (std::size_t i = 0; i < n; ++i) {
      P += double(entries[i].second) * entries[i].first;
      D += entries[i].second;
      if (!trace->shows_row(i + 1, n, best.j)) continue;
      const bool group_end = i + 1 == n || entries[i].first > entries[i + 1].first;
      trace->exact_row({side_label(side), i + 1, entries[i].first, entries[i].second, P, D, P / (2 * D),
                        score_of(P, D), group_end});
    }
    trace->note("chosen support j* = " + std::to_string(best.j) + " (largest P^2/D), alpha = P/D = " +
                std::to_string(best.D > 0 ? best.P / best.D : 0.0));
  }
  return {best.j, best.P, best.D};
}

namespace {

// Below this size the sort costs less than the histogram's three passes.
constexpr std::size_t kSortBelow = 4096;

// The sorted search indexes d, so it takes d as values.
std::span<const float> values_of(const Curvature& d, std::size_t n, std::vector<float>& buffer) {
  if (d.kind == Curvature::Kind::values) return d.data;
  buffer = d.materialize(n);
  return buffer;
}

}  // namespace

Support best_support_histogram(std::span<const float> w, const Curvature& d, Side side, std::size_t bins,
                               Trace* trace) {
  require_size(d, w.size(), "best_support_histogram");
  const Side sides[] = {side};
  return histogram::search(w, d, std::max<std::size_t>(bins, 1), sides, trace)[0];
}

std::array<Support, 2> best_support_both_sides(std::span<const float> w, const Curvature& d, Trace* trace) {
  require_size(d, w.size(), "best_support_both_sides");
  if (trace || w.size() < kSortBelow) {
    std::vector<float> buffer;
    const std::span<const float> values = values_of(d, w.size(), buffer);
    return {best_support_sorted(w, values, Side::positive, trace), best_support_sorted(w, values, Side::negative, trace)};
  }
  const Side sides[] = {Side::positive, Side::negative};
  const std::vector<Support> found = histogram::search(w, d, histogram::default_bins(w.size()), sides, nullptr);
  return {found[0], found[1]};
}

Support best_support(std::span<const float> w, const Curvature& d, Side side, Trace* trace) {
  require_size(d, w.size(), "best_support");
  if (trace || w.size() < kSortBelow) {
    std::vector<float> buffer;
    return best_support_sorted(w, values_of(d, w.size(), buffer), side, trace);
  }
  return best_support_histogram(w, d, side, histogram::default_bins(w.size()), nullptr);
}

}  // namespace laq::quant
