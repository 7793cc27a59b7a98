#pragma once
// Plain twins of the solvers whose fast paths are hard to read: straight loops, one sum in
// one accumulator, the nearest-level rule quant::project (levels.h) instead of threshold
// counting. They follow the same algorithm step by step (the same degenerate cases, the same
// stopping rule), so a student can read these and trust the fast ones: the tests compare
// them on random tensors. Only the order of the additions differs (the fast paths sum in
// lanes), so scales agree to a few float ulps and codes agree wherever no weight sits
// within rounding of a threshold.
//
// They skip the argument checks of the solvers they mirror (sizes, aliasing, NaN and inf):
// give them what the real solver would accept.
#include <span>

#include "quant/levels.h"
#include "quant/options.h"

namespace laq::quant {

// weighted_abs_mean (quant/objective.h): sum d|w| / sum d, 0 when the sums are 0.
double weighted_abs_mean_reference(std::span<const float> w, std::span<const float> d);

// alternate (quant/alternating.h): lat-a, laq-linear and laq-log.
Scales alternate_reference(const LevelSet& levels, std::span<const float> w, std::span<const float> d,
                           std::span<const float> warm, std::span<float> out, const Options& options);

// lat2_alternating (quant/alternating.h).
Scales lat2_alternating_reference(std::span<const float> w, std::span<const float> d, std::span<const float> warm,
                                  std::span<float> out, const Options& options);

// twn (quant/baselines.h).
Scales twn_reference(std::span<const float> w, std::span<float> out);

// ttq_backward (quant/baselines.h): one branch per weight, the two sums in one accumulator each.
void ttq_backward_reference(std::span<const float> w, std::span<const float> g, float wp, float wn, float t,
                            std::span<float> grad_w, float& grad_wp, float& grad_wn);

// dorefa (quant/baselines.h): the formula, one tanh per weight, in double.
Scales dorefa_reference(std::span<const float> w, int bits, std::span<float> out);

// dorefa_backward (quant/baselines.h): the formula in double, 1 - tanh^2 as 1/cosh^2 (which
// does not cancel to 0 where tanh rounds to 1).
void dorefa_backward_reference(std::span<const float> w, std::span<const float> g, std::span<float> grad_w);

}  // namespace laq::quant
