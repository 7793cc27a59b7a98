#include "datasets/batcher.h"

#include <cstring>
#include <numeric>
#include <string>
#include <utility>

#include "engine/error.h"

namespace laq::datasets {

Batcher::Batcher(int64_t n, int64_t batch, Order order)
    : n_(n), batch_(batch), order_(order), started_(order == Order::in_order), perm_() {
  if (n < 0) throw Error("Batcher: dataset size must be >= 0, got " + std::to_string(n));
  if (batch < 1) throw Error("Batcher: batch size must be >= 1, got " + std::to_string(batch));
  perm_.resize(static_cast<std::size_t>(n));
  std::iota(perm_.begin(), perm_.end(), int64_t{0});
}

void Batcher::start_epoch(engine::Rng& rng) {
  std::iota(perm_.begin(), perm_.end(), int64_t{0});
  if (order_ == Order::shuffled) {
    for (int64_t i = n_ - 1; i >= 1; --i) {
      const auto j = static_cast<int64_t>(engine::uniform_below(rng, static_cast<uint64_t>(i) + 1));
      std::swap(perm_[static_cast<std::size_t>(i)], perm_[static_cast<std::size_t>(j)]);
    }
  }
  started_ = true;
}

std::span<const int64_t> Batcher::indices(int64_t step) const {
  if (!started_) throw Error("Batcher::indices: call start_epoch(rng) before the first step of a shuffled epoch");
  if (step < 0 || step >= steps())
    throw Error("Batcher::indices: step " + std::to_string(step) + " out of range [0, " + std::to_string(steps()) +
                ") (n = " + std::to_string(n_) + ", batch = " + std::to_string(batch_) + ")");
  return std::span<const int64_t>(perm_).subspan(static_cast<std::size_t>(step * batch_),
                                                 static_cast<std::size_t>(batch_));
}

namespace {

void check_indices(std::span<const int64_t> idx, int64_t n, const char* what) {
  for (std::size_t k = 0; k < idx.size(); ++k)
    if (idx[k] < 0 || idx[k] >= n)
      throw Error(std::string(what) + ": index " + std::to_string(idx[k]) + " at position " + std::to_string(k) +
                  " is out of range [0, " + std::to_string(n) + ")");
}

}  // namespace

void gather_rows_into(const engine::Tensor& x, std::span<const int64_t> idx, engine::Tensor& out) {
  if (x.rank() < 1) throw Error("gather_rows: source tensor must have rank >= 1, got shape " + engine::to_string(x.shape()));
  engine::Shape shape = x.shape();
  const int64_t n = shape[0];
  shape[0] = static_cast<int64_t>(idx.size());
  engine::check_shape(out, shape, "gather_rows output");
  check_indices(idx, n, "gather_rows");
  const int64_t row = n > 0 ? x.numel() / n : 0;
  const std::size_t row_bytes = static_cast<std::size_t>(row) * sizeof(float);
  const float* src = x.data();
  float* dst = out.data();
  for (std::size_t k = 0; k < idx.size(); ++k)
    std::memcpy(dst + static_cast<int64_t>(k) * row, src + idx[k] * row, row_bytes);
}

engine::Tensor gather_rows(const engine::Tensor& x, std::span<const int64_t> idx) {
  if (x.rank() < 1) throw Error("gather_rows: source tensor must have rank >= 1, got shape " + engine::to_string(x.shape()));
  engine::Shape shape = x.shape();
  shape[0] = static_cast<int64_t>(idx.size());
  engine::Tensor out(shape);
  gather_rows_into(x, idx, out);
  return out;
}

std::vector<int32_t> gather_labels(std::span<const int32_t> labels, std::span<const int64_t> idx) {
  check_indices(idx, static_cast<int64_t>(labels.size()), "gather_labels");
  std::vector<int32_t> out(idx.size());
  for (std::size_t k = 0; k < idx.size(); ++k) out[k] = labels[static_cast<std::size_t>(idx[k])];
  return out;
}

}  // namespace laq::datasets
