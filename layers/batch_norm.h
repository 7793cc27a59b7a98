#pragma once
// Batch normalisation layer over channels: learnable gamma (starts at 1) and beta (0), and
// running statistics saved with the model. The form (BinaryConnect std form or the usual
// variance form) is chosen per layer; see engine/batch_norm.h.
#include "engine/batch_norm.h"
#include "layers/module.h"

namespace laq::layers {

class BatchNorm : public Module {
 public:
  BatchNorm(std::string name, int64_t channels, engine::BatchNormConfig config = {});
  engine::Var forward(const engine::Var& x, bool training) override;
  std::vector<Parameter*> parameters() override { return {&gamma, &beta}; }
  std::vector<NamedBuffer> buffers() override;

  Parameter gamma, beta;
  engine::BatchNormStats stats;
  engine::BatchNormConfig config;
  // Set by data-parallel training (train/data_parallel.h); empty in a single process.
  engine::BatchReducer reduce;
};

}  // namespace laq::layers
