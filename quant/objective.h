#pragma once
// What every quantizer minimises, the scale that is optimal for a fixed ternary code, and
// the ternary output rule they share.
#include <span>

#include "quant/options.h"

namespace laq::quant {

// sum_i d_i (q_i - w_i)^2 in double: the proximal-Newton objective of docs/algorithms.md §1.2 (up to 1/2).
// An empty d means d = 1.
double objective(std::span<const float> w, std::span<const float> d, std::span<const float> q);

// sum d|w| / sum d over all elements (empty d: plain mean |w|); 0 when the sums are 0, NaN
// when a NaN or inf in w or d makes them non-finite.
// For a code b with |b_i| in {0,1} on its support this is the least-squares optimal scale.
// Summed in fixed lanes (quant/fast/lane_sums.h); weighted_abs_mean_reference
// (quant/reference.h) is the plain loop.
double weighted_abs_mean(std::span<const float> w, std::span<const float> d);

// Sign with the LAB/BinaryConnect convention: 0 goes to +1 (docs/algorithms.md §2.1, §5.17).
inline float sign_zero_positive(float x) { return x >= 0.0f ? 1.0f : -1.0f; }

// Ternary output with alpha/2 thresholds: +positive where w > positive/2, -negative where
// w < -negative/2, else 0 (strict, docs/algorithms.md §6.4). The halves are taken of the float scales, so
// decode() rebuilds exactly these values. A zero scale selects nothing on its side.
// Large tensors are written in pieces through the caller's runner (quant/runner.h).
void write_ternary(std::span<const float> w, Scales scales, std::span<float> out);

}  // namespace laq::quant
