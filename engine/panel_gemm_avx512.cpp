// AVX-512 body of panel_gemm (engine/panel_gemm.h): a block of up to 6 rows of A against one
// 64-column panel keeps 24 accumulators in registers; each step over k loads the panel's four
// vectors once and broadcasts one element of each row. The panel (k x 256 bytes, 128 KB at
// k = 512) stays in L2 while the row blocks pass over it; a prefetch 8 rows ahead hides L2's
// latency (the LSTM step 337 -> 325 ms). Cutting k into 32 KB pieces that stay in L1 gained
// nothing measurable beyond that.
#include "engine/panel_gemm.h"

#if defined(__x86_64__)
#include <immintrin.h>

// GCC 12's AVX-512 intrinsics fill their unused source operand with _mm512_undefined_ps(),
// which -Wuninitialized flags (inside the header) whenever they are inlined into a function
// compiled with a target attribute rather than -mavx512f. Nothing here reads such a value.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#define LAQ_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma")))

namespace laq::engine::detail {
namespace {

constexpr int64_t kW = PanelMatrix::kWidth;

// Rows [0, R) of a against one panel; masks[v] selects the columns of vector v that exist.
template <int R>
LAQ_AVX512 void block(const float* a, int64_t lda, const float* panel, int64_t k, float* c, int64_t ldc,
                      const __mmask16 masks[4]) {
  __m512 acc[R][4];
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < 4; ++v) acc[r][v] = _mm512_setzero_ps();
  for (int64_t kk = 0; kk < k; ++kk) {
    const float* bk = panel + kk * kW;
#pragma GCC unroll 4
    for (int line = 0; line < 4; ++line) _mm_prefetch(reinterpret_cast<const char*>(bk + 8 * kW + 16 * line), _MM_HINT_T0);
    const __m512 b0 = _mm512_loadu_ps(bk), b1 = _mm512_loadu_ps(bk + 16), b2 = _mm512_loadu_ps(bk + 32),
                 b3 = _mm512_loadu_ps(bk + 48);
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) {
      const __m512 x = _mm512_set1_ps(a[r * lda + kk]);
      acc[r][0] = _mm512_fmadd_ps(x, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(x, b1, acc[r][1]);
      acc[r][2] = _mm512_fmadd_ps(x, b2, acc[r][2]);
      acc[r][3] = _mm512_fmadd_ps(x, b3, acc[r][3]);
    }
  }
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < 4; ++v) {
      float* out = c + r * ldc + v * 16;
      _mm512_mask_storeu_ps(out, masks[v], _mm512_add_ps(_mm512_maskz_loadu_ps(masks[v], out), acc[r][v]));
    }
}

}  // namespace

LAQ_AVX512 bool panel_gemm_avx512(int64_t m, const float* a, int64_t lda, const PanelMatrix& b, float* c,
                                  int64_t ldc) {
  const int64_t k = b.k(), n = b.n();
  for (int64_t p = 0; p < b.panels(); ++p) {
    __mmask16 masks[4];
    for (int v = 0; v < 4; ++v) {
      const int64_t left = n - p * kW - v * 16;
      masks[v] = left >= 16 ? __mmask16(0xFFFF) : left <= 0 ? __mmask16(0)
                                                            : __mmask16((1u << left) - 1);
    }
    const float* panel = b.panel(p);
    float* cp = c + p * kW;
    int64_t i = 0;
    for (; i + 6 <= m; i += 6) block<6>(a + i * lda, lda, panel, k, cp + i * ldc, ldc, masks);
    switch (m - i) {
      case 5: block<5>(a + i * lda, lda, panel, k, cp + i * ldc, ldc, masks); break;
      case 4: block<4>(a + i * lda, lda, panel, k, cp + i * ldc, ldc, masks); break;
      case 3: block<3>(a + i * lda, lda, panel, k, cp + i * ldc, ldc, masks); break;
      case 2: block<2>(a + i * lda, lda, panel, k, cp + i * ldc, ldc, masks); break;
      case 1: block<1>(a + i * lda, lda, panel, k, cp + i * ldc, ldc, masks); break;
      default: break;
    }
  }
  return true;
}

}  // namespace laq::engine::detail

#else

namespace laq::engine::detail {
bool panel_gemm_avx512(int64_t, const float*, int64_t, const PanelMatrix&, float*, int64_t) { return false; }
}  // namespace laq::engine::detail

#endif
