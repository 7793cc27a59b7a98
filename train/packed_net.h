#pragma once
// A packed model run from its codes: the MLP and VGG presets evaluated with the packed
// product (engine/packed_matmul.h), the way `laq infer` and `laq bench --packed` use it.
//
// Loading reads the file's code streams and repacks each quantized tensor once into the
// kernel's bit-planes (engine/packed_weights.h); no float copy of a quantized tensor is
// ever made. Full-precision parts (biases, batch norm with its running statistics, the
// softmax layer) are read as float32 and applied exactly as the evaluation-mode layers do:
//   dense  y[N, out] = x[N, in] · Wᵀ + b
//   conv   3x3, stride 1, pad 1, as the packed product over each image's patches (im2col,
//          one patch per row), + b
//   batch norm  y = ((x - mean) * inv) * gamma + beta, inv = 1/(spread + eps) or
//          1/sqrt(spread + eps) (engine/batch_norm.h); not folded into the scales, because
//          folding would round differently from the float path
//   relu, max pool 2x2 (engine/max_pool.h), flatten
// The layer order mirrors train/experiments/ (mnist_mlp.cpp, cifar_vgg.cpp); tests compare the outputs
// with the float Sequential's.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/batch_norm.h"
#include "engine/packed_weights.h"
#include "engine/tensor.h"
#include "train/packed_model.h"
#include "train/run_config.h"

namespace laq::train {

// A quantized tensor's codes as kernel bit-planes: rows = W's leading dimension (output
// channels), cols = the rest; `transpose` packs a [cols, rows] tensor (the LSTM's [in, out]
// gate matrices) as its transpose. Per-row scales need rows == the file's scale rows.
engine::PackedWeights repack(const PackedTensorCodes& t, bool transpose = false);

enum class PackedOp { dense,
                      conv,
                      batch_norm,
                      relu,
                      max_pool,
                      flatten };

struct PackedLayer {
  PackedOp op;
  std::string name;
  engine::PackedWeights weight;              // dense, conv
  engine::Tensor bias;                       // dense, conv (may be empty)
  int64_t in = 0, out = 0;                   // dense: features; conv: channels
  engine::Tensor gamma, beta, mean, spread;  // batch norm
  engine::BatchNormConfig bn;
};

class PackedNet {
 public:
  // Throws laq::Error naming the file when it is not an MLP or VGG packed model of laq's
  // presets, or a tensor is missing or of the wrong size.
  static PackedNet load(const std::filesystem::path& path);

  const RunConfig& config() const { return config_; }
  const std::vector<PackedLayer>& layers() const { return layers_; }
  // x [N, 784] (MLP) or [N, 3, 32, 32] (VGG) -> scores [N, classes].
  engine::Tensor forward(const engine::Tensor& x) const;

  int64_t resident_weight_bytes() const;  // packed planes, scales and the float32 parameters
  int64_t float_weight_bytes() const;     // the same model with its quantized tensors in float32

 private:
  RunConfig config_;
  std::vector<PackedLayer> layers_;
  int64_t float_bytes_ = 0;
};

}  // namespace laq::train
