#pragma once
// The machinery of the histogram support search (quant/top_support.h explains the method):
// the bin grid, per-piece partial histograms and how they are filled, and the search over a
// finished histogram, which asks its caller for the elements of the few bins it must look
// into. best_support_histogram assembles them into three passes over the tensor (largest
// magnitude, histogram, gather); the pieces keep each pass's inner loop in one place.
//
// A histogram is kept as partials, one per fixed piece of the tensor, added in piece order:
// the pieces never depend on the thread count, so neither do the sums.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "quant/common.h"
#include "quant/explain.h"
#include "quant/top_support.h"

namespace laq::quant::histogram {

// (sum d|w|, sum d) side by side, so one 16-byte add updates both. A lane-wise vector add is
// the same IEEE addition as two scalar ones.
typedef double Pair __attribute__((vector_size(16)));

// Equal-width bins over [0, range]: bin k holds the magnitudes a with floor(a * scale) = k,
// monotone in a, so higher bins hold strictly larger magnitudes and equal magnitudes share a
// bin. Magnitudes beyond the range go to the top bin, whose upper edge is then the largest
// magnitude actually seen.
struct Grid {
  std::size_t bins = 1;
  double scale = 1.0;  // bins per unit of magnitude
  static Grid over(double range, std::size_t bins) { return {bins, double(bins) / range}; }
  // Clamped before the conversion (which would overflow), in a form that vectorises; NaN
  // fails the comparison and lands in the top bin too.
  std::uint32_t bin_of(float magnitude) const {
    return static_cast<std::uint32_t>(std::min(double(bins - 1), double(magnitude) * scale));
  }
};

// Elements off the searched side go to kSpill extra bins past the end that are never read,
// taken in turn so that their updates do not form one long chain of dependent additions.
constexpr std::size_t kSpill = 16;

// One piece's sums per bin.
struct Partial {
  std::vector<Pair> sums;
  std::vector<std::uint32_t> count;  // a piece has fewer than 2^32 elements
  std::uint32_t largest_bits = 0;    // bits of the largest magnitude added (0: none)
  void reset(const Grid& grid) {
    sums.assign(grid.bins + kSpill, Pair{0.0, 0.0});
    count.assign(grid.bins + kSpill, 0);
    largest_bits = 0;
  }
};

// Whether w takes no part on `side`: the other sign, and exact zeros and NaN for one-sided
// searches. Arithmetic, never a branch: real weights' signs are unpredictable.
template <Side OnSide>
inline bool excluded(float x) {
  if constexpr (OnSide == Side::all) return false;
  else if constexpr (OnSide == Side::positive) return !(x > 0.0f);
  else return !(x < 0.0f);
}

// The largest magnitude taking part (as bits), NaN left out. The max is taken over bit
// patterns, monotone for non-negative floats, with integer operations that vectorise: |w|
// for all, max(bits, 0) as int32 for w > 0, bits - sign for w < 0.
template <Side OnSide>
std::uint32_t largest_bits_of(const float* w, std::size_t count) {
  std::uint32_t largest = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(w[i]);
    std::uint32_t magnitude;
    if constexpr (OnSide == Side::all) magnitude = bits & 0x7fffffffu;
    else if constexpr (OnSide == Side::positive) magnitude = static_cast<std::uint32_t>(std::max(std::bit_cast<std::int32_t>(bits), 0));
    else magnitude = std::max(bits, 0x80000000u) - 0x80000000u;
    largest = std::max(largest, magnitude);
  }
  if (largest > 0x7f800000u) {  // a NaN: recount without it (rare, so the loop above stays branch-free)
    largest = 0;
    for (std::size_t i = 0; i < count; ++i)
      if (!excluded<OnSide>(w[i]) && !std::isnan(w[i])) largest = std::max(largest, std::bit_cast<std::uint32_t>(std::fabs(w[i])));
  }
  return largest;
}

// Elements go in blocks: vectorisable loops (each alone, or GCC gives up on them) compute
// the bins and the pairs (d|w|, d), then a scalar loop does the scattered additions alone
// (with anything else in the loop the compiler must assume aliasing and reloads per element).
constexpr std::size_t kBlock = 256;

// Adds w[0, count) to `part`; curvature(i) is the curvature of w[i].
template <Side OnSide, class Curvature>
void accumulate(Partial& part, const Grid& grid, const float* w, std::size_t count, Curvature curvature) {
  std::uint32_t block_bin[kBlock];
  float block_d[kBlock];
  alignas(16) double block_pair[2 * kBlock];
  Pair* const sums = part.sums.data();
  std::uint32_t* const counts = part.count.data();
  for (std::size_t b = 0; b < count; b += kBlock) {
    const std::size_t m = std::min(kBlock, count - b);
    const float* wb = w + b;
    for (std::size_t i = 0; i < m; ++i) {
      const std::uint32_t spill = static_cast<std::uint32_t>(grid.bins + (b + i) % kSpill);
      block_bin[i] = excluded<OnSide>(wb[i]) ? spill : grid.bin_of(std::fabs(wb[i]));
    }
    for (std::size_t i = 0; i < m; ++i) block_d[i] = curvature(b + i);  // sqrt(v) + eps, vectorised
    for (std::size_t i = 0; i < m; ++i) {
      block_pair[2 * i] = double(block_d[i]) * std::fabs(wb[i]);
      block_pair[2 * i + 1] = block_d[i];
    }
    for (std::size_t i = 0; i < m; ++i) {
      Pair pair;
      std::memcpy(&pair, block_pair + 2 * i, sizeof pair);
      sums[block_bin[i]] += pair;
      ++counts[block_bin[i]];
    }
    part.largest_bits = std::max(part.largest_bits, largest_bits_of<OnSide>(wb, m));
  }
}

// An element of a bin that may hold the best cut: (magnitude, curvature).
using Entry = std::pair<float, float>;  // the same as scan::Entry

// Fills the segments of the candidate bins: element i of bin k goes to
// gathered[next[k - low]++] (next[k - low] < 0: not a candidate), in element order within
// each piece; piece p's slots start where pieces 0 .. p-1 end. Called with the plan; the
// caller either reads the tensor again or replays elements it kept.
struct GatherPlan {
  std::uint32_t low = 0, high = 0;                  // candidate bins lie in [low, high]
  std::vector<std::vector<std::int64_t>> next;       // per piece, per bin in [low, high]
};
using Gather = std::function<void(GatherPlan& plan, std::vector<Entry>& gathered)>;

// The support search over a histogram given as partials in piece order (the trace notes the
// work done). `side` only labels the trace.
Support solve(const Grid& grid, std::span<const Partial> parts, Side side, const Gather& gather, Trace* trace);

}  // namespace laq::quant::histogram
