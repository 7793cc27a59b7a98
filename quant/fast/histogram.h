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

#include "quant/checks.h"
#include "quant/curvature.h"
#include "quant/fast/support_scan.h"
#include "quant/support.h"
#include "quant/trace.h"

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
  double top = 0.0;    // bins - 1, as the double the clamp compares with
  static Grid over(double range, std::size_t bins) { return {bins, double(bins) / range, double(bins - 1)}; }
  // Clamped before the conversion (which would overflow), in a form that vectorises; NaN
  // fails the comparison and lands in the top bin too.
  std::uint32_t bin_of(float magnitude) const {
    return static_cast<std::uint32_t>(std::min(top, double(magnitude) * scale));
  }
};

// One side's sums per bin, for the search (made from a SignedPartial by side_of).
struct Partial {
  std::vector<Pair> sums;
  std::vector<std::uint32_t> count;  // a piece has fewer than 2^32 elements
  std::uint32_t largest_bits = 0;    // bits of the largest magnitude on this side (0: none)
  void reset(const Grid& grid) {
    sums.assign(grid.bins, Pair{0.0, 0.0});
    count.assign(grid.bins, 0);
    largest_bits = 0;
  }
};

// Whether w takes no part on `side`: NaN never; the other sign and exact zeros for the
// one-sided searches. Arithmetic, never a branch: real weights' signs are unpredictable.
template <Side OnSide>
inline bool excluded(float x) {
  if constexpr (OnSide == Side::all) return (std::bit_cast<std::uint32_t>(x) & 0x7fffffffu) > 0x7f800000u;
  else if constexpr (OnSide == Side::positive) return !(x > 0.0f);
  else return !(x < 0.0f);
}

// The largest |w| (as bits): the range of the bins. The max is taken over bit patterns,
// monotone for non-negative floats, with integer operations that vectorise. At least
// 0x7f800000 (the bits of inf) when some w is inf or NaN, which the solvers refuse.
inline std::uint32_t largest_magnitude_bits(const float* w, std::size_t count) {
  std::uint32_t largest = 0;
  for (std::size_t i = 0; i < count; ++i) largest = std::max(largest, std::bit_cast<std::uint32_t>(w[i]) & 0x7fffffffu);
  return largest;
}

// One piece's sums, by sign when a search needs one side (the two-scale ternary needs
// both, and gets them from one pass): bins [0, B) hold the magnitudes of w > 0 and [B, 2B)
// those of w < 0, then kSpecial bins take exact zeros (the first half) and NaN (the second),
// spread so that their updates do not form one chain of dependent additions. Without
// `by_sign` (the one-scale ternary) bins [0, B) hold every magnitude, zeros in bin 0, and
// the special bins only NaN: half the bins to touch.
constexpr std::size_t kSpecial = 16;
struct SignedPartial {
  bool by_sign = true;
  std::vector<Pair> sums;
  std::vector<std::uint32_t> count;
  std::uint32_t largest_positive = 0, largest_negative = 0;  // magnitude bits (0: none)
  void reset(const Grid& grid, bool split_by_sign) {
    by_sign = split_by_sign;
    const std::size_t size = (by_sign ? 2 : 1) * grid.bins + kSpecial;
    sums.assign(size, Pair{0.0, 0.0});
    count.assign(size, 0);
    largest_positive = largest_negative = 0;
  }
};

// Elements go in blocks: vectorisable loops (each alone, or GCC gives up on them) compute
// the bins and the pairs (d|w|, d), then a scalar loop does the scattered additions alone
// (with anything else in the loop the compiler must assume aliasing and reloads per element).
constexpr std::size_t kBlock = 256;

// Adds w[0, count) to `part`; curvature(i) is the curvature of w[i].
template <class Curvature>
void accumulate(SignedPartial& part, const Grid& grid, const float* w, std::size_t count, Curvature curvature) {
  std::uint32_t block_bin[kBlock];
  float block_d[kBlock];
  alignas(16) double block_pair[2 * kBlock];
  Pair* const sums = part.sums.data();
  std::uint32_t* const counts = part.count.data();
  const std::uint32_t bins = static_cast<std::uint32_t>(grid.bins), half = kSpecial / 2;
  const std::uint32_t special_base = static_cast<std::uint32_t>(part.sums.size() - kSpecial);
  const std::uint32_t negative_offset = part.by_sign ? bins : 0;  // where w < 0 go
  const std::uint32_t zeros_apart = part.by_sign ? 1 : 0;         // zeros in the special bins
  std::uint32_t largest_positive = part.largest_positive, largest_negative = part.largest_negative;
  for (std::size_t b = 0; b < count; b += kBlock) {
    const std::size_t m = std::min(kBlock, count - b);
    const float* wb = w + b;
    for (std::size_t i = 0; i < m; ++i) {
      const std::uint32_t bits = std::bit_cast<std::uint32_t>(wb[i]), magnitude = bits & 0x7fffffffu;
      const std::uint32_t special = special_base + (magnitude > 0x7f800000u ? half : 0u) + ((b + i) & (half - 1));
      const std::uint32_t signed_bin = grid.bin_of(std::bit_cast<float>(magnitude)) + negative_offset * (bits >> 31);
      block_bin[i] = (magnitude == 0 && zeros_apart) || magnitude > 0x7f800000u ? special : signed_bin;
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
    // The largest magnitude of each sign, over bit patterns (monotone for non-negative
    // floats), with masks instead of conditions: in this form GCC vectorises it.
    std::uint32_t positive = 0, negative = 0;
    for (std::size_t i = 0; i < m; ++i) {
      std::uint32_t bits;
      std::memcpy(&bits, wb + i, sizeof bits);
      positive = std::max(positive, bits & ((bits >> 31) - 1u));
      negative = std::max(negative, (bits & 0x7fffffffu) & (0u - (bits >> 31)));
    }
    if (positive > 0x7f800000u || negative > 0x7f800000u) {  // a NaN: again without it (rare)
      positive = negative = 0;
      for (std::size_t i = 0; i < m; ++i) {
        if (std::isnan(wb[i])) continue;
        const std::uint32_t magnitude = std::bit_cast<std::uint32_t>(std::fabs(wb[i]));
        (std::signbit(wb[i]) ? negative : positive) = std::max(std::signbit(wb[i]) ? negative : positive, magnitude);
      }
    }
    largest_positive = std::max(largest_positive, positive);
    largest_negative = std::max(largest_negative, negative);
  }
  part.largest_positive = largest_positive;
  part.largest_negative = largest_negative;
}

// One side's histogram out of a piece's: w > 0, w < 0, or |w| (both signs added bin by
// bin, exact zeros into bin 0; NaN takes part in no side). Throws laq::Error for a sign's
// side of a partial not split by sign.
Partial side_of(const SignedPartial& part, const Grid& grid, Side side);

// An element of a bin that may hold the best cut: (magnitude, curvature).
using Entry = scan::Entry;

// Fills the segments of the candidate bins: element i of bin k goes to
// gathered[next[k - low]++] (next[k - low] < 0: not a candidate), in element order within
// each piece; piece p's slots start where pieces 0 .. p-1 end. The caller reads the tensor
// again for it.
struct GatherPlan {
  std::uint32_t low = 0, high = 0;              // candidate bins lie in [low, high]
  std::vector<std::vector<std::int64_t>> next;  // per piece, per bin in [low, high]
};
using Gather = std::function<void(GatherPlan& plan, std::vector<Entry>& gathered)>;

// The support search over a histogram given as partials in piece order (the trace notes the
// work done). `side` only labels the trace.
Support solve(const Grid& grid, std::span<const Partial> parts, Side side, const Gather& gather, Trace* trace);

}  // namespace laq::quant::histogram
