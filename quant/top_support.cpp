#include "quant/top_support.h"

#include <algorithm>
#include <cmath>
#include <bit>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "engine/parallel.h"
#include "quant/common.h"
#include "quant/histogram.h"
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
// engine's pool, each with its own partial result (quant/histogram.h).
constexpr std::size_t kPiece = std::size_t{1} << 20;

template <class Body>
void for_each_piece(std::size_t size, Body&& body) {
  const std::size_t pieces = (size + kPiece - 1) / kPiece;
  engine::parallel_tasks(static_cast<int64_t>(pieces), [&](int64_t p) {
    const std::size_t first = static_cast<std::size_t>(p) * kPiece;
    body(static_cast<std::size_t>(p), first, std::min(size, first + kPiece));
  });
}

template <Side OnSide, class Curv>
Support histogram_search(std::span<const float> w, Curv curvature, std::size_t bins, Trace* trace) {
  const std::size_t size = w.size(), pieces = (size + kPiece - 1) / kPiece;
  if (size == 0) return {};
  // Pass 1: the largest magnitude sets the bin width.
  std::vector<std::uint32_t> largest(pieces);
  for_each_piece(size, [&](std::size_t p, std::size_t first, std::size_t last) {
    largest[p] = histogram::largest_bits_of<OnSide>(w.data() + first, last - first);
  });
  const float range = std::bit_cast<float>(*std::max_element(largest.begin(), largest.end()));
  const histogram::Grid grid = histogram::Grid::over(range > 0.0f ? double(range) : 1.0, bins);
  // Pass 2: the histogram, one partial per piece.
  std::vector<histogram::Partial> parts(pieces);
  for_each_piece(size, [&](std::size_t p, std::size_t first, std::size_t last) {
    parts[p].reset(grid);
    histogram::accumulate<OnSide>(parts[p], grid, w.data() + first, last - first,
                                  [&](std::size_t i) { return curvature(first + i); });
  });
  // Pass 3, if any bin needs looking into: its elements, read again.
  auto gather = [&](histogram::GatherPlan& plan, std::vector<histogram::Entry>& gathered) {
    for_each_piece(size, [&](std::size_t p, std::size_t first, std::size_t last) {
      std::int64_t* const next = plan.next[p].data();
      const std::uint32_t span = plan.high - plan.low, low = plan.low;
      std::uint32_t block_bin[histogram::kBlock];
      for (std::size_t b = first; b < last; b += histogram::kBlock) {
        const std::size_t m = std::min(histogram::kBlock, last - b);
        const float* wb = w.data() + b;
        for (std::size_t i = 0; i < m; ++i) {  // vectorised; excluded elements get a bin past `span`
          const bool out = histogram::excluded<OnSide>(wb[i]);
          block_bin[i] = out ? span + 1 : grid.bin_of(std::fabs(wb[i])) - low;  // below `low` wraps around: out too
        }
        for (std::size_t i = 0; i < m; ++i) {
          const std::uint32_t k = block_bin[i];
          if (k > span || next[k] < 0) continue;
          gathered[static_cast<std::size_t>(next[k]++)] = {std::fabs(wb[i]), curvature(b + i)};
        }
      }
    });
  };
  return histogram::solve(grid, parts, OnSide, gather, trace);
}

template <class Curv>
Support histogram_dispatch(std::span<const float> w, Curv curvature, Side side, std::size_t bins, Trace* trace) {
  bins = std::max<std::size_t>(bins, 1);
  switch (side) {
    case Side::all: return histogram_search<Side::all>(w, curvature, bins, trace);
    case Side::positive: return histogram_search<Side::positive>(w, curvature, bins, trace);
    case Side::negative: return histogram_search<Side::negative>(w, curvature, bins, trace);
  }
  return {};
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
  switch (d.kind) {
    case Curvature::Kind::values: return histogram_dispatch(w, FromValues{d.data.data()}, side, bins, trace);
    case Curvature::Kind::root:
      return histogram_dispatch(w, FromRoot{d.data.data(), d.value}, side, bins, trace);
    case Curvature::Kind::constant: return histogram_dispatch(w, FromConstant{d.value}, side, bins, trace);
  }
  return {};
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
