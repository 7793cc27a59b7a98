#pragma once
// MNIST / Fashion-MNIST reader and the LAQ experiment's preprocessing
// (docs/formats.md §1.1, docs/algorithms.md §3.2). Fashion-MNIST has the same files and goes through
// the same functions.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/image_set.h"
#include "engine/tensor.h"

namespace laq::datasets {

// One split as stored: n images of rows x cols uint8 (image-major, row-major inside an
// image, 0 = background, 255 = ink) and n labels in 0..9.
// One MNIST file pair as the readers return images: channels = 1.
using MnistSplit = ImageSet;

// Reads <dir>/<split>-images-idx3-ubyte[.gz] and <dir>/<split>-labels-idx1-ubyte[.gz],
// split = "train" or "t10k". Uses the uncompressed file if both exist.
// Checks: magic 2051 (images) / 2049 (labels), rows = cols = 28, equal counts,
// labels < 10, plus everything read_idx checks. Throws laq::Error naming the file.
MnistSplit load_mnist_split(const std::filesystem::path& dir, const std::string& split);

// The three sets of the LAQ MNIST experiment, flattened to [N, rows*cols] float32.
struct MnistData {
  engine::Tensor train_x, val_x, test_x;  // [50000, 784], [10000, 784], [10000, 784] on real data
  std::vector<int32_t> train_y, val_y, test_y;
};

// docs/algorithms.md §3.2 (pylearn2 MNIST, center=True), exactly:
//   v = pixel / 255;
//   train = first n_train images of the training file, val = the rest;
//   both are centred with the per-pixel mean of the *whole* training file;
//   test is centred with its own per-pixel mean.
// Means and differences are computed in double, then rounded once to float.
// Requires 0 < n_train < train.n and equal image sizes in train and test.
MnistData preprocess_mnist(const MnistSplit& train, const MnistSplit& test, int64_t n_train);

// load_mnist_split(dir, "train") + ("t10k") + preprocess_mnist(.., train.n - val_size): the
// validation set is the last val_size images of whatever the training file holds.
MnistData load_mnist_experiment(const std::filesystem::path& dir, int64_t val_size = 10000);

}  // namespace laq::datasets
