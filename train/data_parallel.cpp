#include "train/data_parallel.h"

#include <cstring>

#include "engine/error.h"
#include "layers/batch_norm.h"
#include "layers/sequential.h"

namespace laq::train {

void synchronize_batch_norm(layers::Module& model, Communicator& comm) {
  if (auto* bn = dynamic_cast<layers::BatchNorm*>(&model)) {
    bn->reduce = [&comm](std::span<double> sums) { comm.allreduce_sum(sums); };
    return;
  }
  if (auto* seq = dynamic_cast<layers::Sequential*>(&model))
    for (const auto& layer : seq->layers()) synchronize_batch_norm(*layer, comm);
}

std::span<const int64_t> rank_share(std::span<const int64_t> batch, int rank, int ranks) {
  if (ranks < 1 || rank < 0 || rank >= ranks || batch.size() % size_t(ranks) != 0)
    throw Error("a batch of " + std::to_string(batch.size()) + " cannot be split evenly over " +
                std::to_string(ranks) + " ranks");
  const size_t share = batch.size() / size_t(ranks);
  return batch.subspan(size_t(rank) * share, share);
}

void average_gradients(std::span<float> g, Communicator& comm) {
  if (comm.size() == 1) return;
  comm.allreduce_sum(g);
  const float inverse = 1.0f / float(comm.size());
  for (float& v : g) v *= inverse;
}

namespace {

void fnv1a(uint64_t& h, const void* data, size_t bytes) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < bytes; ++i) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
}

}  // namespace

uint64_t state_hash(const ModelState& state) {
  uint64_t h = 14695981039346656037ull;
  for (const layers::Parameter* p : state.parameters) {
    fnv1a(h, p->latent.data(), sizeof(float) * size_t(p->latent.numel()));
    fnv1a(h, p->value.data(), sizeof(float) * size_t(p->value.numel()));
  }
  for (const layers::NamedBuffer& b : state.buffers) fnv1a(h, b.tensor->data(), sizeof(float) * size_t(b.tensor->numel()));
  for (const optim::StateBuffer& b : state.optimizer.buffers) fnv1a(h, b.data.data(), sizeof(float) * b.data.size());
  for (const optim::StateCounter& c : state.optimizer.counters) fnv1a(h, c.value, sizeof *c.value);
  return h;
}

std::vector<uint64_t> all_gather(uint64_t value, Communicator& comm) {
  // Each rank fills its own two slots with 32-bit halves (exact in a double); the sum is the gather.
  const int k = comm.size();
  std::vector<double> slots(size_t(2 * k), 0.0);
  slots[size_t(2 * comm.rank())] = double(value >> 32);
  slots[size_t(2 * comm.rank() + 1)] = double(value & 0xffffffffull);
  comm.allreduce_sum(slots);
  std::vector<uint64_t> out(static_cast<size_t>(k));
  for (int r = 0; r < k; ++r)
    out[size_t(r)] = (uint64_t(slots[size_t(2 * r)]) << 32) | uint64_t(slots[size_t(2 * r + 1)]);
  return out;
}

}  // namespace laq::train
