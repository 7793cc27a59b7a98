#pragma once
// Alternating (approximate) loss-aware solvers: LAT-a (docs/algorithms.md §2.3), LAT2-a (§2.5),
// LAQ linear (§2.6) and LAQ log (§2.7). One skeleton serves all of them:
//
//   b0 = sgn(warm)                               the previous step's quantized tensor
//   alpha0 = A(b0) = sum d|b||w| / sum d|b|      (the d-weighted mean |w| over its support)
//   b = Pi(w / alpha0)                           nearest level, see levels.h
//   repeat at most max_iterations times:
//       alpha' = A(b);  b = Pi(w / alpha')
//       stop if |alpha' - alpha| < tolerance;  alpha = alpha'
//   out = alpha * b
//
// So at least one iteration runs, and at most max_iterations + 1 scales are evaluated.
// (How the sums of each iteration are formed is speed machinery: a pass over the tensor for
// small ones, one histogram for large ones; docs/algorithms.md §2.13.)
// For ternary codes A is the least-squares scale and every step lowers (or keeps) the
// objective; for multi-level codes the code's A is not least-squares (docs/algorithms.md §2.6), so the
// objective may rise slightly; Options::least_squares_alpha uses sum d b w / sum d b^2
// instead, which restores monotonicity. The initial alpha0 is always the mean over supp(b0),
// because sgn(warm) need not match sgn(w). Scales are rounded to float at every update,
// as the code's .astype('float32') does, so the returned scale is the one that was used.
//
// Degenerate inputs (defined here; the authors' code divides by zero):
//  - warm has an empty support, or |w| is 0 on all of it: alpha0 = d-weighted mean |w| of
//    all elements (of the side's elements, for lat2);
//  - one scale: an update cannot meet an empty support, since the largest |w| of a support
//    is at least its mean alpha and so passes alpha's lowest threshold (at most alpha/2);
//    should it (rounding), the previous alpha is kept, which also ends the loop;
//  - lat2: a side's support can empty (its first scale is averaged over {warm >= 0} or
//    {warm < 0}, which may hold large weights of the other sign). That side then restarts
//    from the d-weighted mean of its own weights, which its largest weight passes; keeping
//    the old scale would leave the side at 0 for good, code-faithful stopping included;
//  - all w are 0 (or, for lat2, a side has no elements): zeros and scale 0;
//  - a NaN or inf in w or d: laq::Error (checks.h).
// Ties are the level set's (levels.h): ternary |w| = alpha/2 -> 0, linear -> outward, log:
// the lowest midpoint alpha 2^-k -> alpha M_1, the others toward zero.
#include <span>

#include "quant/levels.h"
#include "quant/options.h"
#include "quant/trace.h"

namespace laq::quant {

// The shared one-scale skeleton over any symmetric level set. Uses options.max_iterations,
// options.tolerance and options.least_squares_alpha. out may alias warm, not w.
Scales alternate(const LevelSet& levels, std::span<const float> w, std::span<const float> d,
                 std::span<const float> warm, std::span<float> out, const Options& options, Trace* trace = nullptr);

// LAT-a: levels {0, +-1}, threshold |w| > alpha/2 strictly.
Scales lat_alternating(std::span<const float> w, std::span<const float> d, std::span<const float> warm,
                       std::span<float> out, const Options& options, Trace* trace = nullptr);
// LAQ with 2^m - 1 linear / logarithmic levels, m = options.bits.
Scales laq_linear(std::span<const float> w, std::span<const float> d, std::span<const float> warm,
                  std::span<float> out, const Options& options, Trace* trace = nullptr);
Scales laq_log(std::span<const float> w, std::span<const float> d, std::span<const float> warm,
               std::span<float> out, const Options& options, Trace* trace = nullptr);

// LAT2-a: alpha+ and alpha- alternate side by side in one loop. The initial sets are the
// code's: positive = {warm >= 0} (zeros included, |w| used even where w < 0),
// negative = {warm < 0}; after that the positive side only ever holds w > alpha+/2 and the
// negative side w < -alpha-/2. Stops when both scales moved less than the tolerance;
// code_faithful: when the negative one did (docs/algorithms.md §2.5 quirk).
Scales lat2_alternating(std::span<const float> w, std::span<const float> d, std::span<const float> warm,
                        std::span<float> out, const Options& options, Trace* trace = nullptr);

}  // namespace laq::quant
