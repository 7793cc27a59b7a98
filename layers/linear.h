#pragma once
// Fully connected layer: y[N, out] = x[N, in] · Wᵀ + b, with W[out, in] (one row per output
// unit, so per-output-channel scales are per row) and a bias. The bias is kept even when a
// batch norm follows, as the authors' nets do (docs/algorithms.md §5.11).
#include "layers/module.h"

namespace laq::layers {

class Linear : public Module {
 public:
  Linear(std::string name, int64_t in, int64_t out, bool bias = true);
  engine::Var forward(const engine::Var& x, bool training) override;
  std::vector<Parameter*> parameters() override;

  Parameter weight;
  std::unique_ptr<Parameter> bias;
};

}  // namespace laq::layers
