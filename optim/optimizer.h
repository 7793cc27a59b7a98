#pragma once
// An optimizer updates one contiguous group of the arena from its gradients.
#include <span>

#include "optim/state.h"

namespace laq::optim {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual void step(float learning_rate) = 0;
  // The running mean of squared gradients, if the optimizer keeps one (Adam's v).
  virtual std::span<const float> second_moment() const { return {}; }
  virtual StateView state() = 0;
};

}  // namespace laq::optim
