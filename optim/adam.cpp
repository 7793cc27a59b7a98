#include "optim/adam.h"

#include <cmath>

#include "engine/error.h"
#include "engine/parallel.h"

namespace laq::optim {

Adam::Adam(std::string name, std::span<float> params, std::span<const float> grads, AdamConfig config)
    : name_(std::move(name)), params_(params), grads_(grads), config_(config), m_(params.size(), 0.0f), v_(params.size(), 0.0f) {
  if (params.size() != grads.size()) throw Error(name_ + ": parameter and gradient sizes differ");
}

void Adam::step(float learning_rate) {
  ++t_;
  const double t = static_cast<double>(t_);
  const float b1 = config_.beta1, b2 = config_.beta2, eps = config_.eps;
  const float a_t = static_cast<float>(learning_rate * std::sqrt(1.0 - std::pow(double(b2), t)) /
                                       (1.0 - std::pow(double(b1), t)));
  float* const w = params_.data();
  const float* const g = grads_.data();
  float* const m = m_.data();
  float* const v = v_.data();
  const bool clip = config_.clip;
  const float lo = config_.clip_lo, hi = config_.clip_hi;
  // Elementwise, so any split gives the same bits; the loop is memory-bound (seven floats
  // moved per weight), so both cores' bandwidth shortens it.
  // Captured by value: through references the stores to w could alias the captured pointers,
  // and the compiler would reload them per element instead of vectorising.
  engine::parallel_for(static_cast<int64_t>(params_.size()), engine::grain_for(4), [=](int64_t first, int64_t last) {
    for (int64_t i = first; i < last; ++i) {
      m[i] = b1 * m[i] + (1.0f - b1) * g[i];
      v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
      const float x = w[i] - a_t * m[i] / (std::sqrt(v[i]) + eps);
      w[i] = !clip ? x : (x < lo ? lo : (x > hi ? hi : x));  // exactly ClipStage's comparison
    }
  });
}

StateView Adam::state() {
  return {{{name_ + ".m", m_}, {name_ + ".v", v_}}, {{name_ + ".t", &t_}}};
}

}  // namespace laq::optim
