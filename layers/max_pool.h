#pragma once
// Max pooling layer, k x k windows with stride s, no padding (the paper's nets: 2x2, stride 2,
// placed before batch norm). No parameters.
#include "layers/module.h"

namespace laq::layers {

class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(std::string name, int64_t kernel = 2, int64_t stride = 2);
  engine::Var forward(const engine::Var& x, bool training) override;

  int64_t kernel, stride;
};

}  // namespace laq::layers
