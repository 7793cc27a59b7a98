// Scale invariance, degenerate inputs, argument checks, the trace.
#include <gtest/gtest.h>

#include "engine/error.h"
#include "quant/alternating.h"
#include "quant/checks.h"
#include "quant/curvature.h"
#include "quant/objective.h"
#include "quant/quantize.h"
#include "quant/ternary_exact.h"
#include "tests/quant/quant_test_util.h"

namespace laq::quant {
namespace {

const Method curvature_methods[] = {Method::lab, Method::lat_e, Method::lat_a, Method::lat2_e,
                                    Method::lat2_a, Method::laq_linear, Method::laq_log};

TEST(EdgeCases, EverySolverIsInvariantToScalingTheCurvature) {
  for (std::size_t n : {9, 300, 20000}) {
    std::mt19937 rng(n);
    const auto w = testing::uniform(rng, n);
    const auto d = testing::curvature(rng, n);
    std::vector<float> warm(n);
    initial_warm_start(w, warm);
    for (bool faithful : {false, true}) {
      Options options;
      options.code_faithful = faithful;
      for (Method method : curvature_methods) {
        std::vector<float> reference(n);
        const Scales s = quantize(method, w, d, warm, reference, options);
        for (float factor : {1e3f, 1e-3f}) {
          std::vector<float> scaled_d = d, out(n);
          for (auto& x : scaled_d) x *= factor;
          const Scales t = quantize(method, w, scaled_d, warm, out, options);
          EXPECT_FLOAT_EQ(s.positive, t.positive) << method_name(method) << " n " << n;
          EXPECT_FLOAT_EQ(s.negative, t.negative) << method_name(method) << " n " << n;
          std::size_t differ = 0;
          for (std::size_t i = 0; i < n; ++i) differ += std::fabs(out[i] - reference[i]) > 1e-6f * std::fabs(reference[i]);
          EXPECT_EQ(differ, 0u) << method_name(method) << " n " << n << " factor " << factor;
        }
      }
    }
  }
}

TEST(EdgeCases, AllZeroWeightsGiveZerosAndScaleZero) {
  const std::vector<float> w(10, 0.0f), d(10, 1.0f), warm(10, 0.0f);
  for (bool faithful : {false, true}) {
    Options options;
    options.code_faithful = faithful;
    for (Method method : {Method::lab, Method::lat_e, Method::lat_a, Method::lat2_e, Method::lat2_a,
                          Method::laq_linear, Method::laq_log, Method::twn, Method::bwn}) {
      std::vector<float> out(10, 5.0f);
      const Scales s = quantize(method, w, d, warm, out, options);
      EXPECT_EQ(s.positive, 0.0f) << method_name(method);
      EXPECT_EQ(s.negative, 0.0f) << method_name(method);
      EXPECT_EQ(out, w) << method_name(method);
    }
  }
}

TEST(EdgeCases, SingleElement) {
  const std::vector<float> w = {-0.3f}, d = {2.0f}, warm = {0.0f};
  std::vector<float> out(1);
  for (Method method : {Method::lab, Method::lat_e, Method::lat_a, Method::laq_linear, Method::laq_log}) {
    const Scales s = quantize(method, w, d, warm, out, Options{});
    EXPECT_FLOAT_EQ(s.positive, 0.3f) << method_name(method);
    EXPECT_FLOAT_EQ(out[0], -0.3f) << method_name(method);
  }
  for (Method method : {Method::lat2_e, Method::lat2_a}) {
    const Scales s = quantize(method, w, d, warm, out, Options{});
    EXPECT_EQ(s.positive, 0.0f) << method_name(method);  // empty positive side
    EXPECT_FLOAT_EQ(s.negative, 0.3f) << method_name(method);
    EXPECT_FLOAT_EQ(out[0], -0.3f) << method_name(method);
  }
  // Code-faithful lat-e never takes the full support: 0.7 fallback.
  Options faithful;
  faithful.code_faithful = true;
  EXPECT_FLOAT_EQ(quantize(Method::lat_e, w, d, warm, out, faithful).positive, 0.21f);
}

TEST(EdgeCases, AllEqualMagnitudes) {
  std::mt19937 rng(4);
  std::vector<float> w(50, 0.7f);
  for (std::size_t i = 0; i < w.size(); i += 3) w[i] = -0.7f;
  const auto d = testing::curvature(rng, w.size());
  std::vector<float> out(w.size());
  EXPECT_FLOAT_EQ(lat_exact(w, d, out).positive, 0.7f);
  for (std::size_t i = 0; i < w.size(); ++i) EXPECT_EQ(out[i], w[i]);
  EXPECT_FLOAT_EQ(lat_exact(w, d, out, true).positive, 0.49f);  // 0.7 * weighted mean
  const Scales two = lat2_exact(w, d, out);
  EXPECT_FLOAT_EQ(two.positive, 0.7f);
  EXPECT_FLOAT_EQ(two.negative, 0.7f);
}

TEST(EdgeCases, EmptyWarmSupportFallsBackToTheWeightedMean) {
  const std::vector<float> w = {0.9f, -0.8f, 0.05f}, d = {1, 1, 1}, warm = {0, 0, 0};
  std::vector<float> out(3);
  Trace trace;
  const Scales s = lat_alternating(w, d, warm, out, Options{}, &trace);
  EXPECT_NEAR(trace.iterations().front().alpha_positive, 1.75 / 3, 1e-6);
  EXPECT_FLOAT_EQ(s.positive, 0.85f);
  EXPECT_EQ(out, (std::vector<float>{0.85f, -0.85f, 0.0f}));
}

TEST(EdgeCases, OneSignedInputLeavesTheOtherScaleZero) {
  const std::vector<float> w = {0.9f, 0.8f, 0.0f, 0.05f}, d = {1, 1, 1, 1}, warm = {1, 1, 0, -1};
  std::vector<float> out(4);
  for (bool faithful : {false, true}) {
    Options options;
    options.code_faithful = faithful;
    for (Method method : {Method::lat2_e, Method::lat2_a}) {
      const Scales s = quantize(method, w, d, warm, out, options);
      EXPECT_EQ(s.negative, 0.0f) << method_name(method);
      for (float x : out) EXPECT_GE(x, 0.0f) << method_name(method);
      EXPECT_EQ(out[2], 0.0f);
    }
  }
}

TEST(EdgeCases, EmptyTensorAndArgumentChecks) {
  std::vector<float> none;
  for (Method method : curvature_methods) EXPECT_NO_THROW(quantize(method, none, none, none, none, Options{}));
  const std::vector<float> w = {0.5f, -0.5f}, d = {1.0f};
  std::vector<float> out(2);
  EXPECT_THROW(quantize(Method::lat_e, w, d, w, out, Options{}), Error);  // d too short
  EXPECT_THROW(quantize(Method::lat_a, w, w, d, out, Options{}), Error);  // warm too short
  std::vector<float> same = w;
  EXPECT_THROW(quantize(Method::lat_e, same, w, w, same, Options{}), Error);  // out aliases w
  Options bad;
  bad.bits = 1;
  EXPECT_THROW(quantize(Method::laq_linear, w, w, w, out, bad), Error);
  EXPECT_NO_THROW(quantize(Method::twn, w, {}, {}, out, Options{}));  // no d needed
}

TEST(EdgeCases, FpnAndBinaryConnect) {
  const std::vector<float> w = {0.25f, -0.5f, 0.0f};
  std::vector<float> out(3);
  quantize(Method::fpn, w, {}, {}, out, Options{});
  EXPECT_EQ(out, w);
  Options options;
  options.bc_scale = 0.125f;
  EXPECT_EQ(quantize(Method::bc, w, {}, {}, out, options).positive, 0.125f);
  EXPECT_EQ(out, (std::vector<float>{0.125f, -0.125f, 0.125f}));
}

TEST(Trace, RendersTheExactTableAndIterations) {
  const std::vector<float> w = {0.1f, -0.9f, 1.0f}, d = {1, 1, 1};
  std::vector<float> out(3), warm = {1, -1, 1};
  Trace exact;
  lat_exact(w, d, out, false, &exact);
  ASSERT_EQ(exact.exact_rows().size(), 3u);
  EXPECT_NEAR(exact.exact_rows()[1].score, 1.9 * 1.9 / 2, 1e-6);
  Trace faithful;
  lat_exact(w, d, out, true, &faithful);
  EXPECT_TRUE(faithful.exact_rows()[1].candidate);   // 0.9 > c_2 = 0.475 > 0.1
  EXPECT_FALSE(faithful.exact_rows()[0].candidate);  // c_1 = 0.5 does not separate 1 and 0.9
  Trace alternating;
  lat_alternating(w, d, warm, out, Options{}, &alternating);
  const auto lines = alternating.render();
  ASSERT_FALSE(lines.empty());
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  EXPECT_NE(text.find("objective"), std::string::npos);
  EXPECT_NE(exact.render().size(), 0u);
}

}  // namespace
}  // namespace laq::quant
