#include "engine/conv2d_winograd.h"

#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "engine/error.h"

namespace laq::engine {
namespace {

// Tiles per GEMM chunk: 16 GEMMs of [Cout, Cin] x [Cin, tiles] run at full speed from a few
// hundred tiles on; more tiles only make the transformed buffers fall out of cache.
constexpr int64_t kTargetTiles = 1024;

struct Scratch {
  std::unique_ptr<float[]> data;
  int64_t size = 0;
  float* get(int64_t n) {
    if (n > size) {
      data.reset(new float[n]);
      size = n;
    }
    return data.get();
  }
};
// U (transformed weights), V (transformed input), M (products / transformed dY), dV, dU, rows.
thread_local Scratch u_scratch, v_scratch, m_scratch, dv_scratch, du_scratch, row_scratch;

struct Plan {
  int64_t n, c, h, w, cout, pad, ho, wo;
  int64_t th, tw;    // tiles per image along each axis: ceil(ho/2), ceil(wo/2)
  int64_t chunk;     // images per chunk
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
  for (int64_t k = 0; k < plane; ++k) {
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
}

// dW[o, c] += Gᵀ dU G for dU[16][Cout][C] (4x4 -> 3x3).
void untransform_weight_gradient(const float* du, int64_t cout, int64_t c, float* dw) {
  const int64_t plane = cout * c;
  for (int64_t k = 0; k < plane; ++k) {
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
}

// The tile loops below take __restrict pointers and touch memory only with unit stride (rows
// are split into even and odd columns first), so the compiler vectorises them over tiles.

// Bᵀ d B for the tw tiles of one tile row: padded input rows r = 0..3 split into even/odd
// columns at pe + r*wq, po + r*wq (tile tx covers columns 2tx .. 2tx+3); out[ξ*s + tx].
[[gnu::noinline]] void input_tile_row(const float* __restrict pe, const float* __restrict po, int64_t wq,
                    float* __restrict out, int64_t s, int64_t tw) {
  // Written out scalar by scalar: with small arrays, GCC 12 gives up on vectorising the tx loop.
  const float *e0 = pe, *e1 = pe + wq, *e2 = pe + 2 * wq, *e3 = pe + 3 * wq;
  const float *o0 = po, *o1 = po + wq, *o2 = po + 2 * wq, *o3 = po + 3 * wq;
  float *v0 = out, *v1 = out + s, *v2 = out + 2 * s, *v3 = out + 3 * s, *v4 = out + 4 * s,
        *v5 = out + 5 * s, *v6 = out + 6 * s, *v7 = out + 7 * s, *v8 = out + 8 * s, *v9 = out + 9 * s,
        *v10 = out + 10 * s, *v11 = out + 11 * s, *v12 = out + 12 * s, *v13 = out + 13 * s,
        *v14 = out + 14 * s, *v15 = out + 15 * s;
#pragma GCC ivdep  // the 16 planes never overlap: no alias checks needed
  for (int64_t tx = 0; tx < tw; ++tx) {
    // Bᵀ along the rows (Bᵀ v = (v0 - v2, v1 + v2, v2 - v1, v1 - v3)), for columns k = 0..3.
    const float a0 = e0[tx] - e2[tx], a1 = o0[tx] - o2[tx], a2 = e0[tx + 1] - e2[tx + 1],
                a3 = o0[tx + 1] - o2[tx + 1];
    const float b0 = e1[tx] + e2[tx], b1 = o1[tx] + o2[tx], b2 = e1[tx + 1] + e2[tx + 1],
                b3 = o1[tx + 1] + o2[tx + 1];
    const float c0 = e2[tx] - e1[tx], c1 = o2[tx] - o1[tx], c2 = e2[tx + 1] - e1[tx + 1],
                c3 = o2[tx + 1] - o1[tx + 1];
    const float d0 = e1[tx] - e3[tx], d1 = o1[tx] - o3[tx], d2 = e1[tx + 1] - e3[tx + 1],
                d3 = o1[tx + 1] - o3[tx + 1];
    // ... then along the columns.
    v0[tx] = a0 - a2, v1[tx] = a1 + a2, v2[tx] = a2 - a1, v3[tx] = a1 - a3;
    v4[tx] = b0 - b2, v5[tx] = b1 + b2, v6[tx] = b2 - b1, v7[tx] = b1 - b3;
    v8[tx] = c0 - c2, v9[tx] = c1 + c2, v10[tx] = c2 - c1, v11[tx] = c1 - c3;
    v12[tx] = d0 - d2, v13[tx] = d1 + d2, v14[tx] = d2 - d1, v15[tx] = d1 - d3;
  }
}

// Splits one input row into the padded even/odd layout: padded column q holds input column
// q - pad (zero outside); pe[j] = column 2j, po[j] = column 2j + 1, j < wq.
void split_padded_row(const float* __restrict in, int64_t w, int64_t pad, float* __restrict row,
                      int64_t wq, float* __restrict pe, float* __restrict po) {
  const int64_t wp = 2 * wq;
  std::memset(row, 0, sizeof(float) * pad);
  std::memcpy(row + pad, in, sizeof(float) * w);
  std::memset(row + pad + w, 0, sizeof(float) * (wp - pad - w));
  for (int64_t j = 0; j < wq; ++j) {
    pe[j] = row[2 * j];
    po[j] = row[2 * j + 1];
  }
}

// V[16][C][T] (row stride ld = T, tile t = (image*th + ty)*tw + tx) = Bᵀ d B for every 4x4
// input tile d at rows 2ty - p .., columns 2tx - p .. (zero outside the image), images [0, b).
void transform_input(const float* x, const Plan& p, int64_t b, float* v, int64_t ld) {
  const int64_t tw = p.tw, wq = tw + 1, hp = 2 * p.th + 2;  // padded plane: hp x 2wq
  float* pe = row_scratch.get(2 * hp * wq + 2 * wq);
  float* po = pe + hp * wq;
  float* row = po + hp * wq;
  const int64_t s = p.c * ld;  // distance between the 16 planes of V
  for (int64_t img = 0; img < b; ++img)
    for (int64_t c = 0; c < p.c; ++c) {
      const float* plane = x + (img * p.c + c) * p.h * p.w;
      for (int64_t r = 0; r < hp; ++r) {
        const int64_t iy = r - p.pad;
        if (iy < 0 || iy >= p.h) {
          std::fill_n(pe + r * wq, wq, 0.0f);
          std::fill_n(po + r * wq, wq, 0.0f);
        } else {
          split_padded_row(plane + iy * p.w, p.w, p.pad, row, wq, pe + r * wq, po + r * wq);
        }
      }
      float* out = v + c * ld + img * p.tiles();
      for (int64_t ty = 0; ty < p.th; ++ty)
        input_tile_row(pe + 2 * ty * wq, po + 2 * ty * wq, wq, out + ty * tw, s, tw);
    }
}

// Aᵀ m A for the tw tiles of one tile row: m[ξ*s + tx] -> output rows y0, y1 (2tw wide).
[[gnu::noinline]] void output_tile_row(const float* __restrict m, int64_t s, int64_t tw, float* __restrict y0,
                     float* __restrict y1) {
  const float *m0 = m, *m1 = m + s, *m2 = m + 2 * s, *m3 = m + 3 * s, *m4 = m + 4 * s,
              *m5 = m + 5 * s, *m6 = m + 6 * s, *m7 = m + 7 * s, *m8 = m + 8 * s, *m9 = m + 9 * s,
              *m10 = m + 10 * s, *m11 = m + 11 * s, *m12 = m + 12 * s, *m13 = m + 13 * s,
              *m14 = m + 14 * s, *m15 = m + 15 * s;
#pragma GCC ivdep  // the 16 planes never overlap: no alias checks needed
  for (int64_t tx = 0; tx < tw; ++tx) {
    // Aᵀ along the rows (Aᵀ v = (v0 + v1 + v2, v1 - v2 - v3)), for columns j = 0..3 ...
    const float a0 = m0[tx] + m4[tx] + m8[tx], a1 = m1[tx] + m5[tx] + m9[tx],
                a2 = m2[tx] + m6[tx] + m10[tx], a3 = m3[tx] + m7[tx] + m11[tx];
    const float b0 = m4[tx] - m8[tx] - m12[tx], b1 = m5[tx] - m9[tx] - m13[tx],
                b2 = m6[tx] - m10[tx] - m14[tx], b3 = m7[tx] - m11[tx] - m15[tx];
    // ... then along the columns.
    y0[2 * tx] = a0 + a1 + a2;
    y0[2 * tx + 1] = a1 - a2 - a3;
    y1[2 * tx] = b0 + b1 + b2;
    y1[2 * tx + 1] = b1 - b2 - b3;
  }
}

// y[img, o] (images [0, b) of y) = Aᵀ m A for the products M[16][Cout][T], cropped to ho x wo.
void transform_output(const float* m, const Plan& p, int64_t b, int64_t ld, float* y) {
  const int64_t tw = p.tw, s = p.cout * ld;
  float* rows = row_scratch.get(4 * tw);
  for (int64_t img = 0; img < b; ++img)
    for (int64_t o = 0; o < p.cout; ++o) {
      float* plane = y + (img * p.cout + o) * p.ho * p.wo;
      const float* in = m + o * ld + img * p.tiles();
      for (int64_t ty = 0; ty < p.th; ++ty) {
        output_tile_row(in + ty * tw, s, tw, rows, rows + 2 * tw);
        std::memcpy(plane + 2 * ty * p.wo, rows, sizeof(float) * p.wo);
        if (2 * ty + 1 < p.ho) std::memcpy(plane + (2 * ty + 1) * p.wo, rows + 2 * tw, sizeof(float) * p.wo);
      }
    }
}

// A g Aᵀ for the tw 2x2 blocks of one tile row: rows g0, g1 (2tw wide) -> out[ξ*s + tx].
[[gnu::noinline]] void output_gradient_tile_row(const float* __restrict g0, const float* __restrict g1,
                              float* __restrict out, int64_t s, int64_t tw) {
  float *v0 = out, *v1 = out + s, *v2 = out + 2 * s, *v3 = out + 3 * s, *v4 = out + 4 * s,
        *v5 = out + 5 * s, *v6 = out + 6 * s, *v7 = out + 7 * s, *v8 = out + 8 * s, *v9 = out + 9 * s,
        *v10 = out + 10 * s, *v11 = out + 11 * s, *v12 = out + 12 * s, *v13 = out + 13 * s,
        *v14 = out + 14 * s, *v15 = out + 15 * s;
#pragma GCC ivdep  // the 16 planes never overlap: no alias checks needed
  for (int64_t tx = 0; tx < tw; ++tx) {
    // A v for v = (v0, v1): (v0, v0 + v1, v0 - v1, -v1), along the columns of each row ...
    const float a0 = g0[2 * tx], a1 = g0[2 * tx + 1], b0 = g1[2 * tx], b1 = g1[2 * tx + 1];
    const float r00 = a0, r01 = a0 + a1, r02 = a0 - a1, r03 = -a1;
    const float r10 = b0, r11 = b0 + b1, r12 = b0 - b1, r13 = -b1;
    // ... then along the rows.
    v0[tx] = r00, v1[tx] = r01, v2[tx] = r02, v3[tx] = r03;
    v4[tx] = r00 + r10, v5[tx] = r01 + r11, v6[tx] = r02 + r12, v7[tx] = r03 + r13;
    v8[tx] = r00 - r10, v9[tx] = r01 - r11, v10[tx] = r02 - r12, v11[tx] = r03 - r13;
    v12[tx] = -r10, v13[tx] = -r11, v14[tx] = -r12, v15[tx] = -r13;
  }
}

// dYt[16][Cout][T] = A dY_t Aᵀ for every 2x2 block of dy (images [0, b)), zero beyond ho x wo.
void transform_output_gradient(const float* dy, const Plan& p, int64_t b, float* m, int64_t ld) {
  const int64_t tw = p.tw, s = p.cout * ld;
  float* rows = row_scratch.get(4 * tw);
  float* g0 = rows;
  float* g1 = rows + 2 * tw;
  for (int64_t img = 0; img < b; ++img)
    for (int64_t o = 0; o < p.cout; ++o) {
      const float* plane = dy + (img * p.cout + o) * p.ho * p.wo;
      float* out = m + o * ld + img * p.tiles();
      for (int64_t ty = 0; ty < p.th; ++ty) {
        const bool second = 2 * ty + 1 < p.ho;
        const bool direct = p.wo == 2 * tw && second;  // whole tiles: read dy in place
        const float* r0 = plane + 2 * ty * p.wo;
        const float* r1 = r0 + p.wo;
        if (!direct) {
          std::fill_n(rows, 4 * tw, 0.0f);
          std::memcpy(g0, r0, sizeof(float) * p.wo);
          if (second) std::memcpy(g1, r1, sizeof(float) * p.wo);
          r0 = g0;
          r1 = g1;
        }
        output_gradient_tile_row(r0, r1, out + ty * tw, s, tw);
      }
    }
}

// B dV Bᵀ for the tw tiles of one tile row, 4x4 each, into c[(r*4 + k)*tw + tx]: window row r,
// column 2tx + k.
[[gnu::noinline]] void input_gradient_tile_row(const float* __restrict dv, int64_t s, int64_t tw, float* __restrict c) {
  const float *m0 = dv, *m1 = dv + s, *m2 = dv + 2 * s, *m3 = dv + 3 * s, *m4 = dv + 4 * s,
              *m5 = dv + 5 * s, *m6 = dv + 6 * s, *m7 = dv + 7 * s, *m8 = dv + 8 * s,
              *m9 = dv + 9 * s, *m10 = dv + 10 * s, *m11 = dv + 11 * s, *m12 = dv + 12 * s,
              *m13 = dv + 13 * s, *m14 = dv + 14 * s, *m15 = dv + 15 * s;
  float *c0 = c, *c1 = c + tw, *c2 = c + 2 * tw, *c3 = c + 3 * tw, *c4 = c + 4 * tw,
        *c5 = c + 5 * tw, *c6 = c + 6 * tw, *c7 = c + 7 * tw, *c8 = c + 8 * tw, *c9 = c + 9 * tw,
        *c10 = c + 10 * tw, *c11 = c + 11 * tw, *c12 = c + 12 * tw, *c13 = c + 13 * tw,
        *c14 = c + 14 * tw, *c15 = c + 15 * tw;
#pragma GCC ivdep  // the 16 planes never overlap: no alias checks needed
  for (int64_t tx = 0; tx < tw; ++tx) {
    // B along the rows (B v = (v0, v1 - v2 + v3, -v0 + v1 + v2, -v3)), for columns j = 0..3 ...
    const float a0 = m0[tx], a1 = m1[tx], a2 = m2[tx], a3 = m3[tx];
    const float b0 = m4[tx] - m8[tx] + m12[tx], b1 = m5[tx] - m9[tx] + m13[tx],
                b2 = m6[tx] - m10[tx] + m14[tx], b3 = m7[tx] - m11[tx] + m15[tx];
    const float d0 = -m0[tx] + m4[tx] + m8[tx], d1 = -m1[tx] + m5[tx] + m9[tx],
                d2 = -m2[tx] + m6[tx] + m10[tx], d3 = -m3[tx] + m7[tx] + m11[tx];
    const float f0 = -m12[tx], f1 = -m13[tx], f2 = -m14[tx], f3 = -m15[tx];
    // ... then along the columns: window row r, column k at c[(r*4 + k)*tw + tx].
    c0[tx] = a0, c1[tx] = a1 - a2 + a3, c2[tx] = -a0 + a1 + a2, c3[tx] = -a3;
    c4[tx] = b0, c5[tx] = b1 - b2 + b3, c6[tx] = -b0 + b1 + b2, c7[tx] = -b3;
    c8[tx] = d0, c9[tx] = d1 - d2 + d3, c10[tx] = -d0 + d1 + d2, c11[tx] = -d3;
    c12[tx] = f0, c13[tx] = f1 - f2 + f3, c14[tx] = -f0 + f1 + f2, c15[tx] = -f3;
  }
}

// Adds the window contributions c of one tile row onto padded rows (even/odd split, wq wide):
// window column 2tx + k lands on even[tx] (k = 0), odd[tx] (1), even[tx+1] (2), odd[tx+1] (3).
void add_window_row(const float* __restrict c, int64_t tw, float* __restrict even, float* __restrict odd) {
  for (int64_t tx = 0; tx < tw; ++tx) {
    even[tx] += c[tx];
    odd[tx] += c[tw + tx];
  }
  for (int64_t tx = 0; tx < tw; ++tx) {
    even[tx + 1] += c[2 * tw + tx];
    odd[tx + 1] += c[3 * tw + tx];
  }
}

// dx[img, c] += B dV_t Bᵀ added onto each tile's 4x4 input window (images [0, b)); the parts
// of a window that lie in the padding are dropped.
void add_input_gradient(const float* dv, const Plan& p, int64_t b, int64_t ld, float* dx) {
  const int64_t tw = p.tw, wq = tw + 1, hp = 2 * p.th + 2, s = p.c * ld;
  float* pe = row_scratch.get(2 * hp * wq + 16 * tw);  // padded plane gradient, even/odd split
  float* po = pe + hp * wq;
  float* c = po + hp * wq;
  for (int64_t img = 0; img < b; ++img)
    for (int64_t ch = 0; ch < p.c; ++ch) {
      std::fill_n(pe, 2 * hp * wq, 0.0f);
      const float* in = dv + ch * ld + img * p.tiles();
      for (int64_t ty = 0; ty < p.th; ++ty) {
        input_gradient_tile_row(in + ty * tw, s, tw, c);
        for (int r = 0; r < 4; ++r)
          add_window_row(c + 4 * r * tw, tw, pe + (2 * ty + r) * wq, po + (2 * ty + r) * wq);
      }
      float* plane = dx + (img * p.c + ch) * p.h * p.w;
      for (int64_t iy = 0; iy < p.h; ++iy) {  // padded row iy + pad, column q -> input q - pad
        const float* e = pe + (iy + p.pad) * wq;
        const float* od = po + (iy + p.pad) * wq;
        float* out = plane + iy * p.w;
        for (int64_t ix = 0; ix < p.w; ++ix) {
          const int64_t q = ix + p.pad;
          out[ix] += (q & 1) ? od[q >> 1] : e[q >> 1];
        }
      }
    }
}

}  // namespace

// x[N, C, H, W], w[Cout, C, 3, 3] -> y[N, Cout, Ho, Wo]; per chunk of b images (T tiles):
//   V[16][C][T] = Bᵀ d B,  M[ξ] = U[ξ][Cout, C] · V[ξ] for the 16 ξ,  y = Aᵀ M A
Var conv2d_winograd(const Var& x, const Var& w, int64_t pad) {
  const Plan p = make_plan(x->value, w->value, pad);
  Tensor y({p.n, p.cout, p.ho, p.wo});
  float* u = u_scratch.get(16 * p.cout * p.c);
  transform_weights(w->value.data(), p.cout, p.c, u);
  const int64_t in_size = p.c * p.h * p.w, out_size = p.cout * p.ho * p.wo;

  for (int64_t n0 = 0; n0 < p.n; n0 += p.chunk) {
    const int64_t b = std::min(p.chunk, p.n - n0), t = b * p.tiles();
    float* v = v_scratch.get(16 * p.c * t);
    float* m = m_scratch.get(16 * p.cout * t);
    transform_input(x->value.data() + n0 * in_size, p, b, v, t);
    for (int xi = 0; xi < 16; ++xi)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, p.cout, t, p.c, 1.0f,
                  u + xi * p.cout * p.c, p.c, v + xi * p.c * t, t, 0.0f, m + xi * p.cout * t, t);
    transform_output(m, p, b, t, y.data() + n0 * out_size);
  }

  return make_node(std::move(y), {x, w}, [x, w, p](Node& self) {
    const int64_t in_size = p.c * p.h * p.w, out_size = p.cout * p.ho * p.wo;
    const int64_t wsize = 16 * p.cout * p.c;
    float* u = u_scratch.get(wsize);
    transform_weights(w->value.data(), p.cout, p.c, u);
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
        for (int xi = 0; xi < 16; ++xi)
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, p.cout, p.c, t, 1.0f,
                      m + xi * p.cout * t, t, v + xi * p.c * t, t, 1.0f, du + xi * p.cout * p.c, p.c);
      }
      if (dx) {  // dV[ξ][C, T] = U[ξ]ᵀ · dYt[ξ], folded back onto dx
        float* dv = dv_scratch.get(16 * p.c * t);
        for (int xi = 0; xi < 16; ++xi)
          cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, p.c, t, p.cout, 1.0f,
                      u + xi * p.cout * p.c, p.c, m + xi * p.cout * t, t, 0.0f, dv + xi * p.c * t, t);
        add_input_gradient(dv, p, b, t, dx + n0 * in_size);
      }
    }
    if (du) untransform_weight_gradient(du, p.cout, p.c, w->grad_buffer().data());
  });
}

}  // namespace laq::engine
