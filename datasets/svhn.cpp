#include "datasets/svhn.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "datasets/mat5.h"
#include "datasets/transforms.h"
#include "engine/error.h"
#include "engine/rng.h"

namespace laq::datasets {

namespace {

constexpr int64_t kSide = 32;
constexpr int64_t kChannels = 3;
constexpr int64_t kPixels = kChannels * kSide * kSide;

std::string dims_text(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

// Column-major 32 x 32 x 3 blocks -> planar row-major, in place, one image at a time.
void transpose_images(std::vector<uint8_t>& px, int64_t n) {
  uint8_t tmp[kPixels];
  for (int64_t i = 0; i < n; ++i) {
    uint8_t* img = px.data() + static_cast<std::size_t>(i * kPixels);
    std::memcpy(tmp, img, kPixels);
    for (int64_t ch = 0; ch < kChannels; ++ch)
      for (int64_t r = 0; r < kSide; ++r)
        for (int64_t c = 0; c < kSide; ++c) img[ch * 1024 + r * 32 + c] = tmp[ch * 1024 + c * 32 + r];
  }
}

}  // namespace

ImageSet load_svhn(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::vector<MatVariable> vars = read_mat5(path, {"X", "y"});
  MatVariable* x = nullptr;
  MatVariable* y = nullptr;
  for (auto& v : vars) (v.name == "X" ? x : y) = &v;
  if (!x) throw Error(file + ": no variable named 'X' (the SVHN images)");
  if (!y) throw Error(file + ": no variable named 'y' (the SVHN labels)");

  if (x->mx_class != mx_uint8 || x->storage != mi_uint8)
    throw Error(file + ": variable 'X': class " + mat_class_name(x->mx_class) + " stored as " +
                mat_type_name(x->storage) + ", expected mxUINT8 stored as miUINT8");
  if (x->dims.size() != 4 || x->dims[0] != kSide || x->dims[1] != kSide || x->dims[2] != kChannels)
    throw Error(file + ": variable 'X': dims " + dims_text(x->dims) + ", expected [32, 32, 3, N]");
  const int64_t n = x->dims[3];
  if (y->dims.size() != 2 || y->dims[1] != 1)
    throw Error(file + ": variable 'y': dims " + dims_text(y->dims) + ", expected [N, 1]");
  if (y->dims[0] != n)
    throw Error(file + ": variable 'y' has " + std::to_string(y->dims[0]) + " labels but 'X' has " + std::to_string(n) +
                " images");

  ImageSet out;
  out.n = n;
  out.channels = kChannels;
  out.rows = kSide;
  out.cols = kSide;
  out.labels.resize(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const double v = y->value(i);
    if (!(v >= 1 && v <= 10) || v != std::floor(v))
      throw Error(file + ": variable 'y': label " + std::to_string(v) + " at index " + std::to_string(i) +
                  " is not an integer in 1..10");
    out.labels[static_cast<std::size_t>(i)] = static_cast<int32_t>(v) % 10;
  }
  out.images = std::move(x->data);
  transpose_images(out.images, n);
  return out;
}

SvhnSplit split_svhn(const std::vector<int32_t>& train_labels, const std::vector<int32_t>& extra_labels,
                     const SvhnSplitOptions& o) {
  if (o.valid_per_class_train < 0 || o.valid_per_class_extra < 0)
    throw Error("split_svhn: validation counts per class must be >= 0");
  engine::Rng rng(o.seed);
  SvhnSplit out;
  auto pick = [&rng](const std::vector<int32_t>& labels, int64_t k, const char* source, std::vector<int64_t>& valid,
                     std::vector<int64_t>& rest) {
    std::vector<char> chosen(labels.size(), 0);
    for (int32_t cls = 0; cls < 10; ++cls) {
      std::vector<int64_t> idx;
      for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] == cls) idx.push_back(static_cast<int64_t>(i));
      if (static_cast<int64_t>(idx.size()) < k)
        throw Error(std::string("split_svhn: class ") + std::to_string(cls) + " has " + std::to_string(idx.size()) +
                    " images in " + source + ", fewer than the " + std::to_string(k) + " the validation set takes");
      for (std::size_t i = idx.size(); i-- > 1;) std::swap(idx[i], idx[engine::uniform_below(rng, i + 1)]);
      for (int64_t j = 0; j < k; ++j) chosen[static_cast<std::size_t>(idx[static_cast<std::size_t>(j)])] = 1;
    }
    for (std::size_t i = 0; i < labels.size(); ++i) (chosen[i] ? valid : rest).push_back(static_cast<int64_t>(i));
  };
  pick(train_labels, o.valid_per_class_train, "train", out.valid_from_train, out.train_from_train);
  pick(extra_labels, o.valid_per_class_extra, "extra", out.valid_from_extra, out.train_from_extra);
  return out;
}

void preprocess_svhn_images(engine::Tensor& x) {
  if (x.rank() != 4 || x.dim(1) != kChannels || x.dim(2) != kSide || x.dim(3) != kSide)
    throw Error("preprocess_svhn_images: expected [N, 3, 32, 32], got " + engine::to_string(x.shape()));
  global_contrast_normalize(x, GcnOptions{});  // scale 1
  lecun_lcn(x, LcnOptions{});                  // kernel 7
}

namespace {

// Rows of two image sets, a's then b's, as one float tensor.
engine::Tensor gather(const ImageSet& a, const std::vector<int64_t>& ia, const ImageSet& b,
                      const std::vector<int64_t>& ib, std::vector<int32_t>& labels) {
  engine::Tensor t({static_cast<int64_t>(ia.size() + ib.size()), kChannels, kSide, kSide});
  float* out = t.data();
  labels.clear();
  for (auto [set, idx] : {std::pair{&a, &ia}, std::pair{&b, &ib}})
    for (int64_t i : *idx) {
      const uint8_t* src = set->image(i);
      for (int64_t p = 0; p < kPixels; ++p) *out++ = static_cast<float>(src[p]);
      labels.push_back(set->labels[static_cast<std::size_t>(i)]);
    }
  return t;
}

}  // namespace

SvhnData load_svhn_experiment(const std::filesystem::path& dir, const SvhnSplitOptions& o) {
  SvhnData out;
  {
    const ImageSet train = load_svhn(dir / "train_32x32.mat");
    const ImageSet extra = load_svhn(dir / "extra_32x32.mat");
    const SvhnSplit s = split_svhn(train.labels, extra.labels, o);
    out.train_x = gather(train, s.train_from_train, extra, s.train_from_extra, out.train_y);
    out.val_x = gather(train, s.valid_from_train, extra, s.valid_from_extra, out.val_y);
  }
  const ImageSet test = load_svhn(dir / "test_32x32.mat");
  out.test_x = to_float(test);
  out.test_y = test.labels;
  preprocess_svhn_images(out.train_x);
  preprocess_svhn_images(out.val_x);
  preprocess_svhn_images(out.test_x);
  return out;
}

}  // namespace laq::datasets
