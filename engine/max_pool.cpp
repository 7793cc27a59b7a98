#include "engine/max_pool.h"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/parallel.h"

namespace laq::engine {
namespace {

struct PoolShape {
  int64_t planes, h, w, ho, wo;  // planes = N*C
};

PoolShape pool_shape(const Tensor& x, int64_t k, int64_t stride) {
  if (x.rank() != 4) throw Error("max_pool2d: expected x [N, C, H, W], got " + to_string(x.shape()));
  if (k < 1 || stride < 1)
    throw Error("max_pool2d: window " + std::to_string(k) + " and stride " + std::to_string(stride) +
                " must be >= 1");
  const int64_t h = x.dim(2), w = x.dim(3);
  if (k > h || k > w)
    throw Error("max_pool2d: window " + std::to_string(k) + "x" + std::to_string(k) +
                " larger than the input " + to_string(x.shape()));
  return {x.dim(0) * x.dim(1), h, w, (h - k) / stride + 1, (w - k) / stride + 1};
}

// v replaces the best so far: strictly greater (so the first maximum wins ties), or NaN.
inline bool better(float v, float best) { return v > best || (std::isnan(v) && !std::isnan(best)); }

}  // namespace

// x[N, C, H, W] -> y[N, C, Ho, Wo]; argmax[N*C*Ho*Wo] holds the index within the input plane.
Var max_pool2d(const Var& x, int64_t k, int64_t stride) {
  // Copies, not structured bindings: clang before 16 cannot capture bindings in lambdas.
  const auto [planes_, h_, w_, ho_, wo_] = pool_shape(x->value, k, stride);
  const auto planes = planes_;
  const auto h = h_;
  const auto w = w_;
  const auto ho = ho_;
  const auto wo = wo_;
  Tensor y = Tensor::uninitialized({x->value.dim(0), x->value.dim(1), ho, wo});
  auto argmax = std::make_shared<std::vector<int32_t>>(y.numel());
  const float* px = x->value.data();
  float* const y0 = y.data();
  int32_t* const a0 = argmax->data();

  parallel_for(planes, grain_for(h * w), [&](int64_t first, int64_t last) {
    for (int64_t plane = first; plane < last; ++plane) {
      const float* in = px + plane * h * w;
      float* py = y0 + plane * ho * wo;
      int32_t* pa = a0 + plane * ho * wo;
      for (int64_t oy = 0; oy < ho; ++oy)
        for (int64_t ox = 0; ox < wo; ++ox, ++py, ++pa) {
          int64_t best_at = oy * stride * w + ox * stride;
          float best = in[best_at];
          if (k == 2) {  // the VGG case, unrolled: candidates in row-major window order
            const int64_t c1 = best_at + 1, c2 = best_at + w, c3 = best_at + w + 1;
            if (better(in[c1], best)) best = in[best_at = c1];
            if (better(in[c2], best)) best = in[best_at = c2];
            if (better(in[c3], best)) best = in[best_at = c3];
          } else {
            const int64_t origin = best_at;
            for (int64_t i = 0; i < k; ++i)
              for (int64_t j = 0; j < k; ++j) {
                const int64_t at = origin + i * w + j;
                if (better(in[at], best)) best = in[best_at = at];
              }
          }
          *py = best;
          *pa = static_cast<int32_t>(best_at);
        }
    }
  });

  return make_node(std::move(y), {x}, [x, argmax, h, w, ho, wo](Node& self) {
    const float* dy = self.grad.data();
    float* dx = x->grad_buffer().data();
    const int32_t* pa = argmax->data();
    const int64_t out_plane = ho * wo, in_plane = h * w;
    const int64_t planes = out_plane ? self.grad.numel() / out_plane : 0;
    parallel_for(planes, grain_for(in_plane), [&](int64_t first, int64_t last) {
      for (int64_t plane = first; plane < last; ++plane)
        for (int64_t i = plane * out_plane; i < (plane + 1) * out_plane; ++i)
          dx[plane * in_plane + pa[i]] += dy[i];
    });
  });
}

// (std::fmax skips NaN, so this reference agrees with max_pool2d only on NaN-free input.)
Tensor max_pool2d_naive(const Tensor& x, int64_t k, int64_t stride) {
  // Copies, not structured bindings: clang before 16 cannot capture bindings in lambdas.
  const auto [planes_, h_, w_, ho_, wo_] = pool_shape(x, k, stride);
  const auto planes = planes_;
  const auto h = h_;
  const auto w = w_;
  const auto ho = ho_;
  const auto wo = wo_;
  Tensor y({x.dim(0), x.dim(1), ho, wo});
  for (int64_t plane = 0; plane < planes; ++plane)
    for (int64_t oy = 0; oy < ho; ++oy)
      for (int64_t ox = 0; ox < wo; ++ox) {
        float best = -INFINITY;
        for (int64_t i = 0; i < k; ++i)
          for (int64_t j = 0; j < k; ++j)
            best = std::fmax(best, x[plane * h * w + (oy * stride + i) * w + ox * stride + j]);
        y[(plane * ho + oy) * wo + ox] = best;
      }
  return y;
}

}  // namespace laq::engine
