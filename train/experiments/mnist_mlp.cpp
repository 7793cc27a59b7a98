// MNIST with the MLP of docs/algorithms.md §3.2.
#include <memory>
#include <string>

#include "datasets/mnist.h"
#include "layers/batch_norm.h"
#include "layers/linear.h"
#include "layers/relu.h"
#include "train/experiments/common.h"
#include "train/experiments/presets.h"

namespace laq::train {

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

namespace presets {
namespace {

std::unique_ptr<layers::Module> model(const RunConfig& config) { return train::mnist_mlp(2048, 3, config.batch_norm); }

ClassificationData data(const RunConfig& config) {
  const datasets::MnistSplit train = datasets::load_mnist_split(config.data_dir, "train");
  const datasets::MnistSplit test = datasets::load_mnist_split(config.data_dir, "t10k");
  datasets::MnistData d = datasets::preprocess_mnist(train, test, training_images_after_validation(config, train.n));
  return splits_of(d, config.train_size, 10);
}

}  // namespace

ExperimentPreset mnist_mlp() {
  return {.defaults = {"mnist-mlp", "MNIST, MLP 784-2048x3-10 with BN, squared hinge (docs/algorithms.md §3.2)",
                       "mnist", 50, 100, 0.01, "step:15,25", 0.1, LossKind::squared_hinge, Metric::error_percent,
                       10000},
          .network = Network::mlp,
          .bench_model = "mlp",
          .table = "feedforward",
          .dataset = "mnist",
          .label = "MNIST",
          .step_seconds = 0.045,  // 43 ms full precision; lat-e adds ~15 ms
          .full_steps_per_epoch = 50000 / 100,
          .build_model = model,
          .load_data = data};
}

}  // namespace presets
}  // namespace laq::train
