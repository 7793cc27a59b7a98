#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "engine/error.h"
#include "engine/rng.h"
#include "engine/tensor.h"

namespace laq {
namespace {

using engine::Tensor;

TEST(Tensor, ReshapeAndRowsShareStorage) {
  Tensor t({4, 3});
  Tensor flat = t.reshape({12});
  Tensor middle = t.rows(1, 3);
  flat[4] = 7.0f;  // row 1, column 1
  EXPECT_EQ(middle.shape(), (engine::Shape{2, 3}));
  EXPECT_EQ(middle[1], 7.0f);
  Tensor c = t.copy();
  c[4] = 0.0f;
  EXPECT_EQ(t[4], 7.0f);
}

TEST(Tensor, BadViewsThrowWithShapes) {
  Tensor t({4, 3});
  EXPECT_THROW(t.reshape({5, 2}), Error);
  EXPECT_THROW(t.rows(2, 5), Error);
  try {
    engine::check_shape(t, {3, 4}, "weight");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "weight: expected shape [3, 4], got [4, 3]");
  }
}

// Every test binary sets LAQ_POISON_UNINITIALIZED (tests/support/poison_uninitialized.cpp),
// so an op leaving part of an uninitialized output unwritten turns its results NaN.
TEST(Tensor, UninitializedIsNanUnderTheSuitesPoisoning) {
  ASSERT_NE(std::getenv("LAQ_POISON_UNINITIALIZED"), nullptr);
  Tensor t = Tensor::uninitialized({3, 5});
  EXPECT_EQ(t.shape(), (engine::Shape{3, 5}));
  for (int64_t i = 0; i < t.numel(); ++i) EXPECT_TRUE(std::isnan(t[i])) << "element " << i;
  Tensor zeros({3, 5});
  for (int64_t i = 0; i < zeros.numel(); ++i) EXPECT_EQ(zeros[i], 0.0f);
}

TEST(Rng, StateRoundTripsThroughString) {
  engine::Rng a(42);
  a();
  engine::Rng b = engine::load_rng(engine::save_rng(a));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(a(), b());
  EXPECT_THROW(engine::load_rng("not a state"), Error);
}

TEST(Rng, UniformBelowStaysInRangeAndCoversIt) {
  engine::Rng rng(1);
  std::vector<int> seen(7, 0);
  for (int i = 0; i < 7000; ++i) ++seen[engine::uniform_below(rng, 7)];
  for (int c : seen) EXPECT_GT(c, 800);
}

}  // namespace
}  // namespace laq
