#pragma once
// Winograd F(2x2, 3x3) convolution (Lavin & Gray 2016) for 3x3 kernels with stride 1: each
// 2x2 block of outputs comes from a 4x4 input tile with 16 multiplications per (input,
// output) channel pair instead of 36, i.e. 2.25x fewer flops than im2col + GEMM.
//
//   forward   Y_t = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d_t B) ] A                  per tile t, channel pair
//   backward  dU  = sum_t (A dY_t Aᵀ) ⊙ (Bᵀ d_t B)   -> dW += Gᵀ dU G
//             dd_t = B [ (G g Gᵀ) ⊙ (A dY_t Aᵀ) ] Bᵀ   -> added onto the tile's 4x4 input window
//
// The backward formulas are the exact transposes of the forward ones, so the gradient is the
// gradient of what the forward pass computed. Summed over channels, each of the 16 positions of
// the 4x4 transformed tile is one GEMM: [Cout, Cin] x [Cin, tiles]. Several images share the GEMMs.
#include "engine/autograd.h"

namespace laq::engine {

// x[N, C, H, W], w[Cout, C, 3, 3], zero padding `pad` -> y[N, Cout, H + 2p - 2, W + 2p - 2].
// Throws laq::Error naming both shapes unless w is 3x3 with x's channel count.
Var conv2d_winograd(const Var& x, const Var& w, int64_t pad);

}  // namespace laq::engine
