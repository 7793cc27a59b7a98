#pragma once
// The argument checks every solver makes before it reads its inputs.
//
// Non-finite input (NaN or inf in w or d) has no meaningful code, so every solver refuses it
// with laq::Error rather than return garbage. The checks are cheap: most solvers test sums
// they form anyway over every element (a NaN or inf anywhere makes them non-finite, since
// masked-out elements still enter as 0 * x); the rest fold the test into a pass they make.
#include <cmath>
#include <cstddef>
#include <span>

namespace laq::quant {

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
