// The registry behind train/experiment.h's lookups: every preset of presets.h, and the
// dispatch of experiment names to their model, data and corpus.
#include "engine/error.h"
#include "train/experiment.h"
#include "train/experiments/common.h"
#include "train/experiments/preset.h"
#include "train/experiments/presets.h"

namespace laq::train {

const std::vector<ExperimentPreset>& experiment_presets() {
  static const std::vector<ExperimentPreset> all{
      presets::mnist_mlp(),
      presets::cifar10_vgg(),
      presets::cifar100_vgg(),
      presets::svhn_vgg(),
      presets::warpeace_lstm(),
      presets::linux_lstm(),
      presets::ptb_lstm(),
  };
  return all;
}

const ExperimentPreset* find_experiment_preset(const std::string& name) {
  for (const auto& p : experiment_presets())
    if (p.defaults.name == name) return &p;
  return nullptr;
}

const std::vector<ExperimentDefaults>& experiments() {
  static const std::vector<ExperimentDefaults> all = [] {
    std::vector<ExperimentDefaults> d;
    for (const auto& p : experiment_presets()) d.push_back(p.defaults);
    return d;
  }();
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

Network experiment_network(const std::string& name) {
  if (const ExperimentPreset* p = find_experiment_preset(name)) return p->network;
  experiment(name);  // throws the message that lists the names
  throw Error("unknown experiment '" + name + "'");
}

std::string bench_models() {
  std::string names;
  for (const auto& p : experiment_presets())
    if (!p.bench_model.empty()) names += (names.empty() ? "" : ", ") + p.bench_model;
  return names;
}

std::string bench_experiment(const std::string& model) {
  if (model.empty()) return {};  // the presets that are not benched have an empty bench_model
  for (const auto& p : experiment_presets())
    if (p.bench_model == model) return p.defaults.name;
  return {};
}

engine::Shape input_shape(Network network, int64_t batch) {
  switch (network) {
    case Network::mlp: return {batch, 784};
    case Network::vgg: return {batch, 3, 32, 32};
    case Network::char_lstm: return {batch, presets::kCharSeqLen};
  }
  throw Error("input_shape: invalid network");
}

std::unique_ptr<layers::Module> build_model(const RunConfig& config) {
  const ExperimentPreset* p = find_experiment_preset(config.experiment);
  if (!p) throw Error("no model for experiment '" + config.experiment + "'");
  return p->build_model(config);
}

datasets::CharCorpus load_char_corpus(const RunConfig& config) {
  const ExperimentPreset* p = find_experiment_preset(config.experiment);
  if (!p || !p->load_char_corpus) throw Error("experiment '" + config.experiment + "' has no character corpus");
  return p->load_char_corpus(config);
}

ClassificationData load_data(const RunConfig& config) {
  const ExperimentPreset* p = find_experiment_preset(config.experiment);
  if (!p) throw Error("no data loader for experiment '" + config.experiment + "'");
  return p->load_data(config);
}

}  // namespace laq::train
