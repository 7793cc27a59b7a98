#pragma once
// SVHN format 2 reader (train_32x32.mat, test_32x32.mat, extra_32x32.mat: MAT-file
// Level 5, docs/formats.md §1.4) and the LAQ experiment's split and preprocessing (docs/algorithms.md §3.5).
#include <cstdint>
#include <filesystem>
#include <vector>

#include "datasets/image_set.h"
#include "engine/tensor.h"

namespace laq::datasets {

// Reads variables X and y (by name, in any order; other variables are skipped):
//   X  class mxUINT8, storage miUINT8, dims [32, 32, 3, N] (column-major: X(r, c, ch, n)
//      at byte r + 32c + 1024ch + 3072n), converted to planar N x 3 x 32 x 32:
//      dst[n][ch][r][c] = src[3072n + 1024ch + 32c + r];
//   y  any numeric class and storage (uint8 in the real files, double from a MATLAB save),
//      dims [N, 1], integral values 1..10, mapped 10 -> 0 (digit '0' is label 10).
// Errors name the file and the variable or field (missing X/y, wrong class, dims, count
// mismatch, label out of range) on top of everything read_mat5 checks. The pixels are
// transposed in place, image by image: peak memory is the pixel payload plus 3 KB.
ImageSet load_svhn(const std::filesystem::path& path);

// The validation split of pylearn2's SVHN('valid'): 400 images per class from train and
// 200 per class from extra (6,000 in all on real data); pylearn2's own split script is
// not available, so the choice is ours and fixed by a seed:
//   for each source (train, then extra), for each class 0..9: take the indices of that
//   class in file order, shuffle them with engine::Rng(seed) by Fisher-Yates
//   (for i = m-1 .. 1: swap(p[i], p[uniform_below(rng, i+1)])), one Rng for the whole
//   split, seeded once, consumed train class 0..9 then extra class 0..9), keep the first
//   k, and sort the kept indices back into file order.
//   valid = the chosen train images then the chosen extra images (file order within each);
//   train = the rest of train then the rest of extra (file order).
// A class with fewer than k images is an error.
struct SvhnSplitOptions {
  int64_t valid_per_class_train = 400;
  int64_t valid_per_class_extra = 200;
  uint64_t seed = 322;  // pylearn2's SVHN code seeds numpy.random.RandomState(322)
};
struct SvhnSplit {
  std::vector<int64_t> train_from_train, train_from_extra;  // indices into each file
  std::vector<int64_t> valid_from_train, valid_from_extra;
};
SvhnSplit split_svhn(const std::vector<int32_t>& train_labels, const std::vector<int32_t>& extra_labels,
                     const SvhnSplitOptions& options = {});

// The three sets of the LAQ SVHN experiment as float32 [N, 3, 32, 32].
struct SvhnData {
  engine::Tensor train_x, val_x, test_x;  // [598388, ..], [6000, ..], [26032, ..] on real data
  std::vector<int32_t> train_y, val_y, test_y;
};

// pylearn2 svhn_preprocessing.py: each image GCN (scale 1, pylearn2 defaults) then
// LeCunLCN (kernel 7, per channel); no fitted state.
void preprocess_svhn_images(engine::Tensor& x);  // in place, [N, 3, 32, 32]

// Reads dir/train_32x32.mat, dir/extra_32x32.mat, dir/test_32x32.mat, splits, converts and
// preprocesses. Memory on real data: 1.9 GB of uint8 (train + extra) plus 7.4 GB of float
// for the training tensor.
SvhnData load_svhn_experiment(const std::filesystem::path& dir, const SvhnSplitOptions& options = {});

}  // namespace laq::datasets
