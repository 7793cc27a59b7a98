#include <gtest/gtest.h>

#include <cmath>

#include "engine/error.h"
#include "optim/adam.h"
#include "optim/sgd.h"

namespace laq {
namespace {

TEST(Adam, MatchesTheLasagneFormulaInDouble) {
  std::vector<float> w{0.5f, -0.25f, 0.0f}, g(3);
  std::vector<double> wr{0.5, -0.25, 0.0}, m(3, 0), v(3, 0);
  optim::Adam adam("adam", w, g);
  const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
  for (int t = 1; t <= 5; ++t) {
    for (int i = 0; i < 3; ++i) g[i] = std::sin(1.0f + t * (i + 1));
    adam.step(static_cast<float>(lr));
    const double a = lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
    for (int i = 0; i < 3; ++i) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * double(g[i]) * g[i];
      wr[i] -= a * m[i] / (std::sqrt(v[i]) + eps);  // eps on the un-bias-corrected root
      EXPECT_NEAR(w[i], wr[i], 1e-6) << "step " << t << " element " << i;
      EXPECT_NEAR(adam.second_moment()[i], v[i], 1e-4 * v[i]);  // float32 (1 - b2)
    }
  }
  EXPECT_EQ(adam.steps(), 5);
}

TEST(Adam, FirstStepMovesEachWeightByAboutTheLearningRate) {
  std::vector<float> w{0.0f, 0.0f}, g{3.0f, -1e-3f};
  optim::Adam adam("adam", w, g);
  adam.step(0.01f);
  // a_1 = lr * sqrt(1-b2)/(1-b1); m/sqrt(v) = (0.1 g)/(sqrt(0.001)|g|) -> exactly lr*sign(g).
  EXPECT_NEAR(w[0], -0.01f, 1e-6);
  EXPECT_NEAR(w[1], 0.01f, 1e-4);
}

TEST(Adam, StateExposesMomentsAndCounter) {
  std::vector<float> w(4), g(4, 1.0f);
  optim::Adam adam("adam_q", w, g);
  adam.step(0.1f);
  auto s = adam.state();
  ASSERT_EQ(s.buffers.size(), 2u);
  EXPECT_EQ(s.buffers[0].name, "adam_q.m");
  EXPECT_EQ(s.buffers[1].name, "adam_q.v");
  EXPECT_EQ(*s.counters[0].value, 1);
}

TEST(Sgd, PlainAndMomentum) {
  std::vector<float> w{1.0f}, g{0.5f};
  optim::Sgd plain("sgd", w, g);
  plain.step(0.1f);
  EXPECT_FLOAT_EQ(w[0], 0.95f);
  std::vector<float> w2{1.0f};
  optim::Sgd heavy("sgd", w2, g, 0.9f);
  heavy.step(0.1f);
  heavy.step(0.1f);  // u = 0.5, then 0.95
  EXPECT_FLOAT_EQ(w2[0], 1.0f - 0.05f - 0.095f);
  EXPECT_THROW(optim::Sgd("sgd", w2, g, 1.5f), Error);
}

}  // namespace
}  // namespace laq
