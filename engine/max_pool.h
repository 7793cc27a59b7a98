#pragma once
// 2-D max pooling over each channel of x[N, C, H, W], no padding:
//
//   y[n, c, oy, ox] = max over i, j < k of  x[n, c, oy*s + i, ox*s + j]
//
// y[N, C, Ho, Wo] with Ho = (H - k)/s + 1 (floor: trailing rows that do not fill a window are
// dropped), likewise Wo. The forward pass keeps the argmax of every window (the first maximum
// in row-major window order on ties; a NaN wins and propagates), and backward routes dY there.
#include "engine/autograd.h"

namespace laq::engine {

// Throws laq::Error naming the shape if x is not [N, C, H, W] or the window does not fit.
Var max_pool2d(const Var& x, int64_t k = 2, int64_t stride = 2);

// Straight loops over the definition: the reference the fast path is tested against.
Tensor max_pool2d_naive(const Tensor& x, int64_t k = 2, int64_t stride = 2);

}  // namespace laq::engine
