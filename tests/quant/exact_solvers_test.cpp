// The exact solvers (lab, lat-e, lat2-e) against brute force over every code.
#include <gtest/gtest.h>

#include "quant/binary.h"
#include "quant/checks.h"
#include "quant/curvature.h"
#include "quant/objective.h"
#include "quant/ternary_exact.h"
#include "quant/top_support.h"
#include "tests/quant/quant_test_util.h"

namespace laq::quant {
namespace {

using testing::brute_force;
using testing::curvature;
using testing::total_dw2;
using testing::uniform;

// Small random inputs of a few shapes: continuous, with zeros, with ties, one-signed.
std::vector<float> small_input(std::mt19937& rng, std::size_t n, int shape) {
  auto w = uniform(rng, n);
  for (auto& x : w) {
    if (shape == 1 && rng() % 3 == 0) x = 0.0f;
    if (shape == 2) x = std::round(x * 4) / 4;
    if (shape == 3) x = std::fabs(x);
  }
  return w;
}

void expect_optimal(double got, double best, const std::vector<float>& w, const std::vector<float>& d, int seed) {
  // Relative to sum d w^2: the float scale costs ~1e-7 relative in alpha, second order here.
  EXPECT_NEAR(got, best, 1e-6 * total_dw2(w, d) + 1e-12) << "seed " << seed;
  EXPECT_GE(got, best - 1e-6 * total_dw2(w, d) - 1e-12) << "seed " << seed;
}

TEST(ExactSolvers, LatExactEqualsBruteForce) {
  for (int seed = 0; seed < 300; ++seed) {
    std::mt19937 rng(seed);
    const std::size_t n = 1 + seed % 9;
    const auto w = small_input(rng, n, seed % 4);
    const auto d = curvature(rng, n);
    std::vector<float> out(n);
    lat_exact(w, d, out);
    const double best = brute_force(w, d, false, false);
    expect_optimal(objective(w, d, out), best, w, d, seed);
    // The histogram solver with very few bins must land on the same optimum.
    for (std::size_t bins : {1, 2, 3, 7}) {
      const Support s = best_support_histogram(w, d, Side::all, bins);
      const float alpha = static_cast<float>(s.alpha());
      write_ternary(w, {alpha, alpha}, out);
      expect_optimal(objective(w, d, out), best, w, d, seed);
    }
  }
}

TEST(ExactSolvers, Lat2ExactEqualsBruteForceWithTwoScales) {
  for (int seed = 0; seed < 300; ++seed) {
    std::mt19937 rng(1000 + seed);
    const std::size_t n = 1 + seed % 9;
    const auto w = small_input(rng, n, seed % 4);
    const auto d = curvature(rng, n);
    std::vector<float> out(n);
    lat2_exact(w, d, out);
    expect_optimal(objective(w, d, out), brute_force(w, d, true, false), w, d, seed);
  }
}

TEST(ExactSolvers, LabEqualsBruteForceOverSigns) {
  for (int seed = 0; seed < 200; ++seed) {
    std::mt19937 rng(2000 + seed);
    const std::size_t n = 1 + seed % 9;
    const auto w = small_input(rng, n, seed % 3);
    const auto d = curvature(rng, n);
    std::vector<float> out(n);
    lab(w, d, out);
    expect_optimal(objective(w, d, out), brute_force(w, d, false, true), w, d, seed);
  }
}

TEST(ExactSolvers, LabIsTheWeightedMeanClosedForm) {
  const std::vector<float> w = {0.5f, -0.25f, 0.0f, 1.0f}, d = {1.0f, 2.0f, 3.0f, 4.0f};
  std::vector<float> out(4);
  const Scales s = lab(w, d, out);
  const float alpha = static_cast<float>((0.5 + 0.5 + 0.0 + 4.0) / 10.0);
  EXPECT_FLOAT_EQ(s.positive, alpha);
  EXPECT_EQ(out, (std::vector<float>{alpha, -alpha, alpha, alpha}));  // 0 goes to +alpha
}

TEST(ExactSolvers, BwnIsMeanAbsAndLabWithUniformCurvatureEqualsBwn) {
  std::mt19937 rng(7);
  const auto w = uniform(rng, 1001);
  std::vector<float> a(w.size()), b(w.size());
  const Scales sb = bwn(w, b);
  double mean = 0;
  for (float x : w) mean += std::fabs(x);
  EXPECT_FLOAT_EQ(sb.positive, static_cast<float>(mean / w.size()));
  const std::vector<float> d(w.size(), 0.37f);
  lab(w, d, a);
  EXPECT_EQ(a, b);
}

TEST(ExactSolvers, LatExactHandComputedCase) {
  // |w| sorted 1, 0.9, 0.1 with d = 1: scores 1, 1.805, 1.333 -> support {1, 0.9}, alpha 0.95.
  const std::vector<float> w = {0.1f, -0.9f, 1.0f}, d = {1, 1, 1};
  std::vector<float> out(3);
  const Scales s = lat_exact(w, d, out);
  EXPECT_FLOAT_EQ(s.positive, 0.95f);
  EXPECT_EQ(out, (std::vector<float>{0.0f, -0.95f, 0.95f}));
}

}  // namespace
}  // namespace laq::quant
