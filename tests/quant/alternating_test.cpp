// The alternating solvers: monotone descent, the m = 2 reductions, defined degenerate cases.
#include <gtest/gtest.h>

#include "quant/alternating.h"
#include "quant/checks.h"
#include "quant/curvature.h"
#include "quant/objective.h"
#include "quant/quantize.h"
#include "quant/ternary_exact.h"
#include "tests/quant/quant_test_util.h"

namespace laq::quant {
namespace {

using Solver = Scales (*)(std::span<const float>, std::span<const float>, std::span<const float>, std::span<float>,
                          const Options&, Trace*);

using testing::random_solver_case;
using Case = testing::SolverCase;

void expect_monotone(const Trace& trace, int seed) {
  const auto& rows = trace.iterations();
  ASSERT_GE(rows.size(), 2u);
  for (std::size_t i = 1; i < rows.size(); ++i)
    // 1e-6 relative: the objective is evaluated at the float output values alpha_f * float(M_r),
    // whose rounding moves it by ~1e-8 relative once the scale has all but converged.
    EXPECT_LE(rows[i].objective, rows[i - 1].objective * (1 + 1e-6)) << "seed " << seed << " iteration " << i;
}

TEST(Alternating, ObjectiveNeverIncreases) {
  Options options;
  options.least_squares_alpha = true;  // required for multi-level codes; no-op for ternary
  for (int seed = 0; seed < 60; ++seed) {
    const Case c = random_solver_case(seed, 50 + 37 * seed);
    std::vector<float> out(c.w.size());
    for (int bits : {2, 3, 4}) {
      options.bits = bits;
      for (Solver solver : {lat_alternating, lat2_alternating, laq_linear, laq_log}) {
        Trace trace;
        solver(c.w, c.d, c.warm, out, options, &trace);
        expect_monotone(trace, seed);
        // The trace's last objective is the output's.
        EXPECT_NEAR(trace.iterations().back().objective, objective(c.w, c.d, out),
                    1e-9 * trace.iterations().back().objective);
      }
    }
  }
}

TEST(Alternating, CodeScaleFormulaIsNotLeastSquaresForMultiLevelCodes) {
  // docs/algorithms.md §2.6: at the code's fixed point the least-squares scale is larger. Check that the
  // option really changes the answer and lowers the objective.
  const Case c = random_solver_case(5, 5000);
  std::vector<float> code(c.w.size()), ls(c.w.size());
  Options options;
  const Scales a = laq_linear(c.w, c.d, c.warm, code, options);
  options.least_squares_alpha = true;
  const Scales b = laq_linear(c.w, c.d, c.warm, ls, options);
  EXPECT_GT(b.positive, a.positive * 1.05f);
  EXPECT_LT(objective(c.w, c.d, ls), objective(c.w, c.d, code));
}

TEST(Alternating, CodeScaleFormulaCanRaiseTheObjective) {
  // The documented price of the code's multi-level formula: the alternation is not a
  // descent method (here +19% after the first iteration).
  const Case c = random_solver_case(1, 87);
  std::vector<float> out(c.w.size());
  Options options;
  Trace trace;
  laq_linear(c.w, c.d, c.warm, out, options, &trace);
  EXPECT_GT(trace.iterations()[1].objective, trace.iterations()[0].objective * 1.1);
}

TEST(Alternating, AtLeastOneAndAtMostMaxIterations) {
  const Case c = random_solver_case(11, 3000);
  std::vector<float> out(c.w.size());
  Options options;
  options.max_iterations = 2;
  options.tolerance = 0;  // never converges early
  Trace trace;
  lat_alternating(c.w, c.d, c.warm, out, options, &trace);
  EXPECT_EQ(trace.iterations().size(), 3u);  // initial + 2
  options.max_iterations = 10;
  options.tolerance = 1e9;  // converges at the first check
  Trace once;
  laq_log(c.w, c.d, c.warm, out, options, &once);
  EXPECT_EQ(once.iterations().size(), 2u);
}

TEST(Alternating, LaqWithTwoBitsEqualsLatAlternating) {
  Options options;
  options.bits = 2;
  for (int seed = 0; seed < 40; ++seed) {
    const Case c = random_solver_case(100 + seed, 1 + 97 * seed);
    std::vector<float> lat(c.w.size()), linear(c.w.size()), log(c.w.size());
    const Scales a = lat_alternating(c.w, c.d, c.warm, lat, options);
    const Scales b = laq_linear(c.w, c.d, c.warm, linear, options);
    const Scales e = laq_log(c.w, c.d, c.warm, log, options);
    EXPECT_EQ(a.positive, b.positive);
    EXPECT_EQ(a.positive, e.positive);
    EXPECT_EQ(lat, linear) << seed;
    EXPECT_EQ(lat, log) << seed;
  }
}

TEST(Alternating, ExactTieAtHalfAlphaGoesToZeroForLatAndOutwardForLaqLinearAndLog) {
  // alpha = 1 from the warm support {0, 1}; w[2] = 0.5 sits exactly on alpha/2.
  const std::vector<float> w = {1.0f, -1.0f, 0.5f}, d = {1.0f, 1.0f, 1e-9f}, warm = {1, -1, 0};
  std::vector<float> out(3);
  Options options;
  options.bits = 2;
  EXPECT_EQ(lat_alternating(w, d, warm, out, options).positive, 1.0f);
  EXPECT_EQ(out, (std::vector<float>{1.0f, -1.0f, 0.0f}));
  const float alpha = laq_linear(w, d, warm, out, options).positive;
  EXPECT_EQ(out[2], alpha);  // round half away from zero
  // log, m = 2: alpha/2 = alpha 2^-k is the lowest midpoint, which the code lifts to M_1.
  EXPECT_EQ(out[2], laq_log(w, d, warm, out, options).positive);
}

TEST(Alternating, WarmStartIsTheTwnSignPattern) {
  const std::vector<float> w = {0.9f, -0.5f, 0.1f, -0.05f, 0.0f};
  std::vector<float> warm(5);
  initial_warm_start(w, warm);
  const float high = static_cast<float>(2 * 0.7 * 0.31);
  EXPECT_FLOAT_EQ(warm[0], high);
  EXPECT_FLOAT_EQ(warm[1], -high);
  EXPECT_EQ(warm[2], 0.0f);
  EXPECT_EQ(warm[3], 0.0f);
  EXPECT_EQ(warm[4], 0.0f);
}

TEST(Alternating, OutputMayAliasTheWarmStart) {
  const Case c = random_solver_case(3, 500);
  Options options;
  std::vector<float> separate(c.w.size()), in_place = c.warm;
  const Scales a = laq_linear(c.w, c.d, c.warm, separate, options);
  const Scales b = laq_linear(c.w, c.d, in_place, in_place, options);
  EXPECT_EQ(a.positive, b.positive);
  EXPECT_EQ(separate, in_place);
}

TEST(Alternating, LatAlternatingIsNeverBetterThanExact) {
  for (int seed = 0; seed < 50; ++seed) {
    const Case c = random_solver_case(500 + seed, 200);
    std::vector<float> exact(c.w.size()), alt(c.w.size());
    lat_exact(c.w, c.d, exact);
    lat_alternating(c.w, c.d, c.warm, alt, Options{});
    EXPECT_LE(objective(c.w, c.d, exact), objective(c.w, c.d, alt) * (1 + 1e-9)) << seed;
  }
}

}  // namespace
}  // namespace laq::quant
