#include "quant/fast/histogram_search.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "quant/checks.h"
#include "quant/fast/histogram.h"
#include "quant/runner.h"

namespace laq::quant::histogram {
namespace {

// The passes over the tensor run on fixed pieces of kPiece elements, spread over the
// caller's runner (quant/runner.h), each with its own partial result (quant/fast/histogram.h).
constexpr std::size_t kPiece = std::size_t{1} << 20;

// Pass 3 of one side's search: the elements of the bins it must look into, read again.
template <Side OnSide, class Curv>
Gather gather_from(std::span<const float> w, Curv curvature, const Grid& grid) {
  return [=](GatherPlan& plan, std::vector<Entry>& gathered) {
    for_each_piece(w.size(), kPiece, [&](std::size_t p, std::size_t first, std::size_t last) {
      std::int64_t* const next = plan.next[p].data();
      const std::uint32_t span = plan.high - plan.low, low = plan.low;
      // Grid::bin_of written out on locals: through the captured grid (or a copy of it) GCC
      // neither hoists the scale nor vectorises this loop, and one-sided searches got 3x slower.
      const double scale = grid.scale, top = grid.top;
      std::uint32_t block_bin[kBlock];
      for (std::size_t b = first; b < last; b += kBlock) {
        const std::size_t m = std::min(kBlock, last - b);
        const float* wb = w.data() + b;
        for (std::size_t i = 0; i < m; ++i) {  // vectorised; excluded elements get a bin past `span`
          const bool out = excluded<OnSide>(wb[i]);
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
  for_each_piece(size, kPiece, [&](std::size_t p, std::size_t first, std::size_t last) {
    largest[p] = largest_magnitude_bits(w.data() + first, last - first);
  });
  const std::uint32_t range_bits = *std::max_element(largest.begin(), largest.end());
  if (range_bits >= 0x7f800000u) throw_non_finite("best_support");  // an inf or NaN weight
  const float range = std::bit_cast<float>(range_bits);
  const Grid grid = Grid::over(range > 0.0f ? double(range) : 1.0, bins);
  // Pass 2: the histogram (by sign unless only |w| is asked for), one partial per piece.
  std::vector<SignedPartial> signed_parts(pieces);
  for_each_piece(size, kPiece, [&](std::size_t p, std::size_t first, std::size_t last) {
    signed_parts[p].reset(grid, !(sides.size() == 1 && sides[0] == Side::all));
    accumulate(signed_parts[p], grid, w.data() + first, last - first,
               [&](std::size_t i) { return curvature(first + i); });
  });
  std::vector<Support> found;
  for (const Side side : sides) {
    std::vector<Partial> parts;
    for (const auto& part : signed_parts) parts.push_back(side_of(part, grid, side));
    const Gather gather = side == Side::all        ? gather_from<Side::all>(w, curvature, grid)
                          : side == Side::positive ? gather_from<Side::positive>(w, curvature, grid)
                                                   : gather_from<Side::negative>(w, curvature, grid);
    found.push_back(solve(grid, parts, side, gather, trace));
  }
  return found;
}

}  // namespace

std::vector<Support> search(std::span<const float> w, const Curvature& d, std::size_t bins,
                            std::span<const Side> sides, Trace* trace) {
  return with_curvature(d, [&](auto curvature) { return histogram_search(w, curvature, bins, sides, trace); });
}

std::size_t default_bins(std::size_t n) {
  // ~512 elements per bin keeps the histogram in L2 and the scanned bins short.
  return std::clamp<std::size_t>(n / 512, 256, 8192);
}
}  // namespace laq::quant::histogram
