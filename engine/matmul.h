#pragma once
#include "engine/autograd.h"

namespace laq::engine {

// y[N, M] = a[N, K] · b[K, M], or a · bᵀ with b[M, K] when transpose_b.
// Forward and both gradients are single cblas_sgemm calls.
Var matmul(const Var& a, const Var& b, bool transpose_b = false);

// Plain triple loop of the same product, kept as the reference the sgemm path is tested against.
Tensor matmul_naive(const Tensor& a, const Tensor& b, bool transpose_b = false);

}  // namespace laq::engine
