#pragma once
// A model ready to train: the experiment's network, initialised, and the training step that
// optim::make_step builds for the run's method (optim/step.h: the stages in order and who owns
// which buffer); together everything a checkpoint must hold.
#include <memory>

#include "layers/sequential.h"
#include "optim/arena.h"
#include "optim/pipeline.h"
#include "optim/quantize_stage.h"
#include "train/checkpoint.h"
#include "train/run_config.h"

namespace laq::train {

struct Session {
  std::unique_ptr<layers::Module> model;
  std::unique_ptr<optim::ParameterArena> arena;
  optim::StepPipeline pipeline;
  std::shared_ptr<optim::QuantizedGroup> quantized;  // null for full precision

  ModelState state() const;
};

// Builds and initialises (seeded by config.seed) the run's model and pipeline.
Session make_session(const RunConfig& config);
// The same around a given network (the experiment's build_model is skipped): tiny models
// for the fuzz targets and their seeds.
Session make_session(const RunConfig& config, std::unique_ptr<layers::Module> model);

}  // namespace laq::train
