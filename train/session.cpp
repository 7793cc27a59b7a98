#include "train/session.h"

#include "optim/step.h"
#include "quant/method.h"
#include "train/experiment.h"
#include "train/init.h"

namespace laq::train {

ModelState Session::state() const {
  return {model->parameters(), model->buffers(), pipeline.state()};
}

Session make_session(const RunConfig& config) { return make_session(config, build_model(config)); }

Session make_session(const RunConfig& config, std::unique_ptr<layers::Module> model) {
  Session s;
  s.model = std::move(model);
  const bool quantized = config.method != "fpn";
  engine::Rng init_rng(static_cast<uint64_t>(config.seed));
  initialize(s.model->parameters(), quantized ? InitScheme::quantized : InitScheme::full_precision,
             init_rng);

  optim::StepConfig step;
  step.optimizer = config.optimizer;
  step.momentum = static_cast<float>(config.momentum);
  if (quantized) step.method = quant::parse_method(config.method);
  step.options.bits = static_cast<int>(config.bits);
  step.options.code_faithful = config.code_faithful;
  step.per_channel = config.per_channel;
  optim::TrainingStep built = optim::make_step(s.model->parameters(), step);
  s.arena = std::move(built.arena);
  s.pipeline = std::move(built.pipeline);
  s.quantized = std::move(built.quantized);
  return s;
}

}  // namespace laq::train
