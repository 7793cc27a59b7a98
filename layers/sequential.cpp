#include "layers/sequential.h"

namespace laq::layers {

engine::Var Sequential::forward(const engine::Var& x, bool training) {
  engine::Var y = x;
  for (auto& layer : layers_) y = layer->forward(y, training);
  return y;
}

std::vector<Parameter*> Sequential::parameters() {
  std::vector<Parameter*> all;
  for (auto& layer : layers_)
    for (Parameter* p : layer->parameters()) all.push_back(p);
  return all;
}

std::vector<NamedBuffer> Sequential::buffers() {
  std::vector<NamedBuffer> all;
  for (auto& layer : layers_)
    for (const NamedBuffer& b : layer->buffers()) all.push_back(b);
  return all;
}

}  // namespace laq::layers
