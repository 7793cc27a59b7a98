#pragma once
// Stochastic gradient descent with optional (heavy-ball) momentum:
//   u <- momentum * u + g;  w <- w - lr * u
#include <string>
#include <vector>

#include "optim/optimizer.h"

namespace laq::optim {

class Sgd : public Optimizer {
 public:
  Sgd(std::string name, std::span<float> params, std::span<const float> grads, float momentum = 0.0f);
  void step(float learning_rate) override;
  StateView state() override;

 private:
  std::string name_;
  std::span<float> params_;
  std::span<const float> grads_;
  float momentum_;
  std::vector<float> velocity_;
};

}  // namespace laq::optim
