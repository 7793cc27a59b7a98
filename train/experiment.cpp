#include "train/experiment.h"

#include <unistd.h>

#include <cstdio>

#include "datasets/char_corpus.h"
#include "datasets/cifar.h"
#include "datasets/ptb.h"
#include "datasets/mnist.h"
#include "datasets/svhn.h"
#include "engine/error.h"
#include "layers/batch_norm.h"
#include "layers/conv2d.h"
#include "layers/flatten.h"
#include "layers/max_pool.h"
#include "layers/linear.h"
#include "layers/lstm.h"
#include "layers/relu.h"
#include "train/option_error.h"

namespace laq::train {

const char* metric_key(Metric metric) { return metric == Metric::error_percent ? "error" : "cross_entropy"; }

std::string format_metric(Metric metric, double value) {
  char buf[32];
  if (metric == Metric::error_percent) std::snprintf(buf, sizeof buf, "%.2f%%", value);
  else std::snprintf(buf, sizeof buf, "%.4f nats", value);
  return buf;
}

const std::vector<ExperimentDefaults>& experiments() {
  static const std::vector<ExperimentDefaults> all{
      {"mnist-mlp", "MNIST, MLP 784-2048x3-10 with BN, squared hinge (docs/algorithms.md §3.2)", "mnist", 50, 100,
       0.01, "step:15,25", 0.1, LossKind::squared_hinge, Metric::error_percent, 10000},
      {"cifar10-vgg", "CIFAR-10, VGG-like 128-256-512 + 2x1024 FC with BN, squared hinge, GCN + ZCA (docs/algorithms.md §3.3)",
       "cifar10", 200, 50, 0.002, "every:15", 0.5, LossKind::squared_hinge, Metric::error_percent, 5000},
      {"cifar100-vgg", "CIFAR-100 (fine labels), the CIFAR-10 net with a 100-way softmax, no final BN (docs/algorithms.md §3.4)",
       "cifar100", 200, 100, 0.0005, "every:15", 0.5, LossKind::cross_entropy, Metric::error_percent, 5000},
      {"svhn-vgg", "SVHN, VGG-like 64-128-256 + 2x1024 FC with BN, squared hinge, GCN + LCN (docs/algorithms.md §3.5)",
       "svhn", 50, 50, 0.0005, "step:15,25", 0.1, LossKind::squared_hinge, Metric::error_percent, 0},
      {"warpeace-lstm", "War and Peace, char LSTM 1x512, one-hot input, FP softmax, 80/10/10 blocks (docs/algorithms.md §3.6)",
       "warpeace", 200, 100, 0.002, "exp:11", 0.98, LossKind::cross_entropy, Metric::cross_entropy, 0},
      {"linux-lstm", "Linux kernel source, char LSTM 1x512, 90/5/5 blocks (docs/algorithms.md §3.6)", "linux", 200, 100, 0.002,
       "exp:11", 0.98, LossKind::cross_entropy, Metric::cross_entropy, 0},
      {"ptb-lstm", "Penn Treebank ptb.{train,valid,test}.txt read as bytes, char LSTM 1x512 (docs/algorithms.md §3.6)", "ptb", 200,
       100, 0.002, "exp:11", 0.98, LossKind::cross_entropy, Metric::cross_entropy, 0},
  };
  return all;
}

const ExperimentDefaults& experiment(const std::string& name) {
  std::string names;
  for (const auto& e : experiments()) {
    if (e.name == name) return e;
    names += (names.empty() ? "" : ", ") + e.name;
  }
  throw Error("unknown experiment '" + name + "' (known: " + names + ")");
}

engine::BatchNormConfig batch_norm_config(const std::string& form) {
  if (form == "binary-connect") return {engine::BatchNormForm::binary_connect, 1e-4f, 0.1f};
  if (form == "variance") return {engine::BatchNormForm::variance, 1e-5f, 0.1f};
  throw Error("unknown batch-norm form '" + form + "' (known: binary-connect, variance)");
}

std::unique_ptr<layers::Sequential> mnist_mlp(int64_t hidden, int64_t depth,
                                              const std::string& batch_norm_form) {
  const auto bn = batch_norm_config(batch_norm_form);
  auto model = std::make_unique<layers::Sequential>("mlp");
  int64_t in = 784;
  for (int64_t i = 1; i <= depth; ++i) {
    const std::string n = std::to_string(i);
    model->add<layers::Linear>("fc" + n, in, hidden);
    model->add<layers::BatchNorm>("bn" + n, hidden, bn);
    model->add<layers::ReLU>("relu" + n);
    in = hidden;
  }
  const std::string n = std::to_string(depth + 1);
  model->add<layers::Linear>("fc" + n, in, 10);
  model->add<layers::BatchNorm>("bn" + n, 10, bn);
  return model;
}

std::unique_ptr<layers::Sequential> vgg(int64_t k, int64_t classes, bool final_batch_norm,
                                        const std::string& batch_norm_form) {
  const auto bn = batch_norm_config(batch_norm_form);
  auto model = std::make_unique<layers::Sequential>("vgg");
  int64_t in = 3, index = 0;
  for (const int64_t width : {k, 2 * k, 4 * k}) {
    for (const bool pool : {false, true}) {
      const std::string n = std::to_string(++index);
      model->add<layers::Conv2d>("conv" + n, in, width, 3, 1, 1);
      if (pool) model->add<layers::MaxPool2d>("pool" + n, 2, 2);  // before BN (docs/algorithms.md §6.10)
      model->add<layers::BatchNorm>("bn" + n, width, bn);
      model->add<layers::ReLU>("relu" + n);
      in = width;
    }
  }
  model->add<layers::Flatten>("flatten");
  in = in * 4 * 4;
  for (const char* n : {"7", "8"}) {
    model->add<layers::Linear>(std::string("fc") + n, in, 1024);
    model->add<layers::BatchNorm>(std::string("bn") + n, 1024, bn);
    model->add<layers::ReLU>(std::string("relu") + n);
    in = 1024;
  }
  model->add<layers::Linear>("fc9", in, classes);
  if (final_batch_norm) model->add<layers::BatchNorm>("bn9", classes, bn);
  return model;
}

std::unique_ptr<layers::Module> build_model(const RunConfig& config) {
  if (config.experiment == "mnist-mlp") return mnist_mlp(2048, 3, config.batch_norm);
  if (config.experiment == "cifar10-vgg") return vgg(128, 10, true, config.batch_norm);
  if (config.experiment == "cifar100-vgg") return vgg(128, 100, false, config.batch_norm);
  if (config.experiment == "svhn-vgg") return vgg(64, 10, true, config.batch_norm);
  if (config.experiment.ends_with("-lstm")) {
    if (config.vocab < 1) throw Error(config.experiment + ": the vocabulary size is not set (it comes from the data)");
    return std::make_unique<layers::CharLstmModel>(config.vocab, 512, 5.0f);
  }
  throw Error("no model for experiment '" + config.experiment + "'");
}

namespace {

// The first `limit` examples (0: all). A limit beyond the set would silently train on less
// than asked: refused.
LabeledSet take(engine::Tensor x, std::vector<int32_t> y, int64_t limit) {
  if (limit > x.dim(0))
    throw OptionError("train-size", std::to_string(limit),
                      "the training set has only " + std::to_string(x.dim(0)) + " examples");
  if (limit > 0 && limit < x.dim(0)) {
    x = x.rows(0, limit);
    y.resize(limit);
  }
  return {std::move(x), std::move(y)};
}

// A reader's train/val/test tensors as the trainer's sets (all readers name them alike).
template <typename Data>
ClassificationData splits_of(Data& d, int64_t train_limit, int64_t classes) {
  ClassificationData out;
  out.train = take(std::move(d.train_x), std::move(d.train_y), train_limit);
  out.val = {std::move(d.val_x), std::move(d.val_y)};
  out.test = {std::move(d.test_x), std::move(d.test_y)};
  out.classes = classes;
  return out;
}

// ids[begin, begin + n*t] as n windows: x = the t input ids (as floats, the models' input
// convention), y = the t next characters.
LabeledSet windows_from(const std::vector<int32_t>& ids, int64_t begin, int64_t n, int64_t t) {
  LabeledSet set;
  set.x = engine::Tensor({n, t});
  set.y.resize(static_cast<size_t>(n * t));
  for (int64_t i = 0; i < n * t; ++i) {
    set.x[i] = static_cast<float>(ids[static_cast<size_t>(begin + i)]);
    set.y[static_cast<size_t>(i)] = ids[static_cast<size_t>(begin + i + 1)];
  }
  set.targets_per_example = t;
  return set;
}

// Every window of a character stream as one example (the first `limit`, 0: all). With
// `whole_text`, the positions after the last full window become the set's tail window.
LabeledSet windows(const datasets::CharSequences& s, int64_t limit, bool whole_text) {
  const int64_t all = s.num_seq(), t = s.seq_len;
  if (limit > all)
    throw OptionError("train-size", std::to_string(limit),
                      "the training text has only " + std::to_string(all) + " windows of " + std::to_string(t) +
                          " characters");
  const int64_t n = limit > 0 ? limit : all;
  LabeledSet set = windows_from(s.ids, 0, n, t);
  const int64_t rest = static_cast<int64_t>(s.ids.size()) - 1 - n * t;  // targets no window holds
  if (whole_text && rest > 0) set.tail = std::make_shared<const LabeledSet>(windows_from(s.ids, n * t, 1, rest));
  return set;
}

// The validation size of an experiment that cuts it from its training file of `n` images.
int64_t training_images_after_validation(const RunConfig& config, int64_t n) {
  if (config.val_size < 1 || config.val_size >= n)
    throw OptionError("val-size", std::to_string(config.val_size),
                      "must be in 1.." + std::to_string(n - 1) + ": " + config.data_dir + "'s training files hold " +
                          std::to_string(n) + " images, and some must remain for training");
  return n - config.val_size;
}

// The LAQ block split depends on the batch (blocks of batch x 100 characters): a batch too
// large for the text is the flag's fault when batch 1 would split it.
void check_block_split(const std::filesystem::path& file, datasets::SplitFractions fractions, int64_t batch,
                       int64_t seq_len) {
  std::error_code ec;
  const auto bytes = static_cast<int64_t>(std::filesystem::file_size(file, ec));
  if (ec) return;  // the reader reports a missing or unreadable file
  try {
    datasets::char_split(bytes, fractions, batch, seq_len, file.string());
  } catch (const Error& e) {
    try {
      datasets::char_split(bytes, fractions, 1, seq_len, file.string());
    } catch (const Error&) {
      return;  // too small for any batch: the reader's error names the file
    }
    throw OptionError("batch", std::to_string(batch), e.what());
  }
}

}  // namespace

int64_t LabeledSet::targets() const {
  return x.dim(0) * targets_per_example + (tail ? tail->targets() : 0);
}

datasets::CharCorpus load_char_corpus(const RunConfig& config) {
  // 100-character windows (docs/algorithms.md §3.6); the block split uses the run's batch size.
  constexpr int64_t kSeqLen = 100;
  const std::filesystem::path dir = config.data_dir;
  if (config.experiment == "warpeace-lstm") {
    check_block_split(dir / "warpeace_input.txt", datasets::kWarPeaceFractions, config.batch, kSeqLen);
    return datasets::load_char_corpus(dir / "warpeace_input.txt", datasets::kWarPeaceFractions, config.batch, kSeqLen);
  }
  if (config.experiment == "linux-lstm") {
    check_block_split(dir / "linux_input.txt", datasets::kLinuxFractions, config.batch, kSeqLen);
    return datasets::load_char_corpus(dir / "linux_input.txt", datasets::kLinuxFractions, config.batch, kSeqLen);
  }
  if (config.experiment == "ptb-lstm") return datasets::load_ptb_bytes(dir, kSeqLen);
  throw Error("experiment '" + config.experiment + "' has no character corpus");
}

ClassificationData load_data(const RunConfig& config) {
  if (config.experiment == "mnist-mlp") {
    const datasets::MnistSplit train = datasets::load_mnist_split(config.data_dir, "train");
    const datasets::MnistSplit test = datasets::load_mnist_split(config.data_dir, "t10k");
    datasets::MnistData d = datasets::preprocess_mnist(train, test, training_images_after_validation(config, train.n));
    return splits_of(d, config.train_size, 10);
  }
  if (config.experiment == "cifar10-vgg" || config.experiment == "cifar100-vgg") {
    const std::filesystem::path dir = config.data_dir;
    const bool ten = config.experiment == "cifar10-vgg";
    const datasets::ImageSet train = ten ? datasets::load_cifar10(dir, "train") : datasets::load_cifar100(dir, "train");
    const datasets::ImageSet test = ten ? datasets::load_cifar10(dir, "test") : datasets::load_cifar100(dir, "test");
    datasets::CifarOptions options;
    options.val_size = train.n - training_images_after_validation(config, train.n);
    // The fitted whitening costs minutes, so it is cached (docs/datasets.md): beside the data,
    // or in the run's folder when the data is read-only (prepared once, shared by a cluster).
    options.zca_cache = dir / "laq-zca-cache.bin";
    if (access(dir.c_str(), W_OK) != 0 && !config.out_dir.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(config.out_dir, ec);
      if (ec) throw Error("cannot create " + config.out_dir + " for the whitening cache: " + ec.message());
      options.zca_cache = std::filesystem::path(config.out_dir) / "laq-zca-cache.bin";
    }
    datasets::CifarData d = datasets::preprocess_cifar(train, test, options);
    return splits_of(d, config.train_size, ten ? 10 : 100);
  }
  if (config.experiment == "svhn-vgg") {
    datasets::SvhnData d = datasets::load_svhn_experiment(config.data_dir);
    return splits_of(d, config.train_size, 10);
  }
  if (config.experiment.ends_with("-lstm")) {
    const datasets::CharCorpus c = load_char_corpus(config);
    ClassificationData out;
    out.train = windows(c.train, config.train_size, false);
    out.val = windows(c.valid, 0, true);
    out.test = windows(c.test, 0, true);
    out.classes = c.vocab.size();
    return out;
  }
  throw Error("no data loader for experiment '" + config.experiment + "'");
}

}  // namespace laq::train
