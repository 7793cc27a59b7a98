#include "optim/quantize_stage.h"

#include <algorithm>
#include <cmath>

#include "engine/error.h"
#include "engine/parallel.h"
#include "engine/threads.h"
#include "optim/adam.h"
#include "quant/curvature.h"
#include "quant/quantize.h"

namespace laq::optim {

namespace {
constexpr float kCurvatureEps = 1e-8f;  // d = sqrt(acc) + 1e-8 (docs/algorithms.md §1.3)
constexpr float kAccBeta = 0.999f;
}  // namespace

QuantizedGroup::QuantizedGroup(ParameterArena& arena, const ParameterGroup& group, quant::Method method,
                               quant::Options options, bool per_channel)
    : group_(&group), method_(method), options_(options), latent_(arena.values(group)), grads_(arena.grads(group)), quantized_(group.size(), 0.0f) {
  const quant::MethodTraits traits = quant::traits(method);
  if (per_channel && traits.scales_trained_by_gradient)
    throw Error("per-channel scales: " + quant::method_name(method) +
                " trains one pair of scales per tensor; use per-tensor scales");
  int64_t rows_so_far = 0;
  for (const ArenaSlot& slot : group.slots) {
    if (per_channel && !slot.parameter->rows_are_outputs)
      throw Error("per-channel scales: " + slot.parameter->name +
                  " does not store output channels along its rows; use per-tensor scales");
    const int64_t rows = per_channel ? slot.parameter->output_channels() : 1;
    tensors_.push_back({slot.parameter, slot.offset - group.begin, slot.size, rows, rows_so_far});
    rows_so_far += rows;
    // From now on the forward pass reads the quantized copy.
    slot.parameter->value = engine::Tensor::view_of(quantized_.data() + (slot.offset - group.begin),
                                                    slot.parameter->latent.shape());
  }
  largest_first_.resize(tensors_.size());
  for (size_t k = 0; k < tensors_.size(); ++k) largest_first_[k] = k;
  std::stable_sort(largest_first_.begin(), largest_first_.end(),
                   [&](size_t a, size_t b) { return tensors_[a].size > tensors_[b].size; });
  scales_.assign(2 * rows_so_far, 0.0f);
  if (traits.scales_trained_by_gradient) {
    // TTQ's scales start at 1 (the TTQ paper leaves it open). Batch norm follows every
    // quantized layer, so only their ratio and drift matter; started at the TWN scale of the
    // initial weights (about 0.02), Adam's first steps (about lr = 0.01 each) drove them to 0.
    ttq_scales_.assign(2 * tensors_.size(), 1.0f);
    ttq_scale_grads_.assign(ttq_scales_.size(), 0.0f);
  }
  // The first projection: acc = 0, so d is uniform (docs/algorithms.md §1.3), warm-started from the TWN
  // sign pattern of the initial weights (docs/algorithms.md §2.3).
  std::vector<float> warm(group.size());
  for (const QuantizedTensor& t : tensors_)
    quant::initial_warm_start(latent_.subspan(t.offset, t.size), std::span(warm).subspan(t.offset, t.size));
  project({}, warm);
}

void QuantizedGroup::project(std::span<const float> second_moment, std::span<const float> warm) {
  // The exact ternary solvers spread each tensor's passes over the engine's pool themselves
  // (fixed chunks: the same bits on any thread count, and no thread left with the largest
  // tensor alone), so their tensors go one after another.
  const bool one_tensor_at_a_time = quant::spreads_one_tensor(method_, options_.code_faithful);
  const size_t threads = static_cast<size_t>(std::max(1, engine::threads()));
  if (d_buffers_.size() < threads) d_buffers_.resize(threads);
  for_each_tensor([&](size_t k, int worker) { project_tensor(k, second_moment, warm, d_buffers_[worker]); },
                  one_tensor_at_a_time);
}

void QuantizedGroup::for_each_tensor(const std::function<void(size_t, int)>& task, bool one_thread) {
  if (one_thread) {
    for (size_t k : largest_first_) task(k, 0);
    return;
  }
  engine::parallel_tasks_on_workers(static_cast<int64_t>(largest_first_.size()),
                                    [&](int64_t i, int worker) { task(largest_first_[i], worker); });
}

quant::Input QuantizedGroup::input(size_t k, std::span<const float> second_moment, std::span<const float> warm) {
  const QuantizedTensor& t = tensors_[k];
  // d = sqrt(v) + 1e-8, read through a view of Adam's v; v = 0 (the first projection) makes d uniform.
  const quant::Curvature d = second_moment.empty()
                                 ? quant::Curvature::constant(kCurvatureEps)
                                 : quant::Curvature::root(second_moment.subspan(t.offset, t.size), kCurvatureEps);
  const std::span<const float> q = std::span(quantized_).subspan(t.offset, t.size);
  const quant::Scales trained = ttq_scales_.empty() ? quant::Scales{} : quant::Scales{ttq_scales_[2 * k], ttq_scales_[2 * k + 1]};
  return {latent_.subspan(t.offset, t.size), d, warm.empty() ? q : warm.subspan(t.offset, t.size), trained};
}

void QuantizedGroup::project_tensor(size_t k, std::span<const float> second_moment, std::span<const float> warm,
                                    std::vector<float>& d_buffer) {
  const QuantizedTensor& t = tensors_[k];
  const quant::Input whole = input(k, second_moment, warm);
  const std::span<float> q = std::span(quantized_).subspan(t.offset, t.size);
  const size_t row = static_cast<size_t>(t.size / t.rows);
  for (int64_t r = 0; r < t.rows; ++r) {
    const size_t at = static_cast<size_t>(r) * row;
    const quant::Input part{whole.w.subspan(at, row), whole.d.slice(at, row), whole.warm.subspan(at, row), whole.trained};
    const quant::Scales s = quant::quantize(method_, part, q.subspan(at, row), options_, nullptr, &d_buffer);
    scales_[2 * (t.first_scale + r)] = s.positive;
    scales_[2 * (t.first_scale + r) + 1] = s.negative;
  }
}

QuantizeStage::QuantizeStage(std::shared_ptr<QuantizedGroup> group, const Optimizer& optimizer)
    : group_(std::move(group)), optimizer_(optimizer) {
  if (optimizer_.second_moment().empty()) own_acc_.assign(group_->latent().size(), 0.0f);
}

void QuantizeStage::run(float) {
  std::span<const float> acc = optimizer_.second_moment();
  if (!own_acc_.empty()) {
    const std::span<float> g = group_->grads();
    for (size_t i = 0; i < own_acc_.size(); ++i)
      own_acc_[i] = kAccBeta * own_acc_[i] + (1.0f - kAccBeta) * g[i] * g[i];
    acc = own_acc_;
  }
  group_->project(acc);
}

StateView QuantizeStage::state() {
  StateView s;
  s.buffers.push_back({"quantized", group_->quantized(), &group_->group()});
  s.buffers.push_back({"quantized_scales", group_->scales()});
  if (!own_acc_.empty()) s.buffers.push_back({"acc", own_acc_, &group_->group()});
  if (!group_->ttq_scales().empty()) s.buffers.push_back({"ttq_scales", group_->ttq_scales()});
  return s;
}

QuantizeGradientStage::QuantizeGradientStage(std::shared_ptr<QuantizedGroup> group) : group_(std::move(group)) {
  if (!group_->ttq_scales().empty())
    scale_optimizer_ = std::make_unique<Adam>("ttq_scales_adam", group_->ttq_scales(), group_->ttq_scale_grads());
}

void QuantizeGradientStage::run(float learning_rate) {
  // Each tensor writes only its own gradients and scale gradients, so the thread count
  // changes nothing.
  group_->for_each_tensor([&](size_t k, int) {
    const QuantizedTensor& t = group_->tensors()[k];
    quant::Scales trained_gradients;
    quant::latent_gradient(group_->method(), group_->input(k, {}), group_->grads().subspan(t.offset, t.size),
                           group_->options(), &trained_gradients);
    if (scale_optimizer_) {
      group_->ttq_scale_grads()[2 * k] = trained_gradients.positive;
      group_->ttq_scale_grads()[2 * k + 1] = trained_gradients.negative;
    }
  });
  if (scale_optimizer_) {
    scale_optimizer_->step(learning_rate);
    for (float& s : group_->ttq_scales()) s = std::max(s, 1e-8f);  // scales are magnitudes
  }
}

StateView QuantizeGradientStage::state() { return scale_optimizer_ ? scale_optimizer_->state() : StateView{}; }

}  // namespace laq::optim
