// Batcher: per-epoch Fisher-Yates permutation, drop-remainder steps, in-order mode,
// resuming from a saved Rng state; gather_rows / gather_labels.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "datasets/batcher.h"
#include "engine/error.h"
#include "engine/rng.h"
#include "idx_fixtures.h"

namespace laq::test {
namespace {

using datasets::Batcher;
using engine::Rng;

std::vector<int64_t> all_indices(const Batcher& b) {
  std::vector<int64_t> v;
  for (int64_t s = 0; s < b.steps(); ++s) {
    auto idx = b.indices(s);
    v.insert(v.end(), idx.begin(), idx.end());
  }
  return v;
}

TEST(Batcher, EpochIsAPermutation) {
  Batcher b(1000, 10);
  Rng rng(42);
  b.start_epoch(rng);
  std::vector<int64_t> v = all_indices(b);
  ASSERT_EQ(v.size(), 1000u);
  std::vector<int64_t> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> iota(1000);
  std::iota(iota.begin(), iota.end(), 0);
  EXPECT_EQ(sorted, iota);
  EXPECT_NE(v, iota);  // 1/1000! chance of a false failure
}

TEST(Batcher, SameSeedSameOrderAndDifferentAcrossEpochs) {
  Batcher a(500, 50), b(500, 50);
  Rng ra(1234), rb(1234);
  a.start_epoch(ra);
  b.start_epoch(rb);
  const auto e1 = all_indices(a);
  EXPECT_EQ(e1, all_indices(b));
  a.start_epoch(ra);
  const auto e2 = all_indices(a);
  EXPECT_NE(e1, e2);
  Rng other(1235);
  b.start_epoch(other);
  EXPECT_NE(all_indices(b), e2);
}

TEST(Batcher, FisherYatesIsExactlyTheDocumentedAlgorithm) {
  // Re-derive the permutation from the documented loop: any change to the draw order
  // would silently change every experiment's data order.
  const int64_t n = 37;
  Rng r1(7), r2(7);
  Batcher b(n, 1);
  b.start_epoch(r1);
  std::vector<int64_t> p(n);
  std::iota(p.begin(), p.end(), 0);
  for (int64_t i = n - 1; i >= 1; --i)
    std::swap(p[i], p[static_cast<int64_t>(engine::uniform_below(r2, static_cast<uint64_t>(i) + 1))]);
  EXPECT_EQ(std::vector<int64_t>(b.permutation().begin(), b.permutation().end()), p);
  EXPECT_EQ(r1(), r2());  // exactly n-1 uniform_below calls consumed the same stream
}

TEST(Batcher, DropsRemainder) {
  Batcher b(105, 10);
  EXPECT_EQ(b.steps(), 10);
  Rng rng(3);
  b.start_epoch(rng);
  EXPECT_EQ(all_indices(b).size(), 100u);
  EXPECT_EQ(b.permutation().size(), 105u);
  expect_error([&] { (void)b.indices(10); }, {"step 10", "[0, 10)"});
  expect_error([&] { (void)b.indices(-1); }, {"step -1"});
  EXPECT_EQ(Batcher(9, 10).steps(), 0);
}

TEST(Batcher, InOrderModeIgnoresRngAndDropsRemainder) {
  Batcher b(25, 10, Batcher::Order::in_order);
  EXPECT_EQ(b.steps(), 2);
  auto s1 = b.indices(1);  // usable without start_epoch
  EXPECT_EQ(std::vector<int64_t>(s1.begin(), s1.end()), (std::vector<int64_t>{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}));
  Rng rng(5), copy(5);
  b.start_epoch(rng);
  EXPECT_EQ(rng(), copy());  // untouched
  auto s0 = b.indices(0);
  EXPECT_EQ(s0[0], 0);
  EXPECT_EQ(s0[9], 9);
}

TEST(Batcher, ShuffledRequiresStartEpoch) {
  Batcher b(10, 2);
  expect_error([&] { (void)b.indices(0); }, {"start_epoch"});
  expect_error([] { Batcher(10, 0); }, {"batch size"});
  expect_error([] { Batcher(-1, 2); }, {"dataset size"});
}

TEST(Batcher, ResumeMidEpochFromSavedRngState) {
  // Run 3 epochs, saving the Rng state before each start_epoch; "crash" in epoch 2 at
  // step 7, restore, and check the remaining batches and the next epoch are identical.
  const int64_t n = 300, batch = 20;
  Batcher ref(n, batch);
  Rng rng(2024);
  std::vector<std::string> saved;
  std::vector<std::vector<int64_t>> epochs;
  for (int e = 0; e < 3; ++e) {
    saved.push_back(engine::save_rng(rng));
    ref.start_epoch(rng);
    epochs.push_back(all_indices(ref));
  }
  Batcher resumed(n, batch);
  Rng r = engine::load_rng(saved[1]);
  resumed.start_epoch(r);
  for (int64_t s = 7; s < resumed.steps(); ++s) {
    auto idx = resumed.indices(s);
    ASSERT_TRUE(std::equal(idx.begin(), idx.end(), epochs[1].begin() + s * batch)) << "step " << s;
  }
  resumed.start_epoch(r);
  EXPECT_EQ(all_indices(resumed), epochs[2]);
}

TEST(Gather, RowsAndLabels) {
  engine::Tensor x({4, 2, 3});
  for (int64_t i = 0; i < x.numel(); ++i) x[i] = static_cast<float>(i);
  const std::vector<int64_t> idx = {3, 0, 3};
  const auto g = datasets::gather_rows(x, idx);
  EXPECT_EQ(g.shape(), (engine::Shape{3, 2, 3}));
  for (int k = 0; k < 3; ++k)
    for (int j = 0; j < 6; ++j) EXPECT_EQ(g[k * 6 + j], x[idx[k] * 6 + j]);
  engine::Tensor out({3, 2, 3});
  datasets::gather_rows_into(x, idx, out);
  EXPECT_EQ(out[6], 0.0f);
  EXPECT_EQ(out[17], 23.0f);
  engine::Tensor wrong({2, 6});
  EXPECT_THROW(datasets::gather_rows_into(x, idx, wrong), laq::Error);
  const std::vector<int64_t> bad = {1, 4};
  expect_error([&] { (void)datasets::gather_rows(x, bad); }, {"index 4", "[0, 4)"});
  const std::vector<int32_t> y = {7, 8, 9, 6};
  EXPECT_EQ(datasets::gather_labels(y, idx), (std::vector<int32_t>{6, 7, 6}));
  expect_error([&] { (void)datasets::gather_labels(y, bad); }, {"gather_labels", "index 4"});
}

TEST(Gather, WorksOnRowViews) {
  engine::Tensor x({6, 2});
  for (int64_t i = 0; i < 12; ++i) x[i] = static_cast<float>(i);
  const auto v = x.rows(2, 5);  // rows 2,3,4
  const std::vector<int64_t> idx = {2, 0};
  const auto g = datasets::gather_rows(v, idx);
  EXPECT_EQ(g[0], 8.0f);
  EXPECT_EQ(g[2], 4.0f);
}

}  // namespace
}  // namespace laq::test
