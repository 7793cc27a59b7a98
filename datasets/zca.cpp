#include "datasets/transforms.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "datasets/transform_checks.h"
#include "engine/error.h"

// LAPACK from OpenBLAS (libopenblas exports the Fortran symbols; cblas.h does not declare
// them). Fortran calling convention: everything by pointer, plus the hidden lengths of the
// two character arguments.
extern "C" void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
                        double* work, const int* lwork, int* iwork, const int* liwork, int* info, std::size_t jobz_len,
                        std::size_t uplo_len);

namespace laq::datasets {

using detail::check_rows;
using detail::num;

Zca fit_zca(const float* x, int64_t n, int64_t dim, double filter_bias) {
  check_rows("fit_zca", x, n, dim);
  if (n < 1) throw Error("fit_zca: needs at least one row");
  if (dim > 46340) throw Error("fit_zca: dim " + num(dim) + " is too large for a dense eigendecomposition");
  const std::size_t d = static_cast<std::size_t>(dim);

  std::vector<double> mean(d, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (std::size_t p = 0; p < d; ++p) mean[p] += x[static_cast<std::size_t>(i) * d + p];
  for (double& m : mean) m /= static_cast<double>(n);

  // C = sum over blocks of Xc^T Xc (upper triangle, row-major).
  std::vector<double> cov(d * d, 0.0);
  const int64_t block = std::max<int64_t>(1, std::min<int64_t>(n, (int64_t{32} << 20) / (8 * dim)));  // ~32 MB
  std::vector<double> xc(static_cast<std::size_t>(block) * d);
  for (int64_t b0 = 0; b0 < n; b0 += block) {
    const int64_t rows = std::min(block, n - b0);
    for (int64_t i = 0; i < rows; ++i)
      for (std::size_t p = 0; p < d; ++p)
        xc[static_cast<std::size_t>(i) * d + p] = x[static_cast<std::size_t>(b0 + i) * d + p] - mean[p];
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, static_cast<blasint>(dim), static_cast<blasint>(rows), 1.0,
                xc.data(), static_cast<blasint>(dim), 1.0, cov.data(), static_cast<blasint>(dim));
  }
  xc = {};
  // Row-major upper = column-major lower; hand LAPACK the full symmetric matrix anyway.
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = i; j < d; ++j) {
      const double c = cov[i * d + j] / static_cast<double>(n) + (i == j ? filter_bias : 0.0);
      cov[i * d + j] = c;
      cov[j * d + i] = c;
    }

  // Eigendecomposition (column-major: column k of `cov` becomes eigenvector k).
  const int nn = static_cast<int>(dim);
  std::vector<double> eig(d);
  int info = 0, lwork = -1, liwork = -1, iwork_query = 0;
  double work_query = 0;
  dsyevd_("V", "U", &nn, cov.data(), &nn, eig.data(), &work_query, &lwork, &iwork_query, &liwork, &info, 1, 1);
  if (info != 0) throw Error("fit_zca: dsyevd workspace query failed (info = " + std::to_string(info) + ")");
  lwork = static_cast<int>(work_query);
  liwork = iwork_query;
  std::vector<double> work(static_cast<std::size_t>(std::max(lwork, 1)));
  std::vector<int> iwork(static_cast<std::size_t>(std::max(liwork, 1)));
  dsyevd_("V", "U", &nn, cov.data(), &nn, eig.data(), work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
  if (info != 0) throw Error("fit_zca: dsyevd failed to converge (info = " + std::to_string(info) + ")");
  if (!(eig.front() > 0))
    throw Error("fit_zca: smallest eigenvalue of covariance + filter_bias is " + std::to_string(eig.front()) +
                ", must be > 0 (filter_bias = " + std::to_string(filter_bias) + ")");

  // P = U diag(1/sqrt(e)) U^T = B B^T with B = U diag(e^-1/4) (column-major, column k scaled).
  for (std::size_t k = 0; k < d; ++k) {
    const double s = 1.0 / std::sqrt(std::sqrt(eig[k]));
    for (std::size_t i = 0; i < d; ++i) cov[k * d + i] *= s;
  }
  std::vector<double> p(d * d, 0.0);
  cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, nn, nn, 1.0, cov.data(), nn, 0.0, p.data(), nn);

  Zca z;
  z.dim = dim;
  z.filter_bias = filter_bias;
  z.mean.resize(d);
  for (std::size_t i = 0; i < d; ++i) z.mean[i] = static_cast<float>(mean[i]);
  z.P.resize(d * d);
  for (std::size_t j = 0; j < d; ++j)  // column-major upper: element (i, j), i <= j, at j*d + i
    for (std::size_t i = 0; i <= j; ++i) {
      const float v = static_cast<float>(p[j * d + i]);
      z.P[i * d + j] = v;
      z.P[j * d + i] = v;
    }
  return z;
}

void apply_zca(const Zca& z, float* x, int64_t n) {
  check_rows("apply_zca", x, n, z.dim);
  const std::size_t d = static_cast<std::size_t>(z.dim);
  if (z.mean.size() != d || z.P.size() != d * d) throw Error("apply_zca: the transform is not fitted");
  const int64_t block = std::max<int64_t>(1, std::min<int64_t>(n, 1024));
  std::vector<float> in(static_cast<std::size_t>(block) * d);
  for (int64_t b0 = 0; b0 < n; b0 += block) {
    const int64_t rows = std::min(block, n - b0);
    float* xb = x + static_cast<std::size_t>(b0) * d;
    for (int64_t i = 0; i < rows; ++i)
      for (std::size_t p = 0; p < d; ++p) in[static_cast<std::size_t>(i) * d + p] = xb[static_cast<std::size_t>(i) * d + p] - z.mean[p];
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<blasint>(rows), static_cast<blasint>(d),
                static_cast<blasint>(d), 1.0f, in.data(), static_cast<blasint>(d), z.P.data(), static_cast<blasint>(d),
                0.0f, xb, static_cast<blasint>(d));
  }
}

void apply_zca(const Zca& z, engine::Tensor& x) {
  if (x.rank() < 1 || x.numel() != x.dim(0) * z.dim)
    throw Error("apply_zca: tensor of shape " + engine::to_string(x.shape()) + " does not have rows of " + num(z.dim));
  apply_zca(z, x.data(), x.dim(0));
}

}  // namespace laq::datasets
