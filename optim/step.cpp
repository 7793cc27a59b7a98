#include "optim/step.h"

#include "engine/error.h"
#include "optim/adam.h"
#include "optim/sgd.h"

namespace laq::optim {

namespace {

using Groups = std::vector<std::pair<std::string, std::vector<layers::Parameter*>>>;

std::unique_ptr<Optimizer> make_optimizer(const StepConfig& c, const std::string& name, ParameterArena& arena,
                                          const ParameterGroup& g, bool clip) {
  if (c.optimizer == "adam") {
    AdamConfig config;
    config.clip = clip;  // fused into Adam's own loop: one pass over w fewer
    return std::make_unique<Adam>(name, arena.values(g), arena.grads(g), config);
  }
  if (c.optimizer == "sgd") return std::make_unique<Sgd>(name, arena.values(g), arena.grads(g), c.momentum);
  throw Error("unknown optimizer '" + c.optimizer + "' (known: adam, sgd)");
}

void add_optimizer(StepPipeline& pipeline, const StepConfig& c, const std::string& name, ParameterArena& arena,
                   const ParameterGroup& g) {
  pipeline.add(std::make_unique<OptimizerStage>(name, make_optimizer(c, name, arena, g, false), &g));
}

}  // namespace

TrainingStep make_step(const std::vector<layers::Parameter*>& parameters, const StepConfig& config) {
  TrainingStep step;
  if (!config.method) {
    step.arena = std::make_unique<ParameterArena>(Groups{{"all", parameters}});
    add_optimizer(step.pipeline, config, config.optimizer, *step.arena, step.arena->group("all"));
    return step;
  }
  // The dense and conv weights are quantized; biases and batch norm stay full precision
  // (docs/algorithms.md §1.4, §1.5). Two contiguous groups, two optimizers with own state.
  std::vector<layers::Parameter*> weights, rest;
  for (layers::Parameter* p : parameters) (p->quantizable ? weights : rest).push_back(p);
  step.arena = std::make_unique<ParameterArena>(Groups{{"quantized", weights}, {"other", rest}});
  const ParameterGroup& latent = step.arena->group("quantized");
  const ParameterGroup& other = step.arena->group("other");
  const quant::Method method = *config.method;
  const quant::MethodTraits traits = quant::traits(method);
  step.quantized = std::make_shared<QuantizedGroup>(*step.arena, latent, method, config.options, config.per_channel);

  StepPipeline& p = step.pipeline;
  // TTQ trains its scales and DoReFa passes the gradient through its tanh: both transform dL/dq
  // before the optimizer reads it.
  if (traits.scales_trained_by_gradient || traits.gradient_through_quantizer)
    p.add(std::make_unique<QuantizeGradientStage>(step.quantized));
  // DoReFa bounds its weights through tanh; every other method keeps them in [-1, 1]
  // (docs/algorithms.md §1.4: the authors' clipping_scaling).
  const bool clip = !traits.gradient_through_quantizer;
  const bool fused_clip = clip && config.optimizer == "adam";
  const std::string weights_name = config.optimizer + "_quantized";
  std::unique_ptr<Optimizer> weights_optimizer = make_optimizer(config, weights_name, *step.arena, latent, fused_clip);
  const Optimizer& curvature_source = *weights_optimizer;  // its second moment is the quantizer's d
  p.add(std::make_unique<OptimizerStage>(weights_name, std::move(weights_optimizer), &latent));
  if (clip && !fused_clip) p.add(std::make_unique<ClipStage>(step.arena->values(latent), -1.0f, 1.0f));
  p.add(std::make_unique<QuantizeStage>(step.quantized, curvature_source));
  add_optimizer(p, config, config.optimizer + "_other", *step.arena, other);
  return step;
}

}  // namespace laq::optim
