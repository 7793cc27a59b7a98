#pragma once
// The O(n) support search behind best_support_histogram (quant/top_support.h states the
// method and its bound): three passes over the tensor (largest magnitude, histogram, gather)
// on fixed pieces through the caller's runner, and the bounded scan of quant/fast/histogram.h.
// Optional reading: best_support_sorted gives the same supports, and the tests hold them to it.
#include <cstddef>
#include <span>
#include <vector>

#include "quant/curvature.h"
#include "quant/support.h"
#include "quant/trace.h"

namespace laq::quant::histogram {

// The best support on each of `sides`, all from one histogram of both signs: the two sides
// of the two-scale ternary cost one histogram pass, not two.
std::vector<Support> search(std::span<const float> w, const Curvature& d, std::size_t bins,
                            std::span<const Side> sides, Trace* trace);

// ~512 elements per bin, between 256 and 8192 bins.
std::size_t default_bins(std::size_t n);

}  // namespace laq::quant::histogram
