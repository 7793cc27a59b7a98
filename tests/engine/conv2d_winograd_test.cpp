// Winograd F(2x2, 3x3): against the direct loops on odd sizes (partial edge tiles), pads 0-2,
// one and many images per chunk; gradients by finite differences and against the im2col path.
#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "engine/conv2d.h"
#include "engine/conv2d_winograd.h"
#include "engine/error.h"
#include "support/gradient_check.h"

namespace laq {
namespace {

using engine::ConvAlgorithm;
using engine::Shape;
using engine::Tensor;
using engine::Var;
using testing::expect_gradients_match;
using testing::random_tensor;

// (N, C, H, W, Cout, pad)
class WinogradAgainstNaive
    : public ::testing::TestWithParam<std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, int64_t>> {};

TEST_P(WinogradAgainstNaive, Forward) {
  const auto [n, c, h, w, cout, pad] = GetParam();
  const Tensor x = random_tensor({n, c, h, w}, 11);
  const Tensor wt = random_tensor({cout, c, 3, 3}, 12);
  const Var y = engine::conv2d(engine::constant(x), engine::constant(wt), 1, pad, ConvAlgorithm::winograd);
  const Tensor want = engine::conv2d_naive(x, wt, 1, pad);
  ASSERT_EQ(y->value.shape(), want.shape());
  for (int64_t i = 0; i < want.numel(); ++i)
    ASSERT_NEAR(y->value[i], want[i], 1e-4f * (1 + std::abs(want[i]))) << "element " << i;
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, WinogradAgainstNaive,
    ::testing::Values(std::tuple{2, 3, 8, 8, 4, 1},    // even: whole tiles
                      std::tuple{3, 5, 7, 9, 6, 1},    // odd: partial tiles on both edges
                      std::tuple{1, 2, 5, 4, 3, 0},    // no padding, 3x2 output
                      std::tuple{2, 4, 6, 5, 2, 2},    // pad 2: output larger than the input
                      std::tuple{1, 1, 3, 3, 1, 0},    // a single output pixel
                      std::tuple{1, 1, 1, 1, 2, 1},    // 1x1 image, pad 1
                      std::tuple{70, 3, 4, 4, 2, 1},   // 4 tiles per image: several chunks, ragged
                      std::tuple{2, 17, 32, 32, 5, 1}  // the VGG geometry, one chunk per image
                      ));

TEST(Winograd, GradientsByFiniteDifferences) {
  for (const int64_t pad : {1, 0, 2})
    for (const auto& [h, w] : {std::pair{5, 7}, std::pair{4, 4}})
      expect_gradients_match(
          {random_tensor({2, 3, h, w}, 20 + pad), random_tensor({4, 3, 3, 3}, 21)},
          [pad](std::vector<Var>& v) {
            return engine::conv2d(v[0], v[1], 1, pad, ConvAlgorithm::winograd);
          },
          1e-2, 1e-2);
}

TEST(Winograd, GradientsMatchTheIm2colPath) {
  // Larger than a finite-difference check can afford: many chunks of tiles (n = 70 with 16
  // tiles per image), partial edge tiles (7x7).
  for (const auto& [n, h] : {std::pair{70, 8}, std::pair{3, 7}}) {
    const Tensor x = random_tensor({n, 6, h, h}, 30);
    const Tensor w = random_tensor({5, 6, 3, 3}, 31);
    const Tensor dy = random_tensor({n, 5, h, h}, 32);
    Tensor dx[2] = {Tensor(x.shape()), Tensor(x.shape())}, dw[2] = {Tensor(w.shape()), Tensor(w.shape())};
    const ConvAlgorithm algos[2] = {ConvAlgorithm::im2col, ConvAlgorithm::winograd};
    for (int a = 0; a < 2; ++a) {
      const Var y = engine::conv2d(engine::leaf(x, dx[a]), engine::leaf(w, dw[a]), 1, 1, algos[a]);
      y->grad = dy.copy();
      y->backward(*y);
    }
    for (int64_t i = 0; i < x.numel(); ++i) ASSERT_NEAR(dx[1][i], dx[0][i], 1e-4f * (1 + std::abs(dx[0][i]))) << i;
    for (int64_t i = 0; i < w.numel(); ++i) ASSERT_NEAR(dw[1][i], dw[0][i], 1e-4f * (1 + std::abs(dw[0][i]))) << i;
  }
}

TEST(Winograd, WeightGradientOnlyWhenTheInputIsAConstant) {
  const Tensor x = random_tensor({2, 3, 6, 6}, 40);
  expect_gradients_match({random_tensor({4, 3, 3, 3}, 41)}, [&](std::vector<Var>& v) {
    return engine::conv2d(engine::constant(x), v[0], 1, 1, ConvAlgorithm::winograd);
  });
}

TEST(Winograd, GradientsAccumulate) {
  // Both gradients add to what the buffers already hold (beta = 1 semantics).
  const Tensor x = random_tensor({2, 3, 6, 6}, 42), w = random_tensor({4, 3, 3, 3}, 43);
  const Tensor dy = random_tensor({2, 4, 6, 6}, 44);
  Tensor dx1(x.shape()), dw1(w.shape()), dx2 = Tensor::full(x.shape(), 1.0f), dw2 = Tensor::full(w.shape(), 1.0f);
  for (auto [dx, dw] : {std::pair{&dx1, &dw1}, std::pair{&dx2, &dw2}}) {
    const Var y = engine::conv2d(engine::leaf(x, *dx), engine::leaf(w, *dw), 1, 1, ConvAlgorithm::winograd);
    y->grad = dy.copy();
    y->backward(*y);
  }
  for (int64_t i = 0; i < x.numel(); ++i) ASSERT_NEAR(dx2[i], dx1[i] + 1.0f, 1e-5f) << i;
  for (int64_t i = 0; i < w.numel(); ++i) ASSERT_NEAR(dw2[i], dw1[i] + 1.0f, 1e-4f) << i;
}

TEST(Winograd, Errors) {
  const Var x = engine::constant(Tensor({2, 3, 8, 8}));
  EXPECT_THROW(engine::conv2d(x, engine::constant(Tensor({4, 3, 5, 5})), 1, 1, ConvAlgorithm::winograd), Error);
  EXPECT_THROW(engine::conv2d(x, engine::constant(Tensor({4, 3, 3, 3})), 2, 1, ConvAlgorithm::winograd), Error);
  try {
    engine::conv2d_winograd(x, engine::constant(Tensor({4, 2, 3, 3})), 1);
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("[2, 3, 8, 8]"), std::string::npos) << what;
    EXPECT_NE(what.find("[4, 2, 3, 3]"), std::string::npos) << what;
  }
  EXPECT_THROW(engine::conv2d_winograd(engine::constant(Tensor({1, 3, 1, 1})),
                                       engine::constant(Tensor({4, 3, 3, 3})), 0),
               Error);
}

TEST(ConvAlgorithmChoice, AutomaticAgreesWithBoth) {
  // 16 input channels: automatic takes Winograd; 3: im2col. Both agree with the loops.
  for (const int64_t c : {3, 16}) {
    const Tensor x = random_tensor({2, c, 6, 6}, 50), w = random_tensor({4, c, 3, 3}, 51);
    const Var y = engine::conv2d(engine::constant(x), engine::constant(w), 1, 1);
    const Tensor want = engine::conv2d_naive(x, w, 1, 1);
    for (int64_t i = 0; i < want.numel(); ++i) ASSERT_NEAR(y->value[i], want[i], 1e-4f * (1 + std::abs(want[i])));
  }
}

}  // namespace
}  // namespace laq
