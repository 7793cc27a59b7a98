#include "train/session.h"

#include "engine/error.h"
#include "optim/adam.h"
#include "optim/sgd.h"
#include "train/experiment.h"
#include "train/init.h"

namespace laq::train {

ModelState Session::state() const {
  return {model->parameters(), model->buffers(), pipeline.state()};
}

namespace {

std::unique_ptr<optim::Optimizer> make_optimizer(const RunConfig& c, const std::string& name,
                                                 optim::ParameterArena& arena,
                                                 const optim::ParameterGroup& g) {
  if (c.optimizer == "adam") return std::make_unique<optim::Adam>(name, arena.values(g), arena.grads(g));
  if (c.optimizer == "sgd")
    return std::make_unique<optim::Sgd>(name, arena.values(g), arena.grads(g), static_cast<float>(c.momentum));
  throw Error("unknown optimizer '" + c.optimizer + "' (known: adam, sgd)");
}

}  // namespace

Session make_session(const RunConfig& config) {
  Session s;
  s.model = build_model(config);
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
  throw Error("method '" + config.method + "' needs the quantize stage, which this build lacks");
}

}  // namespace laq::train
