#pragma once
// 2-D convolution layer: y[N, Cout, Ho, Wo] = conv2d(x[N, Cin, H, W], W[Cout, Cin, k, k]) + b,
// square k x k kernels, the same stride and zero padding on both axes (the paper's nets: 3x3,
// stride 1, pad 1, with bias).
//
// The weight is quantizable with one scale for the whole kernel (docs/algorithms.md §6.3: the
// quantizer flattens it); its leading dimension is the output channel, for per-channel scales.
// Init: fan_uniform with fan_in = Cin*k*k and fan_out = Cout*k*k, no division by the pool size
// (docs/algorithms.md §3.1, §6.17). The bias starts at 0.
#include <memory>

#include "layers/module.h"

namespace laq::layers {

class Conv2d : public Module {
 public:
  Conv2d(std::string name, int64_t in_channels, int64_t out_channels, int64_t kernel,
         int64_t stride = 1, int64_t pad = 1, bool bias = true);
  // Throws laq::Error naming the layer and the input shape unless x is [N, Cin, H, W].
  engine::Var forward(const engine::Var& x, bool training) override;
  std::vector<Parameter*> parameters() override;

  Parameter weight;
  std::unique_ptr<Parameter> bias;
  int64_t stride, pad;
};

}  // namespace laq::layers
