#include "train/session.h"

#include "engine/error.h"
#include "optim/adam.h"
#include "optim/quantize_stage.h"
#include "optim/sgd.h"
#include "quant/method.h"
#include "train/experiment.h"
#include "train/init.h"

namespace laq::train {

ModelState Session::state() const {
  return {model->parameters(), model->buffers(), pipeline.state()};
}

namespace {

// `clip`: keep the updated weights in [-1, 1] (docs/algorithms.md §1.4). Adam does it inside its own
// loop; any other optimizer gets a ClipStage after it.
std::unique_ptr<optim::Optimizer> make_optimizer(const RunConfig& c, const std::string& name,
                                                 optim::ParameterArena& arena,
                                                 const optim::ParameterGroup& g, bool clip = false) {
  if (c.optimizer == "adam") {
    optim::AdamConfig config;
    config.clip = clip;
    return std::make_unique<optim::Adam>(name, arena.values(g), arena.grads(g), config);
  }
  if (c.optimizer == "sgd")
    return std::make_unique<optim::Sgd>(name, arena.values(g), arena.grads(g), static_cast<float>(c.momentum));
  throw Error("unknown optimizer '" + c.optimizer + "' (known: adam, sgd)");
}

}  // namespace

Session make_session(const RunConfig& config) { return make_session(config, build_model(config)); }

Session make_session(const RunConfig& config, std::unique_ptr<layers::Module> model) {
  Session s;
  s.model = std::move(model);
  const bool quantized = config.method != "fpn";
  engine::Rng init_rng(static_cast<uint64_t>(config.seed));
  initialize(s.model->parameters(), quantized ? InitScheme::quantized : InitScheme::full_precision,
             init_rng);

  if (!quantized) {
    s.arena = std::make_unique<optim::ParameterArena>(
        std::vector<std::pair<std::string, std::vector<layers::Parameter*>>>{{"all", s.model->parameters()}});
    const auto& all = s.arena->group("all");
    s.pipeline.add(std::make_unique<optim::OptimizerStage>(
        config.optimizer, make_optimizer(config, config.optimizer, *s.arena, all), &all));
    return s;
  }
  // Quantized: the dense/conv weights in one group, everything else in another (docs/algorithms.md §1.4, §1.5).
  std::vector<layers::Parameter*> weights, rest;
  for (layers::Parameter* p : s.model->parameters()) (p->quantizable ? weights : rest).push_back(p);
  s.arena = std::make_unique<optim::ParameterArena>(
      std::vector<std::pair<std::string, std::vector<layers::Parameter*>>>{{"quantized", weights}, {"other", rest}});
  const auto& qg = s.arena->group("quantized");
  const auto& og = s.arena->group("other");
  const quant::Method method = quant::parse_method(config.method);
  quant::Options options;
  options.bits = static_cast<int>(config.bits);
  options.code_faithful = config.code_faithful;
  auto group = std::make_shared<optim::QuantizedGroup>(*s.arena, qg, method, options, config.per_channel);

  if (method == quant::Method::ttq || method == quant::Method::dorefa)
    s.pipeline.add(std::make_unique<optim::QuantizeGradientStage>(group));
  // DoReFa bounds its weights through tanh; every other method keeps the latent weights in
  // [-1, 1] (docs/algorithms.md §1.4: the authors' clipping_scaling).
  const bool clip = method != quant::Method::dorefa;
  auto weight_optimizer = std::make_unique<optim::OptimizerStage>(
      config.optimizer + "_quantized", make_optimizer(config, config.optimizer + "_quantized", *s.arena, qg, clip), &qg);
  const optim::Optimizer& curvature_source = weight_optimizer->optimizer();
  s.pipeline.add(std::move(weight_optimizer));
  if (clip && config.optimizer != "adam")
    s.pipeline.add(std::make_unique<optim::ClipStage>(s.arena->values(qg), -1.0f, 1.0f));
  s.pipeline.add(std::make_unique<optim::QuantizeStage>(group, curvature_source));
  s.pipeline.add(std::make_unique<optim::OptimizerStage>(
      config.optimizer + "_other", make_optimizer(config, config.optimizer + "_other", *s.arena, og), &og));
  s.quantized = group;
  return s;
}

}  // namespace laq::train
