#pragma once
// A trainable tensor of a layer.
//
// `latent` is what the optimizer updates; `value` is what the forward pass reads. For an
// ordinary parameter they are the same view. For a quantized weight the optimizer rebinds
// `value` to the quantized copy (docs/design.md §2: layers never know quantization exists).
// `grad` receives d(loss)/d(value). All three become views into the parameter arena.
#include <cstdint>
#include <string>

#include "engine/tensor.h"

namespace laq::layers {

// How a parameter is initialised; the numbers that depend on the run (quantized or full
// precision) are chosen by the initialiser, not by the layer.
enum class InitKind {
  zeros,
  ones,
  constant,     // `constant`
  fan_uniform,  // U(+-bound(fan_in, fan_out)), the bound set by the run's scheme (docs/algorithms.md §3.1)
  uniform,      // U(+-constant), e.g. the LSTM's 0.08
  normal,       // N(0, constant^2)
};

struct Init {
  InitKind kind = InitKind::zeros;
  float constant = 0.0f;
  int64_t fan_in = 0, fan_out = 0;
};

struct Parameter {
  std::string name;  // "fc1.weight": unique within the model, the key in checkpoints
  engine::Tensor latent;
  engine::Tensor value;
  engine::Tensor grad;
  Init init;
  // A dense or conv weight matrix: the tensors docs/algorithms.md §1.5 quantizes.
  bool quantizable = false;
  // Whether the leading dimension indexes output channels (dense [out, in], conv [out, in,
  // k, k]), which per-channel scales need. The LSTM's gate matrices are [in, out].
  bool rows_are_outputs = true;
  int64_t output_channels() const { return latent.rank() ? latent.dim(0) : 1; }

  Parameter(std::string n, engine::Shape shape, Init i, bool q = false)
      : name(std::move(n)), latent(std::move(shape)), value(latent), grad(latent.shape()), init(i), quantizable(q) {}
};

}  // namespace laq::layers
