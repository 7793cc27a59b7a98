#pragma once
// Layers applied in order; owns them.
#include <memory>
#include <vector>

#include "layers/module.h"

namespace laq::layers {

class Sequential : public Module {
 public:
  explicit Sequential(std::string name = "model") : Module(std::move(name)) {}

  template <typename Layer, typename... Args>
  Layer& add(Args&&... args) {
    auto layer = std::make_unique<Layer>(std::forward<Args>(args)...);
    Layer& ref = *layer;
    layers_.push_back(std::move(layer));
    return ref;
  }

  engine::Var forward(const engine::Var& x, bool training) override;
  std::vector<Parameter*> parameters() override;
  std::vector<NamedBuffer> buffers() override;
  const std::vector<std::unique_ptr<Module>>& layers() const { return layers_; }

 private:
  std::vector<std::unique_ptr<Module>> layers_;
};

}  // namespace laq::layers
