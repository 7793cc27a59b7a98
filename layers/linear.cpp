#include "layers/linear.h"

#include "engine/elementwise.h"
#include "engine/error.h"
#include "engine/matmul.h"

namespace laq::layers {

Linear::Linear(std::string name, int64_t in, int64_t out, bool with_bias)
    : Module(name),
      weight(name + ".weight", {out, in}, Init{InitKind::fan_uniform, 0.0f, in, out}, true) {
  if (with_bias) bias = std::make_unique<Parameter>(name + ".bias", engine::Shape{out}, Init{});
}

engine::Var Linear::forward(const engine::Var& x, bool) {
  const engine::Tensor& in = x->value;
  if (in.rank() != 2 || in.dim(1) != weight.value.dim(1))
    throw Error(name() + ": expected input [N, " + std::to_string(weight.value.dim(1)) + "], got " +
                engine::to_string(in.shape()));
  engine::Var y = engine::matmul(x, engine::leaf(weight.value, weight.grad), true);
  return bias ? engine::add_bias(y, engine::leaf(bias->value, bias->grad)) : y;
}

std::vector<Parameter*> Linear::parameters() {
  std::vector<Parameter*> p{&weight};
  if (bias) p.push_back(bias.get());
  return p;
}

}  // namespace laq::layers
