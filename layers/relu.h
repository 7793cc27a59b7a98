#pragma once
#include "engine/elementwise.h"
#include "layers/module.h"

namespace laq::layers {

class ReLU : public Module {
 public:
  explicit ReLU(std::string name) : Module(std::move(name)) {}
  engine::Var forward(const engine::Var& x, bool) override { return engine::relu(x); }
};

}  // namespace laq::layers
