// Why the exact ternary solvers may scan only prefixes of the magnitude order
// (docs/algorithms.md §2.2, walkthrough §5), checked by enumerating every support: the
// best support of a *fixed* size need not be the largest magnitudes when d varies, but the
// overall best support is always a prefix.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include "quant/ternary_exact.h"
#include "quant/top_support.h"
#include "tests/quant/quant_test_util.h"

namespace laq::quant {
namespace {

using testing::curvature;
using testing::uniform;

// P^2 / D of the support given by the bits of `mask` (codes sign(w), scale the weighted mean).
double score(const std::vector<float>& w, const std::vector<float>& d, uint32_t mask) {
  double p = 0, q = 0;
  for (std::size_t i = 0; i < w.size(); ++i)
    if (mask >> i & 1u) p += double(d[i]) * std::fabs(double(w[i])), q += d[i];
  return q > 0 ? p * p / q : 0.0;
}

// The mask of the j largest magnitudes.
uint32_t top(const std::vector<float>& w, std::size_t j) {
  std::vector<std::size_t> order(w.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return std::fabs(w[a]) > std::fabs(w[b]); });
  uint32_t mask = 0;
  for (std::size_t k = 0; k < j; ++k) mask |= 1u << order[k];
  return mask;
}

struct Best {
  uint32_t mask = 0;
  double score = -1;
};

// The best support among those with `size` elements (any size when size < 0).
Best best_support_by_enumeration(const std::vector<float>& w, const std::vector<float>& d, int size) {
  Best best;
  for (uint32_t m = 1; m < (1u << w.size()); ++m) {
    if (size >= 0 && std::popcount(m) != size) continue;
    const double s = score(w, d, m);
    if (s > best.score) best = {m, s};
  }
  return best;
}

TEST(PrefixOptimality, CounterexampleToTheFixedSizeSwapArgument) {
  const std::vector<float> w{1.0f, 0.9f}, d{1.0f, 100.0f};
  // Size 1: {0.9} scores 90^2/100 = 81, {1} only 1, so the best size-1 support is not the
  // largest |w|.
  EXPECT_DOUBLE_EQ(score(w, d, 0b01), 1.0);
  EXPECT_NEAR(score(w, d, 0b10), 81.0, 1e-4);
  EXPECT_EQ(best_support_by_enumeration(w, d, 1).mask, 0b10u);
  EXPECT_NE(best_support_by_enumeration(w, d, 1).mask, top(w, 1));
  // Overall: {1, 0.9} with 91^2/101 = 81.99 beats both, and it is the prefix of size 2.
  const Best all = best_support_by_enumeration(w, d, -1);
  EXPECT_EQ(all.mask, 0b11u);
  EXPECT_NEAR(all.score, 91.0 * 91.0 / 101.0, 1e-3);
  // The prefix scan finds it, and LAT-e codes both weights +alpha with alpha = 91/101.
  const Support s = best_support_sorted(w, d, Side::all);
  EXPECT_EQ(s.size, 2u);
  std::vector<float> out(2);
  const Scales scales = lat_exact(w, d, out);
  EXPECT_NEAR(scales.positive, 91.0 / 101.0, 1e-6);
  EXPECT_EQ(out[0], scales.positive);
  EXPECT_EQ(out[1], scales.positive);
}

TEST(PrefixOptimality, GlobalOptimumIsAlwaysAPrefixFixedSizeOptimumOftenIsNot) {
  int fixed_size_not_top = 0, comparisons = 0;
  for (int seed = 0; seed < 400; ++seed) {
    std::mt19937 rng(seed);
    const std::size_t n = 2 + seed % 6;  // 2..7 weights, every support enumerated
    const auto w = uniform(rng, n);
    const auto d = curvature(rng, n);  // six decades, as Adam's second moments span

    // The overall best support scores the same as the best prefix (up to rounding).
    const Best all = best_support_by_enumeration(w, d, -1);
    double best_prefix = 0;
    for (std::size_t j = 1; j <= n; ++j) best_prefix = std::max(best_prefix, score(w, d, top(w, j)));
    EXPECT_NEAR(best_prefix, all.score, 1e-12 * all.score) << "seed " << seed;
    // And the solver's prefix scan reaches it.
    const Support s = best_support_sorted(w, d, Side::all);
    EXPECT_NEAR(s.sum_dw * s.sum_dw / s.sum_d, all.score, 1e-9 * all.score) << "seed " << seed;

    for (std::size_t j = 1; j < n; ++j, ++comparisons)
      if (best_support_by_enumeration(w, d, int(j)).score > score(w, d, top(w, j)) * (1 + 1e-12)) ++fixed_size_not_top;
  }
  // The swap lemma "the best j-set is the j largest" fails in a large share of cases.
  EXPECT_GT(fixed_size_not_top, comparisons / 10) << fixed_size_not_top << " of " << comparisons;
}

}  // namespace
}  // namespace laq::quant
