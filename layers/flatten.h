#pragma once
// Flatten: x[N, d1, d2, ...] -> y[N, d1*d2*...], e.g. the last conv block's [N, 512, 4, 4]
// into the dense layers' [N, 8192], in memory (C, H, W) order. The value is a view of x's
// storage (no copy); backward adds dY back into dX.
#include "engine/error.h"
#include "layers/module.h"

namespace laq::layers {

class Flatten : public Module {
 public:
  explicit Flatten(std::string name) : Module(std::move(name)) {}

  engine::Var forward(const engine::Var& x, bool) override {
    const engine::Tensor& in = x->value;
    if (in.rank() < 1) throw Error(name() + ": cannot flatten a rank-0 tensor");
    const int64_t n = in.dim(0);
    const int64_t features = n == 0 ? 0 : in.numel() / n;
    return engine::make_node(in.reshape({n, features}), {x}, [x](engine::Node& self) {
      float* dx = x->grad_buffer().data();
      const float* dy = self.grad.data();
      for (int64_t i = 0; i < self.grad.numel(); ++i) dx[i] += dy[i];
    });
  }
};

}  // namespace laq::layers
