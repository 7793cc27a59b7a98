#include "datasets/mnist.h"

#include <cstring>
#include <system_error>

#include "datasets/idx.h"
#include "engine/error.h"

namespace laq::datasets {

namespace {

constexpr uint32_t kImagesMagic = 2051;  // 0x00000803: uint8, 3 dims
constexpr uint32_t kLabelsMagic = 2049;  // 0x00000801: uint8, 1 dim
constexpr int64_t kSide = 28;
constexpr int kClasses = 10;

std::filesystem::path find_file(const std::filesystem::path& dir, const std::string& name) {
  std::error_code ec;
  const auto plain = dir / name;
  const auto gz = dir / (name + ".gz");
  if (std::filesystem::is_regular_file(plain, ec)) return plain;
  if (std::filesystem::is_regular_file(gz, ec)) return gz;
  throw Error("MNIST directory " + dir.string() + ": neither " + name + " nor " + name + ".gz exists" +
              (std::filesystem::is_directory(dir, ec) ? "" : " (the directory itself does not exist)"));
}

void check_magic(const IdxArray& a, uint32_t expected, const std::string& file, const char* what) {
  if (a.magic != expected)
    throw Error(file + ": wrong magic " + std::to_string(a.magic) + " for an MNIST " + what + " file, expected " +
                std::to_string(expected));
}

}  // namespace

MnistSplit load_mnist_split(const std::filesystem::path& dir, const std::string& split) {
  if (split != "train" && split != "t10k")
    throw Error("load_mnist_split: split must be \"train\" or \"t10k\", got \"" + split + "\"");
  const auto img_path = find_file(dir, split + "-images-idx3-ubyte");
  const auto lbl_path = find_file(dir, split + "-labels-idx1-ubyte");
  const std::string img_file = img_path.string(), lbl_file = lbl_path.string();

  IdxArray img = read_idx(img_path);
  check_magic(img, kImagesMagic, img_file, "images");
  if (img.dims[1] != kSide || img.dims[2] != kSide)
    throw Error(img_file + ": images are " + std::to_string(img.dims[1]) + " rows x " + std::to_string(img.dims[2]) +
                " cols, expected rows = cols = 28");
  IdxArray lbl = read_idx(lbl_path);
  check_magic(lbl, kLabelsMagic, lbl_file, "labels");
  if (img.dims[0] != lbl.dims[0])
    throw Error(img_file + " has " + std::to_string(img.dims[0]) + " images but " + lbl_file + " has " +
                std::to_string(lbl.dims[0]) + " labels: counts must be equal");

  MnistSplit out;
  out.n = img.dims[0];
  out.channels = 1;
  out.rows = img.dims[1];
  out.cols = img.dims[2];
  out.images = std::move(img.bytes);
  out.labels.resize(static_cast<std::size_t>(out.n));
  for (int64_t i = 0; i < out.n; ++i) {
    const uint8_t v = lbl.bytes[static_cast<std::size_t>(i)];
    if (v >= kClasses)
      throw Error(lbl_file + ": label " + std::to_string(v) + " at index " + std::to_string(i) +
                  " is out of range (labels must be < 10)");
    out.labels[static_cast<std::size_t>(i)] = v;
  }
  return out;
}

namespace {

// Per-pixel mean of v = pixel/255 over images [0, n), in double.
std::vector<double> pixel_mean(const MnistSplit& s) {
  const std::size_t d = static_cast<std::size_t>(s.rows * s.cols);
  std::vector<uint64_t> sums(d, 0);  // exact integer sums, then one division
  for (int64_t i = 0; i < s.n; ++i) {
    const uint8_t* img = s.images.data() + static_cast<std::size_t>(i) * d;
    for (std::size_t p = 0; p < d; ++p) sums[p] += img[p];
  }
  std::vector<double> mean(d);
  for (std::size_t p = 0; p < d; ++p) mean[p] = static_cast<double>(sums[p]) / (255.0 * static_cast<double>(s.n));  // one rounding
  return mean;
}

// Rows [begin, end) of s as (pixel/255 - mean), rounded to float.
engine::Tensor centred(const MnistSplit& s, int64_t begin, int64_t end, const std::vector<double>& mean) {
  const int64_t d = s.rows * s.cols;
  engine::Tensor t({end - begin, d});
  float* out = t.data();
  for (int64_t i = begin; i < end; ++i) {
    const uint8_t* img = s.images.data() + i * d;
    for (int64_t p = 0; p < d; ++p)
      *out++ = static_cast<float>(static_cast<double>(img[p]) / 255.0 - mean[static_cast<std::size_t>(p)]);
  }
  return t;
}

void check_consistent(const MnistSplit& s, const char* what) {
  if (s.n <= 0 || s.rows <= 0 || s.cols <= 0 ||
      s.channels != 1 || s.images.size() != static_cast<std::size_t>(s.n * s.image_size()) ||
      s.labels.size() != static_cast<std::size_t>(s.n))
    throw Error(std::string("preprocess_mnist: the ") + what + " split is empty or inconsistent (n=" +
                std::to_string(s.n) + ", " + std::to_string(s.rows) + "x" + std::to_string(s.cols) + ", " +
                std::to_string(s.images.size()) + " pixels, " + std::to_string(s.labels.size()) + " labels)");
}

}  // namespace

MnistData preprocess_mnist(const MnistSplit& train, const MnistSplit& test, int64_t n_train) {
  check_consistent(train, "training");
  check_consistent(test, "test");
  if (train.rows != test.rows || train.cols != test.cols)
    throw Error("preprocess_mnist: training images are " + std::to_string(train.rows) + "x" +
                std::to_string(train.cols) + " but test images are " + std::to_string(test.rows) + "x" +
                std::to_string(test.cols));
  if (n_train <= 0 || n_train >= train.n)
    throw Error("preprocess_mnist: n_train = " + std::to_string(n_train) + " must be in (0, " +
                std::to_string(train.n) + ") so that train and validation are both non-empty");

  const std::vector<double> train_mean = pixel_mean(train);  // over the whole training file
  const std::vector<double> test_mean = pixel_mean(test);    // the test set's own mean

  MnistData out;
  out.train_x = centred(train, 0, n_train, train_mean);
  out.val_x = centred(train, n_train, train.n, train_mean);
  out.test_x = centred(test, 0, test.n, test_mean);
  out.train_y.assign(train.labels.begin(), train.labels.begin() + n_train);
  out.val_y.assign(train.labels.begin() + n_train, train.labels.end());
  out.test_y = test.labels;
  return out;
}

MnistData load_mnist_experiment(const std::filesystem::path& dir, int64_t val_size) {
  const MnistSplit train = load_mnist_split(dir, "train");
  const MnistSplit test = load_mnist_split(dir, "t10k");
  if (val_size <= 0 || val_size >= train.n)
    throw Error("load_mnist_experiment: validation size " + std::to_string(val_size) + " must be in (0, " +
                std::to_string(train.n) + "), the images of " + dir.string() + "'s training file");
  return preprocess_mnist(train, test, train.n - val_size);
}

}  // namespace laq::datasets
