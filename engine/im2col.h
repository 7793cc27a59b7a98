#pragma once
// im2col / col2im: the unfolding that turns a convolution into one matrix product.
//
// For one image x[C, H, W], a kh x kw kernel, stride s and zero padding p, the output is
// Ho x Wo with Ho = (H + 2p - kh)/s + 1 (likewise Wo), and the column matrix has
// K = C*kh*kw rows and P = Ho*Wo columns:
//
//   col[(c*kh + i)*kw + j, oy*Wo + ox] = x[c, oy*s - p + i, ox*s - p + j]   (0 outside x)
//
// Rows follow the memory order of a weight w[Cout, C, kh, kw], so y[Cout, P] = w · col.
// Each row is written at `col + row*ld`, so several images can sit side by side in one
// wider matrix (image b at col + b*P, ld = B*P): one GEMM then covers the whole chunk.
#include <cstdint>

namespace laq::engine {

struct ConvGeometry {
  int64_t c, h, w;      // input channels and size
  int64_t kh, kw;       // kernel size
  int64_t stride, pad;  // the same along both axes
  int64_t ho, wo;       // output size

  int64_t rows() const { return c * kh * kw; }  // K
  int64_t cols() const { return ho * wo; }      // P
};

// Fills ho and wo; throws laq::Error (naming `what`) if the kernel does not fit.
ConvGeometry conv_geometry(int64_t c, int64_t h, int64_t w, int64_t kh, int64_t kw, int64_t stride,
                           int64_t pad, const char* what);

// col[K, P] (row stride ld) from x[C, H, W]. Writes every entry, padding zeros included, so
// the buffer needs no clearing beforehand.
void im2col(const float* x, const ConvGeometry& g, float* col, int64_t ld);

// dx[C, H, W] += the fold of dcol[K, P] (row stride ld): every column entry is added back to
// the input pixel it was copied from; entries that came from the padding are dropped.
void col2im_add(const float* dcol, const ConvGeometry& g, int64_t ld, float* dx);

}  // namespace laq::engine
