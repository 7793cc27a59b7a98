#pragma once
// The step pipeline (docs/design.md §2): after backward(), one training step runs its stages in
// order, each a small object over ranges of the parameter arena. optim/step.h builds it and
// shows the whole step with the owner of every buffer.
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "optim/optimizer.h"
#include "optim/state.h"

namespace laq::optim {

class Stage {
 public:
  virtual ~Stage() = default;
  virtual std::string name() const = 0;
  virtual void run(float learning_rate) = 0;
  virtual StateView state() { return {}; }
};

// Sums the gradients over the ranks of a data-parallel run (train/data_parallel.h), handed in
// the way batch norm's reducer is, so that optim/ knows no communicator.
using GradientSync = std::function<void(std::span<float> grads)>;

class GradientSyncStage : public Stage {
 public:
  GradientSyncStage(std::span<float> grads, GradientSync sync) : grads_(grads), sync_(std::move(sync)) {}
  std::string name() const override { return "gradient-sync"; }
  void run(float) override { sync_(grads_); }

 private:
  std::span<float> grads_;
  GradientSync sync_;
};

class StepPipeline {
 public:
  void add(std::unique_ptr<Stage> stage) { stages_.push_back(std::move(stage)); }
  // Makes `sync` over `grads` the first stage: before any stage reads or transforms a gradient.
  void sync_gradients_first(std::span<float> grads, GradientSync sync) {
    stages_.insert(stages_.begin(), std::make_unique<GradientSyncStage>(grads, std::move(sync)));
  }
  void step(float learning_rate) {
    for (auto& s : stages_) s->run(learning_rate);
  }
  StateView state() const {
    StateView all;
    for (const auto& s : stages_) all.append(s->state());
    return all;
  }
  const std::vector<std::unique_ptr<Stage>>& stages() const { return stages_; }

 private:
  std::vector<std::unique_ptr<Stage>> stages_;
};

// Runs an optimizer over its group.
class OptimizerStage : public Stage {
 public:
  OptimizerStage(std::string name, std::unique_ptr<Optimizer> optimizer,
                 const ParameterGroup* group = nullptr)
      : name_(std::move(name)), optimizer_(std::move(optimizer)), group_(group) {}
  std::string name() const override { return name_; }
  void run(float learning_rate) override { optimizer_->step(learning_rate); }
  StateView state() override {
    StateView s = optimizer_->state();
    for (StateBuffer& b : s.buffers) b.group = group_;
    return s;
  }
  Optimizer& optimizer() { return *optimizer_; }

 private:
  std::string name_;
  std::unique_ptr<Optimizer> optimizer_;
  const ParameterGroup* group_;
};

// Clips latent weights elementwise to [lo, hi] (docs/algorithms.md §1.4: quantized weights to
// [-1, 1]) after an optimizer without a fused clip, i.e. SGD; Adam clips in its own loop.
class ClipStage : public Stage {
 public:
  ClipStage(std::span<float> values, float lo, float hi) : values_(values), lo_(lo), hi_(hi) {}
  std::string name() const override { return "clip"; }
  void run(float) override {
    for (float& v : values_) v = v < lo_ ? lo_ : (v > hi_ ? hi_ : v);
  }

 private:
  std::span<float> values_;
  float lo_, hi_;
};

}  // namespace laq::optim
