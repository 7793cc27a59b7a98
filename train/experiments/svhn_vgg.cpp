// SVHN with the half-width VGG-like net of docs/algorithms.md §3.5.
#include <memory>

#include "datasets/svhn.h"
#include "train/experiments/common.h"
#include "train/experiments/presets.h"

namespace laq::train::presets {
namespace {

std::unique_ptr<layers::Module> model(const RunConfig& config) { return vgg(64, 10, true, config.batch_norm); }

ClassificationData data(const RunConfig& config) {
  datasets::SvhnData d = datasets::load_svhn_experiment(config.data_dir);
  return splits_of(d, config.train_size, 10);
}

}  // namespace

ExperimentPreset svhn_vgg() {
  return {.defaults = {"svhn-vgg",
                       "SVHN, VGG-like 64-128-256 + 2x1024 FC with BN, squared hinge, GCN + LCN (docs/algorithms.md §3.5)",
                       "svhn", 50, 50, 0.0005, "step:15,25", 0.1, LossKind::squared_hinge, Metric::error_percent, 0},
          .network = Network::vgg,
          .table = "feedforward",
          .dataset = "svhn",
          .label = "SVHN",
          .step_seconds = 0.20,                 // half the widths: about a quarter of the work
          .full_steps_per_epoch = 598388 / 50,  // train + extra - 6,000 validation
          .build_model = model,
          .load_data = data};
}

}  // namespace laq::train::presets
