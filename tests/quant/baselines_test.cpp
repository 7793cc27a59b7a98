// TWN, TTQ and DoReFa: closed forms on hand-computed cases, gradients vs finite differences.
#include <gtest/gtest.h>

#include "engine/error.h"
#include "quant/baselines.h"
#include "quant/quantize.h"
#include "tests/quant/quant_test_util.h"

namespace laq::quant {
namespace {

TEST(Twn, HandComputed) {
  // mean|w| = 0.31, Delta = 0.217: |w| > Delta for 0.9 and 0.5, alpha = 0.7.
  const std::vector<float> w = {0.9f, -0.5f, 0.1f, -0.05f, 0.0f};
  std::vector<float> out(5);
  EXPECT_FLOAT_EQ(twn(w, out).positive, 0.7f);
  EXPECT_EQ(out, (std::vector<float>{0.7f, -0.7f, 0.0f, 0.0f, 0.0f}));
}

TEST(Dorefa, HandComputedTwoBits) {
  // tanh: .761594, -.462117, .244919, 0 -> r = 1, .19661, .66079, .5 -> 3r = 3, .59, 1.98, 1.5
  // -> codes 3, 1, 2, 2 (1.5 rounds away from zero) -> 1, -1/3, 1/3, 1/3.
  const std::vector<float> w = {1.0f, -0.5f, 0.25f, 0.0f};
  std::vector<float> out(4);
  const Scales s = dorefa(w, 2, out);
  EXPECT_EQ(s.positive, 1.0f);
  EXPECT_FLOAT_EQ(out[0], 1.0f);
  EXPECT_FLOAT_EQ(out[1], -1.0f / 3);
  EXPECT_FLOAT_EQ(out[2], 1.0f / 3);
  EXPECT_FLOAT_EQ(out[3], 1.0f / 3);
  std::vector<float> one_bit(4);
  dorefa(w, 1, one_bit);
  EXPECT_EQ(one_bit, (std::vector<float>{1.0f, -1.0f, 1.0f, 1.0f}));
  EXPECT_THROW(dorefa(w, 0, out), Error);
}

// The forward with q_m replaced by the identity: what dorefa_backward differentiates.
double soft_dorefa_loss(const std::vector<double>& w, const std::vector<float>& g) {
  double M = 0;
  for (double x : w) M = std::max(M, std::fabs(std::tanh(x)));
  double loss = 0;
  for (std::size_t i = 0; i < w.size(); ++i) loss += g[i] * (2 * (std::tanh(w[i]) / (2 * M) + 0.5) - 1);
  return loss;
}

TEST(Dorefa, BackwardMatchesFiniteDifferences) {
  for (int seed = 0; seed < 10; ++seed) {
    std::mt19937 rng(seed);
    const auto w = testing::uniform(rng, 12, -2.0f, 2.0f);
    const auto g = testing::uniform(rng, 12);
    std::vector<float> grad(12);
    dorefa_backward(w, g, grad);
    for (std::size_t k = 0; k < w.size(); ++k) {
      std::vector<double> plus(w.begin(), w.end()), minus(w.begin(), w.end());
      const double h = 1e-6;
      plus[k] += h, minus[k] -= h;
      const double numeric = (soft_dorefa_loss(plus, g) - soft_dorefa_loss(minus, g)) / (2 * h);
      EXPECT_NEAR(grad[k], numeric, 1e-5 + 1e-4 * std::fabs(numeric)) << "seed " << seed << " k " << k;
    }
  }
}

TEST(Ttq, ForwardAndBackwardHandComputed) {
  // max|w| = 1, t = 0.3: Delta = 0.3.
  const std::vector<float> w = {1.0f, -0.5f, 0.2f, -0.31f}, g = {0.1f, 0.2f, 0.3f, 0.4f};
  std::vector<float> out(4), grad(4);
  ttq_forward(w, 2.0f, 3.0f, 0.3f, out);
  EXPECT_EQ(out, (std::vector<float>{2.0f, -3.0f, 0.0f, -3.0f}));
  float grad_wp = 0, grad_wn = 0;
  ttq_backward(w, g, 2.0f, 3.0f, 0.3f, grad, grad_wp, grad_wn);
  EXPECT_FLOAT_EQ(grad[0], 0.2f);  // wp * g
  EXPECT_FLOAT_EQ(grad[1], 0.6f);  // wn * g
  EXPECT_FLOAT_EQ(grad[2], 0.3f);  // g
  EXPECT_FLOAT_EQ(grad[3], 1.2f);
  EXPECT_FLOAT_EQ(grad_wp, 0.1f);
  EXPECT_FLOAT_EQ(grad_wn, -0.6f);
}

TEST(Ttq, ScaleGradientsMatchFiniteDifferences) {
  std::mt19937 rng(3);
  const auto w = testing::uniform(rng, 100);
  const auto g = testing::uniform(rng, 100);
  auto loss = [&](float wp, float wn) {
    std::vector<float> out(w.size());
    ttq_forward(w, wp, wn, 0.05f, out);
    double l = 0;
    for (std::size_t i = 0; i < w.size(); ++i) l += double(g[i]) * out[i];
    return l;
  };
  std::vector<float> grad(w.size());
  float grad_wp = 0, grad_wn = 0;
  ttq_backward(w, g, 0.7f, 0.9f, 0.05f, grad, grad_wp, grad_wn);
  const float h = 1.0f / 64;  // exact in float; the loss is linear in the scales
  EXPECT_NEAR(grad_wp, (loss(0.7f + h, 0.9f) - loss(0.7f - h, 0.9f)) / (2 * h), 1e-4);
  EXPECT_NEAR(grad_wn, (loss(0.7f, 0.9f + h) - loss(0.7f, 0.9f - h)) / (2 * h), 1e-4);
}

TEST(Ttq, QuantizeTakesTheTrainedScalesFromItsInput) {
  const std::vector<float> w = {0.5f, -0.01f, -0.8f};
  std::vector<float> via(3), direct(3);
  Options options;
  const Scales s = quantize(Method::ttq, Input{w, {}, {}, {0.7f, 0.9f}}, via, options);
  ttq_forward(w, 0.7f, 0.9f, options.ttq_threshold, direct);
  EXPECT_EQ(via, direct);
  EXPECT_EQ(s.positive, 0.7f);
  EXPECT_EQ(s.negative, 0.9f);
}

TEST(Ttq, QuantizePointsToTheDedicatedFunctions) {
  const std::vector<float> w = {0.5f};
  std::vector<float> out(1);
  try {
    quantize(Method::ttq, w, {}, {}, out, Options{});
    FAIL() << "expected laq::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("ttq_forward"), std::string::npos);
  }
}

}  // namespace
}  // namespace laq::quant
