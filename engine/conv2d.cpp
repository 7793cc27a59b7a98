#include "engine/conv2d.h"

#include <cblas.h>

#include <algorithm>
#include <memory>
#include <string>

#include "engine/conv2d_winograd.h"
#include "engine/error.h"
#include "engine/im2col.h"
#include "engine/parallel.h"
#include "engine/scratch.h"

namespace laq::engine {
namespace {

// Images per GEMM: enough that the product has >= kTargetColumns columns (OpenBLAS reaches
// its speed once every dimension is a few hundred), but the column matrix stays in the
// few-MB range so it is still warm in cache when the GEMM reads it.
constexpr int64_t kTargetColumns = 2048;
constexpr int64_t kMaxColumnFloats = int64_t{1} << 23;  // 32 MB

int64_t images_per_chunk(const ConvGeometry& g, int64_t n) {
  const int64_t p = std::max<int64_t>(g.cols(), 1);
  int64_t b = (kTargetColumns + p - 1) / p;
  b = std::min(b, std::max<int64_t>(1, kMaxColumnFloats / std::max<int64_t>(g.rows() * p, 1)));
  return std::clamp<int64_t>(b, 1, std::max<int64_t>(n, 1));
}

thread_local Scratch column_scratch, product_scratch;

struct ConvShapes {
  int64_t n, cout;
  ConvGeometry g;
};

ConvShapes conv_shapes(const Tensor& x, const Tensor& w, int64_t stride, int64_t pad) {
  const auto both = [&] { return "x " + to_string(x.shape()) + ", w " + to_string(w.shape()); };
  if (x.rank() != 4 || w.rank() != 4)
    throw Error("conv2d: expected x [N, C, H, W] and w [Cout, C, kh, kw], got " + both());
  if (w.dim(1) != x.dim(1))
    throw Error("conv2d: input channels differ: " + both());
  if (w.dim(0) < 1 || w.dim(1) < 1)
    throw Error("conv2d: empty kernel: " + both());
  const std::string what = "conv2d (" + both() + ")";
  const ConvGeometry g =
      conv_geometry(x.dim(1), x.dim(2), x.dim(3), w.dim(2), w.dim(3), stride, pad, what.c_str());
  return {x.dim(0), w.dim(0), g};
}

}  // namespace

// x[N, C, H, W], w[Cout, C, kh, kw] -> y[N, Cout, Ho, Wo]; per chunk of b images:
//   col[K, b*P] = im2col(x[n0 .. n0+b)),  Y[Cout, b*P] = w[Cout, K] · col,  Y -> y (a copy, b > 1)
Var conv2d(const Var& x, const Var& w, int64_t stride, int64_t pad, ConvAlgorithm algorithm) {
  // Copies, not structured bindings: clang before 16 cannot capture bindings in lambdas.
  const auto [n_, cout_, g_] = conv_shapes(x->value, w->value, stride, pad);
  const auto n = n_;
  const auto cout = cout_;
  const auto g = g_;
  const bool winograd_fits = g.kh == 3 && g.kw == 3 && stride == 1;
  if (algorithm == ConvAlgorithm::winograd && !winograd_fits)
    throw Error("conv2d: Winograd needs a 3x3 kernel at stride 1, got w " + to_string(w->value.shape()) +
                ", stride " + std::to_string(stride));
  if (algorithm == ConvAlgorithm::winograd ||
      (algorithm == ConvAlgorithm::automatic && winograd_fits && g.c >= kWinogradMinChannels))
    return conv2d_winograd(x, w, pad);

  const int64_t k = g.rows(), p = g.cols(), in_size = g.c * g.h * g.w, out_size = cout * p;
  const int64_t chunk = images_per_chunk(g, n);
  Tensor y = Tensor::uninitialized({n, cout, g.ho, g.wo});
  const float* px = x->value.data();
  const float* pw = w->value.data();
  float* py = y.data();

  for (int64_t n0 = 0; n0 < n; n0 += chunk) {
    const int64_t b = std::min(chunk, n - n0), cols = b * p;
    float* col = column_scratch.get(k * cols);
    parallel_for(b, 1, [&](int64_t first, int64_t last) {
      for (int64_t i = first; i < last; ++i) im2col(px + (n0 + i) * in_size, g, col + i * p, cols);
    });
    // One image: the product lands in y directly. Several: [Cout, b*P], then per image.
    float* out = b == 1 ? py + n0 * out_size : product_scratch.get(cout * cols);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, cout, cols, k, 1.0f, pw, k, col, cols,
                0.0f, out, cols);
    if (b > 1)
      parallel_for(cout, grain_for(cols), [&](int64_t first, int64_t last) {
        for (int64_t i = 0; i < b; ++i)
          for (int64_t o = first; o < last; ++o)
            std::copy_n(out + o * cols + i * p, p, py + (n0 + i) * out_size + o * p);
      });
  }

  return make_node(std::move(y), {x, w}, [x, w, n, cout, g, chunk](Node& self) {
    const int64_t k = g.rows(), p = g.cols(), in_size = g.c * g.h * g.w, out_size = cout * p;
    const float* dy = self.grad.data();
    const float* pw = w->value.data();
    const float* px = x->value.data();
    float* dw = w->requires_grad ? w->grad_buffer().data() : nullptr;
    float* dx = x->requires_grad ? x->grad_buffer().data() : nullptr;

    for (int64_t n0 = 0; n0 < n; n0 += chunk) {
      const int64_t b = std::min(chunk, n - n0), cols = b * p;
      // dY of the chunk as [Cout, b*P]: y's own memory for one image, a gathered copy otherwise.
      const float* dyc = dy + n0 * out_size;
      if (b > 1) {
        float* gathered = product_scratch.get(cout * cols);
        parallel_for(cout, grain_for(cols), [&](int64_t first, int64_t last) {
          for (int64_t i = 0; i < b; ++i)
            for (int64_t o = first; o < last; ++o)
              std::copy_n(dy + (n0 + i) * out_size + o * p, p, gathered + o * cols + i * p);
        });
        dyc = gathered;
      }
      float* col = column_scratch.get(k * cols);
      if (dw) {  // dW[Cout, K] += dY[Cout, b*P] · colᵀ
        parallel_for(b, 1, [&](int64_t first, int64_t last) {
          for (int64_t i = first; i < last; ++i) im2col(px + (n0 + i) * in_size, g, col + i * p, cols);
        });
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, cout, k, cols, 1.0f, dyc, cols, col,
                    cols, 1.0f, dw, k);
      }
      if (dx) {  // dcol[K, b*P] = wᵀ · dY, folded back onto dX
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, cols, cout, 1.0f, pw, k, dyc, cols,
                    0.0f, col, cols);
        parallel_for(b, 1, [&](int64_t first, int64_t last) {
          for (int64_t i = first; i < last; ++i) col2im_add(col + i * p, g, cols, dx + (n0 + i) * in_size);
        });
      }
    }
  });
}

// The definition, loop for loop.
Tensor conv2d_naive(const Tensor& x, const Tensor& w, int64_t stride, int64_t pad) {
  // Copies, not structured bindings: clang before 16 cannot capture bindings in lambdas.
  const auto [n_, cout_, g_] = conv_shapes(x, w, stride, pad);
  const auto n = n_;
  const auto cout = cout_;
  const auto g = g_;
  Tensor y({n, cout, g.ho, g.wo});
  for (int64_t b = 0; b < n; ++b)
    for (int64_t o = 0; o < cout; ++o)
      for (int64_t oy = 0; oy < g.ho; ++oy)
        for (int64_t ox = 0; ox < g.wo; ++ox) {
          double s = 0;
          for (int64_t c = 0; c < g.c; ++c)
            for (int64_t i = 0; i < g.kh; ++i)
              for (int64_t j = 0; j < g.kw; ++j) {
                const int64_t iy = oy * stride - pad + i, ix = ox * stride - pad + j;
                if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                s += double(w[((o * g.c + c) * g.kh + i) * g.kw + j]) *
                     x[((b * g.c + c) * g.h + iy) * g.w + ix];
              }
          y[((b * cout + o) * g.ho + oy) * g.wo + ox] = static_cast<float>(s);
        }
  return y;
}

}  // namespace laq::engine
