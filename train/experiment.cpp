#include "train/experiment.h"

#include <cstdio>

#include "datasets/mnist.h"
#include "engine/error.h"
#include "layers/batch_norm.h"
#include "layers/linear.h"
#include "layers/relu.h"

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
      {"mnist-mlp", "MNIST, MLP 784-2048x3-10 with BN, squared hinge (SPEC.md 3.2)", "mnist", 50, 100,
       0.01, "step:15,25", 0.1, LossKind::squared_hinge},
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

std::unique_ptr<layers::Sequential> build_model(const RunConfig& config) {
  if (config.experiment == "mnist-mlp") return mnist_mlp(2048, 3, config.batch_norm);
  throw Error("no model for experiment '" + config.experiment + "'");
}

namespace {

LabeledSet take(engine::Tensor x, std::vector<int32_t> y, int64_t limit) {
  if (limit > 0 && limit < x.dim(0)) {
    x = x.rows(0, limit);
    y.resize(limit);
  }
  return {std::move(x), std::move(y)};
}

}  // namespace

ClassificationData load_data(const RunConfig& config) {
  if (config.experiment == "mnist-mlp") {
    const datasets::MnistSplit train = datasets::load_mnist_split(config.data_dir, "train");
    const datasets::MnistSplit test = datasets::load_mnist_split(config.data_dir, "t10k");
    if (config.val_size <= 0 || config.val_size >= train.n)
      throw Error("validation size " + std::to_string(config.val_size) + " must be in (0, " +
                  std::to_string(train.n) + ") for " + config.data_dir);
    datasets::MnistData d = datasets::preprocess_mnist(train, test, train.n - config.val_size);
    ClassificationData out;
    out.train = take(std::move(d.train_x), std::move(d.train_y), config.train_size);
    out.val = {std::move(d.val_x), std::move(d.val_y)};
    out.test = {std::move(d.test_x), std::move(d.test_y)};
    out.classes = 10;
    return out;
  }
  throw Error("no data loader for experiment '" + config.experiment + "'");
}

}  // namespace laq::train
