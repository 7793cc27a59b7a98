#pragma once
// The one entry point the optimizer stage calls: quantize one tensor (or one row of it,
// for per-channel scales) with any method by name. Each method also has its own function
// in its own header (binary.h, ternary_exact.h, alternating.h, baselines.h); adding a
// method means a row in method.cpp, a case here (and in latent_gradient if its backward is
// not the identity), its solver, and for a level-table code its levels (packing.cpp).
#include <span>
#include <vector>

#include "quant/curvature.h"
#include "quant/method.h"
#include "quant/options.h"
#include "quant/trace.h"

namespace laq::quant {

// What a method may read besides its options. Each method reads only what its traits say
// (method.h); the rest may be left empty.
struct Input {
  std::span<const float> w;     // latent weights (n)
  Curvature d;                  // n curvatures > 0, as values or as a view of Adam's v (curvature.h)
  std::span<const float> warm;  // the previous quantized values (n), for the alternating solvers
  Scales trained;               // ttq: the trained scales the caller owns and updates
};

// The one entry point every method goes through: quantize one tensor (or one row of it, for
// per-channel scales). out: n quantized values; may alias warm, may not alias w. Returns the
// scale(s) used; one-scale methods return positive == negative. A NaN or inf in w or d
// throws laq::Error (fpn copies w as it is); every solver checks this itself, at the cost of
// a test on sums or passes it makes anyway. The exact ternary solvers read a view of d as it
// is; the others take d as values, so a view is written out for them first, into `d_buffer`
// when the caller lends one (a caller quantizing every step keeps it, and no pass zero-fills
// a fresh vector), else into a vector of its own.
Scales quantize(Method method, const Input& input, std::span<float> out, const Options& options,
                Trace* trace = nullptr, std::vector<float>* d_buffer = nullptr);

// The backward pass through the quantizer: turns g = dL/dq into dL/dw in place. For most
// methods that is the identity (the straight-through estimator, docs/algorithms.md §1.2) and g
// is left as it is. dorefa differentiates its tanh and max normalisation; ttq scales g by its
// trained scales and writes the scales' own gradients into *trained_gradients (which it
// requires). Reads input.w, and input.trained for ttq.
void latent_gradient(Method method, const Input& input, std::span<float> g, const Options& options,
                     Scales* trained_gradients = nullptr);

// The same with d as values (may be empty when the method does not use it). Refuses ttq,
// whose trained scales only the Input form carries.
Scales quantize(Method method, std::span<const float> w, std::span<const float> d, std::span<const float> warm,
                std::span<float> out, const Options& options, Trace* trace = nullptr);

// The warm start of a freshly initialised tensor (docs/algorithms.md §2.3, the code's initialize_b):
// Delta0 = 0.7 mean|w_init|; warm = +2 Delta0 where w_init > Delta0, -2 Delta0 where
// w_init < -Delta0, 0 elsewhere. Only its sign pattern matters to the solvers.
void initial_warm_start(std::span<const float> w_init, std::span<float> warm);

}  // namespace laq::quant
