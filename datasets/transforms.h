#pragma once
// Image preprocessing of the LAQ convolutional experiments (docs/algorithms.md §3.3-3.5, §6.20),
// each a faithful port of the pylearn2 code the experiments used:
//
//   CIFAR-10/100  global contrast normalisation (scale 55) then ZCA whitening fitted on
//                 all 50,000 training images (pylearn2 make_cifar10_gcn_whitened.py);
//   SVHN          global contrast normalisation (scale 1) then LeCun local contrast
//                 normalisation, kernel 7 (pylearn2 scripts/papers/maxout/svhn_preprocessing.py).
//
// All functions work in place on float32 rows (one image per row, planar C x H x W), do
// their arithmetic in double and round once to float. None prints; bad arguments throw
// laq::Error.
#include <cstdint>
#include <filesystem>
#include <vector>

#include "datasets/image_set.h"
#include "engine/tensor.h"

namespace laq::datasets {

// uint8 images -> float32 tensor [n, C, H, W] with the raw 0..255 values (pylearn2 keeps
// CIFAR and SVHN pixels unscaled before GCN, which is scale-invariant anyway).
engine::Tensor to_float(const ImageSet& set);
engine::Tensor to_float(const ImageSet& set, const std::vector<int64_t>& rows);  // a subset, in that order

// ---------------------------------------------------------------------------------------
// Global contrast normalisation, pylearn2.expr.preprocessing.global_contrast_normalize:
//   x <- x - mean(x)                                     (if subtract_mean)
//   s  = sqrt(sqrt_bias + var(x, ddof=1)) / scale         (if use_std)
//      = sqrt(sqrt_bias + sum(x^2)) / scale               (otherwise)
//   if s < min_divisor: s = 1                              (the check is on s, after /scale)
//   x <- x / s
// over each row of `dim` values. Defaults are pylearn2's (scale 1, use_std false,
// sqrt_bias 0, min_divisor 1e-8): the SVHN setting; CIFAR uses scale = 55.
struct GcnOptions {
  double scale = 1.0;
  bool subtract_mean = true;
  bool use_std = false;
  double sqrt_bias = 0.0;
  double min_divisor = 1e-8;
};
void global_contrast_normalize(float* x, int64_t n, int64_t dim, const GcnOptions& options = {});
void global_contrast_normalize(engine::Tensor& x, const GcnOptions& options = {});  // rows = dim 0

// ---------------------------------------------------------------------------------------
// ZCA whitening, pylearn2.datasets.preprocessing.ZCA (n_components = None):
//   mean  = column means of X (n x dim)
//   C     = (X - mean)^T (X - mean) / n                      (biased, as pylearn2)
//   C + filter_bias * I = U diag(e) U^T                         (LAPACK dsyevd)
//   P     = U diag(1 / sqrt(e)) U^T
//   apply: x <- (x - mean) P
// The fit runs in double (covariance by blocked cblas_dsyrk), P is kept in float32.
struct Zca {
  int64_t dim = 0;
  double filter_bias = 0.1;
  std::vector<float> mean;  // dim
  std::vector<float> P;     // dim x dim, symmetric
};
Zca fit_zca(const float* x, int64_t n, int64_t dim, double filter_bias = 0.1);
void apply_zca(const Zca& zca, float* x, int64_t n);  // in place, blocked cblas_sgemm
void apply_zca(const Zca& zca, engine::Tensor& x);

// A 64-bit fingerprint of n x dim floats (every bit of every value, plus n and dim): the
// identity of a fit's inputs for the cache below. About 1 s per GB.
uint64_t fingerprint(const float* x, int64_t n, int64_t dim);

// fit_zca with a cache file, because the real fit (3072 x 3072 on 50,000 images) takes
// tens of seconds to minutes. The file (little-endian):
//   offset 0   8 bytes  magic "LAQZCA1\n"
//   8          u64      dim
//   16         u64      n (rows of the fitted data)
//   24         f64      filter_bias
//   32         u64      fingerprint(x, n, dim) of the fitted data
//   40         f32[dim] mean, then f32[dim*dim] P
//   end - 8    u64      fingerprint of the 40 header bytes + payload (corruption check)
// A file whose key (dim, n, filter_bias, input fingerprint) matches is used as is; a file
// with another key is refitted and replaced (written to <path>.tmp, then renamed); a
// file that is not a ZCA cache (magic) or is damaged (size, checksum) is an error naming
// the file and the field, and is left alone. *hit (if given) says which happened.
Zca fit_zca_cached(const float* x, int64_t n, int64_t dim, double filter_bias, const std::filesystem::path& cache,
                   bool* hit = nullptr);
void save_zca(const std::filesystem::path& path, const Zca& zca, int64_t n, uint64_t input_fingerprint);

// ---------------------------------------------------------------------------------------
// LeCun local contrast normalisation, pylearn2.datasets.preprocessing.LeCunLCN with
// lecun_lcn(), applied to each channel independently (LeCunLCN's default channels =
// [0, 1, 2], each normalised as its own one-channel image), per image:
//   G          = kernel x kernel Gaussian, sigma 2, centred at floor(kernel/2), / sum
//   mean_map   = G * x                    ('same' size, zero padding; G is symmetric so
//                                          convolution = correlation)
//   centred    = x - mean_map
//   denom      = sqrt(G * (x^2))          (pylearn2 squares the *uncentred* x)
//   divisor    = max(mean(denom over the image), denom), then max(divisor, threshold)
//   x         <- centred / divisor
// It has no fitted state: "fitting on the training set" is a no-op in pylearn2.
struct LcnOptions {
  int kernel_size = 7;  // odd
  double sigma = 2.0;
  double threshold = 1e-4;
};
std::vector<double> gaussian_kernel(int kernel_size, double sigma = 2.0);  // row-major, sums to 1
void lecun_lcn(float* x, int64_t n, int64_t channels, int64_t rows, int64_t cols, const LcnOptions& options = {});
void lecun_lcn(engine::Tensor& x, const LcnOptions& options = {});  // x is [n, C, H, W]

}  // namespace laq::datasets
