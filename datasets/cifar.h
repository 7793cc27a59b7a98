#pragma once
// CIFAR-10 / CIFAR-100 binary-version readers and the LAQ experiment's data
// (docs/formats.md §1.2-1.3, docs/algorithms.md §3.3-3.4).
//
// Files: fixed-size records, no header.
//   CIFAR-10   data_batch_1.bin .. data_batch_5.bin (train), test_batch.bin (test);
//              record = 3073 bytes: <label 0..9><3072 pixels>
//   CIFAR-100  train.bin, test.bin;
//              record = 3074 bytes: <coarse 0..19><fine 0..99><3072 pixels>
// Pixels are planar (1024 R, 1024 G, 1024 B, each 32x32 row-major), so an image is a
// straight copy into N x 3 x 32 x 32.
//
// Record counts: any whole, non-zero number of records per file is accepted (the real
// files hold exactly 10,000 / 50,000 / 10,000; small files serve as fixtures and
// subsets). What is checked: the file exists and is non-empty, its size is a multiple of
// the record size (otherwise the error names the file and the byte offset where the
// truncated last record starts), and every label is in range (the error names the
// file, the record index and its byte offset). Nothing is allocated beyond the file's
// size. Experiment loaders then check the counts they need (val_size < total).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/image_set.h"
#include "engine/tensor.h"

namespace laq::datasets {

// split = "train" (the five data batches, in order 1..5) or "test".
ImageSet load_cifar10(const std::filesystem::path& dir, const std::string& split);

enum class Cifar100Label { fine,
                           coarse };
// split = "train" or "test"; labels are the fine (default, 0..99) or coarse (0..19) ones.
ImageSet load_cifar100(const std::filesystem::path& dir, const std::string& split,
                       Cifar100Label label = Cifar100Label::fine);

// The three sets of a LAQ CIFAR experiment as float32 [N, 3, 32, 32].
struct CifarData {
  engine::Tensor train_x, val_x, test_x;  // [45000, ..], [5000, ..], [10000, ..] on real data
  std::vector<int32_t> train_y, val_y, test_y;
  bool zca_cache_hit = false;
};

struct CifarOptions {
  int64_t val_size = 5000;          // val = the last val_size images of the training file, train = the rest
  double gcn_scale = 55.0;          // pylearn2 GlobalContrastNormalization(scale=55.)
  double zca_filter_bias = 0.1;     // pylearn2 ZCA() default
  std::filesystem::path zca_cache;  // empty: no cache (always fit)
};

// docs/algorithms.md §3.3, pylearn2 make_cifar10_gcn_whitened.py:
//   every image (train and test): GCN with scale 55 (use_std false, sqrt_bias 0,
//   min_divisor 1e-8) over its 3072 raw 0..255 values;
//   ZCA fitted on *all* training images (train + validation), applied to all three sets;
//   then val = the last val_size training images, train = the ones before, test = the test file
//   (45,000 / 5,000 / 10,000 on the real files; the counts come from the files).
// Requires 0 < val_size < train.n and 3 x 32 x 32 images in both sets.
CifarData preprocess_cifar(const ImageSet& train, const ImageSet& test, const CifarOptions& options = {});

CifarData load_cifar10_experiment(const std::filesystem::path& dir, const CifarOptions& options = {});
CifarData load_cifar100_experiment(const std::filesystem::path& dir, const CifarOptions& options = {},
                                   Cifar100Label label = Cifar100Label::fine);

}  // namespace laq::datasets
