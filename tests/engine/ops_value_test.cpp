// Forward values of the engine ops against hand-computed or naive references.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/batch_norm.h"
#include "engine/error.h"
#include "engine/losses.h"
#include "engine/matmul.h"
#include "support/gradient_check.h"

namespace laq {
namespace {

using engine::Tensor;

TEST(Matmul, SgemmAgreesWithNaiveOnOddShapes) {
  for (auto [n, k, m] : {std::tuple{1, 1, 1}, {7, 13, 5}, {33, 17, 65}, {100, 784, 31}}) {
    Tensor a = testing::random_tensor({n, k}, n), b = testing::random_tensor({k, m}, m);
    Tensor bt = testing::random_tensor({m, k}, k);
    auto y = engine::matmul(engine::constant(a), engine::constant(b));
    auto yt = engine::matmul(engine::constant(a), engine::constant(bt), true);
    Tensor ref = engine::matmul_naive(a, b), ref_t = engine::matmul_naive(a, bt, true);
    for (int64_t i = 0; i < ref.numel(); ++i) {
      EXPECT_NEAR(y->value[i], ref[i], 1e-4f * (1 + std::abs(ref[i])));
      EXPECT_NEAR(yt->value[i], ref_t[i], 1e-4f * (1 + std::abs(ref_t[i])));
    }
  }
}

TEST(Matmul, ShapeMismatchNamesBothShapes) {
  auto a = engine::constant(Tensor({2, 3})), b = engine::constant(Tensor({4, 5}));
  try {
    engine::matmul(a, b);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[2, 3] x [4, 5]"), std::string::npos) << e.what();
  }
}

TEST(BatchNorm, BinaryConnectFormDividesByStdPlusEps) {
  // One channel, values 1 and 3: mean 2, biased std 1 -> outputs -1/(1+1e-4), +1/(1+1e-4).
  engine::BatchNormStats stats{Tensor::full({1}, 0.0f), Tensor::full({1}, 1.0f)};
  auto x = engine::constant(Tensor::from({2, 1}, std::vector<float>{1, 3}));
  auto g = engine::constant(Tensor::full({1}, 1.0f)), b = engine::constant(Tensor::full({1}, 0.0f));
  auto y = engine::batch_norm(x, g, b, stats, {}, true);
  EXPECT_FLOAT_EQ(y->value[0], -1.0f / 1.0001f);
  EXPECT_FLOAT_EQ(y->value[1], 1.0f / 1.0001f);
  EXPECT_FLOAT_EQ(stats.running_mean[0], 0.2f);           // 0.9*0 + 0.1*2
  EXPECT_FLOAT_EQ(stats.running_spread[0], 0.9f + 0.1f);  // running *std*: 0.9*1 + 0.1*1
  auto eval = engine::batch_norm(x, g, b, stats, {}, false);
  EXPECT_FLOAT_EQ(eval->value[1], (3 - 0.2f) / (1.0f + 1e-4f));
}

TEST(BatchNorm, VarianceFormTracksUnbiasedVariance) {
  engine::BatchNormStats stats{Tensor::full({1}, 0.0f), Tensor::full({1}, 1.0f)};
  engine::BatchNormConfig config{engine::BatchNormForm::variance, 1e-5f, 0.1f};
  auto x = engine::constant(Tensor::from({2, 1}, std::vector<float>{1, 3}));
  auto g = engine::constant(Tensor::full({1}, 2.0f)), b = engine::constant(Tensor::full({1}, 0.5f));
  auto y = engine::batch_norm(x, g, b, stats, config, true);
  EXPECT_NEAR(y->value[0], -2.0f / std::sqrt(1.0f + 1e-5f) + 0.5f, 1e-6);
  EXPECT_FLOAT_EQ(stats.running_spread[0], 0.9f + 0.1f * 2.0f);  // unbiased var of {1,3} = 2
}

TEST(SquaredHinge, HandComputed) {
  // Row: o = (0.5, -2), label 0 -> t = (+1, -1): margins (0.5, 0) -> loss 0.25 / 2.
  auto o = engine::constant(Tensor::from({1, 2}, std::vector<float>{0.5f, -2.0f}));
  const std::vector<int32_t> y{0};
  EXPECT_FLOAT_EQ(engine::squared_hinge(o, y)->value[0], 0.125f);
}

TEST(SoftmaxCrossEntropy, HandComputedAndStable) {
  auto o = engine::constant(Tensor::from({1, 2}, std::vector<float>{1000.0f, 1000.0f}));
  const std::vector<int32_t> y{1};
  EXPECT_NEAR(engine::softmax_cross_entropy(o, y)->value[0], std::log(2.0), 1e-6);
}

TEST(Losses, RejectLabelOutOfRange) {
  auto o = engine::constant(Tensor({2, 3}));
  const std::vector<int32_t> y{0, 3};
  EXPECT_THROW(engine::squared_hinge(o, y), Error);
  EXPECT_THROW(engine::softmax_cross_entropy(o, y), Error);
}

TEST(CountErrors, FirstMaximumWinsTies) {
  Tensor o = Tensor::from({3, 2}, std::vector<float>{1, 0, 0, 1, 5, 5});
  const std::vector<int32_t> y{0, 0, 0};
  EXPECT_EQ(engine::count_errors(o, y), 1);
}

}  // namespace
}  // namespace laq
