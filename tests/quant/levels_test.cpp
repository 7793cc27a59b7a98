// Level sets and the nearest-level projection.
#include <gtest/gtest.h>

#include "engine/error.h"
#include "quant/levels.h"
#include "tests/quant/quant_test_util.h"

namespace laq::quant {
namespace {

// Brute-force nearest level of clip(x, -1, 1); returns false when two levels are (almost) as near.
bool nearest_by_search(const LevelSet& levels, double x, double& nearest) {
  std::vector<double> all = {0.0};
  for (double m : levels.magnitudes) all.push_back(m), all.push_back(-m);
  const double c = std::clamp(x, -1.0, 1.0);
  std::sort(all.begin(), all.end(), [&](double a, double b) { return std::fabs(a - c) < std::fabs(b - c); });
  nearest = all[0];
  return std::fabs(std::fabs(all[1] - c) - std::fabs(all[0] - c)) > 1e-12;
}

TEST(Levels, TheLevelSetsOfTheSpec) {
  EXPECT_EQ(linear_levels(3).magnitudes, (std::vector<double>{1.0 / 3, 2.0 / 3, 1.0}));
  EXPECT_EQ(log_levels(3).magnitudes, (std::vector<double>{0.25, 0.5, 1.0}));
  EXPECT_EQ(linear_levels(2).magnitudes, (std::vector<double>{1.0}));
  EXPECT_EQ(log_levels(2).magnitudes, (std::vector<double>{1.0}));
  EXPECT_EQ(linear_levels(8).nonzero_levels(), 127u);
  EXPECT_THROW(linear_levels(1), Error);
  EXPECT_THROW(log_levels(9), Error);
}

TEST(Levels, ProjectionIsTheNearestLevelAfterClipping) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> u(-1.5, 1.5);
  for (int bits = 2; bits <= 5; ++bits) {
    for (const LevelSet& levels : {linear_levels(bits), log_levels(bits)}) {
      for (int i = 0; i < 20000; ++i) {
        const double x = u(rng);
        double nearest;
        if (nearest_by_search(levels, x, nearest)) {
          ASSERT_EQ(project(levels, x), nearest) << bits << " " << x;
        }
      }
    }
  }
}

TEST(Levels, MidpointsFollowTheCodesRounding) {
  // Linear: half away from zero (C round).
  EXPECT_EQ(project(linear_levels(2), 0.5), 1.0);
  EXPECT_EQ(project(linear_levels(2), -0.5), -1.0);
  EXPECT_EQ(project(linear_levels(3), 0.5), 2.0 / 3);  // midpoint of 1/3 and 2/3
  EXPECT_EQ(project(linear_levels(3), -0.5), -2.0 / 3);
  // Log: the smaller magnitude (round(-2.5) = -3 in the exponent).
  EXPECT_EQ(project(log_levels(3), 0.75), 0.5);
  EXPECT_EQ(project(log_levels(3), -0.375), -0.25);
  // 2^-k, the midpoint of 0 and M_1, is lifted: the code zeroes only t < 2^-k.
  EXPECT_EQ(project(log_levels(3), 0.125), 0.25);
  EXPECT_EQ(project(log_levels(3), 0.12499999), 0.0);
  EXPECT_EQ(project(log_levels(3), 0.1250001), 0.25);
  // Ternary: the strict threshold.
  EXPECT_EQ(project(ternary_levels(), 0.5), 0.0);
  EXPECT_EQ(project(ternary_levels(), -0.5000001), -1.0);
  // Clipping.
  EXPECT_EQ(project(log_levels(4), 7.0), 1.0);
  EXPECT_EQ(project(linear_levels(4), -7.0), -1.0);
}

}  // namespace
}  // namespace laq::quant
