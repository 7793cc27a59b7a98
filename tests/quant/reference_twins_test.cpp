// The fast solvers against their plain twins (quant/reference.h). On tensors of up to 8
// elements the fast lane sums add in the plain left-to-right order, so the twins must agree
// bit for bit; on large tensors the order differs, so scales must agree to 4 float ulps and
// every output to 4 ulps of its scale's level.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "quant/alternating.h"
#include "quant/baselines.h"
#include "quant/levels.h"
#include "quant/objective.h"
#include "quant/quantize.h"
#include "quant/reference.h"
#include "tests/quant/quant_test_util.h"

namespace laq::quant {
namespace {

using testing::random_solver_case;
using Case = testing::SolverCase;

void expect_same(Scales fast, Scales plain, const std::vector<float>& a, const std::vector<float>& b, bool bitwise,
                 const std::string& where) {
  if (bitwise) {
    EXPECT_EQ(fast.positive, plain.positive) << where;
    EXPECT_EQ(fast.negative, plain.negative) << where;
  } else {
    EXPECT_FLOAT_EQ(fast.positive, plain.positive) << where;
    EXPECT_FLOAT_EQ(fast.negative, plain.negative) << where;
  }
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (bitwise) ASSERT_EQ(a[i], b[i]) << where << " element " << i;
    else ASSERT_FLOAT_EQ(a[i], b[i]) << where << " element " << i;
  }
}

const std::size_t kSizes[] = {1, 2, 5, 8, 1000, 65537};

TEST(ReferenceTwins, AlternateEqualsThePlainNearestLevelSolver) {
  struct Named {
    const char* name;
    LevelSet levels;
  };
  const Named sets[] = {{"lat-a", ternary_levels()}, {"laq-linear 2", linear_levels(2)}, {"laq-linear 3", linear_levels(3)}, {"laq-linear 4", linear_levels(4)}, {"laq-log 3", log_levels(3)}, {"laq-log 4", log_levels(4)}};
  for (const Named& set : sets)
    for (const bool least_squares : {false, true})
      for (const std::size_t n : kSizes)
        for (unsigned seed = 1; seed <= 3; ++seed) {
          const Case c = random_solver_case(seed, n);
          Options options;
          options.least_squares_alpha = least_squares;
          std::vector<float> fast(n), plain(n);
          const Scales f = alternate(set.levels, c.w, c.d, c.warm, fast, options);
          const Scales p = alternate_reference(set.levels, c.w, c.d, c.warm, plain, options);
          expect_same(f, p, fast, plain, n <= 8,
                      std::string(set.name) + (least_squares ? " lsq" : "") + " n " + std::to_string(n) + " seed " +
                          std::to_string(seed));
        }
}

TEST(ReferenceTwins, Lat2AlternatingEqualsThePlainSolver) {
  for (const bool code_faithful : {false, true})
    for (const std::size_t n : kSizes)
      for (unsigned seed = 1; seed <= 3; ++seed) {
        const Case c = random_solver_case(seed, n);
        Options options;
        options.code_faithful = code_faithful;
        std::vector<float> fast(n), plain(n);
        const Scales f = lat2_alternating(c.w, c.d, c.warm, fast, options);
        const Scales p = lat2_alternating_reference(c.w, c.d, c.warm, plain, options);
        expect_same(f, p, fast, plain, n <= 8,
                    std::string(code_faithful ? "code-faithful " : "") + "n " + std::to_string(n) + " seed " +
                        std::to_string(seed));
      }
}

TEST(ReferenceTwins, TwnEqualsThePlainSolver) {
  for (const std::size_t n : kSizes)
    for (unsigned seed = 1; seed <= 3; ++seed) {
      const Case c = random_solver_case(seed, n);
      std::vector<float> fast(n), plain(n);
      const Scales f = twn(c.w, fast);
      const Scales p = twn_reference(c.w, plain);
      expect_same(f, p, fast, plain, n <= 8, "n " + std::to_string(n) + " seed " + std::to_string(seed));
    }
}

TEST(ReferenceTwins, WeightedAbsMeanEqualsThePlainSum) {
  for (const std::size_t n : kSizes)
    for (unsigned seed = 1; seed <= 3; ++seed) {
      const Case c = random_solver_case(seed, n);
      for (const bool uniform : {false, true}) {
        const std::span<const float> d = uniform ? std::span<const float>() : std::span<const float>(c.d);
        const double fast = weighted_abs_mean(c.w, d), plain = weighted_abs_mean_reference(c.w, d);
        if (n <= 8) EXPECT_EQ(fast, plain) << "n " << n << " seed " << seed;
        else EXPECT_NEAR(fast, plain, 1e-12 * plain) << "n " << n << " seed " << seed;
      }
    }
}

// DoReFa's forward counts thresholds; it must give every weight the very code of the formula.
// Random weights at several spreads, and for every code boundary the 64 floats on each side
// of the point where tanh(w) / 2M + 1/2 crosses it.
TEST(ReferenceTwins, DorefaGivesTheFormulasCodeBitForBit) {
  for (int bits = 1; bits <= 8; ++bits)
    for (const float spread : {1e-3f, 0.1f, 1.0f, 30.0f})
      for (unsigned seed = 1; seed <= 2; ++seed) {
        std::mt19937 rng(seed * 100 + bits);
        std::vector<float> w = testing::uniform(rng, 1000, -spread, spread);
        float m = 0;
        for (float x : w) m = std::max(m, std::fabs(x));
        const int top = (1 << bits) - 1;
        const double M = std::tanh(double(m));
        for (int k = 1; k <= top; ++k) {
          const double crossing = std::atanh((2.0 * (k - 0.5) / top - 1.0) * M);
          float near = static_cast<float>(crossing);
          for (int step = 0; step < 64; ++step) near = std::nextafter(near, -m);
          for (int step = 0; step < 129; ++step, near = std::nextafter(near, m))
            if (std::fabs(near) <= m) w.push_back(near);
        }
        w.insert(w.end(), {0.0f, -0.0f, 1e-40f, -1e-40f});
        std::vector<float> fast(w.size()), plain(w.size());
        dorefa(w, bits, fast);
        dorefa_reference(w, bits, plain);
        for (std::size_t i = 0; i < w.size(); ++i)
          ASSERT_EQ(fast[i], plain[i]) << "bits " << bits << " spread " << spread << " w " << w[i];
      }
}

TEST(ReferenceTwins, DorefaOfZerosAndHugeWeightsIsTheFormulas) {
  for (const std::vector<float>& w : {std::vector<float>(7, 0.0f), std::vector<float>{1e30f, -1e30f, 20.0f, 0.5f, -3e38f}}) {
    std::vector<float> fast(w.size()), plain(w.size());
    dorefa(w, 3, fast);
    dorefa_reference(w, 3, plain);
    EXPECT_EQ(fast, plain);
  }
}

// The float gradient against the double formula: each element to a few float ulps of its
// own value, the maximiser (which carries g . tanh w) to 1e-5 of the terms it sums.
TEST(ReferenceTwins, DorefaBackwardIsTheFormulaToFloatRounding) {
  for (const std::size_t n : kSizes)
    for (const float spread : {1e-3f, 0.3f, 3.0f, 30.0f}) {
      std::mt19937 rng(static_cast<unsigned>(n) + 7);
      const std::vector<float> w = testing::uniform(rng, n, -spread, spread);
      const std::vector<float> g = testing::uniform(rng, n);
      std::vector<float> fast(n), plain(n), in_place = g;
      dorefa_backward(w, g, fast);
      dorefa_backward_reference(w, g, plain);
      dorefa_backward(w, in_place, in_place);
      EXPECT_EQ(in_place, fast) << "in place, n " << n;
      std::size_t arg = 0;
      for (std::size_t i = 0; i < n; ++i)
        if (std::fabs(w[i]) > std::fabs(w[arg])) arg = i;
      const double M = std::tanh(double(std::fabs(w[arg])));
      double sum_abs_g = 0;
      for (float x : g) sum_abs_g += std::fabs(x);
      for (std::size_t i = 0; i < n; ++i) {
        const double tolerance =
            i == arg ? 1e-5 * (std::fabs(g[i]) / M + sum_abs_g / (M * M)) : 2e-6 * std::fabs(plain[i]) + 1e-30;
        ASSERT_NEAR(fast[i], plain[i], tolerance) << "n " << n << " spread " << spread << " element " << i;
      }
    }
}

// TTQ's branch-free backward: the same gradient bits, the scale gradients to float rounding of
// their lane-ordered sums, in place or not.
TEST(ReferenceTwins, TtqBackwardEqualsThePlainLoop) {
  for (const std::size_t n : kSizes)
    for (unsigned seed = 1; seed <= 3; ++seed) {
      std::mt19937 rng(seed);
      const std::vector<float> w = testing::uniform(rng, n), g = testing::uniform(rng, n);
      std::vector<float> fast(n), plain(n), in_place = g;
      float fast_p, fast_n, plain_p, plain_n, in_place_p, in_place_n;
      ttq_backward(w, g, 0.7f, 1.3f, 0.05f, fast, fast_p, fast_n);
      ttq_backward_reference(w, g, 0.7f, 1.3f, 0.05f, plain, plain_p, plain_n);
      ttq_backward(w, in_place, 0.7f, 1.3f, 0.05f, in_place, in_place_p, in_place_n);
      EXPECT_EQ(fast, plain) << "n " << n;
      EXPECT_EQ(in_place, fast) << "n " << n;
      EXPECT_EQ(in_place_p, fast_p);
      EXPECT_EQ(in_place_n, fast_n);
      if (n <= 8) {
        EXPECT_EQ(fast_p, plain_p) << "n " << n;
        EXPECT_EQ(fast_n, plain_n) << "n " << n;
      } else {
        EXPECT_FLOAT_EQ(fast_p, plain_p) << "n " << n;
        EXPECT_FLOAT_EQ(fast_n, plain_n) << "n " << n;
      }
    }
}

}  // namespace
}  // namespace laq::quant
