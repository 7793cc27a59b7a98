#include "quant/top_support.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <bit>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "quant/common.h"
#include "quant/histogram.h"
#include "quant/runner.h"
#include "quant/support_scan.h"

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

// The curvature of element i, read through one of the three Curvature forms.
struct FromValues {
  const float* d;
  float operator()(std::size_t i) const { return d[i]; }
};
struct FromRoot {
  const float* v;
  float eps;
  float operator()(std::size_t i) const { return std::sqrt(v[i]) + eps; }  // the float ops the stage used
};
struct FromConstant {
  float c;
  float operator()(std::size_t) const { return c; }
};

// The passes over the tensor run on fixed pieces of kPiece elements, spread over the
// caller's runner (quant/runner.h), each with its own partial result (quant/histogram.h).
constexpr std::size_t kPiece = std::size_t{1} << 20;

template <class Body>
void for_each_piece(std::size_t size, Body&& body) {
  const std::size_t pieces = (size + kPiece - 1) / kPiece;
  run_tasks(pieces, [&](std::size_t p) {
    const std::size_t first = p * kPiece;
    body(p, first, std::min(size, first + kPiece));
  });
}

// Pass 3 of one side's search: the elements of the bins it must look into, read again.
template <Side OnSide, class Curv>
histogram::Gather gather_from(std::span<const float> w, Curv curvature, const histogram::Grid& grid) {
  return [=](histogram::GatherPlan& plan, std::vector<histogram::Entry>& gathered) {
    for_each_piece(w.size(), [&](std::size_t p, std::size_t first, std::size_t last) {
      std::int64_t* const next = plan.next[p].data();
      const std::uint32_t span = plan.high - plan.low, low = plan.low;
      // Grid::bin_of written out on locals: through the captured grid (or a copy of it) GCC
      // neither hoists the scale nor vectorises this loop, and one-sided searches got 3x slower.
      const double scale = grid.scale, top = grid.top;
      std::uint32_t block_bin[histogram::kBlock];
      for (std::size_t b = first; b < last; b += histogram::kBlock) {
        const std::size_t m = std::min(histogram::kBlock, last - b);
        const float* wb = w.data() + b;
        for (std::size_t i = 0; i < m; ++i) {  // vectorised; excluded elements get a bin past `span`
          const bool out = histogram::excluded<OnSide>(wb[i]);
          const std::uint32_t k = static_cast<std::uint32_t>(std::min(top, double(std::fabs(wb[i])) * scale));
          block_bin[i] = out ? span + 1 : k - low;  // below `low` wraps around: out too
        }
        for (std::size_t i = 0; i < m; ++i) {
          const std::uint32_t k = block_bin[i];
          if (k > span || next[k] < 0) continue;
          gathered[static_cast<std::size_t>(next[k]++)] = {std::fabs(wb[i]), curvature(b + i)};
        }
      }
    });
  };
}

// The support search on each of `sides`, all from one histogram of both signs: the two
// sides of the two-scale ternary cost one histogram pass, not two.
template <class Curv>
std::vector<Support> histogram_search(std::span<const float> w, Curv curvature, std::size_t bins,
                                      std::span<const Side> sides, Trace* trace) {
  const std::size_t size = w.size(), pieces = (size + kPiece - 1) / kPiece;
  if (size == 0) return std::vector<Support>(sides.size());
  // Pass 1: the largest magnitude sets the bin width.
  std::vector<std::uint32_t> largest(pieces);
  for_each_piece(size, [&](std::size_t p, std::size_t first, std::size_t last) {
    largest[p] = histogram::largest_magnitude_bits(w.data() + first, last - first);
  });
  const std::uint32_t range_bits = *std::max_element(largest.begin(), largest.end());
  if (range_bits >= 0x7f800000u) throw_non_finite("best_support");  // an inf or NaN weight
  const float range = std::bit_cast<float>(range_bits);
  const histogram::Grid grid = histogram::Grid::over(range > 0.0f ? double(range) : 1.0, bins);
  // Pass 2: the histogram (by sign unless only |w| is asked for), one partial per piece.
  std::vector<histogram::SignedPartial> signed_parts(pieces);
  for_each_piece(size, [&](std::size_t p, std::size_t first, std::size_t last) {
    signed_parts[p].reset(grid, !(sides.size() == 1 && sides[0] == Side::all));
    histogram::accumulate(signed_parts[p], grid, w.data() + first, last - first,
                          [&](std::size_t i) { return curvature(first + i); });
  });
  std::vector<Support> found;
  for (const Side side : sides) {
    std::vector<histogram::Partial> parts;
    for (const auto& part : signed_parts) parts.push_back(histogram::side_of(part, grid, side));
    const histogram::Gather gather = side == Side::all        ? gather_from<Side::all>(w, curvature, grid)
                                     : side == Side::positive ? gather_from<Side::positive>(w, curvature, grid)
                                                              : gather_from<Side::negative>(w, curvature, grid);
    found.push_back(histogram::solve(grid, parts, side, gather, trace));
  }
  return found;
}

template <class Visit>
auto with_curvature(const Curvature& d, Visit&& visit) {
  switch (d.kind) {
    case Curvature::Kind::values: return visit(FromValues{d.data.data()});
    case Curvature::Kind::root: return visit(FromRoot{d.data.data(), d.value});
    case Curvature::Kind::constant: break;
  }
  return visit(FromConstant{d.value});
}

std::size_t default_bins(std::size_t n) {
  // ~512 elements per bin keeps the histogram in L2 and the scanned bins short.
  return std::clamp<std::size_t>(n / 512, 256, 8192);
}
constexpr std::size_t kSmall = 4096;

}  // namespace

Support best_support_histogram(std::span<const float> w, const Curvature& d, Side side, std::size_t bins,
                               Trace* trace) {
  require_size(d, w.size(), "best_support_histogram");
  const Side sides[] = {side};
  return with_curvature(d, [&](auto curvature) {
    return histogram_search(w, curvature, std::max<std::size_t>(bins, 1), sides, trace)[0];
  });
}

std::array<Support, 2> best_support_both_sides(std::span<const float> w, const Curvature& d, Trace* trace) {
  require_size(d, w.size(), "best_support_both_sides");
  if (trace || w.size() < kSmall) {
    const std::vector<float> values = d.materialize(w.size());
    return {best_support_sorted(w, values, Side::positive, trace), best_support_sorted(w, values, Side::negative, trace)};
  }
  const Side sides[] = {Side::positive, Side::negative};
  const std::vector<Support> found = with_curvature(
      d, [&](auto curvature) { return histogram_search(w, curvature, default_bins(w.size()), sides, nullptr); });
  return {found[0], found[1]};
}

Support best_support(std::span<const float> w, const Curvature& d, Side side, Trace* trace) {
  if (trace || w.size() < kSmall) {
    const std::vector<float> values = d.materialize(w.size());
    return best_support_sorted(w, values, side, trace);
  }
  return best_support_histogram(w, d, side, default_bins(w.size()), nullptr);
}

Support best_support_histogram(std::span<const float> w, std::span<const float> d, Side side, std::size_t bins,
                               Trace* trace) {
  require_size(d, w.size(), "best_support_histogram", "d");
  return best_support_histogram(w, Curvature::values(d), side, bins, trace);
}

Support best_support(std::span<const float> w, std::span<const float> d, Side side, Trace* trace) {
  require_size(d, w.size(), "best_support", "d");
  if (trace || w.size() < kSmall) return best_support_sorted(w, d, side, trace);
  return best_support_histogram(w, Curvature::values(d), side, default_bins(w.size()), nullptr);
}

}  // namespace laq::quant
