#pragma once
// The one entry point the optimizer stage calls: quantize one tensor (or one row of it,
// for per-channel scales) with any method by name. Each method also has its own function
// in its own header (binary.h, ternary_exact.h, alternating.h, baselines.h).
#include <span>

#include "quant/trace.h"
#include "quant/method.h"
#include "quant/options.h"

namespace laq::quant {

// w: latent weights (n). d: curvature (n values > 0; may be empty for methods whose traits
// say !uses_curvature). warm: the previous quantized values (n; may be empty for methods
// that do not use a warm start). out: n quantized values; may alias warm, may not alias w.
// Returns the scale(s) used; one-scale methods return positive == negative. A NaN or inf in
// w or d throws laq::Error (fpn copies w as it is); every solver checks this itself, at
// the cost of a test on sums or passes it makes anyway.
//
// ttq is not run here: its scales are trained parameters owned by the caller, so call
// ttq_forward / ttq_backward (baselines.h) directly; quantize(Method::ttq, ...) throws
// laq::Error saying so. dorefa's gradient also needs dorefa_backward.
Scales quantize(Method method, std::span<const float> w, std::span<const float> d, std::span<const float> warm,
                std::span<float> out, const Options& options, Trace* trace = nullptr);

// The warm start of a freshly initialised tensor (docs/algorithms.md §2.3, the code's initialize_b):
// Delta0 = 0.7 mean|w_init|; warm = +2 Delta0 where w_init > Delta0, -2 Delta0 where
// w_init < -Delta0, 0 elsewhere. Only its sign pattern matters to the solvers.
void initial_warm_start(std::span<const float> w_init, std::span<float> warm);

}  // namespace laq::quant
