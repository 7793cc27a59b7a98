#pragma once
// A model ready to train: network, parameters in the arena, the step pipeline for the run's
// method (docs/algorithms.md §1.4, §1.6), and everything a checkpoint must hold.
//
// Full precision: one optimizer over every parameter, no clipping.
// Quantized: optimizer A over the quantizable weights -> clip to [-1, 1] -> quantize stage;
// optimizer B (same hyper-parameters, own state) over the rest. The two groups are the two
// contiguous halves of the arena.
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
