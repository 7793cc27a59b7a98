#pragma once
// Data-parallel training (docs/design.md §3): K ranks share every global batch, each taking its
// contiguous 1/K of the batch's examples. After backward, one allreduce over the flat
// gradient arena, divided by K, gives every rank the gradient of the global batch's mean loss
// (each rank's loss is its share's mean); then every rank runs the same deterministic
// optimizer and quantizer step, so the weights stay identical without a broadcast. Batch
// norm sums its statistics over the ranks (engine/batch_norm.h), so a rank's forward and
// backward see the global batch's mean and spread.
#include <cstdint>
#include <span>
#include <vector>

#include "layers/module.h"
#include "train/checkpoint.h"
#include "train/communicator.h"

namespace laq::train {

// Connects every BatchNorm layer of `model` (searched through Sequential containers) to
// comm's allreduce. The communicator must outlive the model's use.
void synchronize_batch_norm(layers::Module& model, Communicator& comm);

// The examples of a global batch that `rank` of `ranks` computes: a contiguous share.
// Requires batch.size() divisible by ranks.
std::span<const int64_t> rank_share(std::span<const int64_t> batch, int rank, int ranks);

// grads <- (sum over ranks of grads) / ranks: the step's first stage in a data-parallel run
// (Trainer::set_data_parallel).
void average_gradients(std::span<float> grads, Communicator& comm);

// FNV-1a over the bits of every tensor a checkpoint holds (parameters, buffers, optimizer
// state): equal hashes on every rank show the ranks ended with identical bits.
uint64_t state_hash(const ModelState& state);

// Every rank's value, in rank order, on every rank (a gather built from one sum).
std::vector<uint64_t> all_gather(uint64_t value, Communicator& comm);

}  // namespace laq::train
