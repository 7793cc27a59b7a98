#pragma once
// The paper's experiments: for each name, its data, its network and its training defaults
// (SPEC.md 3.8). `laq train --experiment NAME` starts from these and applies the flags.
#include <memory>
#include <string>
#include <vector>

#include "engine/tensor.h"
#include "layers/sequential.h"
#include "train/run_config.h"

namespace laq::train {

enum class LossKind { squared_hinge, cross_entropy };

struct ExperimentDefaults {
  std::string name;
  std::string description;
  std::string data_subdir;  // under data/, where tools/get_data.sh puts it
  int64_t epochs, batch;
  double lr;
  std::string schedule;
  double lr_decay;
  LossKind loss;
};

const std::vector<ExperimentDefaults>& experiments();
const ExperimentDefaults& experiment(const std::string& name);  // throws, listing the names

struct LabeledSet {
  engine::Tensor x;  // [N, features...]
  std::vector<int32_t> y;
};

struct ClassificationData {
  LabeledSet train, val, test;
  int64_t classes = 0;
};

ClassificationData load_data(const RunConfig& config);
std::unique_ptr<layers::Sequential> build_model(const RunConfig& config);

// The SPEC.md 3.2 MLP: 784 -> [Dense 2048 -> BN -> ReLU] x3 -> Dense 10 -> BN.
std::unique_ptr<layers::Sequential> mnist_mlp(int64_t hidden, int64_t layers,
                                              const std::string& batch_norm_form);

}  // namespace laq::train
