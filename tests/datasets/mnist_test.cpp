// MNIST reader, the LAQ preprocessing (docs/algorithms.md §3.2), and the real files when present.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>

#include "datasets/mnist.h"
#include "idx_fixtures.h"

namespace laq::test {
namespace {

using datasets::load_mnist_experiment;
using datasets::load_mnist_split;
using datasets::MnistSplit;

// Writes a valid split "<split>-{images,labels}" of n images into dir, raw or gzip.
void write_split(const fs::path& dir, const std::string& split, const std::vector<uint8_t>& labels, bool gz) {
  const auto n = static_cast<uint32_t>(labels.size());
  const auto img = mnist_images(n, pattern_pixels(n));
  const auto lbl = mnist_labels(labels);
  if (gz) {
    write_gz(dir / (split + "-images-idx3-ubyte.gz"), img);
    write_gz(dir / (split + "-labels-idx1-ubyte.gz"), lbl);
  } else {
    write_raw(dir / (split + "-images-idx3-ubyte"), img);
    write_raw(dir / (split + "-labels-idx1-ubyte"), lbl);
  }
}

TEST(Mnist, RoundTripRawAndGzip) {
  for (bool gz : {false, true}) {
    TempDir dir;
    write_split(dir.path(), "train", {5, 0, 4}, gz);
    write_split(dir.path(), "t10k", {7, 2}, gz);
    const MnistSplit tr = load_mnist_split(dir.path(), "train");
    EXPECT_EQ(tr.n, 3);
    EXPECT_EQ(tr.rows, 28);
    EXPECT_EQ(tr.cols, 28);
    EXPECT_EQ(tr.images, pattern_pixels(3));
    EXPECT_EQ(tr.labels, (std::vector<int32_t>{5, 0, 4}));
    const MnistSplit te = load_mnist_split(dir.path(), "t10k");
    EXPECT_EQ(te.n, 2);
    EXPECT_EQ(te.labels, (std::vector<int32_t>{7, 2}));
    // image 1, row 2, col 3 -> pixel index 1*784 + 2*28 + 3
    EXPECT_EQ(tr.images[784 + 59], static_cast<uint8_t>((7 * 1 + 3 * 59) & 255));
  }
}

TEST(Mnist, MixedRawImagesAndGzipLabels) {
  TempDir dir;
  write_raw(dir / "train-images-idx3-ubyte", mnist_images(2, pattern_pixels(2)));
  write_gz(dir / "train-labels-idx1-ubyte.gz", mnist_labels({1, 9}));
  EXPECT_EQ(load_mnist_split(dir.path(), "train").labels, (std::vector<int32_t>{1, 9}));
}

TEST(Mnist, MissingFileNamesDirectoryAndBothCandidates) {
  TempDir dir;
  expect_error([&] { load_mnist_split(dir.path(), "train"); },
               {dir.path().string(), "train-images-idx3-ubyte", "train-images-idx3-ubyte.gz"});
  write_raw(dir / "train-images-idx3-ubyte", mnist_images(2, pattern_pixels(2)));
  expect_error([&] { load_mnist_split(dir.path(), "train"); },
               {dir.path().string(), "train-labels-idx1-ubyte", "train-labels-idx1-ubyte.gz"});
  expect_error([&] { load_mnist_split(dir.path(), "valid"); }, {"\"valid\""});
}

TEST(Mnist, WrongMagic) {
  TempDir dir;
  // Labels file where the images file should be: magic 2049 instead of 2051.
  write_raw(dir / "train-images-idx3-ubyte", mnist_labels({1, 2}));
  write_raw(dir / "train-labels-idx1-ubyte", mnist_labels({1, 2}));
  expect_error([&] { load_mnist_split(dir.path(), "train"); },
               {(dir / "train-images-idx3-ubyte").string(), "wrong magic 2049", "2051"});
  write_raw(dir / "train-images-idx3-ubyte", mnist_images(2, pattern_pixels(2)));
  write_raw(dir / "train-labels-idx1-ubyte", mnist_images(2, pattern_pixels(2)));
  expect_error([&] { load_mnist_split(dir.path(), "train"); },
               {(dir / "train-labels-idx1-ubyte").string(), "wrong magic 2051", "2049"});
}

TEST(Mnist, WrongRowsCols) {
  TempDir dir;
  write_raw(dir / "t10k-images-idx3-ubyte", mnist_images(2, pattern_pixels(2, 28 * 27), 28, 27));
  write_raw(dir / "t10k-labels-idx1-ubyte", mnist_labels({1, 2}));
  expect_error([&] { load_mnist_split(dir.path(), "t10k"); },
               {(dir / "t10k-images-idx3-ubyte").string(), "28 rows x 27 cols", "rows = cols = 28"});
}

TEST(Mnist, CountMismatch) {
  TempDir dir;
  write_raw(dir / "train-images-idx3-ubyte", mnist_images(3, pattern_pixels(3)));
  write_raw(dir / "train-labels-idx1-ubyte", mnist_labels({1, 2}));
  expect_error([&] { load_mnist_split(dir.path(), "train"); },
               {(dir / "train-images-idx3-ubyte").string(), (dir / "train-labels-idx1-ubyte").string(), "3 images",
                "2 labels"});
}

TEST(Mnist, LabelOutOfRange) {
  TempDir dir;
  write_raw(dir / "train-images-idx3-ubyte", mnist_images(3, pattern_pixels(3)));
  write_gz(dir / "train-labels-idx1-ubyte.gz", mnist_labels({1, 10, 2}));
  expect_error([&] { load_mnist_split(dir.path(), "train"); },
               {(dir / "train-labels-idx1-ubyte.gz").string(), "label 10 at index 1", "< 10"});
}

TEST(Mnist, TruncatedAndTrailingImageFiles) {
  TempDir dir;
  auto img = mnist_images(2, pattern_pixels(2));
  write_raw(dir / "train-labels-idx1-ubyte", mnist_labels({1, 2}));
  write_raw(dir / "train-images-idx3-ubyte", std::vector<uint8_t>(img.begin(), img.end() - 1));
  expect_error([&] { load_mnist_split(dir.path(), "train"); },
               {(dir / "train-images-idx3-ubyte").string(), "payload truncated"});
  img.push_back(0);
  img.push_back(0);
  write_raw(dir / "train-images-idx3-ubyte", img);
  expect_error([&] { load_mnist_split(dir.path(), "train"); },
               {(dir / "train-images-idx3-ubyte").string(), "trailing bytes"});
}

// Hand-computed preprocessing: training file of 4 images (3 train + 1 validation), test
// file of 2 images. Only pixels 0 and 1 vary; every other pixel is 0 everywhere.
//   train pixel 0: 0, 255, 255, 0         -> v = 0 1 1 0             mean(v) = 0.5
//   train pixel 1: 51, 102, 153, 204      -> v = .2 .4 .6 .8          mean(v) = 0.5
//   test  pixel 0: 255, 0                  -> mean 0.5 (its own mean, not the train one)
//   test  pixel 1: 255, 255                -> mean 1
TEST(Mnist, PreprocessingMatchesHandComputedValues) {
  MnistSplit train{4, 1, 28, 28, std::vector<uint8_t>(4 * 784, 0), {3, 1, 4, 1}};
  const std::array<uint8_t, 4> p0 = {0, 255, 255, 0}, p1 = {51, 102, 153, 204};
  for (int i = 0; i < 4; ++i) {
    train.images[i * 784 + 0] = p0[i];
    train.images[i * 784 + 1] = p1[i];
  }
  MnistSplit test{2, 1, 28, 28, std::vector<uint8_t>(2 * 784, 0), {5, 9}};
  test.images[0] = 255;
  test.images[784] = 0;
  test.images[1] = 255;
  test.images[785] = 255;

  const auto d = datasets::preprocess_mnist(train, test, 3);
  EXPECT_EQ(d.train_x.shape(), (engine::Shape{3, 784}));
  EXPECT_EQ(d.val_x.shape(), (engine::Shape{1, 784}));
  EXPECT_EQ(d.test_x.shape(), (engine::Shape{2, 784}));
  EXPECT_EQ(d.train_y, (std::vector<int32_t>{3, 1, 4}));
  EXPECT_EQ(d.val_y, (std::vector<int32_t>{1}));
  EXPECT_EQ(d.test_y, (std::vector<int32_t>{5, 9}));

  // Pixel 0: exact binary values, so exact equality.
  EXPECT_EQ(d.train_x[0 * 784], -0.5f);
  EXPECT_EQ(d.train_x[1 * 784], 0.5f);
  EXPECT_EQ(d.train_x[2 * 784], 0.5f);
  EXPECT_EQ(d.val_x[0], -0.5f);  // validation uses the whole-file mean (0.5), not its own (0)
  EXPECT_EQ(d.test_x[0], 0.5f);  // test uses its own mean 0.5
  EXPECT_EQ(d.test_x[784], -0.5f);
  EXPECT_EQ(d.test_x[1], 0.0f);  // own mean 1: 1 - 1
  EXPECT_EQ(d.test_x[785], 0.0f);
  // Pixel 1: k*51/255 - 0.5 computed in double, rounded once to float.
  const std::array<double, 4> v1 = {0.2, 0.4, 0.6, 0.8};
  for (int i = 0; i < 3; ++i) EXPECT_FLOAT_EQ(d.train_x[i * 784 + 1], static_cast<float>(v1[i] - 0.5)) << i;
  EXPECT_FLOAT_EQ(d.val_x[1], 0.3f);
  EXPECT_EQ(d.train_x[1], static_cast<float>(51.0 / 255.0 - 510.0 / (255.0 * 4)));
  // All-zero pixels stay exactly 0 everywhere.
  for (int i = 0; i < 3; ++i)
    for (int p = 2; p < 784; ++p) ASSERT_EQ(d.train_x[i * 784 + p], 0.0f);
}

TEST(Mnist, PreprocessingRejectsBadSplitSizes) {
  MnistSplit train{4, 1, 28, 28, std::vector<uint8_t>(4 * 784, 0), {0, 0, 0, 0}};
  MnistSplit test{1, 1, 28, 28, std::vector<uint8_t>(784, 0), {0}};
  expect_error([&] { datasets::preprocess_mnist(train, test, 4); }, {"n_train = 4"});
  expect_error([&] { datasets::preprocess_mnist(train, test, 0); }, {"n_train = 0"});
  MnistSplit odd{1, 1, 28, 27, std::vector<uint8_t>(28 * 27, 0), {0}};
  expect_error([&] { datasets::preprocess_mnist(train, odd, 2); }, {"28x27"});
}

TEST(Mnist, ExperimentFromFilesUsesParameterisedSplit) {
  TempDir dir;
  write_split(dir.path(), "train", {5, 0, 4, 1, 9}, true);
  write_split(dir.path(), "t10k", {7, 2, 1}, false);
  const auto d = load_mnist_experiment(dir.path(), 2);  // the last 2 of 5 validate
  EXPECT_EQ(d.train_x.dim(0), 3);
  EXPECT_EQ(d.val_x.dim(0), 2);
  EXPECT_EQ(d.test_x.dim(0), 3);
  EXPECT_EQ(d.val_y, (std::vector<int32_t>{1, 9}));
  // The split is cut from the file's own count, and refused when it leaves nothing to train on.
  expect_error([&] { load_mnist_experiment(dir.path(), 5); }, {"validation size 5", "(0, 5)"});
  expect_error([&] { load_mnist_experiment(dir.path(), 0); }, {"validation size 0"});
  // Columns of train+val together sum to ~0 (centred with the whole-file mean).
  for (int p : {0, 100, 783}) {
    double s = 0;
    for (int i = 0; i < 3; ++i) s += d.train_x[i * 784 + p];
    for (int i = 0; i < 2; ++i) s += d.val_x[i * 784 + p];
    EXPECT_NEAR(s, 0.0, 1e-6) << p;
  }
}

// ---- Real data -----------------------------------------------------------------------

// $LAQ_MNIST_DIR, else <repo>/data/mnist (tools/get_data.sh mnist); the repo root is
// three levels above this source file.
fs::path real_dir(const char* env, const char* sub) {
  if (const char* e = std::getenv(env); e && *e) return e;
  return fs::path(__FILE__).parent_path().parent_path().parent_path() / "data" / sub;
}

bool has_split(const fs::path& dir, const std::string& s) {
  for (const char* kind : {"-images-idx3-ubyte", "-labels-idx1-ubyte"}) {
    const auto base = dir / (s + kind);
    if (!fs::is_regular_file(base) && !fs::is_regular_file(base.string() + ".gz")) return false;
  }
  return true;
}

std::array<int, 10> class_counts(const std::vector<int32_t>& y) {
  std::array<int, 10> c{};
  for (int32_t v : y) ++c[static_cast<size_t>(v)];
  return c;
}

TEST(MnistRealData, LabelsCountsAndExperimentSplit) {
  const fs::path dir = real_dir("LAQ_MNIST_DIR", "mnist");
  if (!has_split(dir, "train") || !has_split(dir, "t10k"))
    GTEST_SKIP() << "real MNIST not found in " << dir << " (run tools/get_data.sh mnist or set LAQ_MNIST_DIR)";
  const auto t0 = std::chrono::steady_clock::now();
  const auto tr = load_mnist_split(dir, "train");
  const auto te = load_mnist_split(dir, "t10k");
  EXPECT_EQ(tr.n, 60000);
  EXPECT_EQ(te.n, 10000);
  EXPECT_EQ(std::vector<int32_t>(tr.labels.begin(), tr.labels.begin() + 10),
            (std::vector<int32_t>{5, 0, 4, 1, 9, 2, 1, 3, 1, 4}));
  EXPECT_EQ(std::vector<int32_t>(te.labels.begin(), te.labels.begin() + 10),
            (std::vector<int32_t>{7, 2, 1, 0, 4, 1, 4, 9, 5, 9}));
  EXPECT_EQ(class_counts(tr.labels), (std::array<int, 10>{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}));
  EXPECT_EQ(class_counts(te.labels), (std::array<int, 10>{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}));
  uint8_t lo = 255, hi = 0;
  for (uint8_t v : tr.images) lo = std::min(lo, v), hi = std::max(hi, v);
  EXPECT_EQ(lo, 0);
  EXPECT_EQ(hi, 255);

  const auto d = datasets::preprocess_mnist(tr, te, 50000);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(d.train_x.shape(), (engine::Shape{50000, 784}));
  EXPECT_EQ(d.val_x.shape(), (engine::Shape{10000, 784}));
  EXPECT_EQ(d.test_x.shape(), (engine::Shape{10000, 784}));
  EXPECT_EQ(d.val_y[0], tr.labels[50000]);
  // Train+val columns and test columns each sum to ~0; train alone does not in general.
  double worst_trval = 0, worst_test = 0, max_train_only = 0;
  for (int p = 0; p < 784; ++p) {
    double s = 0, st = 0, s_train = 0;
    for (int64_t i = 0; i < 50000; ++i) s_train += d.train_x[i * 784 + p];
    s = s_train;
    for (int64_t i = 0; i < 10000; ++i) s += d.val_x[i * 784 + p];
    for (int64_t i = 0; i < 10000; ++i) st += d.test_x[i * 784 + p];
    worst_trval = std::max(worst_trval, std::abs(s / 60000));
    worst_test = std::max(worst_test, std::abs(st / 10000));
    max_train_only = std::max(max_train_only, std::abs(s_train / 50000));
  }
  EXPECT_LT(worst_trval, 1e-7);
  EXPECT_LT(worst_test, 1e-7);
  EXPECT_GT(max_train_only, 1e-4);
  std::printf("[ real MNIST ] %s: load + preprocess %.2f s; max |column mean| train+val %.2g, test %.2g, train-only %.2g\n",
              dir.string().c_str(), secs, worst_trval, worst_test, max_train_only);
}

TEST(MnistRealData, FashionMnistThroughTheSameReader) {
  const fs::path dir = real_dir("LAQ_FASHION_MNIST_DIR", "fashion-mnist");
  if (!has_split(dir, "train") || !has_split(dir, "t10k"))
    GTEST_SKIP() << "Fashion-MNIST not found in " << dir
                 << " (run tools/get_data.sh fashion-mnist or set LAQ_FASHION_MNIST_DIR)";
  const auto tr = load_mnist_split(dir, "train");
  const auto te = load_mnist_split(dir, "t10k");
  EXPECT_EQ(tr.n, 60000);
  EXPECT_EQ(te.n, 10000);
  EXPECT_EQ(std::vector<int32_t>(tr.labels.begin(), tr.labels.begin() + 10),
            (std::vector<int32_t>{9, 0, 0, 3, 0, 2, 7, 2, 5, 5}));
  std::array<int, 10> c6000, c1000;
  c6000.fill(6000);
  c1000.fill(1000);
  EXPECT_EQ(class_counts(tr.labels), c6000);
  EXPECT_EQ(class_counts(te.labels), c1000);
}

}  // namespace
}  // namespace laq::test
