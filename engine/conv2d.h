#pragma once
// 2-D convolution (cross-correlation, as in every deep-learning library) of a batch of images.
//
//   y[n, o, oy, ox] = sum over c, i, j of  w[o, c, i, j] * x[n, c, oy*s - p + i, ox*s - p + j]
//
// with x[N, C, H, W], w[Cout, C, kh, kw], stride s, zero padding p on every side, and
// y[N, Cout, Ho, Wo], Ho = (H + 2p - kh)/s + 1, Wo = (W + 2p - kw)/s + 1. No bias: the
// Conv2d layer adds it with add_bias.
//
// Fast path: im2col + cblas_sgemm. Several images share one GEMM (their column matrices side
// by side), so small late layers (8x8 maps) still make large products. Backward recomputes the
// column matrix rather than keeping it from the forward pass (it would be ~0.5 GB for the
// CIFAR-10 VGG at batch 50) and accumulates: dW += dY · colᵀ (beta = 1), dX += col2im(Wᵀ · dY).
#include "engine/autograd.h"

namespace laq::engine {

// Throws laq::Error naming both shapes when x is not [N, C, H, W], w not [Cout, C, kh, kw]
// with the same C, or the kernel does not fit the padded input.
Var conv2d(const Var& x, const Var& w, int64_t stride = 1, int64_t pad = 0);

// The direct seven-loop convolution (double accumulation): the reference conv2d is tested against.
Tensor conv2d_naive(const Tensor& x, const Tensor& w, int64_t stride = 1, int64_t pad = 0);

}  // namespace laq::engine
