// Exact ties, emptied supports, degenerate inputs and non-finite values, solver by solver,
// against the rule each one states in its header (and brute force where there is one).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/error.h"
#include "quant/alternating.h"
#include "quant/baselines.h"
#include "quant/binary.h"
#include "quant/checks.h"
#include "quant/curvature.h"
#include "quant/levels.h"
#include "quant/objective.h"
#include "quant/quantize.h"
#include "quant/ternary_exact.h"
#include "tests/quant/quant_test_util.h"

namespace laq::quant {
namespace {

// Every |x| where a level rule has to decide a tie, with its two float neighbours.
std::vector<double> tie_points(const LevelSet& levels) {
  std::vector<double> points;
  for (double m : levels.midpoints)
    for (float x : {float(m), std::nextafter(float(m), 0.0f), std::nextafter(float(m), 2.0f)}) points.push_back(x);
  return points;
}

TEST(Ties, LogLevelsLiftTheLowestMidpointToTheFirstLevel) {
  for (int bits = 2; bits <= 8; ++bits) {
    const LevelSet log = log_levels(bits), linear = linear_levels(bits);
    const double lowest = log.midpoints.front();  // 2^-k
    EXPECT_EQ(lowest, std::ldexp(1.0, -int(log.nonzero_levels()))) << bits;
    EXPECT_EQ(project(log, lowest), log.magnitudes.front()) << bits;  // the code zeroes only t < 2^-k
    EXPECT_EQ(project(log, -lowest), -log.magnitudes.front()) << bits;
    EXPECT_EQ(project(log, std::nextafter(lowest, 0.0)), 0.0) << bits;
    // Every other midpoint 1.5 * 2^e goes down, as round(e + 1/2) does for e + 1/2 < 0.
    for (std::size_t r = 1; r < log.midpoints.size(); ++r)
      EXPECT_EQ(project(log, log.midpoints[r]), log.magnitudes[r - 1]) << bits << " r " << r;
    // Linear: half away from zero at every midpoint.
    for (std::size_t r = 0; r < linear.midpoints.size(); ++r)
      EXPECT_EQ(project(linear, linear.midpoints[r]), linear.magnitudes[r]) << bits << " r " << r;
  }
  EXPECT_EQ(project(ternary_levels(), 0.5), 0.0);
  // m = 2: linear and log are both {0, +-1} with the tie at 1/2 lifted.
  EXPECT_EQ(project(log_levels(2), 0.5), 1.0);
  EXPECT_EQ(project(linear_levels(2), 0.5), 1.0);
}

// The solvers against the plain projection, at alpha = 1 exactly: two anchors with a huge
// curvature fix the scale, and every other element (curvature ~0) sits on a tie point or
// beside one, so w / alpha is exact and each tie is decided by the solver's rule alone.
// Covers the fast sweeps and writes (1, 3, 7 and 127 thresholds) and the traced path.
TEST(Ties, AlternatingSolversDecideEveryTieAsTheirLevelSet) {
  struct Solver {
    const char* name;
    Method method;
    int bits;
    LevelSet levels;
  };
  std::vector<Solver> solvers = {{"lat-a", Method::lat_a, 3, ternary_levels()}};
  for (int bits = 2; bits <= 8; ++bits) {
    solvers.push_back({"laq-linear", Method::laq_linear, bits, linear_levels(bits)});
    solvers.push_back({"laq-log", Method::laq_log, bits, log_levels(bits)});
  }
  for (const Solver& s : solvers) {
    std::vector<float> w = {1.0f, -1.0f}, d = {1e30f, 1e30f}, warm = {1.0f, -1.0f};
    int sign = 1;
    for (double x : tie_points(s.levels)) {
      w.push_back(float(sign * x));
      d.push_back(1e-30f);
      warm.push_back(0.0f);
      sign = -sign;
    }
    Options options;
    options.bits = s.bits;
    for (bool traced : {false, true}) {
      std::vector<float> out(w.size());
      Trace trace;
      const Scales scales = quantize(s.method, w, d, warm, out, options, traced ? &trace : nullptr);
      ASSERT_EQ(scales.positive, 1.0f) << s.name << " " << s.bits;
      for (std::size_t i = 0; i < w.size(); ++i)
        EXPECT_EQ(out[i], float(project(s.levels, w[i]))) << s.name << " " << s.bits << " w " << w[i];
    }
  }
}

TEST(Ties, LaqLogTwoBitsEqualsLaqLinearTwoBitsAtTheTie) {
  // Before the fix, log sent |w| = alpha/2 to 0 here (as LAT does), against its own level rule.
  const std::vector<float> w = {1.0f, -1.0f, 0.5f, -0.5f}, d = {1.0f, 1.0f, 1e-9f, 1e-9f}, warm = {1, -1, 0, 0};
  Options options;
  options.bits = 2;
  std::vector<float> linear(4), log(4);
  laq_linear(w, d, warm, linear, options);
  laq_log(w, d, warm, log, options);
  EXPECT_EQ(log, linear);
  EXPECT_EQ(log[2], log[0]);
  EXPECT_EQ(log[3], log[1]);
}

TEST(Ties, ZeroGoesToPlusForTheBinaryMethodsAndThresholdsAreStrict) {
  const std::vector<float> w = {0.0f, -0.0f, 0.5f, -0.25f}, d = {1, 1, 1, 1};
  std::vector<float> out(4);
  for (Method method : {Method::bc, Method::bwn, Method::lab}) {
    const Scales s = quantize(method, w, d, {}, out, Options{});
    EXPECT_EQ(out[0], s.positive) << method_name(method);
    EXPECT_EQ(out[1], s.positive) << method_name(method);  // -0 >= 0 too
    EXPECT_EQ(out[3], -s.negative) << method_name(method);
  }
  // TWN: |w| > Delta strictly, Delta = 0.7 mean|w|. mean = 5 exactly; a weight at 0.7 * 5.
  const std::vector<float> t = {3.5f, 6.5f, -5.0f, -5.0f};
  std::vector<float> q(4);
  const Scales s = twn(t, q);
  EXPECT_EQ(q[0], 3.5 > 0.7 * 5.0 ? s.positive : 0.0f);
  // TTQ: Delta = t max|w| = 0.5 exactly; w = 0.5 is not above it.
  const std::vector<float> u = {1.0f, 0.5f, -0.5f, -0.75f};
  std::vector<float> r(4);
  ttq_forward(u, 2.0f, 3.0f, 0.5f, r);
  EXPECT_EQ(r, (std::vector<float>{2.0f, 0.0f, 0.0f, -3.0f}));
}

TEST(Ties, DorefaRoundsHalfAwayFromZero) {
  // All-zero w: r = 1/2 for every element, (2^m - 1) / 2 is an exact tie, rounded up.
  for (int bits = 1; bits <= 8; ++bits) {
    const std::vector<float> w(3, 0.0f);
    std::vector<float> out(3);
    dorefa(w, bits, out);
    const float expected = static_cast<float>(1.0 / ((1 << bits) - 1));
    for (float x : out) EXPECT_FLOAT_EQ(x, expected) << bits;
  }
}

TEST(EmptySupport, Lat2AlternatingRestartsAnEmptiedSide) {
  // warm = 0 puts every element in the first positive set, so alpha+ starts at mean|w| =
  // 4.12, above twice every positive weight: that side's support is empty after one pass.
  // Keeping 4.12 would leave the positives at 0 for good (objective 0.14 instead of 0.015).
  const std::vector<float> w = {-10.0f, -10.0f, 0.1f, 0.2f, 0.3f}, d(5, 1.0f), warm(5, 0.0f);
  for (bool faithful : {false, true}) {
    Options options;
    options.code_faithful = faithful;
    std::vector<float> out(5);
    Trace trace;
    const Scales s = lat2_alternating(w, d, warm, out, options, &trace);
    EXPECT_FLOAT_EQ(s.negative, 10.0f) << faithful;
    if (faithful) {
      // The code's stop test looks at alpha- only, which has converged: the loop ends on the
      // restart itself, alpha+ = mean of the positives = 0.2 (objective 0.02).
      EXPECT_FLOAT_EQ(s.positive, 0.2f);
      EXPECT_EQ(out, (std::vector<float>{-10.0f, -10.0f, 0.0f, 0.2f, 0.2f}));
      EXPECT_LT(objective(w, d, out), 0.031);
    } else {
      EXPECT_FLOAT_EQ(s.positive, 0.25f);  // {0.2, 0.3}, the brute-force optimum
      EXPECT_EQ(out, (std::vector<float>{-10.0f, -10.0f, 0.0f, 0.25f, 0.25f}));
      EXPECT_NEAR(objective(w, d, out), testing::brute_force(w, d, true, false), 1e-6);
    }
    bool noted = false;
    for (const std::string& line : trace.render()) noted |= line.find("restarts") != std::string::npos;
    EXPECT_TRUE(noted);
  }
}

TEST(EmptySupport, Lat2AlternatingKeepsEverySideThatHasWeights) {
  // Adversarial warm starts (all zero, all one sign, the opposite signs) on one-sided-heavy
  // inputs: a side with weights always ends with a nonempty support, and never below the
  // exact solver's objective.
  for (int seed = 0; seed < 200; ++seed) {
    std::mt19937 rng(seed);
    const std::size_t n = 4 + seed % 40;
    auto w = testing::uniform(rng, n, -0.05f, 1.0f);
    if (seed % 2)
      for (auto& x : w) x = -x;
    const auto d = testing::curvature(rng, n);
    std::vector<float> warm(n, 0.0f);
    for (std::size_t i = 0; i < n; ++i) {
      if (seed % 4 == 1) warm[i] = 1.0f;
      if (seed % 4 == 2) warm[i] = -1.0f;
      if (seed % 4 == 3) warm[i] = w[i] > 0 ? -1.0f : 1.0f;
    }
    for (bool faithful : {false, true}) {
      Options options;
      options.code_faithful = faithful;
      std::vector<float> out(n), exact(n);
      lat2_alternating(w, d, warm, out, options);
      lat2_exact(w, d, exact);
      bool has_pos = false, has_neg = false, out_pos = false, out_neg = false;
      for (std::size_t i = 0; i < n; ++i) {
        has_pos |= w[i] > 0, has_neg |= w[i]<0, out_pos |= out[i]> 0, out_neg |= out[i] < 0;
        EXPECT_TRUE(out[i] == 0 || (out[i] > 0) == (w[i] > 0)) << seed;
      }
      EXPECT_EQ(out_pos, has_pos) << "seed " << seed << " faithful " << faithful;
      EXPECT_EQ(out_neg, has_neg) << "seed " << seed << " faithful " << faithful;
      EXPECT_GE(objective(w, d, out), objective(w, d, exact) * (1 - 1e-6)) << seed;
    }
  }
}

// Inputs a solver must survive with a sensible answer: exact solvers equal brute force,
// alternating ones give finite values on their level set, below the all-zero objective.
std::vector<std::pair<std::vector<float>, std::vector<float>>> degenerate_inputs() {
  const float denormal = std::numeric_limits<float>::denorm_min();
  return {
      {{1e-30f, -1e30f, 3e20f, -2e-20f, 1.0f, 5e-38f}, {1, 1, 1, 1, 1, 1}},         // huge dynamic range
      {{0.5f, -0.25f, 0.125f, -1.0f, 0.75f}, {1e30f, 1e-30f, 3e38f, 1e-38f, 1}},    // extreme curvature
      {{0.5f, -0.25f, 0.125f, -1.0f}, {0.0f + denormal, 1, 2, 3}},                  // denormal curvature
      {{denormal, -denormal, 3 * denormal, -7 * denormal, 0.0f}, {1, 2, 3, 4, 5}},  // denormal weights
      {{1e-40f, -2e-40f, 3e-41f}, {1e-40f, 1e-39f, 5e-40f}},                        // both denormal
      {{2.0f, 2.0f, 2.0f, 2.0f}, {1, 2, 3, 4}},                                     // all equal, one sign
      {{0.0f, 0.0f, 0.0f, 1e-3f}, {1, 1, 1, 1}},                                    // one nonzero
      {{-0.3f}, {1e38f}},                                                           // a single weight
      {{0.5f, -0.25f, 0.125f, -1.0f, 0.75f}, {0, 1, 0, 2, 0}},                      // zeros in d
  };
}

// What rounding the scale to float alone may cost: sum d times the squared float spacing at
// the largest |w| (it matters only for denormal weights, whose spacing is their own size).
double float_scale_slack(const std::vector<float>& w, const std::vector<float>& d) {
  float largest = 0;
  double sum_d = 0;
  for (std::size_t i = 0; i < w.size(); ++i) largest = std::max(largest, std::fabs(w[i])), sum_d += d[i];
  const double spacing = double(std::nextafter(largest, 1e30f)) - largest;
  return sum_d * spacing * spacing;
}

TEST(Degenerate, ExactSolversEqualBruteForce) {
  for (const auto& [w, d] : degenerate_inputs()) {
    const double tolerance = 1e-6 * testing::total_dw2(w, d) + float_scale_slack(w, d);
    std::vector<float> out(w.size());
    lat_exact(w, d, out);
    EXPECT_NEAR(objective(w, d, out), testing::brute_force(w, d, false, false), tolerance) << w[0];
    lat2_exact(w, d, out);
    EXPECT_NEAR(objective(w, d, out), testing::brute_force(w, d, true, false), tolerance) << w[0];
    lab(w, d, out);
    EXPECT_NEAR(objective(w, d, out), testing::brute_force(w, d, false, true), tolerance) << w[0];
    for (float x : out) EXPECT_TRUE(std::isfinite(x));
  }
}

TEST(Degenerate, EveryMethodGivesFiniteValuesOnItsLevelSet) {
  for (const auto& [w, d] : degenerate_inputs()) {
    std::vector<float> warm(w.size());
    initial_warm_start(w, warm);
    const double total = testing::total_dw2(w, d);
    for (Method method : {Method::bc, Method::bwn, Method::lab, Method::twn, Method::dorefa, Method::lat_e,
                          Method::lat2_e, Method::lat_a, Method::lat2_a, Method::laq_linear, Method::laq_log}) {
      for (bool faithful : {false, true}) {
        Options options;
        options.code_faithful = faithful;
        std::vector<float> out(w.size());
        const Scales s = quantize(method, w, d, warm, out, options);
        ASSERT_TRUE(std::isfinite(s.positive) && std::isfinite(s.negative)) << method_name(method);
        EXPECT_GE(s.positive, 0.0f);
        EXPECT_GE(s.negative, 0.0f);
        for (float x : out) ASSERT_TRUE(std::isfinite(x)) << method_name(method);
        if (method == Method::lat_a || method == Method::lat2_a || method == Method::lat_e || method == Method::lat2_e) {
          for (float x : out) EXPECT_TRUE(x == 0 || x == s.positive || x == -s.negative) << method_name(method);
        }
        if ((method == Method::lat_a || method == Method::lat2_a) && total > 0) {
          EXPECT_LT(objective(w, d, out), total) << method_name(method) << " w0 " << w[0];
        }
      }
    }
  }
}

TEST(NonFinite, EverySolverRefusesNaNAndInfinity) {
  const float bad_values[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                              -std::numeric_limits<float>::infinity()};
  for (std::size_t n : {6, 5000}) {  // the sorted and the histogram paths of the exact solvers
    std::mt19937 rng(n);
    const auto w = testing::uniform(rng, n);
    const auto d = testing::curvature(rng, n);
    std::vector<float> warm(n), out(n), grad(n);
    initial_warm_start(w, warm);
    for (float bad : bad_values) {
      for (std::size_t at : {std::size_t{0}, n - 1}) {
        auto bad_w = w, bad_d = d;
        bad_w[at] = bad;
        bad_d[at] = bad;
        for (bool faithful : {false, true}) {
          Options options;
          options.code_faithful = faithful;
          for (Method method : {Method::bc, Method::bwn, Method::lab, Method::twn, Method::dorefa, Method::lat_e,
                                Method::lat2_e, Method::lat_a, Method::lat2_a, Method::laq_linear, Method::laq_log}) {
            EXPECT_THROW(quantize(method, bad_w, d, warm, out, options), Error) << method_name(method) << " " << bad;
            if (traits(method).uses_curvature) {
              EXPECT_THROW(quantize(method, w, bad_d, warm, out, options), Error) << method_name(method) << " d";
            }
          }
          // The training path's view of Adam's v.
          EXPECT_THROW(lat_exact(bad_w, Curvature::root(d, 1e-8f), out, faithful), Error);
          EXPECT_THROW(lat2_exact(bad_w, Curvature::constant(1e-8f), out, faithful), Error);
        }
        EXPECT_THROW(ttq_forward(bad_w, 1.0f, 1.0f, 0.05f, out), Error);
        float gp = 0, gn = 0;
        EXPECT_THROW(ttq_backward(bad_w, d, 1.0f, 1.0f, 0.05f, grad, gp, gn), Error);
        EXPECT_THROW(dorefa_backward(bad_w, d, grad), Error);
      }
    }
    // and the finite input still passes
    EXPECT_NO_THROW(quantize(Method::lat_e, w, d, warm, out, Options{}));
  }
}

}  // namespace
}  // namespace laq::quant
