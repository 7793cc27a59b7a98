// Code-faithful mode reproduces the authors' quirks, and only where they matter.
#include <gtest/gtest.h>

#include "quant/alternating.h"
#include "quant/checks.h"
#include "quant/curvature.h"
#include "quant/objective.h"
#include "quant/ternary_exact.h"
#include "quant/top_support.h"
#include "tests/quant/quant_test_util.h"

namespace laq::quant {
namespace {

TEST(CodeFaithful, LatExactFallsBackWhenTheAllNonzeroSupportIsOptimal) {
  // d = 1, |w| = 1, 0.9, 0.8: scores 1, 1.805, 2.43 -> j* = n. No j < n separates, so the
  // code falls back to threshold 0.7 c_n = 0.7 * 0.45, alpha = 0.63.
  const std::vector<float> w = {1.0f, -0.9f, 0.8f}, d = {1, 1, 1};
  std::vector<float> correct(3), faithful(3);
  EXPECT_FLOAT_EQ(lat_exact(w, d, correct).positive, 0.9f);
  EXPECT_EQ(correct, (std::vector<float>{0.9f, -0.9f, 0.9f}));
  const float alpha = lat_exact(w, d, faithful, true).positive;
  EXPECT_FLOAT_EQ(alpha, 0.63f);
  EXPECT_EQ(faithful, (std::vector<float>{alpha, -alpha, alpha}));
}

TEST(CodeFaithful, LatExactDiffersOnlyWhenTheOptimumIsTheFullSupport) {
  // When j* < n the separation filter keeps j*, so both modes agree. When j* = n the code
  // either picks the best separating j < n or, if there is none, the 0.7 fallback.
  int full = 0, partial = 0, fallbacks = 0;
  for (int seed = 0; seed < 2000; ++seed) {
    std::mt19937 rng(seed);
    const std::size_t n = 2 + seed % 30;
    const auto w = testing::uniform(rng, n);
    const auto d = testing::curvature(rng, n);
    std::vector<float> correct(n), faithful(n);
    const Scales a = lat_exact(w, d, correct);
    const Scales b = lat_exact(w, d, faithful, true);
    const Support best = best_support_sorted(w, d, Side::all);
    if (best.size == n) {
      ++full;
      EXPECT_GT(objective(w, d, faithful), objective(w, d, correct)) << seed;
      fallbacks += b.positive == static_cast<float>(0.7 * best.alpha());  // 2 * 0.7 * c_n
    } else {
      ++partial;
      EXPECT_FLOAT_EQ(a.positive, b.positive) << seed;
      EXPECT_EQ(correct, faithful) << seed;
    }
  }
  EXPECT_GT(full, 0);
  EXPECT_GT(fallbacks, 0);
  EXPECT_GT(partial, 1000);
}

TEST(CodeFaithful, Lat2ExactReproducesTheNegativeBranchBug) {
  // Positives: four ties at 0.5 (c+_j = 0.25 for j <= 4). Negatives: 1, .3, .29, .28, .01,
  // valid j = 1 (c = .5) and j = 4 (c = .23375). Correct score picks j = 1 (alpha- = 1);
  // the code scores with c+_j^2 D-_j: .0625 * 1 < .0625 * 4, and picks j = 4.
  const std::vector<float> w = {0.5f, -1.0f, 0.5f, -0.3f, 0.5f, -0.29f, 0.5f, -0.28f, -0.01f};
  const std::vector<float> d(w.size(), 1.0f);
  std::vector<float> correct(w.size()), faithful(w.size());
  const Scales a = lat2_exact(w, d, correct);
  const Scales b = lat2_exact(w, d, faithful, true);
  EXPECT_FLOAT_EQ(a.negative, 1.0f);
  EXPECT_FLOAT_EQ(a.positive, 0.5f);
  EXPECT_FLOAT_EQ(b.negative, 0.4675f);
  EXPECT_FLOAT_EQ(b.positive, 0.35f);  // tied positives: no separating j, fallback 0.7 * c+
  EXPECT_EQ(faithful[1], -b.negative);
  EXPECT_EQ(faithful[7], -b.negative);
  EXPECT_EQ(correct[3], 0.0f);
  EXPECT_NEAR(objective(w, d, correct), testing::brute_force(w, d, true, false), 1e-6);
  EXPECT_GT(objective(w, d, faithful), objective(w, d, correct) + 0.1);
}

TEST(CodeFaithful, Lat2AlternatingStopRuleChecksOnlyTheNegativeScale) {
  // The negative side converges at once (warm start already optimal); the positive side
  // needs three rounds. The code's rule stops after the first iteration.
  const std::vector<float> w = {1.0f, 0.6f, 0.5f, 0.45f, 0.4f, 0.35f, 0.3f, 0.28f,
                                0.26f, 0.24f, 0.22f, 0.2f, 0.1f, -1.0f, -1.0f};
  const std::vector<float> d(w.size(), 1.0f);
  std::vector<float> warm(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) warm[i] = w[i] > 0 ? 1.0f : -1.0f;
  Options options;
  Trace full_trace, code_trace;
  std::vector<float> a(w.size()), b(w.size());
  lat2_alternating(w, d, warm, a, options, &full_trace);
  options.code_faithful = true;
  lat2_alternating(w, d, warm, b, options, &code_trace);
  EXPECT_EQ(code_trace.iterations().size(), 2u);  // the initial round and one iteration
  EXPECT_GT(full_trace.iterations().size(), code_trace.iterations().size());
  EXPECT_NEAR(a[0], 0.41818f, 1e-4);
  EXPECT_NEAR(b[0], 0.4f, 1e-6);
  EXPECT_LT(objective(w, d, a), objective(w, d, b));
}

}  // namespace
}  // namespace laq::quant
