// Reading the curvature through a view (Adam's v, d = sqrt(v) + eps formed on the fly, or
// one constant) gives bit-for-bit the answer of the materialised d buffer.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "engine/error.h"
#include "quant/checks.h"
#include "quant/curvature.h"
#include "quant/objective.h"
#include "quant/ternary_exact.h"
#include "quant/top_support.h"
#include "tests/quant/quant_test_util.h"

namespace laq::quant {
namespace {

constexpr float kEps = 1e-8f;

std::vector<float> root(const std::vector<float>& v) {
  std::vector<float> d(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) d[i] = std::sqrt(v[i]) + kEps;  // as the quantize stage forms d
  return d;
}

void expect_identical(const Support& a, const Support& b, const std::string& where) {
  EXPECT_EQ(a.size, b.size) << where;
  EXPECT_EQ(a.sum_dw, b.sum_dw) << where;  // exactly, not nearly
  EXPECT_EQ(a.sum_d, b.sum_d) << where;
}

TEST(CurvatureView, RootOfSecondMomentEqualsTheMaterialisedBufferBitForBit) {
  int seed = 0;
  for (std::size_t n : {std::size_t{1000}, std::size_t{5000}, std::size_t{100000}, std::size_t{300000}}) {
    for (int shape = 0; shape < 4; ++shape) {
      std::mt19937 rng(++seed);
      auto w = testing::uniform(rng, n);
      if (shape == 1)
        for (auto& x : w) x = std::round(x * 5) / 5;  // heavy ties
      if (shape == 2)
        for (auto& x : w) x = std::clamp(3 * x, -1.0f, 1.0f);  // many clipped at +-1
      if (shape == 3)
        for (auto& x : w) x = rng() % 3 ? 0.0f : x;  // many zeros
      std::vector<float> v(n);
      for (auto& x : v) {
        const float g = testing::uniform(rng, 1)[0];
        x = g * g * 1e-4f;
      }
      const auto d = root(v);
      for (Side side : {Side::all, Side::positive, Side::negative}) {
        const std::string where = "n=" + std::to_string(n) + " shape=" + std::to_string(shape) + " side=" + std::to_string(int(side));
        expect_identical(best_support(w, Curvature::root(v, kEps), side), best_support(w, d, side), where);
        const std::vector<float> uniform(n, kEps);
        expect_identical(best_support(w, Curvature::constant(kEps), side), best_support(w, uniform, side), where + " constant");
      }
      std::vector<float> a(n), b(n);
      for (bool faithful : {false, true}) {
        const Scales sa = lat_exact(w, Curvature::root(v, kEps), a, faithful), sb = lat_exact(w, d, b, faithful);
        EXPECT_EQ(sa.positive, sb.positive);
        EXPECT_EQ(a, b);
        const Scales ta = lat2_exact(w, Curvature::root(v, kEps), a, faithful), tb = lat2_exact(w, d, b, faithful);
        EXPECT_EQ(ta.positive, tb.positive);
        EXPECT_EQ(ta.negative, tb.negative);
        EXPECT_EQ(a, b);
      }
    }
  }
}

TEST(CurvatureView, NaNOrInfiniteWeightsAreRefusedByTheBinWidthPass) {
  std::mt19937 rng(7);
  auto w = testing::uniform(rng, 10000, -0.5f, 0.5f);
  const auto d = testing::curvature(rng, w.size());
  const Support clean = best_support_histogram(w, d, Side::all, 64);
  EXPECT_GT(clean.size, 0u);
  // A NaN or inf has no place in any bin: the pass that finds the largest magnitude refuses
  // it (it once left NaN out silently, which handed the caller a code for garbage).
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    w[17] = bad;
    for (Side side : {Side::all, Side::positive, Side::negative})
      EXPECT_THROW(best_support_histogram(w, Curvature::values(d), side, 64), Error) << bad;
  }
}

TEST(CurvatureView, SizeIsChecked) {
  std::vector<float> w(10, 0.5f), v(9, 1.0f), out(10);
  EXPECT_THROW(lat_exact(w, Curvature::root(v, kEps), out), Error);
  EXPECT_NO_THROW(lat_exact(w, Curvature::constant(kEps), out));
}

}  // namespace
}  // namespace laq::quant
