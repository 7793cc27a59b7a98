#include "datasets/cifar.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <system_error>

#include "datasets/transforms.h"
#include "engine/error.h"

namespace laq::datasets {

namespace {

constexpr int64_t kSide = 32;
constexpr int64_t kChannels = 3;
constexpr int64_t kPixels = kChannels * kSide * kSide;  // 3072

// Appends the records of one file to `out`. Each record is `labels` label bytes then 3072
// pixels; the label kept is byte `which`, checked < classes[which].
void read_records(const std::filesystem::path& path, int labels, int which, const int* classes,
                  const char* const* label_names, ImageSet& out) {
  const std::string file = path.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw Error(file + ": no such CIFAR file");
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) throw Error(file + ": cannot stat (" + ec.message() + ")");
  const uint64_t rec = static_cast<uint64_t>(labels + kPixels);
  if (size == 0) throw Error(file + ": file is empty, expected records of " + std::to_string(rec) + " bytes");
  if (size % rec != 0) {
    const uint64_t whole = size / rec;
    throw Error(file + ": truncated record: the file has " + std::to_string(size) + " bytes, not a multiple of the " +
                std::to_string(rec) + "-byte record; record " + std::to_string(whole) + " starts at byte offset " +
                std::to_string(whole * rec) + " and has only " + std::to_string(size - whole * rec) + " bytes");
  }
  const int64_t n = static_cast<int64_t>(size / rec);
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(file + ": cannot open for reading");
  const std::size_t base = out.images.size();
  out.images.resize(base + static_cast<std::size_t>(n * kPixels));
  out.labels.reserve(out.labels.size() + static_cast<std::size_t>(n));
  std::vector<uint8_t> buf(static_cast<std::size_t>(rec) * 1024);
  for (int64_t i0 = 0; i0 < n; i0 += 1024) {
    const int64_t cnt = std::min<int64_t>(1024, n - i0);
    if (!f.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(cnt * static_cast<int64_t>(rec))))
      throw Error(file + ": read error at byte offset " + std::to_string(static_cast<uint64_t>(i0) * rec));
    for (int64_t i = 0; i < cnt; ++i) {
      const uint8_t* r = buf.data() + static_cast<std::size_t>(i) * rec;
      for (int l = 0; l < labels; ++l)
        if (r[l] >= classes[l])
          throw Error(file + ": " + label_names[l] + " " + std::to_string(r[l]) + " of record " +
                      std::to_string(i0 + i) + " (byte offset " + std::to_string(static_cast<uint64_t>(i0 + i) * rec + l) +
                      ") is out of range (must be < " + std::to_string(classes[l]) + ")");
      out.labels.push_back(r[which]);
      std::memcpy(out.images.data() + base + static_cast<std::size_t>((i0 + i) * kPixels), r + labels, kPixels);
    }
  }
  out.n += n;
}

ImageSet empty_set() {
  ImageSet s;
  s.channels = kChannels;
  s.rows = kSide;
  s.cols = kSide;
  return s;
}

}  // namespace

ImageSet load_cifar10(const std::filesystem::path& dir, const std::string& split) {
  std::vector<std::string> names;
  if (split == "train") {
    for (int b = 1; b <= 5; ++b) names.push_back("data_batch_" + std::to_string(b) + ".bin");
  } else if (split == "test") {
    names.push_back("test_batch.bin");
  } else {
    throw Error("load_cifar10: split must be \"train\" or \"test\", got \"" + split + "\"");
  }
  static const int classes[] = {10};
  static const char* const label_names[] = {"label"};
  ImageSet out = empty_set();
  for (const auto& name : names) read_records(dir / name, 1, 0, classes, label_names, out);
  return out;
}

ImageSet load_cifar100(const std::filesystem::path& dir, const std::string& split, Cifar100Label label) {
  if (split != "train" && split != "test")
    throw Error("load_cifar100: split must be \"train\" or \"test\", got \"" + split + "\"");
  static const int classes[] = {20, 100};
  static const char* const label_names[] = {"coarse label", "fine label"};
  ImageSet out = empty_set();
  read_records(dir / (split + ".bin"), 2, label == Cifar100Label::coarse ? 0 : 1, classes, label_names, out);
  return out;
}

CifarData preprocess_cifar(const ImageSet& train, const ImageSet& test, const CifarOptions& o) {
  for (const ImageSet* s : {&train, &test})
    if (s->channels != kChannels || s->rows != kSide || s->cols != kSide || s->n <= 0 ||
        s->images.size() != static_cast<std::size_t>(s->n * kPixels) || s->labels.size() != static_cast<std::size_t>(s->n))
      throw Error("preprocess_cifar: the " + std::string(s == &train ? "training" : "test") +
                  " set is empty or not N x 3 x 32 x 32 with N labels");
  if (o.val_size <= 0 || o.val_size >= train.n)
    throw Error("preprocess_cifar: val_size = " + std::to_string(o.val_size) + " must be in (0, " +
                std::to_string(train.n) + "), the training images, so that train and validation are both non-empty");
  const int64_t n_train = train.n - o.val_size;

  GcnOptions gcn;
  gcn.scale = o.gcn_scale;
  engine::Tensor all = to_float(train);
  global_contrast_normalize(all, gcn);
  engine::Tensor te = to_float(test);
  global_contrast_normalize(te, gcn);

  CifarData out;
  const Zca zca = o.zca_cache.empty() ? fit_zca(all.data(), train.n, kPixels, o.zca_filter_bias)
                                      : fit_zca_cached(all.data(), train.n, kPixels, o.zca_filter_bias, o.zca_cache,
                                                       &out.zca_cache_hit);
  apply_zca(zca, all);
  apply_zca(zca, te);
  out.train_x = all.rows(0, n_train);  // views sharing one buffer, no copy
  out.val_x = all.rows(n_train, train.n);
  out.test_x = te;
  out.train_y.assign(train.labels.begin(), train.labels.begin() + n_train);
  out.val_y.assign(train.labels.begin() + n_train, train.labels.end());
  out.test_y = test.labels;
  return out;
}

CifarData load_cifar10_experiment(const std::filesystem::path& dir, const CifarOptions& o) {
  const ImageSet train = load_cifar10(dir, "train");
  const ImageSet test = load_cifar10(dir, "test");
  return preprocess_cifar(train, test, o);
}

CifarData load_cifar100_experiment(const std::filesystem::path& dir, const CifarOptions& o, Cifar100Label label) {
  const ImageSet train = load_cifar100(dir, "train", label);
  const ImageSet test = load_cifar100(dir, "test", label);
  return preprocess_cifar(train, test, o);
}

}  // namespace laq::datasets
