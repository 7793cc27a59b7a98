// The fast solvers against their plain twins (quant/reference.h). On tensors of up to 8
// elements the fast lane sums add in the plain left-to-right order, so the twins must agree
// bit for bit; on large tensors the order differs, so scales must agree to 4 float ulps and
// every output to 4 ulps of its scale's level.
#include <gtest/gtest.h>

#include <string>

#include "quant/alternating.h"
#include "quant/baselines.h"
#include "quant/levels.h"
#include "quant/objective.h"
#include "quant/quantize.h"
#include "quant/reference.h"
#include "tests/quant/quant_test_util.h"

namespace laq::quant {
namespace {

struct Case {
  std::vector<float> w, d, warm;
};

Case random_case(unsigned seed, std::size_t n) {
  std::mt19937 rng(seed);
  Case c{testing::uniform(rng, n), testing::curvature(rng, n, 4.0), std::vector<float>(n)};
  std::vector<float> earlier = c.w;
  for (auto& x : earlier) x += std::uniform_real_distribution<float>(-0.3f, 0.3f)(rng);
  initial_warm_start(earlier, c.warm);
  return c;
}

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
          const Case c = random_case(seed, n);
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
        const Case c = random_case(seed, n);
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
      const Case c = random_case(seed, n);
      std::vector<float> fast(n), plain(n);
      const Scales f = twn(c.w, fast);
      const Scales p = twn_reference(c.w, plain);
      expect_same(f, p, fast, plain, n <= 8, "n " + std::to_string(n) + " seed " + std::to_string(seed));
    }
}

TEST(ReferenceTwins, WeightedAbsMeanEqualsThePlainSum) {
  for (const std::size_t n : kSizes)
    for (unsigned seed = 1; seed <= 3; ++seed) {
      const Case c = random_case(seed, n);
      for (const bool uniform : {false, true}) {
        const std::span<const float> d = uniform ? std::span<const float>() : std::span<const float>(c.d);
        const double fast = weighted_abs_mean(c.w, d), plain = weighted_abs_mean_reference(c.w, d);
        if (n <= 8) EXPECT_EQ(fast, plain) << "n " << n << " seed " << seed;
        else EXPECT_NEAR(fast, plain, 1e-12 * plain) << "n " << n << " seed " << seed;
      }
    }
}

}  // namespace
}  // namespace laq::quant
