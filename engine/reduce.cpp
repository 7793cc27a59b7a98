#include "engine/reduce.h"

namespace laq::engine {
namespace {

Var scaled_sum(const Var& x, double scale) {
  double s = 0;
  for (float v : x->value.span()) s += v;
  Tensor y = Tensor::full({1}, static_cast<float>(s * scale));
  return make_node(std::move(y), {x}, [x, scale](Node& self) {
    const float g = static_cast<float>(self.grad[0] * scale);
    for (float& d : x->grad_buffer().span()) d += g;
  });
}

}  // namespace

Var sum(const Var& x) { return scaled_sum(x, 1.0); }
Var mean(const Var& x) { return scaled_sum(x, x->value.numel() ? 1.0 / x->value.numel() : 0.0); }

}  // namespace laq::engine
