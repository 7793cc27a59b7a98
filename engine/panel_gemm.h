#pragma once
// C[m, n] += A[m, k] · B for a B that many products share: an LSTM's recurrent weights, used
// by every time step of the forward pass (h_{t-1} · W_h) and of the backward pass (dz_t · W_hᵀ).
// OpenBLAS packs its operands on every call, so a [50, 512] x [512, 2048] product per step and
// batch slice re-packed all 4 MB of W_h each time: 22% of the char-LSTM training step went to
// sgemm_itcopy and sgemm_incopy (perf, 2026-12-04). Here B is cut into panels of 64 columns
// once, and each product streams them.
//
// Every output element is the sum over k in order, one fused multiply-add per term, added to
// C at the end; so a row's result does not depend on which other rows are in the same call.
// Without AVX-512 the product is a plain loop with the same order (panel_gemm_reference).
#include <cstdint>
#include <cstdlib>
#include <memory>

namespace laq::engine {

class PanelMatrix {
 public:
  static constexpr int64_t kWidth = 64;  // columns per panel: four 16-float vectors

  // B = b ([k, n] row-major, row stride ldb) or, with `transposed`, B = bᵀ for b [n, k].
  PanelMatrix(const float* b, int64_t k, int64_t n, int64_t ldb, bool transposed);
  int64_t k() const { return k_; }
  int64_t n() const { return n_; }
  int64_t panels() const { return (n_ + kWidth - 1) / kWidth; }
  // Panel p: k rows of kWidth floats, B[kk][p * kWidth + c] at kk * kWidth + c; columns past n are 0.
  const float* panel(int64_t p) const { return data_.get() + p * k_ * kWidth; }

 private:
  // 64-byte aligned, so that no vector load of a panel row straddles two cache lines.
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  int64_t k_, n_;
  std::unique_ptr<float[], Free> data_;
};

// C[m, n] += A[m, k] · B (A, C row-major with strides lda, ldc); one thread.
void panel_gemm(int64_t m, const float* a, int64_t lda, const PanelMatrix& b, float* c, int64_t ldc);

// The same sums as plain loops: the twin the fast path is tested against.
void panel_gemm_reference(int64_t m, const float* a, int64_t lda, const PanelMatrix& b, float* c, int64_t ldc);

namespace detail {
bool panel_gemm_avx512(int64_t m, const float* a, int64_t lda, const PanelMatrix& b, float* c, int64_t ldc);
}  // namespace detail

}  // namespace laq::engine
