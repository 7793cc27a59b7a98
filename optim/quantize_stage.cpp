#include "optim/quantize_stage.h"

#include <algorithm>
#include <cmath>
#include <mutex>

#include "engine/error.h"
#include "engine/parallel.h"
#include "engine/threads.h"
#include "optim/adam.h"
#include "quant/baselines.h"
#include "quant/curvature.h"
#include "quant/quantize.h"
#include "quant/runner.h"

namespace laq::optim {

namespace {
constexpr float kCurvatureEps = 1e-8f;  // d = sqrt(acc) + 1e-8 (docs/algorithms.md §1.3)
constexpr float kAccBeta = 0.999f;
}  // namespace

void run_quant_on_engine_threads() {
  static std::once_flag once;
  std::call_once(once, [] {
    quant::set_runner([](std::size_t count, const std::function<void(std::size_t)>& task) {
      engine::parallel_tasks(static_cast<int64_t>(count), [&](int64_t i) { task(static_cast<std::size_t>(i)); });
    });
  });
}

QuantizedGroup::QuantizedGroup(ParameterArena& arena, const ParameterGroup& group, quant::Method method,
                               quant::Options options, bool per_channel)
    : group_(&group), method_(method), options_(options), latent_(arena.values(group)), grads_(arena.grads(group)), quantized_(group.size(), 0.0f) {
  run_quant_on_engine_threads();
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
  if (method == quant::Method::ttq) {
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
  const bool solver_splits_tensors =
      (method_ == quant::Method::lat_e || method_ == quant::Method::lat2_e) && !options_.code_faithful;
  const size_t threads = static_cast<size_t>(std::max(1, engine::threads()));
  if (curvature_.size() < threads) curvature_.resize(threads);
  for_each_tensor([&](size_t k, int worker) { project_tensor(k, second_moment, warm, curvature_[worker]); },
                  solver_splits_tensors);
}

void QuantizedGroup::for_each_tensor(const std::function<void(size_t, int)>& task, bool one_thread) {
  const int threads = one_thread ? 1 : std::max(1, engine::threads());
  workers_->run(threads, largest_first_.size(), [&](size_t i, int worker) { task(largest_first_[i], worker); });
}

void QuantizedGroup::project_tensor(size_t k, std::span<const float> second_moment, std::span<const float> warm,
                                    std::vector<float>& curvature) {
  const quant::MethodTraits traits = quant::traits(method_);
  QuantizedTensor& t = tensors_[k];
  std::span<const float> w = latent_.subspan(t.offset, t.size);
  std::span<float> q = std::span(quantized_).subspan(t.offset, t.size);
  if (method_ == quant::Method::ttq) {
    const quant::Scales s =
        quant::quantize(method_, {w, {}, {}, {ttq_scales_[2 * k], ttq_scales_[2 * k + 1]}}, q, options_);
    scales_[2 * t.first_scale] = s.positive;
    scales_[2 * t.first_scale + 1] = s.negative;
    return;
  }
  const int64_t row = t.size / t.rows;
  auto store = [&](int64_t r, quant::Scales s) {
    scales_[2 * (t.first_scale + r)] = s.positive;
    scales_[2 * (t.first_scale + r) + 1] = s.negative;
  };
  // The exact ternary solvers read d through a view of Adam's v (d = sqrt(v) + 1e-8 formed
  // on the fly with the same float operations): no d buffer, one pass over the tensor fewer.
  if (method_ == quant::Method::lat_e || method_ == quant::Method::lat2_e) {
    const quant::Curvature d = second_moment.empty()
                                   ? quant::Curvature::constant(kCurvatureEps)
                                   : quant::Curvature::root(second_moment.subspan(t.offset, t.size), kCurvatureEps);
    for (int64_t r = 0; r < t.rows; ++r) {
      const quant::Curvature part = d.slice(r * row, row);
      std::span<const float> wr = w.subspan(r * row, row);
      std::span<float> qr = q.subspan(r * row, row);
      store(r, quant::quantize(method_, {wr, part, {}, {}}, qr, options_));
    }
    return;
  }
  if (curvature.size() < static_cast<size_t>(t.size)) curvature.resize(t.size);
  std::span<float> d = std::span(curvature).subspan(0, t.size);
  if (traits.uses_curvature) {
    const quant::Curvature from = second_moment.empty()
                                      ? quant::Curvature::constant(kCurvatureEps)
                                      : quant::Curvature::root(second_moment.subspan(t.offset, t.size), kCurvatureEps);
    from.write(d);
  }
  std::span<const float> start = warm.empty() ? std::span<const float>(q) : warm.subspan(t.offset, t.size);
  for (int64_t r = 0; r < t.rows; ++r) {
    auto part = [&](std::span<const float> s, bool used) { return used ? s.subspan(r * row, row) : std::span<const float>(); };
    const quant::Input input{w.subspan(r * row, row), quant::Curvature::values(part(d, traits.uses_curvature)), part(start, traits.uses_warm_start), {}};
    store(r, quant::quantize(method_, input, q.subspan(r * row, row), options_));
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
  if (group_->method() == quant::Method::ttq)
    scale_optimizer_ = std::make_unique<Adam>("ttq_scales_adam", group_->ttq_scales(), group_->ttq_scale_grads());
}

void QuantizeGradientStage::run(float learning_rate) {
  const quant::Method method = group_->method();
  const auto& tensors = group_->tensors();
  // Each tensor writes only its own gradients and scale gradients, so the thread count
  // changes nothing; both backwards may write the transformed gradient over g.
  group_->for_each_tensor([&](size_t k, int) {
    const QuantizedTensor& t = tensors[k];
    std::span<const float> w = group_->latent().subspan(t.offset, t.size);
    std::span<float> g = group_->grads().subspan(t.offset, t.size);
    if (method == quant::Method::ttq) {
      auto& s = group_->ttq_scales();
      auto& gs = group_->ttq_scale_grads();
      quant::ttq_backward(w, g, s[2 * k], s[2 * k + 1], group_->options().ttq_threshold, g, gs[2 * k],
                          gs[2 * k + 1]);
    } else if (method == quant::Method::dorefa) {
      quant::dorefa_backward(w, g, g);
    }
  });
  if (scale_optimizer_) {
    scale_optimizer_->step(learning_rate);
    for (float& s : group_->ttq_scales()) s = std::max(s, 1e-8f);  // scales are magnitudes
  }
}

StateView QuantizeGradientStage::state() { return scale_optimizer_ ? scale_optimizer_->state() : StateView{}; }

}  // namespace laq::optim
