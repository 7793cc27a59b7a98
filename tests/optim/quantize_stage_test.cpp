// The quantize stage of the step pipeline: what the forward pass reads, which curvature the
// projection gets, and that the latent weights receive the straight-through gradient.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/error.h"
#include "layers/linear.h"
#include "optim/adam.h"
#include "optim/quantize_stage.h"
#include "optim/sgd.h"
#include "quant/baselines.h"
#include "quant/quantize.h"
#include "support/gradient_check.h"

namespace laq {
namespace {

using Groups = std::vector<std::pair<std::string, std::vector<layers::Parameter*>>>;

struct Fixture {
  layers::Linear a{"a", 5, 4}, b{"b", 4, 3};
  std::unique_ptr<optim::ParameterArena> arena;
  Fixture() {
    a.weight.latent.copy_from(testing::random_tensor({4, 5}, 1, -0.8f, 0.8f));
    b.weight.latent.copy_from(testing::random_tensor({3, 4}, 2, -0.8f, 0.8f));
    arena = std::make_unique<optim::ParameterArena>(Groups{{"q", {&a.weight, &b.weight}}, {"o", {a.bias.get()}}});
  }
  const optim::ParameterGroup& q() { return arena->group("q"); }
  void set_grads(uint64_t seed) {
    auto g = testing::random_tensor({arena->size()}, seed);
    std::copy(g.span().begin(), g.span().end(), arena->grads().begin());
  }
};

std::vector<float> project(quant::Method m, std::span<const float> w, std::span<const float> d,
                           std::span<const float> warm) {
  std::vector<float> out(w.size());
  quant::quantize(m, w, d, warm, out, {});
  return out;
}

TEST(QuantizeStage, ForwardReadsTheFirstProjectionWithUniformCurvature) {
  Fixture f;
  auto group = std::make_shared<optim::QuantizedGroup>(*f.arena, f.q(), quant::Method::lat_a, quant::Options{}, false);
  EXPECT_EQ(f.a.weight.value.data(), group->quantized().data());
  EXPECT_NE(f.a.weight.value.data(), f.a.weight.latent.data());
  EXPECT_EQ(f.a.bias->value.data(), f.a.bias->latent.data());  // biases stay full precision
  std::span<const float> w = f.a.weight.latent.span();
  std::vector<float> warm(w.size()), d(w.size(), 1.0f);
  quant::initial_warm_start(w, warm);
  const auto expected = project(quant::Method::lat_a, w, d, warm);
  for (size_t i = 0; i < w.size(); ++i) EXPECT_FLOAT_EQ(f.a.weight.value[i], expected[i]) << i;
}

TEST(QuantizeStage, CurvatureIsTheRootOfAdamsSecondMoment) {
  Fixture f;
  auto group = std::make_shared<optim::QuantizedGroup>(*f.arena, f.q(), quant::Method::lab, quant::Options{}, false);
  optim::Adam adam("adam", f.arena->values(f.q()), f.arena->grads(f.q()));
  optim::QuantizeStage stage(group, adam);
  f.set_grads(3);
  adam.step(0.01f);
  stage.run(0.01f);
  // LAB's scale is sum d|w| / sum d with d = sqrt(v) + 1e-8: recompute it by hand.
  std::span<const float> w = f.b.weight.latent.span();
  const auto v = adam.second_moment().subspan(20, 12);
  double num = 0, den = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    const double d = std::sqrt(double(v[i])) + 1e-8;
    num += d * std::abs(w[i]);
    den += d;
  }
  EXPECT_NEAR(std::abs(f.b.weight.value[0]), num / den, 1e-6);
  EXPECT_NEAR(group->scales(group->tensors()[1], 0).positive, num / den, 1e-6);
}

TEST(QuantizeStage, LatentWeightsGetTheGradientOfTheQuantizedWeightsUnchanged) {
  for (quant::Method m : {quant::Method::lat_e, quant::Method::lab, quant::Method::laq_log, quant::Method::bc}) {
    Fixture f;
    auto group = std::make_shared<optim::QuantizedGroup>(*f.arena, f.q(), m, quant::Options{}, false);
    optim::StepPipeline pipeline;
    auto sgd = std::make_unique<optim::Sgd>("sgd", f.arena->values(f.q()), f.arena->grads(f.q()));
    const optim::Optimizer& source = *sgd;
    pipeline.add(std::make_unique<optim::OptimizerStage>("sgd", std::move(sgd)));
    pipeline.add(std::make_unique<optim::QuantizeStage>(group, source));
    std::vector<float> before(f.arena->values(f.q()).begin(), f.arena->values(f.q()).end());
    f.set_grads(4);
    std::vector<float> g(f.arena->grads(f.q()).begin(), f.arena->grads(f.q()).end());
    pipeline.step(0.1f);
    for (size_t i = 0; i < before.size(); ++i)
      EXPECT_FLOAT_EQ(f.arena->values(f.q())[i], before[i] - 0.1f * g[i]) << quant::method_name(m) << " " << i;
  }
}

TEST(QuantizeStage, PerChannelScalesGiveOneScalePerOutputRow) {
  Fixture f;
  auto group = std::make_shared<optim::QuantizedGroup>(*f.arena, f.q(), quant::Method::bwn, quant::Options{}, true);
  ASSERT_EQ(group->tensors()[0].rows, 4);
  for (int r = 0; r < 4; ++r) {
    double mean = 0;
    for (int k = 0; k < 5; ++k) mean += std::abs(f.a.weight.latent[r * 5 + k]) / 5.0;
    EXPECT_NEAR(group->scales(group->tensors()[0], r).positive, mean, 1e-6);
    EXPECT_NEAR(std::abs(f.a.weight.value[r * 5]), mean, 1e-6);
  }
}

TEST(QuantizeGradientStage, TtqScaleGradientsMatchFiniteDifferences) {
  Fixture f;
  auto group = std::make_shared<optim::QuantizedGroup>(*f.arena, f.q(), quant::Method::ttq, quant::Options{}, false);
  // L = sum r_i q_i(w; wp, wn): dL/dq = r. Perturb each scale of tensor 0 and compare.
  const auto r = testing::random_tensor({20}, 5);
  std::span<const float> w = f.a.weight.latent.span();
  auto loss = [&](float wp, float wn) {
    std::vector<float> q(20);
    quant::ttq_forward(w, wp, wn, 0.05f, q);
    double s = 0;
    for (int i = 0; i < 20; ++i) s += double(r[i]) * q[i];
    return s;
  };
  std::vector<float> gw(20);
  float gp = 0, gn = 0;
  const float wp = group->ttq_scales()[0], wn = group->ttq_scales()[1];
  quant::ttq_backward(w, r.span(), wp, wn, 0.05f, gw, gp, gn);
  const double h = 1e-3;
  EXPECT_NEAR(gp, (loss(wp + h, wn) - loss(wp - h, wn)) / (2 * h), 1e-3);
  EXPECT_NEAR(gn, (loss(wp, wn + h) - loss(wp, wn - h)) / (2 * h), 1e-3);
  // And the stage applies them: one step moves the scales against their gradient.
  f.set_grads(6);
  optim::QuantizeGradientStage stage(group);
  const float before = group->ttq_scales()[0];
  stage.run(0.01f);
  const float g0 = group->ttq_scale_grads()[0];
  EXPECT_NE(g0, 0.0f);
  EXPECT_LT((group->ttq_scales()[0] - before) * g0, 0.0f);
}

}  // namespace
}  // namespace laq

namespace laq {
namespace {

TEST(QuantizeStage, PerChannelScalesRefuseInputMajorMatrices) {
  layers::Parameter gate("lstm.W_xi", {6, 4}, layers::Init{layers::InitKind::uniform, 0.08f}, true);
  gate.rows_are_outputs = false;  // [inputs, outputs], as the LSTM's gate matrices
  optim::ParameterArena arena(Groups{{"q", {&gate}}});
  EXPECT_THROW(optim::QuantizedGroup(arena, arena.group("q"), quant::Method::lat_e, quant::Options{}, true), Error);
  EXPECT_NO_THROW(optim::QuantizedGroup(arena, arena.group("q"), quant::Method::lat_e, quant::Options{}, false));
}

}  // namespace
}  // namespace laq
