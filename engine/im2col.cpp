#include "engine/im2col.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "engine/error.h"

namespace laq::engine {
namespace {

// The output columns ox in [lo, hi) read input column ox*s - p + j inside [0, W).
struct Span {
  int64_t lo, hi;
};

Span valid_span(int64_t j, const ConvGeometry& g) {
  // ox*s - p + j >= 0  <=>  ox >= ceil((p - j)/s);  ox*s - p + j < W  <=>  ox <= (W - 1 + p - j)/s
  const int64_t a = g.pad - j;
  const int64_t lo = a <= 0 ? 0 : (a + g.stride - 1) / g.stride;
  const int64_t b = g.w - 1 + g.pad - j;
  const int64_t hi = b < 0 ? 0 : std::min(g.wo, b / g.stride + 1);
  return {std::min(lo, hi), hi};
}

}  // namespace

ConvGeometry conv_geometry(int64_t c, int64_t h, int64_t w, int64_t kh, int64_t kw, int64_t stride,
                           int64_t pad, const char* what) {
  if (kh < 1 || kw < 1 || stride < 1 || pad < 0)
    throw Error(std::string(what) + ": kernel " + std::to_string(kh) + "x" + std::to_string(kw) +
                ", stride " + std::to_string(stride) + ", pad " + std::to_string(pad) +
                " (kernel and stride must be >= 1, pad >= 0)");
  if (h + 2 * pad < kh || w + 2 * pad < kw)
    throw Error(std::string(what) + ": kernel " + std::to_string(kh) + "x" + std::to_string(kw) +
                " larger than the padded input " + std::to_string(h + 2 * pad) + "x" +
                std::to_string(w + 2 * pad));
  return {c, h, w, kh, kw, stride, pad, (h + 2 * pad - kh) / stride + 1,
          (w + 2 * pad - kw) / stride + 1};
}

void im2col(const float* x, const ConvGeometry& g, float* col, int64_t ld) {
  int64_t row = 0;
  for (int64_t c = 0; c < g.c; ++c) {
    const float* plane = x + c * g.h * g.w;
    for (int64_t i = 0; i < g.kh; ++i)
      for (int64_t j = 0; j < g.kw; ++j, ++row) {
        float* out = col + row * ld;
        const auto [lo, hi] = valid_span(j, g);
        for (int64_t oy = 0; oy < g.ho; ++oy, out += g.wo) {
          const int64_t iy = oy * g.stride - g.pad + i;
          if (iy < 0 || iy >= g.h) {
            std::memset(out, 0, sizeof(float) * g.wo);
            continue;
          }
          const int64_t base = iy * g.w - g.pad + j;  // x[c, iy, ox*s - p + j] = plane[base + ox*s]
          if (lo > 0) std::memset(out, 0, sizeof(float) * lo);
          if (g.stride == 1)
            std::memcpy(out + lo, plane + base + lo, sizeof(float) * (hi - lo));
          else
            for (int64_t ox = lo; ox < hi; ++ox) out[ox] = plane[base + ox * g.stride];
          if (hi < g.wo) std::memset(out + hi, 0, sizeof(float) * (g.wo - hi));
        }
      }
  }
}

void col2im_add(const float* dcol, const ConvGeometry& g, int64_t ld, float* dx) {
  int64_t row = 0;
  for (int64_t c = 0; c < g.c; ++c) {
    float* plane = dx + c * g.h * g.w;
    for (int64_t i = 0; i < g.kh; ++i)
      for (int64_t j = 0; j < g.kw; ++j, ++row) {
        const float* in = dcol + row * ld;
        const auto [lo, hi] = valid_span(j, g);
        for (int64_t oy = 0; oy < g.ho; ++oy, in += g.wo) {
          const int64_t iy = oy * g.stride - g.pad + i;
          if (iy < 0 || iy >= g.h) continue;
          const int64_t base = iy * g.w - g.pad + j;  // dx[c, iy, ox*s - p + j] = plane[base + ox*s]
          if (g.stride == 1) {
            float* out = plane + base + lo;
            const float* src = in + lo;
            for (int64_t k = 0; k < hi - lo; ++k) out[k] += src[k];
          } else {
            for (int64_t ox = lo; ox < hi; ++ox) plane[base + ox * g.stride] += in[ox];
          }
        }
      }
  }
}

}  // namespace laq::engine
