#pragma once
// Module: a layer or a container of layers.
//
// Contract: forward() builds the autograd graph from the parameters' current `value`s;
// parameters() and buffers() list every trainable tensor and every piece of non-trainable
// state (batch-norm running statistics) under names that are unique and stable, which is
// what checkpoints and the optimizer key on.
#include <memory>
#include <string>
#include <vector>

#include "engine/autograd.h"
#include "layers/parameter.h"

namespace laq::layers {

struct NamedBuffer {
  std::string name;
  engine::Tensor* tensor;
};

class Module {
 public:
  explicit Module(std::string name) : name_(std::move(name)) {}
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  virtual engine::Var forward(const engine::Var& x, bool training) = 0;
  virtual std::vector<Parameter*> parameters() { return {}; }
  virtual std::vector<NamedBuffer> buffers() { return {}; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

}  // namespace laq::layers
