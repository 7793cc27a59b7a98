#pragma once
// Small helpers every quantizer leans on: the curvature-weighted mean that is the optimal
// scale of any binary or ternary code, the objective they all minimise, argument checks.
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "quant/options.h"

namespace laq::quant {

// sum_i d_i (q_i - w_i)^2 in double: the proximal-Newton objective of docs/algorithms.md §1.2 (up to 1/2).
// An empty d means d = 1.
double objective(std::span<const float> w, std::span<const float> d, std::span<const float> q);

// sum d|w| / sum d over all elements (empty d: plain mean |w|); 0 when the sums are 0, NaN
// when a NaN or inf in w or d makes them non-finite.
// For a code b with |b_i| in {0,1} on its support this is the least-squares optimal scale.
double weighted_abs_mean(std::span<const float> w, std::span<const float> d);

// Sign with the LAB/BinaryConnect convention: 0 goes to +1 (docs/algorithms.md §2.1, §5.17).
inline float sign_zero_positive(float x) { return x >= 0.0f ? 1.0f : -1.0f; }

// Ternary output with alpha/2 thresholds: +positive where w > positive/2, -negative where
// w < -negative/2, else 0 (strict, docs/algorithms.md §6.4). The halves are taken of the float scales, so
// decode() rebuilds exactly these values. A zero scale selects nothing on its side.
void write_ternary(std::span<const float> w, Scales scales, std::span<float> out);

// The curvature d of docs/algorithms.md §1.3 without a d buffer: explicit values, the root of a second
// moment (d_i = sqrt(v_i) + eps in float, exactly as the quantize stage forms it, so the
// solver reads Adam's v directly and saves a pass over the tensor), or one constant (the
// first step, acc = 0: d = 1e-8 everywhere).
struct Curvature {
  enum class Kind { values, root, constant };
  Kind kind = Kind::constant;
  std::span<const float> data;  // d (values) or v (root); empty for constant
  float value = 0.0f;           // eps (root) or the constant

  static Curvature values(std::span<const float> d) { return {Kind::values, d, 0.0f}; }
  static Curvature root(std::span<const float> v, float eps) { return {Kind::root, v, eps}; }
  static Curvature constant(float c) { return {Kind::constant, {}, c}; }
  Curvature slice(std::size_t offset, std::size_t count) const {
    return kind == Kind::constant ? *this : Curvature{kind, data.subspan(offset, count), value};
  }
  // d as a buffer of n values (for the readable reference solvers and small tensors).
  std::vector<float> materialize(std::size_t n) const;
};

// Throws laq::Error unless the curvature has n values (a constant fits every n).
void require_size(const Curvature& d, std::size_t n, const char* function);

// Non-finite input (NaN or inf in w or d) has no meaningful code, so every solver refuses it
// with laq::Error rather than return garbage. The checks are cheap: most solvers test sums
// they form anyway over every element (a NaN or inf anywhere makes them non-finite, since
// masked-out elements still enter as 0 * x); the rest fold the test into a pass they make.
[[noreturn]] void throw_non_finite(const char* function);
inline void require_finite(double sum, const char* function) {
  if (!std::isfinite(sum)) throw_non_finite(function);
}
// Whether every value is finite; one branch-free pass.
bool all_finite(std::span<const float> a);

// Throws laq::Error unless a.size() == n; `what` names the argument for the message.
void require_size(std::span<const float> a, std::size_t n, const char* function, const char* what);
// Throws laq::Error if the two spans share memory (out may not alias w).
void require_no_alias(std::span<const float> in, std::span<float> out, const char* function);

}  // namespace laq::quant
