#include "optim/sgd.h"

#include "engine/error.h"

namespace laq::optim {

Sgd::Sgd(std::string name, std::span<float> params, std::span<const float> grads, float momentum)
    : name_(std::move(name)), params_(params), grads_(grads), momentum_(momentum), velocity_(momentum > 0 ? params.size() : 0, 0.0f) {
  if (params.size() != grads.size()) throw Error(name_ + ": parameter and gradient sizes differ");
  // Written so that NaN fails too: it would pass both comparisons and skip the velocity.
  if (!(momentum >= 0 && momentum < 1)) throw Error(name_ + ": momentum must be in [0, 1)");
}

void Sgd::step(float learning_rate) {
  const size_t n = params_.size();
  if (momentum_ == 0.0f) {
    for (size_t i = 0; i < n; ++i) params_[i] -= learning_rate * grads_[i];
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    velocity_[i] = momentum_ * velocity_[i] + grads_[i];
    params_[i] -= learning_rate * velocity_[i];
  }
}

StateView Sgd::state() {
  StateView s;
  if (!velocity_.empty()) s.buffers.push_back({name_ + ".velocity", velocity_});
  return s;
}

}  // namespace laq::optim
