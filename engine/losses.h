#pragma once
// Classification losses over outputs o[N, C] and integer labels in [0, C).
#include <cstdint>
#include <span>

#include "engine/autograd.h"

namespace laq::engine {

// mean over N x C of max(0, 1 - t * o)^2 with t = +1 for the label's column, -1 elsewhere
// (docs/algorithms.md §3.1: the BinaryConnect loss, no softmax).
Var squared_hinge(const Var& outputs, std::span<const int32_t> labels);
// mean over N of -log softmax(o)[label], computed with the max-shifted log-sum-exp.
Var softmax_cross_entropy(const Var& logits, std::span<const int32_t> labels);
// Number of rows whose arg-max (first on ties) differs from the label.
int64_t count_errors(const Tensor& outputs, std::span<const int32_t> labels);

}  // namespace laq::engine
