#include "layers/batch_norm.h"

namespace laq::layers {

BatchNorm::BatchNorm(std::string name, int64_t channels, engine::BatchNormConfig cfg)
    : Module(name),
      gamma(name + ".gamma", {channels}, Init{InitKind::ones}),
      beta(name + ".beta", {channels}, Init{InitKind::zeros}),
      stats{engine::Tensor({channels}), engine::Tensor::full({channels}, 1.0f)},
      config(cfg) {}

engine::Var BatchNorm::forward(const engine::Var& x, bool training) {
  return engine::batch_norm(x, engine::leaf(gamma.value, gamma.grad),
                            engine::leaf(beta.value, beta.grad), stats, config, training, reduce);
}

std::vector<NamedBuffer> BatchNorm::buffers() {
  return {{name() + ".running_mean", &stats.running_mean},
          {name() + ".running_spread", &stats.running_spread}};
}

}  // namespace laq::layers
