#pragma once
// Small helpers every quantizer leans on: the curvature-weighted mean that is the optimal
// scale of any binary or ternary code, the objective they all minimise, argument checks.
#include <cstddef>
#include <span>
#include <string>

#include "quant/options.h"

namespace laq::quant {

// sum_i d_i (q_i - w_i)^2 in double: the proximal-Newton objective of SPEC 1.2 (up to 1/2).
// An empty d means d = 1.
double objective(std::span<const float> w, std::span<const float> d, std::span<const float> q);

// sum d|w| / sum d over all elements (empty d: plain mean |w|); 0 when the sums are 0.
// For a code b with |b_i| in {0,1} on its support this is the least-squares optimal scale.
double weighted_abs_mean(std::span<const float> w, std::span<const float> d);

// Sign with the LAB/BinaryConnect convention: 0 goes to +1 (SPEC 2.1, item 17).
inline float sign_zero_positive(float x) { return x >= 0.0f ? 1.0f : -1.0f; }

// Ternary output with alpha/2 thresholds: +positive where w > positive/2, -negative where
// w < -negative/2, else 0 (strict, SPEC 6.4). The halves are taken of the float scales, so
// decode() rebuilds exactly these values. A zero scale selects nothing on its side.
void write_ternary(std::span<const float> w, Scales scales, std::span<float> out);

// Throws laq::Error unless a.size() == n; `what` names the argument for the message.
void require_size(std::span<const float> a, std::size_t n, const char* function, const char* what);
// Throws laq::Error if the two spans share memory (out may not alias w).
void require_no_alias(std::span<const float> in, std::span<float> out, const char* function);

}  // namespace laq::quant
