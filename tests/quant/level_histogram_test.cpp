// The alternating solvers' histogram (quant/fast/level_histogram.h) against the pass over
// every weight it replaces (fast::sweep): the same code for any scale, so the same support
// count exactly and the same sums up to the order of the additions, including scales whose
// thresholds fall exactly on weights, on bin edges, below every weight and above them all.
#include "quant/fast/level_histogram.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "quant/alternating.h"
#include "quant/fast/level_sweep.h"
#include "quant/levels.h"
#include "quant/runner.h"
#include "tests/quant/quant_test_util.h"

namespace laq::quant {
namespace {

using testing::random_solver_case;
using testing::run_on_two_threads;

struct Named {
  const char* name;
  LevelSet levels;
};

std::vector<Named> level_sets() {
  return {{"ternary", ternary_levels()}, {"linear 2", linear_levels(2)}, {"linear 3", linear_levels(3)}, {"linear 8", linear_levels(8)}, {"log 3", log_levels(3)}, {"log 8", log_levels(8)}};
}

// The support count is exact; the sums differ by the order of the additions and because the
// sweep builds a level's magnitude as a sum of steps (127 of them for 8 linear bits), which
// the histogram takes from the table: relative 1e-10, where a single weight one level off
// would move d_b by about 1e-8 of it here.
void expect_same_sums(const fast::Sums& histogram, const fast::Sums& sweep, const std::string& where) {
  EXPECT_EQ(histogram.support, sweep.support) << where;
  EXPECT_NEAR(histogram.d_b_w, sweep.d_b_w, 1e-10 * std::fabs(sweep.d_b_w)) << where;
  EXPECT_NEAR(histogram.d_b, sweep.d_b, 1e-10 * std::fabs(sweep.d_b)) << where;
  EXPECT_NEAR(histogram.d_b2, sweep.d_b2, 1e-10 * std::fabs(sweep.d_b2)) << where;
}

TEST(LevelHistogram, SumsAreTheSweepsForAnyScale) {
  const std::size_t n = 300000;  // two pieces
  const testing::SolverCase c = random_solver_case(11, n);
  for (const Named& set : level_sets()) {
    fast::LevelHistogram histogram(set.levels, c.w, c.d, false);
    // Far below the weights, inside them, and beyond the largest (which is near 1).
    for (const float alpha : {1e-4f, 0.05f, 0.3f, 0.31f, 0.7f, 1.0f, 1.9f, 2.5f, 40.0f}) {
      const std::string where = std::string(set.name) + " alpha " + std::to_string(alpha);
      expect_same_sums(histogram.sums(alpha), fast::sweep(set.levels, c.w, c.d, alpha, false), where);
    }
  }
}

TEST(LevelHistogram, WeightsExactlyOnAThresholdFollowTheTieRule) {
  // Every weight sits on a threshold of alpha = 1 (or next to one): the ties of levels.h
  // must come out of the boundary bins exactly as the sweep has them.
  for (const Named& set : level_sets()) {
    std::vector<float> w, d;
    for (int copy = 0; copy < 4000; ++copy)
      for (const double midpoint : set.levels.midpoints) {
        const float t = static_cast<float>(midpoint);
        for (const float x : {t, std::nextafter(t, 0.0f), std::nextafter(t, 2.0f)}) {
          w.push_back(copy % 2 ? x : -x);
          d.push_back(1.0f + 0.001f * float(copy % 7));
        }
      }
    std::mt19937 rng(15);  // and others around them, so that the tied ones share their bins
    for (int i = 0; i < 50000; ++i) {
      w.push_back(std::uniform_real_distribution<float>(-1.0f, 1.0f)(rng));
      d.push_back(std::uniform_real_distribution<float>(0.5f, 2.0f)(rng));
    }
    fast::LevelHistogram histogram(set.levels, w, d, false);
    expect_same_sums(histogram.sums(1.0f), fast::sweep(set.levels, w, d, 1.0f, false), set.name);
  }
}

TEST(LevelHistogram, OneGatherServesTheWholeAlternation) {
  // From a warm start far from the end (a scale 3x too small) to convergence.
  const testing::SolverCase c = random_solver_case(12, 200000);
  for (const Named& set : level_sets()) {
    fast::LevelHistogram histogram(set.levels, c.w, c.d, false);
    float alpha = 0.1f;
    for (int iteration = 0; iteration < 30; ++iteration) {
      const fast::Sums s = histogram.sums(alpha);
      alpha = static_cast<float>(s.d_b_w / s.d_b);
    }
    EXPECT_LE(histogram.passes(), 3) << set.name;  // the largest |w|, the histogram, one gather
    expect_same_sums(histogram.sums(alpha), fast::sweep(set.levels, c.w, c.d, alpha, false), set.name);
  }
}

TEST(LevelHistogram, SolversGiveTheSameBitsOnOneAndTwoThreads) {
  const std::size_t n = 700000;  // three pieces
  const testing::SolverCase c = random_solver_case(13, n);
  for (const Named& set : level_sets()) {
    Options options;
    std::vector<float> one(n), two(n);
    set_runner({});
    const Scales a = alternate(set.levels, c.w, c.d, c.warm, one, options);
    set_runner(run_on_two_threads);
    const Scales b = alternate(set.levels, c.w, c.d, c.warm, two, options);
    set_runner({});
    EXPECT_EQ(a.positive, b.positive) << set.name;
    EXPECT_EQ(one, two) << set.name;
  }
}

TEST(LevelHistogram, ASideIsTheHistogramOfItsOwnWeights) {
  // LAT2-a's halves: the histogram of w > 0 (or of -w for w < 0) over the whole tensor gives
  // the sums of a sweep over those weights alone; exact zeros belong to neither side.
  testing::SolverCase c = random_solver_case(16, 250000);
  for (std::size_t i = 0; i < c.w.size(); i += 9) c.w[i] = 0.0f;
  const LevelSet levels = ternary_levels();
  for (const Side side : {Side::positive, Side::negative}) {
    std::vector<float> own_w, own_d;
    for (std::size_t i = 0; i < c.w.size(); ++i)
      if (side == Side::positive ? c.w[i] > 0 : c.w[i] < 0) own_w.push_back(std::fabs(c.w[i])), own_d.push_back(c.d[i]);
    fast::LevelHistogram histogram(levels, c.w, c.d, false, side);
    for (const float alpha : {0.01f, 0.4f, 0.9f, 1.5f, 3.0f}) {
      const std::string where = std::string(side == Side::positive ? "positive" : "negative") + " alpha " +
                                std::to_string(alpha);
      expect_same_sums(histogram.sums(alpha), fast::sweep(levels, own_w, own_d, alpha, false), where);
    }
  }
}

TEST(LevelHistogram, Lat2GivesTheSameBitsOnOneAndTwoThreads) {
  const std::size_t n = 700000;
  const testing::SolverCase c = random_solver_case(17, n);
  for (const bool code_faithful : {false, true}) {
    Options options;
    options.code_faithful = code_faithful;
    std::vector<float> one(n), two(n);
    set_runner({});
    const Scales a = lat2_alternating(c.w, c.d, c.warm, one, options);
    set_runner(run_on_two_threads);
    const Scales b = lat2_alternating(c.w, c.d, c.warm, two, options);
    set_runner({});
    EXPECT_EQ(a.positive, b.positive);
    EXPECT_EQ(a.negative, b.negative);
    EXPECT_EQ(one, two);
  }
}

TEST(LevelHistogram, OneHugeWeightPutsEveryThresholdInTheLowestBin) {
  // The bins span [0, max |w|]; with one outlier 10^6 times the rest, every threshold lies in
  // bin 0 and every weight is read one by one: slower, still the same code.
  testing::SolverCase c = random_solver_case(14, 100000);
  c.w[777] = 1e6f;
  for (const Named& set : level_sets()) {
    fast::LevelHistogram histogram(set.levels, c.w, c.d, false);
    expect_same_sums(histogram.sums(0.5f), fast::sweep(set.levels, c.w, c.d, 0.5f, false), set.name);
  }
}

}  // namespace
}  // namespace laq::quant
