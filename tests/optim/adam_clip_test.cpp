// Adam with the fused clamp equals Adam followed by a ClipStage, bit for bit.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "optim/adam.h"
#include "optim/pipeline.h"

namespace laq {
namespace {

TEST(AdamClip, FusedClampEqualsAdamThenClipStageBitForBit) {
  const std::size_t n = 10007;  // not a multiple of any vector width
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-1.2f, 1.2f);
  std::vector<float> w1(n), w2(n), g(n);
  for (auto& x : w1) x = u(rng);
  w2 = w1;
  optim::AdamConfig fused;
  fused.clip = true;
  optim::Adam plain("a", w1, g), clamped("b", w2, g, fused);
  optim::ClipStage clip(w1, -1.0f, 1.0f);
  for (int step = 0; step < 20; ++step) {
    for (auto& x : g) x = u(rng) * (step % 2 ? 10.0f : 0.01f);
    plain.step(0.05f);
    clip.run(0.05f);
    clamped.step(0.05f);
    ASSERT_EQ(w1, w2) << step;
  }
  EXPECT_EQ(std::vector<float>(plain.second_moment().begin(), plain.second_moment().end()),
            std::vector<float>(clamped.second_moment().begin(), clamped.second_moment().end()));
  std::size_t at_bound = 0;
  for (float x : w2) at_bound += x == 1.0f || x == -1.0f;
  EXPECT_GT(at_bound, 0u);  // the clamp did act
}

}  // namespace
}  // namespace laq
