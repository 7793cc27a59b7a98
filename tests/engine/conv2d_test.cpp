// conv2d: the im2col + sgemm path against the direct loops, on odd shapes; gradients by
// finite differences; shape errors.
#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "engine/conv2d.h"
#include "engine/error.h"
#include "engine/im2col.h"
#include "support/gradient_check.h"

namespace laq {
namespace {

using engine::Shape;
using engine::Tensor;
using engine::Var;
using testing::expect_gradients_match;
using testing::random_tensor;

void expect_close(const Tensor& got, const Tensor& want, float tol) {
  ASSERT_EQ(got.shape(), want.shape());
  for (int64_t i = 0; i < got.numel(); ++i)
    ASSERT_NEAR(got[i], want[i], tol * (1 + std::abs(want[i]))) << "element " << i;
}

// (kernel, stride, pad)
class ConvAgainstNaive : public ::testing::TestWithParam<std::tuple<int, int, int>> {};

TEST_P(ConvAgainstNaive, OddShapes) {
  const auto [k, s, p] = GetParam();
  // Non-square inputs and kernels, odd channel counts; batch sizes that make one chunk, several,
  // and a ragged last one (the late VGG layers put many images into one GEMM).
  for (const auto& [n, c, h, w, cout, kh, kw] :
       {std::tuple{3, 5, 7, 9, 4, k, k}, std::tuple{2, 3, 11, 6, 7, k, k == 1 ? 1 : k - 1},
        std::tuple{37, 2, 5, 5, 3, k, k}}) {
    if (h + 2 * p < kh || w + 2 * p < kw) continue;
    const Tensor x = random_tensor({n, c, h, w}, 100 + k);
    const Tensor wt = random_tensor({cout, c, kh, kw}, 200 + s);
    const Var y = engine::conv2d(engine::constant(x), engine::constant(wt), s, p);
    expect_close(y->value, engine::conv2d_naive(x, wt, s, p), 1e-5f);
  }
}

INSTANTIATE_TEST_SUITE_P(KernelStridePad, ConvAgainstNaive,
                         ::testing::Combine(::testing::Values(1, 3, 5), ::testing::Values(1, 2),
                                            ::testing::Values(0, 1, 2)));

TEST(Conv2d, OutputShape) {
  const Var x = engine::constant(Tensor({2, 3, 32, 30}));
  EXPECT_EQ(engine::conv2d(x, engine::constant(Tensor({8, 3, 3, 3})), 1, 1)->value.shape(),
            (Shape{2, 8, 32, 30}));
  EXPECT_EQ(engine::conv2d(x, engine::constant(Tensor({8, 3, 5, 3})), 2, 0)->value.shape(),
            (Shape{2, 8, 14, 14}));
}

TEST(Conv2d, IdentityKernelCopiesTheInput) {
  // A 3x3 kernel with a single 1 at the centre, pad 1, maps each channel onto itself.
  Tensor w({2, 2, 3, 3});
  w[(0 * 2 + 0) * 9 + 4] = 1;
  w[(1 * 2 + 1) * 9 + 4] = 1;
  const Tensor x = random_tensor({3, 2, 4, 5}, 5);
  const Var y = engine::conv2d(engine::constant(x), engine::constant(w), 1, 1);
  expect_close(y->value, x.reshape({3, 2, 4, 5}), 0);
}

TEST(Conv2d, ErrorsNameBothShapes) {
  const Var x = engine::constant(Tensor({2, 3, 8, 8}));
  try {
    engine::conv2d(x, engine::constant(Tensor({4, 5, 3, 3})), 1, 1);
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("[2, 3, 8, 8]"), std::string::npos) << what;
    EXPECT_NE(what.find("[4, 5, 3, 3]"), std::string::npos) << what;
  }
  EXPECT_THROW(engine::conv2d(engine::constant(Tensor({2, 3, 8})), engine::constant(Tensor({4, 3, 3, 3}))),
               Error);
  EXPECT_THROW(engine::conv2d(x, engine::constant(Tensor({4, 3, 3, 3})), 0, 1), Error);
  EXPECT_THROW(engine::conv2d(x, engine::constant(Tensor({4, 3, 3, 3})), 1, -1), Error);
  try {
    engine::conv2d(x, engine::constant(Tensor({4, 3, 11, 3})), 1, 1);
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("[4, 3, 11, 3]"), std::string::npos) << what;
    EXPECT_NE(what.find("larger than"), std::string::npos) << what;
  }
}

TEST(Im2col, WritesPaddingZerosIntoADirtyBuffer) {
  const engine::ConvGeometry g = engine::conv_geometry(2, 3, 4, 3, 3, 1, 1, "test");
  const Tensor x = random_tensor({2, 3, 4}, 6);
  Tensor col = Tensor::full({g.rows(), g.cols()}, 12345.0f);
  engine::im2col(x.data(), g, col.data(), g.cols());
  for (int64_t r = 0; r < g.rows(); ++r)
    for (int64_t q = 0; q < g.cols(); ++q) {
      const int64_t c = r / 9, i = r / 3 % 3, j = r % 3, iy = q / 4 - 1 + i, ix = q % 4 - 1 + j;
      const bool inside = iy >= 0 && iy < 3 && ix >= 0 && ix < 4;
      EXPECT_EQ(col[r * g.cols() + q], inside ? x[(c * 3 + iy) * 4 + ix] : 0.0f) << r << "," << q;
    }
}

class ConvGradient : public ::testing::TestWithParam<std::tuple<int, int, int>> {};

TEST_P(ConvGradient, InputAndWeight) {
  const auto [k, s, p] = GetParam();
  // n = 3 with a 5x7 map: the fast path groups all images into one chunk; n = 1: one image.
  for (const int64_t n : {3, 1})
    expect_gradients_match(
        {random_tensor({n, 2, 5, 7}, 30 + k), random_tensor({3, 2, k, k}, 40 + s)},
        [s, p](std::vector<Var>& v) { return engine::conv2d(v[0], v[1], s, p); },
        1e-2, 1e-2);
}

INSTANTIATE_TEST_SUITE_P(KernelStridePad, ConvGradient,
                         ::testing::Values(std::tuple{3, 1, 1}, std::tuple{1, 1, 0}, std::tuple{3, 2, 1},
                                           std::tuple{5, 1, 2}, std::tuple{3, 2, 0}));

TEST(ConvGradient, OnlyTheWeightWhenTheInputIsAConstant) {
  // The first layer: x is data. Backward must not need (or touch) an input gradient.
  const Tensor x = random_tensor({2, 3, 6, 6}, 50);
  expect_gradients_match({random_tensor({4, 3, 3, 3}, 51)}, [&](std::vector<Var>& v) {
    return engine::conv2d(engine::constant(x), v[0], 1, 1);
  });
}

}  // namespace
}  // namespace laq
