#pragma once
// Loss-aware quantization as a stage of the step pipeline (docs/algorithms.md §1.2-1.6, docs/design.md §2).
//
// It owns the quantized copy q of a group of weights (the parameters' `value` views point
// at it, so the forward pass reads q) and, per tensor, the scales of the last projection.
// Each run() does the proximal Newton step's projection for every tensor:
//     d = sqrt(acc) + 1e-8,   q = argmin_{q in C} sum d (q - w)^2     (warm-started from q)
// where w is the latent weight after the optimizer and the clip, and acc is the running
// mean of squared gradients w.r.t. q. With Adam, acc *is* Adam's un-bias-corrected v (same
// beta2, same gradient, same zero start; docs/algorithms.md §1.3), so the stage reads it; with another
// optimizer the stage keeps acc itself.
//
// TTQ and DoReFa differ from the rest in the backward pass (trained scales; a gradient
// through tanh), so they add a QuantizeGradientStage that runs before the optimizer.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "optim/arena.h"
#include "optim/pipeline.h"
#include "quant/method.h"
#include "quant/options.h"
#include "quant/quantize.h"

namespace laq::optim {

struct QuantizedTensor {
  layers::Parameter* parameter;
  int64_t offset;  // within the group
  int64_t size;
  int64_t rows;         // 1 for per-tensor scales; output channels for per-channel scales
  int64_t first_scale;  // index of row 0's scales in QuantizedGroup::scales()
};

class QuantizedGroup {
 public:
  QuantizedGroup(ParameterArena& arena, const ParameterGroup& group, quant::Method method,
                 quant::Options options, bool per_channel);

  quant::Method method() const { return method_; }
  const quant::Options& options() const { return options_; }
  const std::vector<QuantizedTensor>& tensors() const { return tensors_; }
  std::span<float> latent() { return latent_; }
  std::span<float> grads() { return grads_; }
  std::span<float> quantized() { return quantized_; }
  // The scales of the last projection, (positive, negative) per row of every tensor: state,
  // because multi-level codes cannot be read back from the values alone.
  std::span<float> scales() { return scales_; }
  quant::Scales scales(const QuantizedTensor& t, int64_t row) const {
    return {scales_[2 * (t.first_scale + row)], scales_[2 * (t.first_scale + row) + 1]};
  }
  const ParameterGroup& group() const { return *group_; }

  // Projects every tensor with curvature d = sqrt(second_moment) + 1e-8 (empty: uniform)
  // and warm start `warm` (empty: the current quantized values). The tensors are spread
  // over engine::threads() threads, each tensor solved whole by one of them (the exact
  // ternary solvers instead split each tensor into fixed chunks themselves), so the result
  // does not depend on the thread count.
  void project(std::span<const float> second_moment, std::span<const float> warm = {});
  // Runs task(k, worker) for every tensor k, spread over engine::threads() threads, each
  // tensor whole on one of them (largest first), or one after another when `one_thread`.
  // worker < engine::threads() names per-thread scratch.
  void for_each_tensor(const std::function<void(size_t k, int worker)>& task, bool one_thread = false);
  // What the quantizer reads for tensor k: its latent weights, d = sqrt(second_moment) + 1e-8
  // (empty: uniform), the warm start (empty: the current quantized values) and, for ttq, its
  // trained scales.
  quant::Input input(size_t k, std::span<const float> second_moment, std::span<const float> warm = {});
  // TTQ's trained scales, two per tensor (positive, negative magnitudes); empty for the rest.
  std::vector<float>& ttq_scales() { return ttq_scales_; }
  std::vector<float>& ttq_scale_grads() { return ttq_scale_grads_; }

 private:
  const ParameterGroup* group_;
  quant::Method method_;
  quant::Options options_;
  std::span<float> latent_, grads_;
  std::vector<float> quantized_;
  std::vector<float> scales_;
  std::vector<QuantizedTensor> tensors_;
  void project_tensor(size_t k, std::span<const float> second_moment, std::span<const float> warm,
                      std::vector<float>& d_buffer);
  std::vector<size_t> largest_first_;          // tensor indices, largest first (the task order)
  std::vector<std::vector<float>> d_buffers_;  // per worker: d written out for the solvers that read values
  std::vector<float> ttq_scales_, ttq_scale_grads_;
};

// After the optimizer and the clip: the projection.
class QuantizeStage : public Stage {
 public:
  // `optimizer` is the one updating this group: its second moment is the curvature. If it
  // has none, the stage accumulates its own (beta = 0.999).
  QuantizeStage(std::shared_ptr<QuantizedGroup> group, const Optimizer& optimizer);
  std::string name() const override { return "quantize:" + quant::method_name(group_->method()); }
  void run(float learning_rate) override;
  StateView state() override;

 private:
  std::shared_ptr<QuantizedGroup> group_;
  const Optimizer& optimizer_;
  std::vector<float> own_acc_;
};

// Before the optimizer: the gradient transforms of TTQ (scaled latent gradient, scale
// gradients, an Adam step on the scales) and DoReFa (through tanh and the max).
class QuantizeGradientStage : public Stage {
 public:
  explicit QuantizeGradientStage(std::shared_ptr<QuantizedGroup> group);
  std::string name() const override { return "quantize-gradient:" + quant::method_name(group_->method()); }
  void run(float learning_rate) override;
  StateView state() override;

 private:
  std::shared_ptr<QuantizedGroup> group_;
  std::unique_ptr<Optimizer> scale_optimizer_;  // ttq only
};

}  // namespace laq::optim
