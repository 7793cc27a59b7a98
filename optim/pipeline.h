#pragma once
// The step pipeline (docs/design.md §2): after backward(), one training step runs its stages in order,
//   [TTQ/DoReFa gradient stage] -> optimizer on the latent weights -> [clip latent] ->
//   quantize -> optimizer on the other parameters,
// each stage a small object over ranges of the parameter arena (built in train/session.cpp).
// Adam clips inside its own loop, so a ClipStage appears only with SGD; the gradient sum over
// MPI ranks runs before the pipeline (train/trainer.cpp). Full-precision training is the
// same pipeline with fewer stages.
#include <memory>
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

class StepPipeline {
 public:
  void add(std::unique_ptr<Stage> stage) { stages_.push_back(std::move(stage)); }
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

// Clips latent weights elementwise to [lo, hi] (docs/algorithms.md §1.4: quantized weights to [-1, 1]).
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
