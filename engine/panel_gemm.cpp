#include "engine/panel_gemm.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/error.h"
#include "engine/packed_matmul.h"

namespace laq::engine {

PanelMatrix::PanelMatrix(const float* b, int64_t k, int64_t n, int64_t ldb, bool transposed) : k_(k), n_(n) {
  if (k < 1 || n < 1 || ldb < (transposed ? k : n))
    throw Error("PanelMatrix: bad shape [" + std::to_string(k) + ", " + std::to_string(n) + "] with ldb " +
                std::to_string(ldb));
  const size_t floats = static_cast<size_t>(panels() * k * kWidth);  // a multiple of 16: whole cache lines
  data_.reset(static_cast<float*>(std::aligned_alloc(64, floats * sizeof(float))));
  if (!data_) throw Error("PanelMatrix: out of memory for " + std::to_string(floats) + " floats");
  std::fill(data_.get(), data_.get() + floats, 0.0f);
  for (int64_t p = 0; p < panels(); ++p) {
    float* out = data_.get() + p * k * kWidth;
    const int64_t c0 = p * kWidth, width = std::min(kWidth, n - c0);
    for (int64_t kk = 0; kk < k; ++kk)
      for (int64_t c = 0; c < width; ++c)
        out[kk * kWidth + c] = transposed ? b[(c0 + c) * ldb + kk] : b[kk * ldb + c0 + c];
  }
}

void panel_gemm_reference(int64_t m, const float* a, int64_t lda, const PanelMatrix& b, float* c, int64_t ldc) {
  const int64_t k = b.k(), n = b.n();
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const float* col = b.panel(j / PanelMatrix::kWidth) + j % PanelMatrix::kWidth;
      float acc = 0.0f;
      for (int64_t kk = 0; kk < k; ++kk) acc = std::fma(a[i * lda + kk], col[kk * PanelMatrix::kWidth], acc);
      c[i * ldc + j] += acc;
    }
}

void panel_gemm(int64_t m, const float* a, int64_t lda, const PanelMatrix& b, float* c, int64_t ldc) {
  if (m < 0 || lda < b.k() || ldc < b.n())
    throw Error("panel_gemm: " + std::to_string(m) + " rows with lda " + std::to_string(lda) + ", ldc " +
                std::to_string(ldc) + " for B [" + std::to_string(b.k()) + ", " + std::to_string(b.n()) + "]");
  if (kernel_path_supported(KernelPath::avx512) && detail::panel_gemm_avx512(m, a, lda, b, c, ldc)) return;
  panel_gemm_reference(m, a, lda, b, c, ldc);
}

}  // namespace laq::engine
