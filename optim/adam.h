#pragma once
// Adam in the Lasagne form the authors' code runs (docs/algorithms.md §1.4):
//   t <- t + 1;  a_t = lr * sqrt(1 - b2^t) / (1 - b1^t)
//   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
//   w <- w - a_t * m / (sqrt(v) + eps)
// eps is added to the root of the *un-bias-corrected* v, unlike PyTorch. v is exactly the
// curvature accumulator of loss-aware quantization (docs/algorithms.md §1.3), so the quantize stage reads it.
#include <string>
#include <vector>

#include "optim/optimizer.h"

namespace laq::optim {

struct AdamConfig {
  float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
  // Optional clamp of the updated weights to [clip_lo, clip_hi] in the same loop: the same
  // result as a ClipStage after Adam (docs/algorithms.md §1.4: quantized weights to [-1, 1]), one pass
  // over the weights fewer.
  bool clip = false;
  float clip_lo = -1.0f, clip_hi = 1.0f;
};

class Adam : public Optimizer {
 public:
  // `name` prefixes the state entries in checkpoints ("adam_quantized.m", ...).
  Adam(std::string name, std::span<float> params, std::span<const float> grads, AdamConfig config = {});
  void step(float learning_rate) override;
  std::span<const float> second_moment() const override { return v_; }
  StateView state() override;
  int64_t steps() const { return t_; }

 private:
  std::string name_;
  std::span<float> params_;
  std::span<const float> grads_;
  AdamConfig config_;
  std::vector<float> m_, v_;
  int64_t t_ = 0;
};

}  // namespace laq::optim
