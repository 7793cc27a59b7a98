// max_pool2d: against the plain loops, tie-breaking, gradient routing, finite differences.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "engine/error.h"
#include "engine/max_pool.h"
#include "support/gradient_check.h"

namespace laq {
namespace {

using engine::Shape;
using engine::Tensor;
using engine::Var;
using testing::expect_gradients_match;
using testing::random_tensor;

TEST(MaxPool, AgainstNaive) {
  for (const auto& [k, s] : {std::pair{2, 2}, std::pair{3, 2}, std::pair{3, 1}, std::pair{1, 1}, std::pair{2, 3}}) {
    const Tensor x = random_tensor({3, 4, 7, 9}, 60 + k * 10 + s);
    const Var y = engine::max_pool2d(engine::constant(x), k, s);
    const Tensor want = engine::max_pool2d_naive(x, k, s);
    ASSERT_EQ(y->value.shape(), want.shape()) << k << "," << s;
    for (int64_t i = 0; i < want.numel(); ++i) ASSERT_EQ(y->value[i], want[i]) << i;
  }
}

TEST(MaxPool, ShapeFloorsOddSizes) {
  EXPECT_EQ(engine::max_pool2d(engine::constant(Tensor({2, 3, 32, 32})))->value.shape(), (Shape{2, 3, 16, 16}));
  EXPECT_EQ(engine::max_pool2d(engine::constant(Tensor({1, 1, 5, 7})))->value.shape(), (Shape{1, 1, 2, 3}));
}

TEST(MaxPool, TiesGoToTheFirstMaximumAndGradientFollows) {
  // One 2x2 window of equal values: the top-left gets the whole gradient.
  Tensor x = Tensor::full({1, 1, 2, 4}, 1.0f);
  x[3] = 5.0f;  // second window: maximum at (0, 3)
  x[6] = 5.0f;  // ... and a tie at (1, 2), later in row-major order
  Tensor grad({1, 1, 2, 4});
  const Var in = engine::leaf(x, grad);
  const Var y = engine::max_pool2d(in);
  EXPECT_EQ(y->value[0], 1.0f);
  EXPECT_EQ(y->value[1], 5.0f);
  Var loss = engine::make_node(Tensor::full({1}, 0.0f), {y}, [y](engine::Node&) {
    y->grad_buffer()[0] += 2.0f;
    y->grad_buffer()[1] += 3.0f;
  });
  engine::backward(loss);
  const std::vector<float> want{2, 0, 0, 3, 0, 0, 0, 0};
  for (int64_t i = 0; i < 8; ++i) EXPECT_EQ(grad[i], want[i]) << i;
}

TEST(MaxPool, NanPropagates) {
  Tensor x = Tensor::full({1, 1, 2, 2}, 1.0f);
  x[2] = NAN;
  EXPECT_TRUE(std::isnan(engine::max_pool2d(engine::constant(x))->value[0]));
}

TEST(MaxPool, Errors) {
  EXPECT_THROW(engine::max_pool2d(engine::constant(Tensor({2, 3, 4}))), Error);
  EXPECT_THROW(engine::max_pool2d(engine::constant(Tensor({1, 1, 4, 4})), 0, 2), Error);
  try {
    engine::max_pool2d(engine::constant(Tensor({1, 2, 1, 4})));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[1, 2, 1, 4]"), std::string::npos) << e.what();
  }
}

TEST(MaxPoolGradient, WithoutTies) {
  // Distinct values spaced well beyond eps, so no finite-difference step changes the argmax.
  for (const auto& [k, s] : {std::pair{2, 2}, std::pair{3, 1}}) {
    Tensor x({2, 3, 5, 6});
    for (int64_t i = 0; i < x.numel(); ++i) x[i] = 0.1f * static_cast<float>((i * 37) % x.numel());
    expect_gradients_match(
        {x}, [k, s](std::vector<Var>& v) { return engine::max_pool2d(v[0], k, s); },
        1e-2, 1e-3);
  }
}

}  // namespace
}  // namespace laq
