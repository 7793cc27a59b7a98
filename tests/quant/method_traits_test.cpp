// The method table's facts are what the quantizers really do: the bit range a method claims
// is exactly the range its solver accepts, and the code-faithful and least-squares switches
// change exactly the methods the table says they change (the command line refuses the others
// as flags without effect, so a wrong entry would hide a real option or let a dead one pass).
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "engine/error.h"
#include "quant/method.h"
#include "quant/quant_test_util.h"
#include "quant/quantize.h"

namespace laq::quant {
namespace {

std::vector<float> run(Method m, const std::vector<float>& w, const std::vector<float>& d, const Options& o) {
  std::vector<float> warm(w.size()), out(w.size());
  initial_warm_start(w, warm);
  quantize(m, w, d, warm, out, o);
  return out;
}

TEST(MethodTraits, BitRangeIsExactlyWhatTheSolverAccepts) {
  std::mt19937 rng(3);
  const std::vector<float> w = testing::uniform(rng, 64), d = testing::curvature(rng, 64);
  for (Method m : all_methods) {
    if (m == Method::ttq) continue;  // no stand-alone solver
    const MethodTraits t = traits(m);
    if (!t.needs_bits) {
      EXPECT_EQ(t.min_bits, 0) << method_name(m);
      EXPECT_FALSE(bits_problem(m, 3).empty()) << method_name(m);
      continue;
    }
    ASSERT_GE(t.min_bits, 1) << method_name(m);
    ASSERT_LE(t.min_bits, t.max_bits) << method_name(m);
    for (int b = t.min_bits; b <= t.max_bits; ++b) {
      Options o;
      o.bits = b;
      EXPECT_NO_THROW(run(m, w, d, o)) << method_name(m) << " " << b << " bits";
      EXPECT_TRUE(bits_problem(m, b).empty()) << method_name(m) << " " << b;
    }
    for (int b : {t.min_bits - 1, t.max_bits + 1}) {
      Options o;
      o.bits = b;
      EXPECT_THROW(run(m, w, d, o), Error) << method_name(m) << " accepted " << b << " bits";
      EXPECT_FALSE(bits_problem(m, b).empty()) << method_name(m) << " " << b;
    }
  }
  EXPECT_EQ(traits(Method::laq_linear).min_bits, 2);  // the README's 2..8
  EXPECT_EQ(traits(Method::laq_log).max_bits, 8);
}

// Over many random tensors: a switch the table marks as meaningful changes some output, and
// one it marks as meaningless changes none.
void expect_switch_matches_table(bool Options::*flag, bool MethodTraits::*claimed, const char* what) {
  for (Method m : all_methods) {
    if (m == Method::ttq) continue;
    std::mt19937 rng(11);
    bool differs = false;
    for (int trial = 0; trial < 300 && !differs; ++trial) {
      const size_t n = 2 + trial % 9;
      std::vector<float> w = testing::uniform(rng, n);
      if (trial % 3 == 0)
        for (float& x : w) x = x < 0 ? -0.9f : 0.8f;  // equal magnitudes: the lat-e all-nonzero case
      const std::vector<float> d = testing::curvature(rng, n);
      Options off, on;
      on.*flag = true;
      differs = run(m, w, d, off) != run(m, w, d, on);
    }
    EXPECT_EQ(differs, traits(m).*claimed) << what << " for " << method_name(m);
  }
}

TEST(MethodTraits, CodeFaithfulChangesExactlyTheMethodsWithAVariant) {
  expect_switch_matches_table(&Options::code_faithful, &MethodTraits::has_code_faithful_variant, "code_faithful");
}

TEST(MethodTraits, LeastSquaresAlphaChangesExactlyTheMultiLevelMethods) {
  expect_switch_matches_table(&Options::least_squares_alpha, &MethodTraits::least_squares_alpha_matters,
                              "least_squares_alpha");
}

}  // namespace
}  // namespace laq::quant
