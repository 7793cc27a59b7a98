#pragma once
// 2-D convolution (cross-correlation, as in every deep-learning library) of a batch of images.
//
//   y[n, o, oy, ox] = sum over c, i, j of  w[o, c, i, j] * x[n, c, oy*s - p + i, ox*s - p + j]
//
// with x[N, C, H, W], w[Cout, C, kh, kw], stride s, zero padding p on every side, and
// y[N, Cout, Ho, Wo], Ho = (H + 2p - kh)/s + 1, Wo = (W + 2p - kw)/s + 1. No bias: the
// Conv2d layer adds it with add_bias.
//
// General path: im2col + cblas_sgemm. Several images share one GEMM (their column matrices side
// by side), so small late layers (8x8 maps) still make large products. Backward recomputes the
// column matrix rather than keeping it from the forward pass (it would be ~0.5 GB for the
// CIFAR-10 VGG at batch 50) and accumulates: dW += dY · colᵀ (beta = 1), dX += col2im(Wᵀ · dY).
#include "engine/autograd.h"

namespace laq::engine {

// How the product is computed. automatic: Winograd F(2x2, 3x3) (engine/conv2d_winograd.h, 2.25x
// fewer flops) for 3x3 kernels at stride 1 with at least kWinogradMinChannels input channels,
// im2col + GEMM otherwise (below 16 channels the 16 Winograd GEMMs are too thin: conv 3->128 is
// faster as one K = 27 GEMM). The choice changes rounding only, never the function. Measured on
// the CIFAR-10 VGG convs at batch 50 (bench/conv_bench.cpp): Winograd fwd+bwd takes 0.5-0.65x
// the time of im2col.
enum class ConvAlgorithm { automatic,
                           im2col,
                           winograd };
inline constexpr int64_t kWinogradMinChannels = 16;

// Throws laq::Error naming both shapes when x is not [N, C, H, W], w not [Cout, C, kh, kw]
// with the same C, or the kernel does not fit the padded input (or, for an explicit
// ConvAlgorithm::winograd, when the kernel is not 3x3 with stride 1).
Var conv2d(const Var& x, const Var& w, int64_t stride = 1, int64_t pad = 0,
           ConvAlgorithm algorithm = ConvAlgorithm::automatic);

// The direct seven-loop convolution (double accumulation): the reference conv2d is tested against.
Tensor conv2d_naive(const Tensor& x, const Tensor& w, int64_t stride = 1, int64_t pad = 0);

}  // namespace laq::engine
