// CIFAR-10 and CIFAR-100 with the VGG-like net of docs/algorithms.md §3.3-3.4.
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "datasets/cifar.h"
#include "engine/error.h"
#include "layers/batch_norm.h"
#include "layers/conv2d.h"
#include "layers/flatten.h"
#include "layers/linear.h"
#include "layers/max_pool.h"
#include "layers/relu.h"
#include "train/experiments/common.h"
#include "train/experiments/presets.h"

namespace laq::train {

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

namespace presets {
namespace {

std::unique_ptr<layers::Module> model10(const RunConfig& config) { return vgg(128, 10, true, config.batch_norm); }
std::unique_ptr<layers::Module> model100(const RunConfig& config) { return vgg(128, 100, false, config.batch_norm); }

ClassificationData data(const RunConfig& config, bool ten) {
  const std::filesystem::path dir = config.data_dir;
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
ClassificationData data10(const RunConfig& config) { return data(config, true); }
ClassificationData data100(const RunConfig& config) { return data(config, false); }

}  // namespace

ExperimentPreset cifar10_vgg() {
  return {.defaults = {"cifar10-vgg",
                       "CIFAR-10, VGG-like 128-256-512 + 2x1024 FC with BN, squared hinge, GCN + ZCA (docs/algorithms.md §3.3)",
                       "cifar10", 200, 50, 0.002, "every:15", 0.5, LossKind::squared_hinge, Metric::error_percent, 5000},
          .network = Network::vgg,
          .bench_model = "vgg",
          .table = "feedforward",
          .dataset = "cifar10",
          .label = "CIFAR-10",
          .step_seconds = 0.70,  // 674 ms at batch 50
          .full_steps_per_epoch = 45000 / 50,
          .build_model = model10,
          .load_data = data10};
}

ExperimentPreset cifar100_vgg() {
  return {.defaults = {"cifar100-vgg",
                       "CIFAR-100 (fine labels), the CIFAR-10 net with a 100-way softmax, no final BN (docs/algorithms.md §3.4)",
                       "cifar100", 200, 100, 0.0005, "every:15", 0.5, LossKind::cross_entropy, Metric::error_percent,
                       5000},
          .network = Network::vgg,
          .table = "feedforward",
          .dataset = "cifar100",
          .label = "CIFAR-100",
          .step_seconds = 1.40,  // the same net at batch 100
          .full_steps_per_epoch = 45000 / 100,
          .build_model = model100,
          .load_data = data100};
}

}  // namespace presets
}  // namespace laq::train
