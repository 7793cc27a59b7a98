#include "layers/conv2d.h"

#include "engine/conv2d.h"
#include "engine/elementwise.h"
#include "engine/error.h"

namespace laq::layers {

Conv2d::Conv2d(std::string name, int64_t in_channels, int64_t out_channels, int64_t kernel,
               int64_t stride_, int64_t pad_, bool with_bias)
    : Module(name),
      weight(name + ".weight", {out_channels, in_channels, kernel, kernel},
             Init{InitKind::fan_uniform, 0.0f, in_channels * kernel * kernel,
                  out_channels * kernel * kernel},
             true),
      stride(stride_),
      pad(pad_) {
  if (in_channels < 1 || out_channels < 1 || kernel < 1 || stride < 1 || pad < 0)
    throw Error(name + ": bad convolution " + std::to_string(in_channels) + "->" +
                std::to_string(out_channels) + ", kernel " + std::to_string(kernel) + ", stride " +
                std::to_string(stride) + ", pad " + std::to_string(pad));
  if (with_bias) bias = std::make_unique<Parameter>(name + ".bias", engine::Shape{out_channels}, Init{});
}

engine::Var Conv2d::forward(const engine::Var& x, bool) {
  const engine::Tensor& in = x->value;
  if (in.rank() != 4 || in.dim(1) != weight.value.dim(1))
    throw Error(name() + ": expected input [N, " + std::to_string(weight.value.dim(1)) +
                ", H, W], got " + engine::to_string(in.shape()));
  engine::Var y = engine::conv2d(x, engine::leaf(weight.value, weight.grad), stride, pad);
  return bias ? engine::add_bias(y, engine::leaf(bias->value, bias->grad)) : y;
}

std::vector<Parameter*> Conv2d::parameters() {
  std::vector<Parameter*> p{&weight};
  if (bias) p.push_back(bias.get());
  return p;
}

}  // namespace laq::layers
