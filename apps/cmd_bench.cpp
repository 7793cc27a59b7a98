// laq bench: the median time of one whole training step (forward, loss, backward, the full
// optimizer pipeline) on synthetic data, as one JSON line. bench/pytorch_*.py times the
// identical step in PyTorch for the side-by-side ratio (bench/compare.sh runs both).
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "apps/bench_packed.h"
#include "apps/commands.h"
#include "apps/options.h"
#include "engine/autograd.h"
#include "engine/error.h"
#include "engine/losses.h"
#include "engine/rng.h"
#include "engine/threads.h"
#include "quant/method.h"
#include "train/checkpoint.h"
#include "train/experiment.h"
#include "train/json.h"
#include "train/session.h"

namespace laq::apps {
namespace {

// Ten times the paper's largest batch: the VGG's activations at this size already take
// gigabytes, and a larger value is a typo.
constexpr int64_t kMaxBatch = 1024;

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * double(v.size() - 1);
  const size_t i = static_cast<size_t>(pos);
  return i + 1 < v.size() ? v[i] + (pos - double(i)) * (v[i + 1] - v[i]) : v[i];
}

}  // namespace

int run_bench(int argc, char** argv) {
  std::string model = "mlp";
  train::RunConfig c;
  int64_t steps = 30, warmup = 5;
  po::options_description o("laq bench options");
  o.add_options()("help,h", "show this help")("model", po::value(&model)->default_value(model),
                                              "mlp (MNIST MLP, docs/algorithms.md §3.2, batch 100), vgg (CIFAR-10 VGG-like net, 3.3, batch 50), lstm (char LSTM 1x512, vocabulary 100, 100 steps, 3.6, batch 100)")("method", po::value(&c.method)->default_value(c.method), "weight quantizer")("bits", po::value(&c.bits)->default_value(c.bits), "bit width m: laq-linear and laq-log 2..8, dorefa 1..8 (not with --from, which has its own)")("batch", po::value<int64_t>(), "mini-batch size, 2..1024 (default: the model's experiment)")("threads", po::value(&c.threads)->default_value(2), "threads, 1..1024")("from", po::value<std::string>(),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                       "start from a run's checkpoint (its weights and optimizer state; "
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                       "same experiment and method), e.g. RUN/best.h5: trained weights "
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                       "are what the quantizers really see")("packed", po::value<std::string>(),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                             "instead: time the forward pass of this packed model (laq export) run "
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                             "from its codes and through the float layers, at --batch (default 1)")("steps", po::value(&steps)->default_value(steps), "timed steps (at least 20)")("warmup", po::value(&warmup)->default_value(warmup), "untimed steps first");
  po::variables_map vm;
  if (!parse_or_help(argc, argv, o, vm,
                     "usage: laq bench --model mlp|vgg|lstm [--method M] [--from RUN/best.h5] [--threads N] [--steps N]\n"
                     "       laq bench --packed MODEL.h5 [--batch 1] [--threads N]"))
    return 0;
  if (vm.count("packed")) {
    const int64_t batch = vm.count("batch") ? vm["batch"].as<int64_t>() : 1;
    require(batch >= 1, "batch", batch, "must be at least 1");
    require(steps >= 20, "steps", steps, "at least 20 timed steps give a stable median");
    require(warmup >= 0, "warmup", warmup, "must be non-negative");
    require(c.threads >= 1, "threads", c.threads, "must be at least 1");
    return bench_packed(vm["packed"].as<std::string>(), batch, c.threads, steps, warmup);
  }
  c.experiment = train::bench_experiment(model);
  require(!c.experiment.empty(), "model", model, "known models: " + train::bench_models());
  quant::Method method;
  try {
    method = quant::parse_method(c.method);
  } catch (const Error& e) {
    throw UsageError(std::string("option '--method': ") + e.what());
  }
  const quant::MethodTraits traits = quant::traits(method);
  // With --from the width is the checkpoint's; without, it must suit the method.
  refuse_without_effect(vm, "bits", traits.needs_bits && !vm.count("from"),
                        vm.count("from") ? "--from takes the bit width from the checkpoint"
                                         : quant::bits_problem(method, c.bits));
  if (traits.needs_bits && !vm.count("from"))
    require(quant::bits_problem(method, c.bits).empty(), "bits", c.bits, quant::bits_problem(method, c.bits));
  const train::ExperimentDefaults& preset = train::experiment(c.experiment);
  c.batch = vm.count("batch") ? vm["batch"].as<int64_t>() : preset.batch;
  if (train::experiment_network(c.experiment) == train::Network::char_lstm) c.vocab = 100;
  require(steps >= 20, "steps", steps, "at least 20 timed steps give a stable median");
  require(warmup >= 0, "warmup", warmup, "must be non-negative");
  require(c.threads >= 1 && c.threads <= engine::kMaxThreads, "threads", c.threads,
          "must be in 1.." + std::to_string(engine::kMaxThreads));
  require(c.batch >= 2 && c.batch <= kMaxBatch, "batch", c.batch,
          "must be in 2.." + std::to_string(kMaxBatch) + " (batch norm needs 2 examples; larger batches exhaust memory)");
  engine::set_threads(static_cast<int>(c.threads));
  std::string from;
  if (vm.count("from")) {
    from = vm["from"].as<std::string>();
    train::RunConfig stored;
    try {
      stored = train::read_checkpoint_config(from);
    } catch (const std::exception& e) {
      std::cerr << "laq bench: --from " << from << ": " << e.what() << "\n";
      return 1;
    }
    require(stored.experiment == c.experiment && stored.method == c.method, "from", from,
            "holds a " + stored.experiment + " " + stored.method + " run, not " + c.experiment + " " + c.method);
    c.bits = stored.bits;
    c.per_channel = stored.per_channel;
    c.code_faithful = stored.code_faithful;
    c.vocab = stored.vocab;
  }

  // Synthetic data of the experiment's shapes: images, or 100-character windows whose every
  // position has a target.
  train::Session s = train::make_session(c);
  if (!from.empty()) {
    train::Progress progress;
    train::load_checkpoint(from, progress, s.state());
  }
  engine::Rng rng(7);
  const bool text = train::experiment_network(c.experiment) == train::Network::char_lstm;
  const engine::Shape shape = train::input_shape(train::experiment_network(c.experiment), c.batch);
  const int64_t classes = text ? c.vocab : 10;
  const int64_t targets = text ? shape[0] * shape[1] : c.batch;  // every position of every window
  engine::Tensor x(shape);
  for (float& v : x.span())
    v = text ? static_cast<float>(engine::uniform_below(rng, classes)) : static_cast<float>(engine::uniform01(rng) - 0.5);
  std::vector<int32_t> y(targets);
  for (auto& v : y) v = static_cast<int32_t>(engine::uniform_below(rng, classes));

  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); };
  std::vector<double> ms;
  // Each pipeline stage is timed too, so its share of the step is measured in the same run.
  const auto& stages = s.pipeline.stages();
  std::vector<std::vector<double>> stage_ms(stages.size());
  for (int64_t i = 0; i < warmup + steps; ++i) {
    const auto t0 = Clock::now();
    s.arena->zero_grads();
    engine::Var out = s.model->forward(engine::constant(x), true);
    engine::Var loss = preset.loss == train::LossKind::squared_hinge ? engine::squared_hinge(out, y)
                                                                     : engine::softmax_cross_entropy(out, y);
    engine::backward(loss);
    for (size_t k = 0; k < stages.size(); ++k) {
      const auto ts = Clock::now();
      stages[k]->run(1e-3f);
      if (i >= warmup) stage_ms[k].push_back(since(ts));
    }
    if (i >= warmup) ms.push_back(since(t0));
  }
  train::Json j;
  j.add("bench", "train_step").add("engine", "laq").add("model", model).add("method", c.method).add("batch", c.batch).add("threads", c.threads).add("steps", steps).add("median_ms", percentile(ms, 0.5)).add("p10_ms", percentile(ms, 0.1)).add("p90_ms", percentile(ms, 0.9)).add("openblas_core", openblas_get_corename());
  train::Json per_stage;
  for (size_t k = 0; k < stages.size(); ++k) per_stage.add(stages[k]->name(), percentile(stage_ms[k], 0.5));
  j.add("stage_median_ms", per_stage);
  std::cout << j.str() << std::endl;
  return 0;
}

}  // namespace laq::apps
