#pragma once
// One training step of loss-aware quantization, put together in one place (docs/algorithms.md
// §1.2-1.6, docs/design.md §2). After backward(), the pipeline make_step builds runs
//
//   [gradient sync]         data-parallel runs only: grads <- mean over the ranks
//   [gradient transform]    ttq, dorefa only: dL/dq -> dL/dw (and TTQ's scale gradients)
//   optimizer on latent w   Adam fuses the clip to [-1, 1] (SGD: a ClipStage after it;
//                           dorefa: no clip, tanh bounds its weights)
//   quantize                q = argmin_{q in C} sum d (q - w)^2, d = sqrt(v) + 1e-8
//   optimizer on the rest   biases, batch norm: full precision, own state
//
// Full precision is the one optimizer stage over every parameter.
//
// Who owns which buffer:
//
// | buffer                      | owner                          | written by            | read by                        |
// |-----------------------------|--------------------------------|-----------------------|--------------------------------|
// | latent w                    | ParameterArena (values)        | the weight optimizer  | the quantize stage             |
// | quantized q = warm start    | QuantizedGroup (quantized)     | the quantize stage    | forward (Parameter::value), the|
// |                             |                                |                       | next projection's warm start   |
// | dL/dq                       | ParameterArena (grads)         | autograd; the sync and| the optimizers                 |
// |                             |                                | transform stages      |                                |
// | v (curvature squared)       | Adam (second_moment)           | Adam                  | the quantize stage             |
// | scales of the last solve    | QuantizedGroup (scales)        | the quantize stage    | checkpoints, export            |
// | TTQ's trained scales        | QuantizedGroup (ttq_scales)    | the transform stage's | the quantize stage             |
// |                             |                                | own Adam              |                                |
//
// Order of construction, as make_step does it: the arena copies the parameters' initial
// values and rebinds their views to itself; the QuantizedGroup then points every quantized
// parameter's `value` at its copy q and runs the first projection (uniform d, TWN warm start),
// so the first forward pass already sees quantized weights.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "layers/parameter.h"
#include "optim/arena.h"
#include "optim/pipeline.h"
#include "optim/quantize_stage.h"
#include "quant/method.h"
#include "quant/options.h"

namespace laq::optim {

struct StepConfig {
  std::string optimizer = "adam";       // adam | sgd
  float momentum = 0.0f;                // sgd only
  std::optional<quant::Method> method;  // empty: full precision
  quant::Options options;               // the quantizer's (bits, code-faithful variant)
  bool per_channel = false;             // one scale per output channel instead of per tensor
};

struct TrainingStep {
  std::unique_ptr<ParameterArena> arena;
  StepPipeline pipeline;
  std::shared_ptr<QuantizedGroup> quantized;  // null for full precision
};

// Builds the arena over `parameters` (quantizable weights first when quantized) and the step
// pipeline above. The parameters must hold their initial values and outlive the result.
TrainingStep make_step(const std::vector<layers::Parameter*>& parameters, const StepConfig& config);

}  // namespace laq::optim
