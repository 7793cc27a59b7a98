#pragma once
// Mini-batch order for the epoch loop (docs/algorithms.md §3.1): a fresh random permutation of the
// training set each epoch, floor(n / batch) steps (the remainder is dropped), and an
// in-order mode for evaluation.
//
// Contract:
//   - The caller owns the Rng. start_epoch(rng) resets the order to the identity and, in
//     shuffled mode, applies one Fisher-Yates shuffle:
//         for i = n-1 down to 1:  j = uniform_below(rng, i + 1);  swap(p[i], p[j])
//     i.e. exactly n-1 calls of uniform_below, so the order depends only on n and the
//     Rng state at the call (not on earlier epochs) and is the same with any standard
//     library. In in-order mode start_epoch leaves the Rng untouched.
//   - Resuming mid-epoch: save the Rng state (engine::save_rng) *before* start_epoch and
//     the step index; on resume, load the state, call start_epoch, continue at that step.
//   - indices(step) is the span p[step*batch, (step+1)*batch), valid until the next
//     start_epoch; calling it in shuffled mode before any start_epoch throws.
#include <cstdint>
#include <span>
#include <vector>

#include "engine/rng.h"
#include "engine/tensor.h"

namespace laq::datasets {

class Batcher {
 public:
  enum class Order { shuffled,
                     in_order };

  // Requires n >= 0 and batch >= 1 (throws laq::Error otherwise).
  Batcher(int64_t n, int64_t batch, Order order = Order::shuffled);

  void start_epoch(engine::Rng& rng);

  int64_t size() const { return n_; }
  int64_t batch_size() const { return batch_; }
  Order order() const { return order_; }
  int64_t steps() const { return n_ / batch_; }  // floor: the remainder is dropped
  std::span<const int64_t> indices(int64_t step) const;
  // The whole current order (length n, including the dropped tail).
  std::span<const int64_t> permutation() const { return perm_; }

 private:
  int64_t n_;
  int64_t batch_;
  Order order_;
  bool started_;
  std::vector<int64_t> perm_;
};

// Rows idx[0], idx[1], ... of x (along its leading dimension) as a new tensor of shape
// [idx.size(), x.shape()[1:]...]. Throws laq::Error on an out-of-range index.
engine::Tensor gather_rows(const engine::Tensor& x, std::span<const int64_t> idx);
// Same, into an existing tensor of exactly that shape (no allocation per step).
void gather_rows_into(const engine::Tensor& x, std::span<const int64_t> idx, engine::Tensor& out);
// labels[idx[0]], labels[idx[1]], ...
std::vector<int32_t> gather_labels(std::span<const int32_t> labels, std::span<const int64_t> idx);

}  // namespace laq::datasets
