// The one entry point's two halves beyond the solvers themselves: the backward pass through
// the quantizer (latent_gradient) is the identity exactly where the method table says so and
// the method's own backward elsewhere, and a d buffer lent to quantize() changes no bit.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "engine/error.h"
#include "quant/baselines.h"
#include "quant/method.h"
#include "quant/quant_test_util.h"
#include "quant/quantize.h"

namespace laq::quant {
namespace {

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(LatentGradient, StraightThroughExactlyForTheMethodsWithoutABackwardOfTheirOwn) {
  const testing::SolverCase c = testing::random_solver_case(3, 513);
  std::vector<float> g0(c.w.size());
  for (std::size_t i = 0; i < g0.size(); ++i) g0[i] = 0.01f * static_cast<float>(static_cast<int>(i % 17) - 8);
  const Options options;
  for (Method m : all_methods) {
    const MethodTraits t = traits(m);
    std::vector<float> g = g0;
    Scales trained_gradients{123.0f, 456.0f};
    latent_gradient(m, {c.w, {}, {}, {0.7f, 0.4f}}, g, options, &trained_gradients);
    std::vector<float> expected = g0;
    Scales expected_scales{123.0f, 456.0f};
    if (m == Method::ttq)
      ttq_backward(c.w, g0, 0.7f, 0.4f, options.ttq_threshold, expected, expected_scales.positive,
                   expected_scales.negative);
    if (m == Method::dorefa) dorefa_backward(c.w, g0, expected);
    EXPECT_TRUE(same_bits(g, expected)) << method_name(m);
    EXPECT_EQ(trained_gradients.positive, expected_scales.positive) << method_name(m);
    EXPECT_EQ(trained_gradients.negative, expected_scales.negative) << method_name(m);
    EXPECT_EQ(same_bits(g, g0), !t.scales_trained_by_gradient && !t.gradient_through_quantizer) << method_name(m);
  }
}

TEST(LatentGradient, TtqRefusesToDropItsScaleGradients) {
  std::vector<float> w{0.5f, -0.5f}, g{1.0f, 1.0f};
  EXPECT_THROW(latent_gradient(Method::ttq, {w, {}, {}, {1.0f, 1.0f}}, g, Options{}), Error);
  EXPECT_THROW(latent_gradient(Method::dorefa, {w, {}, {}, {}}, std::span<float>(g).first(1), Options{}), Error);
}

TEST(QuantizeEntryPoint, ALentDBufferChangesNoBitAndIsReused) {
  const testing::SolverCase c = testing::random_solver_case(11, 1000);
  std::vector<float> v(c.d.size());
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = c.d[i] * c.d[i];
  const Curvature d = Curvature::root(v, 1e-8f);
  std::vector<float> buffer(4096, -1.0f);  // larger than the tensor, and not zero
  const float* storage = buffer.data();
  for (Method m : all_methods) {
    if (traits(m).scales_trained_by_gradient) continue;  // ttq reads no d
    const Input input{c.w, d, c.warm, {}};
    std::vector<float> own(c.w.size()), lent(c.w.size());
    const Scales a = quantize(m, input, own, Options{});
    const Scales b = quantize(m, input, lent, Options{}, nullptr, &buffer);
    EXPECT_TRUE(same_bits(own, lent)) << method_name(m);
    EXPECT_EQ(a.positive, b.positive) << method_name(m);
    EXPECT_EQ(a.negative, b.negative) << method_name(m);
  }
  EXPECT_EQ(buffer.data(), storage);  // never reallocated
  EXPECT_EQ(buffer.size(), 4096u);
}

TEST(QuantizeEntryPoint, TheHistogramSolversSpreadOneTensor) {
  for (Method m : all_methods) {
    const bool histogram = m == Method::lat_e || m == Method::lat2_e || m == Method::lat_a || m == Method::lat2_a ||
                           m == Method::laq_linear || m == Method::laq_log;
    EXPECT_EQ(spreads_one_tensor(m, false), histogram) << method_name(m);
    EXPECT_FALSE(spreads_one_tensor(m, true)) << method_name(m);  // the code-faithful variant sorts
  }
}

}  // namespace
}  // namespace laq::quant
