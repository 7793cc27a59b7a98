// Finite-difference gradient checks of every engine op.
#include <gtest/gtest.h>

#include "engine/batch_norm.h"
#include "engine/elementwise.h"
#include "engine/losses.h"
#include "engine/matmul.h"
#include "engine/reduce.h"
#include "support/gradient_check.h"

namespace laq {
namespace {

using engine::Tensor;
using engine::Var;
using testing::expect_gradients_match;
using testing::random_tensor;

TEST(MatmulGradient, Plain) {
  expect_gradients_match({random_tensor({3, 4}, 1), random_tensor({4, 5}, 2)},
                         [](std::vector<Var>& v) { return engine::matmul(v[0], v[1]); });
}

TEST(MatmulGradient, TransposedRight) {
  expect_gradients_match({random_tensor({3, 4}, 3), random_tensor({5, 4}, 4)},
                         [](std::vector<Var>& v) { return engine::matmul(v[0], v[1], true); });
}

TEST(AddBiasGradient, DenseAndSpatial) {
  expect_gradients_match({random_tensor({3, 4}, 5), random_tensor({4}, 6)},
                         [](std::vector<Var>& v) { return engine::add_bias(v[0], v[1]); });
  expect_gradients_match({random_tensor({2, 3, 2, 2}, 7), random_tensor({3}, 8)},
                         [](std::vector<Var>& v) { return engine::add_bias(v[0], v[1]); });
}

TEST(ReluGradient, AwayFromKink) {
  Tensor x = random_tensor({4, 6}, 9);
  for (float& v : x.span())
    if (std::abs(v) < 0.05f) v = 0.3f;  // finite differences are undefined at the kink
  expect_gradients_match({x}, [](std::vector<Var>& v) { return engine::relu(v[0]); });
}

TEST(AddGradient, BothOperands) {
  expect_gradients_match({random_tensor({2, 3}, 10), random_tensor({2, 3}, 11)},
                         [](std::vector<Var>& v) { return engine::add(v[0], v[1]); });
}

TEST(ReduceGradient, SumAndMean) {
  expect_gradients_match({random_tensor({3, 3}, 12)}, [](std::vector<Var>& v) { return engine::sum(v[0]); });
  expect_gradients_match({random_tensor({3, 3}, 13)}, [](std::vector<Var>& v) { return engine::mean(v[0]); });
}

class BatchNormGradient : public ::testing::TestWithParam<std::tuple<engine::BatchNormForm, bool>> {};

TEST_P(BatchNormGradient, AllInputs) {
  const auto [form, spatial] = GetParam();
  const engine::Shape shape = spatial ? engine::Shape{4, 3, 2, 2} : engine::Shape{6, 3};
  for (const bool training : {true, false}) {
    engine::BatchNormConfig config{form, form == engine::BatchNormForm::binary_connect ? 1e-4f : 1e-5f, 0.1f};
    expect_gradients_match(
        {random_tensor(shape, 14, -2, 2), random_tensor({3}, 15, 0.5, 1.5), random_tensor({3}, 16)},
        [&](std::vector<Var>& v) {
          engine::BatchNormStats stats{Tensor::full({3}, 0.1f), Tensor::full({3}, 0.8f)};
          return engine::batch_norm(v[0], v[1], v[2], stats, config, training);
        },
        1e-3, 5e-3);
  }
}

INSTANTIATE_TEST_SUITE_P(Forms, BatchNormGradient,
                         ::testing::Combine(::testing::Values(engine::BatchNormForm::binary_connect,
                                                              engine::BatchNormForm::variance),
                                            ::testing::Bool()));

TEST(SquaredHingeGradient, AwayFromHinge) {
  Tensor o = random_tensor({4, 5}, 17, -2, 2);
  const std::vector<int32_t> y{0, 3, 4, 1};
  for (float& v : o.span())
    if (std::abs(std::abs(v) - 1) < 0.05f) v *= 1.2f;  // keep off the hinge point
  expect_gradients_match({o}, [&](std::vector<Var>& v) { return engine::squared_hinge(v[0], y); });
}

TEST(SoftmaxCrossEntropyGradient, Logits) {
  const std::vector<int32_t> y{2, 0, 1};
  expect_gradients_match({random_tensor({3, 4}, 18, -3, 3)},
                         [&](std::vector<Var>& v) { return engine::softmax_cross_entropy(v[0], y); });
}

}  // namespace
}  // namespace laq
