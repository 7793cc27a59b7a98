#pragma once
// Exact loss-aware ternarization: LAT-e (one scale, docs/algorithms.md §2.2) and LAT2-e (alpha+ and
// alpha-, docs/algorithms.md §2.4).
//
// Both pick the support whose optimal scale gives the smallest objective
// sum d (alpha b - w)^2 (see top_support.h), set alpha = P/D on it, and then write
// alpha * T_{alpha/2}(w): +alpha where w > alpha/2, -alpha where w < -alpha/2, 0 otherwise
// (strict inequalities, docs/algorithms.md §6.4). The threshold is taken at the float scale that is
// returned, so the output is exactly what decode() rebuilds from the codes.
//
// Default: the mathematically correct solver, every support size j = 1..n considered.
// code_faithful: the authors' findalpha / findalpha2 (Theano code) literally, quirks included:
//   - descending argsort of |w| (ties in an unspecified order, here stable by index);
//   - only j = 1..n-1 whose threshold c_j strictly separates the j-th and (j+1)-th
//     magnitudes are eligible; the all-nonzero support j = n is never chosen;
//   - no eligible j: threshold 0.7 * c_n (TWN-like), alpha = 1.4 * c_n;
//   - lat2: the negative side is scored with the POSITIVE side's c_j (c computed over the
//     full descending order of the signed weights, as the code does), c- is returned.
//
// Empty side (lat2, no w > 0 or no w < 0): that scale is 0 and no value takes that sign.
// All-zero input: every output is 0 and the scale is 0.
#include <span>

#include "quant/curvature.h"
#include "quant/options.h"
#include "quant/trace.h"

namespace laq::quant {

// w: n values; d: n curvatures > 0, given as values or as a view (quant/curvature.h: e.g.
// Adam's v, with d = sqrt(v) + eps formed on the fly; the same bits, no d buffer);
// out: n values, may not alias w.
Scales lat_exact(std::span<const float> w, const Curvature& d, std::span<float> out, bool code_faithful = false,
                 Trace* trace = nullptr);
Scales lat2_exact(std::span<const float> w, const Curvature& d, std::span<float> out, bool code_faithful = false,
                  Trace* trace = nullptr);

// d given as values.
inline Scales lat_exact(std::span<const float> w, std::span<const float> d, std::span<float> out,
                        bool code_faithful = false, Trace* trace = nullptr) {
  return lat_exact(w, Curvature::values(d), out, code_faithful, trace);
}
inline Scales lat2_exact(std::span<const float> w, std::span<const float> d, std::span<float> out,
                         bool code_faithful = false, Trace* trace = nullptr) {
  return lat2_exact(w, Curvature::values(d), out, code_faithful, trace);
}

// The sort-based correct solver (the readable reference the fast default is tested against).
Scales lat_exact_sorted(std::span<const float> w, std::span<const float> d, std::span<float> out,
                        Trace* trace = nullptr);

}  // namespace laq::quant
