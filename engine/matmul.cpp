#include "engine/matmul.h"

#include <cblas.h>

#include "engine/error.h"

namespace laq::engine {
namespace {

struct Dims {
  int64_t n, k, m;
};

Dims product_dims(const Tensor& a, const Tensor& b, bool transpose_b) {
  if (a.rank() != 2 || b.rank() != 2)
    throw Error("matmul: operands must be matrices, got " + to_string(a.shape()) + " and " +
                to_string(b.shape()));
  const int64_t k_b = transpose_b ? b.dim(1) : b.dim(0);
  if (a.dim(1) != k_b)
    throw Error("matmul: inner dimensions differ: " + to_string(a.shape()) + " x " +
                to_string(b.shape()) + (transpose_b ? "ᵀ" : ""));
  return {a.dim(0), a.dim(1), transpose_b ? b.dim(0) : b.dim(1)};
}

}  // namespace

Var matmul(const Var& a, const Var& b, bool transpose_b) {
  // Copies, not structured bindings: clang before 16 cannot capture bindings in lambdas.
  const auto [n_, k_, m_] = product_dims(a->value, b->value, transpose_b);
  const auto n = n_;
  const auto k = k_;
  const auto m = m_;
  Tensor y = Tensor::uninitialized({n, m});
  const CBLAS_TRANSPOSE tb = transpose_b ? CblasTrans : CblasNoTrans;
  const int64_t ldb = transpose_b ? k : m;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, tb, n, m, k, 1.0f, a->value.data(), k, b->value.data(),
              ldb, 0.0f, y.data(), m);

  return make_node(std::move(y), {a, b}, [a, b, n, k, m, transpose_b, ldb](Node& self) {
    const float* dy = self.grad.data();
    if (a->requires_grad) {
      // da[N,K] += dy[N,M] · (b or bᵀ)ᵀ
      cblas_sgemm(CblasRowMajor, CblasNoTrans, transpose_b ? CblasNoTrans : CblasTrans, n, k, m,
                  1.0f, dy, m, b->value.data(), ldb, 1.0f, a->grad_buffer().data(), k);
    }
    if (b->requires_grad) {
      if (transpose_b)  // db[M,K] += dyᵀ · a
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, k, n, 1.0f, dy, m,
                    a->value.data(), k, 1.0f, b->grad_buffer().data(), k);
      else  // db[K,M] += aᵀ · dy
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, m, n, 1.0f, a->value.data(), k,
                    dy, m, 1.0f, b->grad_buffer().data(), m);
    }
  });
}

Tensor matmul_naive(const Tensor& a, const Tensor& b, bool transpose_b) {
  // Copies, not structured bindings: clang before 16 cannot capture bindings in lambdas.
  const auto [n_, k_, m_] = product_dims(a, b, transpose_b);
  const auto n = n_;
  const auto k = k_;
  const auto m = m_;
  Tensor y({n, m});
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < m; ++j) {
      double s = 0;
      for (int64_t p = 0; p < k; ++p)
        s += double(a[i * k + p]) * (transpose_b ? b[j * k + p] : b[p * m + j]);
      y[i * m + j] = static_cast<float>(s);
    }
  return y;
}

}  // namespace laq::engine
