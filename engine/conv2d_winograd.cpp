#include "engine/conv2d_winograd.h"

#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "engine/error.h"
#include "engine/parallel.h"
#include "engine/parallel_gemms.h"
#include "engine/scratch.h"

namespace laq::engine {
namespace {

// Tiles per GEMM chunk: 16 GEMMs of [Cout, Cin] x [Cin, tiles] run at full speed from a few
// hundred tiles on; more tiles only make the transformed buffers fall out of cache.
constexpr int64_t kTargetTiles = 512;

// V (transformed input), M (products / transformed dY), dV, dU, rows.
thread_local Scratch v_scratch, m_scratch, dv_scratch, du_scratch, row_scratch;

struct Plan {
  int64_t n, c, h, w, cout, pad, ho, wo;
  int64_t th, tw;  // tiles per image along each axis: ceil(ho/2), ceil(wo/2)
  int64_t chunk;   // images per chunk
  int64_t tiles() const { return th * tw; }
};

Plan make_plan(const Tensor& x, const Tensor& w, int64_t pad) {
  const auto both = [&] { return "x " + to_string(x.shape()) + ", w " + to_string(w.shape()); };
  if (x.rank() != 4 || w.rank() != 4 || w.dim(2) != 3 || w.dim(3) != 3 || w.dim(1) != x.dim(1) ||
      w.dim(0) < 1 || w.dim(1) < 1)
    throw Error("conv2d_winograd: expected x [N, C, H, W] and w [Cout, C, 3, 3], got " + both());
  if (pad < 0) throw Error("conv2d_winograd: negative pad " + std::to_string(pad));
  const int64_t h = x.dim(2), wd = x.dim(3), ho = h + 2 * pad - 2, wo = wd + 2 * pad - 2;
  if (ho < 1 || wo < 1)
    throw Error("conv2d_winograd: 3x3 kernel larger than the padded input (" + both() + ", pad " +
                std::to_string(pad) + ")");
  Plan p{x.dim(0), x.dim(1), h, wd, w.dim(0), pad, ho, wo, (ho + 1) / 2, (wo + 1) / 2, 1};
  p.chunk = std::clamp<int64_t>(kTargetTiles / p.tiles(), 1, std::max<int64_t>(p.n, 1));
  return p;
}

// U[16][Cout][C] = G g Gᵀ for every kernel g = w[o, c] (3x3 -> 4x4).
void transform_weights(const float* w, int64_t cout, int64_t c, float* u) {
  const int64_t plane = cout * c;
  parallel_for(plane, grain_for(25), [&](int64_t first, int64_t last) {
    for (int64_t k = first; k < last; ++k) {
      const float* g = w + 9 * k;
      float t[4][3];  // G g: rows transformed
      for (int j = 0; j < 3; ++j) {
        t[0][j] = g[j];
        t[1][j] = 0.5f * (g[j] + g[3 + j] + g[6 + j]);
        t[2][j] = 0.5f * (g[j] - g[3 + j] + g[6 + j]);
        t[3][j] = g[6 + j];
      }
      for (int i = 0; i < 4; ++i) {  // (G g) Gᵀ
        u[(i * 4 + 0) * plane + k] = t[i][0];
        u[(i * 4 + 1) * plane + k] = 0.5f * (t[i][0] + t[i][1] + t[i][2]);
        u[(i * 4 + 2) * plane + k] = 0.5f * (t[i][0] - t[i][1] + t[i][2]);
        u[(i * 4 + 3) * plane + k] = t[i][2];
      }
    }
  });
}

// dW[o, c] += Gᵀ dU G for dU[16][Cout][C] (4x4 -> 3x3).
void untransform_weight_gradient(const float* du, int64_t cout, int64_t c, float* dw) {
  const int64_t plane = cout * c;
  parallel_for(plane, grain_for(25), [&](int64_t first, int64_t last) {
    for (int64_t k = first; k < last; ++k) {
      float t[3][4];  // Gᵀ dU: rows
      for (int j = 0; j < 4; ++j) {
        const float u0 = du[(0 + j) * plane + k], u1 = du[(4 + j) * plane + k],
                    u2 = du[(8 + j) * plane + k], u3 = du[(12 + j) * plane + k];
        t[0][j] = u0 + 0.5f * (u1 + u2);
        t[1][j] = 0.5f * (u1 - u2);
        t[2][j] = 0.5f * (u1 + u2) + u3;
      }
      float* g = dw + 9 * k;
      for (int i = 0; i < 3; ++i) {
        g[3 * i + 0] += t[i][0] + 0.5f * (t[i][1] + t[i][2]);
        g[3 * i + 1] += 0.5f * (t[i][1] - t[i][2]);
        g[3 * i + 2] += 0.5f * (t[i][1] + t[i][2]) + t[i][3];
      }
    }
  });
}

// Layout of the transform loops. Each works on one (image, channel) plane at a time and runs over
// all its tiles u = ty*tw + tx in one flat loop, so that even the 8x8 maps of the last layers (16
// tiles) fill a vector. To make every access unit-stride in u, the plane is first rearranged:
// padded row 2m + q (q = 0, 1) goes to row m of the row-parity-q arrays, split by column into
// four arrays holding columns 2tx, 2tx + 1, 2tx + 2, 2tx + 3 at index m*tw + tx. Then tile u's
// row r, column k sits at X[r % 2][k][u + (r / 2)*tw]. The kernels take __restrict pointers and
// `#pragma GCC ivdep` (the 16 planes never overlap), and GCC vectorises them.

// Bᵀ d B for n tiles: x holds the 8 arrays X[q][k] (stride xs); out[ξ*s + u].
[[gnu::noinline]] void input_tiles(const float* __restrict x, int64_t xs, int64_t tw,
                                   float* __restrict out, int64_t s, int64_t n) {
  const float *p00 = x, *p01 = x + xs, *p02 = x + 2 * xs, *p03 = x + 3 * xs;               // even rows
  const float *p10 = x + 4 * xs, *p11 = x + 5 * xs, *p12 = x + 6 * xs, *p13 = x + 7 * xs;  // odd
  float *v0 = out, *v1 = out + s, *v2 = out + 2 * s, *v3 = out + 3 * s, *v4 = out + 4 * s,
        *v5 = out + 5 * s, *v6 = out + 6 * s, *v7 = out + 7 * s, *v8 = out + 8 * s, *v9 = out + 9 * s,
        *v10 = out + 10 * s, *v11 = out + 11 * s, *v12 = out + 12 * s, *v13 = out + 13 * s,
        *v14 = out + 14 * s, *v15 = out + 15 * s;
#pragma GCC ivdep
  for (int64_t u = 0; u < n; ++u) {
    const int64_t w = u + tw;  // rows 2 and 3 of the tile
    // d[r][k]: r = 0 -> p0k[u], 1 -> p1k[u], 2 -> p0k[w], 3 -> p1k[w].
    // Bᵀ along the rows (Bᵀ v = (v0 - v2, v1 + v2, v2 - v1, v1 - v3)), for columns k = 0..3 ...
    const float a0 = p00[u] - p00[w], a1 = p01[u] - p01[w], a2 = p02[u] - p02[w], a3 = p03[u] - p03[w];
    const float b0 = p10[u] + p00[w], b1 = p11[u] + p01[w], b2 = p12[u] + p02[w], b3 = p13[u] + p03[w];
    const float c0 = p00[w] - p10[u], c1 = p01[w] - p11[u], c2 = p02[w] - p12[u], c3 = p03[w] - p13[u];
    const float d0 = p10[u] - p10[w], d1 = p11[u] - p11[w], d2 = p12[u] - p12[w], d3 = p13[u] - p13[w];
    // ... then along the columns.
    v0[u] = a0 - a2, v1[u] = a1 + a2, v2[u] = a2 - a1, v3[u] = a1 - a3;
    v4[u] = b0 - b2, v5[u] = b1 + b2, v6[u] = b2 - b1, v7[u] = b1 - b3;
    v8[u] = c0 - c2, v9[u] = c1 + c2, v10[u] = c2 - c1, v11[u] = c1 - c3;
    v12[u] = d0 - d2, v13[u] = d1 + d2, v14[u] = d2 - d1, v15[u] = d1 - d3;
  }
}

// V[16][C][T] (row stride ld = T, tile t = image*th*tw + ty*tw + tx) = Bᵀ d B for every 4x4
// input tile d at rows 2ty - p .., columns 2tx - p .. (zero outside the image), images [0, b).
void transform_input(const float* x, const Plan& p, int64_t b, float* v, int64_t ld) {
  const int64_t tw = p.tw, xs = (p.th + 1) * tw, wp = 2 * tw + 2;
  const int64_t s = p.c * ld;  // distance between the 16 planes of V
  parallel_for(b * p.c, grain_for(16 * p.tiles()), [&](int64_t first, int64_t last) {
    float* arrays = row_scratch.get(8 * xs + wp);  // this thread's
    float* row = arrays + 8 * xs;
    for (int64_t plane_index = first; plane_index < last; ++plane_index) {
      const int64_t img = plane_index / p.c, c = plane_index % p.c;
      const float* plane = x + (img * p.c + c) * p.h * p.w;
      for (int64_t r = 0; r < 2 * p.th + 2; ++r) {  // padded row r = input row r - pad
        const int64_t iy = r - p.pad;
        if (iy < 0 || iy >= p.h) {
          std::fill_n(row, wp, 0.0f);
        } else {
          std::fill_n(row, p.pad, 0.0f);
          std::memcpy(row + p.pad, plane + iy * p.w, sizeof(float) * p.w);
          std::fill_n(row + p.pad + p.w, wp - p.pad - p.w, 0.0f);
        }
        float* dst = arrays + (r % 2) * 4 * xs + (r / 2) * tw;
        for (int64_t tx = 0; tx < tw; ++tx) {
          dst[tx] = row[2 * tx];
          dst[xs + tx] = row[2 * tx + 1];
          dst[2 * xs + tx] = row[2 * tx + 2];
          dst[3 * xs + tx] = row[2 * tx + 3];
        }
      }
      input_tiles(arrays, xs, tw, v + c * ld + img * p.tiles(), s, p.tiles());
    }
  });
}

// Aᵀ m A for n tiles: m[ξ*s + u] -> y[(r*2 + k)*n + u], output row r, column k of the 2x2 block.
[[gnu::noinline]] void output_tiles(const float* __restrict m, int64_t s, int64_t n, float* __restrict y) {
  const float *m0 = m, *m1 = m + s, *m2 = m + 2 * s, *m3 = m + 3 * s, *m4 = m + 4 * s,
              *m5 = m + 5 * s, *m6 = m + 6 * s, *m7 = m + 7 * s, *m8 = m + 8 * s, *m9 = m + 9 * s,
              *m10 = m + 10 * s, *m11 = m + 11 * s, *m12 = m + 12 * s, *m13 = m + 13 * s,
              *m14 = m + 14 * s, *m15 = m + 15 * s;
  float *y00 = y, *y01 = y + n, *y10 = y + 2 * n, *y11 = y + 3 * n;
#pragma GCC ivdep
  for (int64_t u = 0; u < n; ++u) {
    // Aᵀ along the rows (Aᵀ v = (v0 + v1 + v2, v1 - v2 - v3)), for columns j = 0..3 ...
    const float a0 = m0[u] + m4[u] + m8[u], a1 = m1[u] + m5[u] + m9[u],
                a2 = m2[u] + m6[u] + m10[u], a3 = m3[u] + m7[u] + m11[u];
    const float b0 = m4[u] - m8[u] - m12[u], b1 = m5[u] - m9[u] - m13[u],
                b2 = m6[u] - m10[u] - m14[u], b3 = m7[u] - m11[u] - m15[u];
    // ... then along the columns.
    y00[u] = a0 + a1 + a2;
    y01[u] = a1 - a2 - a3;
    y10[u] = b0 + b1 + b2;
    y11[u] = b1 - b2 - b3;
  }
}

// y[img, o] (images [0, b) of y) = Aᵀ m A for the products M[16][Cout][T], cropped to ho x wo.
void transform_output(const float* m, const Plan& p, int64_t b, int64_t ld, float* y) {
  const int64_t tw = p.tw, n = p.tiles(), s = p.cout * ld;
  parallel_for(b * p.cout, grain_for(16 * n), [&](int64_t first, int64_t last) {
    float* blocks = row_scratch.get(4 * n + 2 * tw);  // this thread's
    float* row = blocks + 4 * n;
    for (int64_t plane_index = first; plane_index < last; ++plane_index) {
      const int64_t img = plane_index / p.cout, o = plane_index % p.cout;
      output_tiles(m + o * ld + img * n, s, n, blocks);
      float* plane = y + (img * p.cout + o) * p.ho * p.wo;
      for (int64_t oy = 0; oy < p.ho; ++oy) {
        const float* e = blocks + (oy % 2) * 2 * n + (oy / 2) * tw;  // column 2tx
        const float* od = e + n;                                     // column 2tx + 1
        for (int64_t tx = 0; tx < tw; ++tx) {
          row[2 * tx] = e[tx];
          row[2 * tx + 1] = od[tx];
        }
        std::memcpy(plane + oy * p.wo, row, sizeof(float) * p.wo);
      }
    }
  });
}

// A g Aᵀ for n 2x2 blocks g[(r*2 + k)*n + u] (row r, column k) -> out[ξ*s + u].
[[gnu::noinline]] void output_gradient_tiles(const float* __restrict g, int64_t n, float* __restrict out,
                                             int64_t s) {
  const float *g00 = g, *g01 = g + n, *g10 = g + 2 * n, *g11 = g + 3 * n;
  float *v0 = out, *v1 = out + s, *v2 = out + 2 * s, *v3 = out + 3 * s, *v4 = out + 4 * s,
        *v5 = out + 5 * s, *v6 = out + 6 * s, *v7 = out + 7 * s, *v8 = out + 8 * s, *v9 = out + 9 * s,
        *v10 = out + 10 * s, *v11 = out + 11 * s, *v12 = out + 12 * s, *v13 = out + 13 * s,
        *v14 = out + 14 * s, *v15 = out + 15 * s;
#pragma GCC ivdep
  for (int64_t u = 0; u < n; ++u) {
    // A v for v = (v0, v1): (v0, v0 + v1, v0 - v1, -v1), along the columns of each row ...
    const float a0 = g00[u], a1 = g01[u], b0 = g10[u], b1 = g11[u];
    const float r00 = a0, r01 = a0 + a1, r02 = a0 - a1, r03 = -a1;
    const float r10 = b0, r11 = b0 + b1, r12 = b0 - b1, r13 = -b1;
    // ... then along the rows.
    v0[u] = r00, v1[u] = r01, v2[u] = r02, v3[u] = r03;
    v4[u] = r00 + r10, v5[u] = r01 + r11, v6[u] = r02 + r12, v7[u] = r03 + r13;
    v8[u] = r00 - r10, v9[u] = r01 - r11, v10[u] = r02 - r12, v11[u] = r03 - r13;
    v12[u] = -r10, v13[u] = -r11, v14[u] = -r12, v15[u] = -r13;
  }
}

// dYt[16][Cout][T] = A dY_t Aᵀ for every 2x2 block of dy (images [0, b)), zero beyond ho x wo.
void transform_output_gradient(const float* dy, const Plan& p, int64_t b, float* m, int64_t ld) {
  const int64_t tw = p.tw, n = p.tiles(), s = p.cout * ld;
  parallel_for(b * p.cout, grain_for(16 * n), [&](int64_t first, int64_t last) {
    float* blocks = row_scratch.get(4 * n + 2 * tw);  // this thread's
    float* row = blocks + 4 * n;
    for (int64_t plane_index = first; plane_index < last; ++plane_index) {
      const int64_t img = plane_index / p.cout, o = plane_index % p.cout;
      const float* plane = dy + (img * p.cout + o) * p.ho * p.wo;
      std::fill_n(row, 2 * tw, 0.0f);
      for (int64_t oy = 0; oy < 2 * p.th; ++oy) {
        if (oy < p.ho)
          std::memcpy(row, plane + oy * p.wo, sizeof(float) * p.wo);  // tail stays 0
        else
          std::fill_n(row, 2 * tw, 0.0f);
        float* e = blocks + (oy % 2) * 2 * n + (oy / 2) * tw;
        float* od = e + n;
        for (int64_t tx = 0; tx < tw; ++tx) {
          e[tx] = row[2 * tx];
          od[tx] = row[2 * tx + 1];
        }
      }
      output_gradient_tiles(blocks, n, m + o * ld + img * n, s);
    }
  });
}

// B dV Bᵀ for n tiles dv[ξ*s + u] -> c[(r*4 + k)*n + u]: window row r, column k.
[[gnu::noinline]] void input_gradient_tiles(const float* __restrict dv, int64_t s, int64_t n,
                                            float* __restrict c) {
  const float *m0 = dv, *m1 = dv + s, *m2 = dv + 2 * s, *m3 = dv + 3 * s, *m4 = dv + 4 * s,
              *m5 = dv + 5 * s, *m6 = dv + 6 * s, *m7 = dv + 7 * s, *m8 = dv + 8 * s,
              *m9 = dv + 9 * s, *m10 = dv + 10 * s, *m11 = dv + 11 * s, *m12 = dv + 12 * s,
              *m13 = dv + 13 * s, *m14 = dv + 14 * s, *m15 = dv + 15 * s;
  float *c0 = c, *c1 = c + n, *c2 = c + 2 * n, *c3 = c + 3 * n, *c4 = c + 4 * n, *c5 = c + 5 * n,
        *c6 = c + 6 * n, *c7 = c + 7 * n, *c8 = c + 8 * n, *c9 = c + 9 * n, *c10 = c + 10 * n,
        *c11 = c + 11 * n, *c12 = c + 12 * n, *c13 = c + 13 * n, *c14 = c + 14 * n,
        *c15 = c + 15 * n;
#pragma GCC ivdep
  for (int64_t u = 0; u < n; ++u) {
    // B along the rows (B v = (v0, v1 - v2 + v3, -v0 + v1 + v2, -v3)), for columns j = 0..3 ...
    const float a0 = m0[u], a1 = m1[u], a2 = m2[u], a3 = m3[u];
    const float b0 = m4[u] - m8[u] + m12[u], b1 = m5[u] - m9[u] + m13[u],
                b2 = m6[u] - m10[u] + m14[u], b3 = m7[u] - m11[u] + m15[u];
    const float d0 = -m0[u] + m4[u] + m8[u], d1 = -m1[u] + m5[u] + m9[u],
                d2 = -m2[u] + m6[u] + m10[u], d3 = -m3[u] + m7[u] + m11[u];
    const float f0 = -m12[u], f1 = -m13[u], f2 = -m14[u], f3 = -m15[u];
    // ... then along the columns.
    c0[u] = a0, c1[u] = a1 - a2 + a3, c2[u] = -a0 + a1 + a2, c3[u] = -a3;
    c4[u] = b0, c5[u] = b1 - b2 + b3, c6[u] = -b0 + b1 + b2, c7[u] = -b3;
    c8[u] = d0, c9[u] = d1 - d2 + d3, c10[u] = -d0 + d1 + d2, c11[u] = -d3;
    c12[u] = f0, c13[u] = f1 - f2 + f3, c14[u] = -f0 + f1 + f2, c15[u] = -f3;
  }
}

// dx[img, c] += B dV_t Bᵀ added onto each tile's 4x4 input window (images [0, b)); the parts
// of a window that lie in the padding are dropped.
void add_input_gradient(const float* dv, const Plan& p, int64_t b, int64_t ld, float* dx) {
  const int64_t tw = p.tw, n = p.tiles(), wp = 2 * tw + 2, hp = 2 * p.th + 2, s = p.c * ld;
  parallel_for(b * p.c, grain_for(16 * n), [&](int64_t first, int64_t last) {
    float* padded = row_scratch.get(hp * wp + 16 * n);  // this thread's gradient of the padded plane
    float* c = padded + hp * wp;
    for (int64_t plane_index = first; plane_index < last; ++plane_index) {
      const int64_t img = plane_index / p.c, ch = plane_index % p.c;
      input_gradient_tiles(dv + ch * ld + img * n, s, n, c);
      std::fill_n(padded, hp * wp, 0.0f);
      for (int64_t ty = 0; ty < p.th; ++ty)
        for (int r = 0; r < 4; ++r) {
          float* out = padded + (2 * ty + r) * wp;
          const float* k0 = c + (r * 4) * n + ty * tw;
          for (int k = 0; k < 4; ++k, k0 += n)  // window column 2tx + k
            for (int64_t tx = 0; tx < tw; ++tx) out[2 * tx + k] += k0[tx];
        }
      float* plane = dx + (img * p.c + ch) * p.h * p.w;
      for (int64_t iy = 0; iy < p.h; ++iy) {
        const float* in = padded + (iy + p.pad) * wp + p.pad;
        float* out = plane + iy * p.w;
        for (int64_t ix = 0; ix < p.w; ++ix) out[ix] += in[ix];
      }
    }
  });
}

}  // namespace

// x[N, C, H, W], w[Cout, C, 3, 3] -> y[N, Cout, Ho, Wo]; per chunk of b images (T tiles):
//   V[16][C][T] = Bᵀ d B,  M[ξ] = U[ξ][Cout, C] · V[ξ] for the 16 ξ,  y = Aᵀ M A
Var conv2d_winograd(const Var& x, const Var& w, int64_t pad) {
  const Plan p = make_plan(x->value, w->value, pad);
  Tensor y = Tensor::uninitialized({p.n, p.cout, p.ho, p.wo});
  // Kept for the backward pass: w does not change in between, and transforming it twice
  // cost 2.7% of the VGG step.
  std::shared_ptr<float[]> kept_u(new float[16 * p.cout * p.c]);  // not zero-filled: all written
  float* u = kept_u.get();
  transform_weights(w->value.data(), p.cout, p.c, u);
  const int64_t in_size = p.c * p.h * p.w, out_size = p.cout * p.ho * p.wo;

  for (int64_t n0 = 0; n0 < p.n; n0 += p.chunk) {
    const int64_t b = std::min(p.chunk, p.n - n0), t = b * p.tiles();
    float* v = v_scratch.get(16 * p.c * t);
    float* m = m_scratch.get(16 * p.cout * t);
    transform_input(x->value.data() + n0 * in_size, p, b, v, t);
    parallel_gemms(16, [&](int64_t xi) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, p.cout, t, p.c, 1.0f,
                  u + xi * p.cout * p.c, p.c, v + xi * p.c * t, t, 0.0f, m + xi * p.cout * t, t);
    });
    transform_output(m, p, b, t, y.data() + n0 * out_size);
  }

  return make_node(std::move(y), {x, w}, [x, w, p, kept_u](Node& self) {
    const int64_t in_size = p.c * p.h * p.w, out_size = p.cout * p.ho * p.wo;
    const int64_t wsize = 16 * p.cout * p.c;
    const float* u = kept_u.get();
    float* du = nullptr;
    if (w->requires_grad) {
      du = du_scratch.get(wsize);
      std::fill_n(du, wsize, 0.0f);
    }
    float* dx = x->requires_grad ? x->grad_buffer().data() : nullptr;

    for (int64_t n0 = 0; n0 < p.n; n0 += p.chunk) {
      const int64_t b = std::min(p.chunk, p.n - n0), t = b * p.tiles();
      float* m = m_scratch.get(16 * p.cout * t);
      transform_output_gradient(self.grad.data() + n0 * out_size, p, b, m, t);
      if (du) {  // dU[ξ][Cout, C] += dYt[ξ] · V[ξ]ᵀ
        float* v = v_scratch.get(16 * p.c * t);
        transform_input(x->value.data() + n0 * in_size, p, b, v, t);
        parallel_gemms(16, [&](int64_t xi) {
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, p.cout, p.c, t, 1.0f,
                      m + xi * p.cout * t, t, v + xi * p.c * t, t, 1.0f, du + xi * p.cout * p.c, p.c);
        });
      }
      if (dx) {  // dV[ξ][C, T] = U[ξ]ᵀ · dYt[ξ], folded back onto dx
        float* dv = dv_scratch.get(16 * p.c * t);
        parallel_gemms(16, [&](int64_t xi) {
          cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, p.c, t, p.cout, 1.0f,
                      u + xi * p.cout * p.c, p.c, m + xi * p.cout * t, t, 0.0f, dv + xi * p.c * t, t);
        });
        add_input_gradient(dv, p, b, t, dx + n0 * in_size);
      }
    }
    if (du) untransform_weight_gradient(du, p.cout, p.c, w->grad_buffer().data());
  });
}

}  // namespace laq::engine
