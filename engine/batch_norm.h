#pragma once
// Batch normalisation over the channels of [N, C] or [N, C, H, W] (statistics over N and
// the spatial dims), in two forms:
//
//   BinaryConnect (docs/algorithms.md §3.1, the paper's nets): y = (x - mu) * gamma / (sigma + eps) + beta,
//     sigma the biased standard deviation, eps = 1e-4, and a running *std*.
//   Variance (the usual one):  y = (x - mu) * gamma / sqrt(var + eps) + beta, with a running
//     *unbiased variance* (PyTorch's convention), eps = 1e-5.
//
// In both, running = (1 - momentum) * running + momentum * batch, momentum 0.1, updated
// during the training-mode forward pass; evaluation mode uses the running statistics.
#include <functional>
#include <span>

#include "engine/autograd.h"

namespace laq::engine {

enum class BatchNormForm { binary_connect,
                           variance };

struct BatchNormStats {
  Tensor running_mean;    // [C], starts at 0
  Tensor running_spread;  // [C]: the std (binary_connect) or the variance; starts at 1
};

struct BatchNormConfig {
  BatchNormForm form = BatchNormForm::binary_connect;
  float eps = 1e-4f;
  float momentum = 0.1f;
};

// Data-parallel training: sums per-channel partial sums over the processes that share the
// batch, in place (an allreduce), so that the batch statistics, and the mean(dy) and
// mean(dy * xhat) of the backward pass, are those of the global batch. Empty: this process
// holds the whole batch. Every process must call it the same number of times.
using BatchReducer = std::function<void(std::span<double>)>;

Var batch_norm(const Var& x, const Var& gamma, const Var& beta, BatchNormStats& stats,
               const BatchNormConfig& config, bool training, const BatchReducer& reduce = {});

}  // namespace laq::engine
