#pragma once
// The parameter arena: every parameter's latent value and gradient in one flat buffer each,
// so that an optimizer updates a whole group in one loop and a data-parallel run sums all
// gradients with one MPI_Allreduce.
//
// Contract: the constructor copies each parameter's current latent value into the arena and
// rebinds its latent, value and grad views there; groups are contiguous ranges in the order
// the parameters were given. The Parameters must outlive the arena.
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "layers/parameter.h"

namespace laq::optim {

struct ArenaSlot {
  layers::Parameter* parameter;
  int64_t offset;
  int64_t size;
};

// A contiguous range of the arena that one optimizer instance (and maybe one quantizer) owns.
struct ParameterGroup {
  std::string name;
  std::vector<ArenaSlot> slots;
  int64_t begin = 0, end = 0;
  int64_t size() const { return end - begin; }
};

class ParameterArena {
 public:
  // Each inner vector becomes one group, laid out one after the other.
  ParameterArena(const std::vector<std::pair<std::string, std::vector<layers::Parameter*>>>& groups);
  ParameterArena(const ParameterArena&) = delete;
  ParameterArena& operator=(const ParameterArena&) = delete;

  std::span<float> values() { return {values_.get(), size_t(size_)}; }
  std::span<float> grads() { return {grads_.get(), size_t(size_)}; }
  std::span<float> values(const ParameterGroup& g) { return values().subspan(g.begin, g.size()); }
  std::span<float> grads(const ParameterGroup& g) { return grads().subspan(g.begin, g.size()); }
  const std::vector<ParameterGroup>& groups() const { return groups_; }
  const ParameterGroup& group(const std::string& name) const;
  int64_t size() const { return size_; }
  void zero_grads();

 private:
  std::unique_ptr<float[]> values_, grads_;
  int64_t size_ = 0;
  std::vector<ParameterGroup> groups_;
};

}  // namespace laq::optim
