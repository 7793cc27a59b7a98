#include "optim/arena.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "engine/error.h"
#include "engine/parallel.h"

namespace laq::optim {

ParameterArena::ParameterArena(
    const std::vector<std::pair<std::string, std::vector<layers::Parameter*>>>& groups) {
  std::set<std::string> names;
  for (const auto& [group_name, params] : groups)
    for (const layers::Parameter* p : params) {
      if (!names.insert(p->name).second) throw Error("parameter '" + p->name + "' appears twice");
      size_ += p->latent.numel();
    }
  values_ = std::make_unique<float[]>(size_);
  grads_ = std::make_unique_for_overwrite<float[]>(size_);
  zero_grads();

  int64_t offset = 0;
  for (const auto& [group_name, params] : groups) {
    ParameterGroup group{group_name, {}, offset, offset};
    for (layers::Parameter* p : params) {
      const int64_t n = p->latent.numel();
      float* v = values_.get() + offset;
      std::memcpy(v, p->latent.data(), sizeof(float) * n);
      p->latent = engine::Tensor::view_of(v, p->latent.shape());
      p->value = p->latent;
      p->grad = engine::Tensor::view_of(grads_.get() + offset, p->latent.shape());
      group.slots.push_back({p, offset, n});
      offset += n;
    }
    group.end = offset;
    groups_.push_back(std::move(group));
  }
}

const ParameterGroup& ParameterArena::group(const std::string& name) const {
  for (const auto& g : groups_)
    if (g.name == name) return g;
  throw Error("no parameter group named '" + name + "'");
}

void ParameterArena::zero_grads() { engine::parallel_fill(grads_.get(), size_, 0.0f); }

}  // namespace laq::optim
