// The O(n) histogram support search equals the sort-based reference.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "quant/objective.h"
#include "quant/runner.h"
#include "quant/ternary_exact.h"
#include "quant/top_support.h"
#include "tests/quant/quant_test_util.h"

namespace laq::quant {
namespace {

enum class Shape { uniform,
                   gaussian,
                   heavy_ties,
                   all_equal,
                   many_zeros,
                   one_sided };

std::vector<float> make(std::mt19937& rng, std::size_t n, Shape shape) {
  std::vector<float> w(n);
  std::normal_distribution<float> normal(0.0f, 0.3f);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (auto& x : w) {
    switch (shape) {
      case Shape::uniform: x = u(rng); break;
      case Shape::gaussian: x = std::clamp(normal(rng), -1.0f, 1.0f); break;
      case Shape::heavy_ties: x = std::round(u(rng) * 5) / 5; break;  // 11 distinct values
      case Shape::all_equal: x = 0.3f; break;
      case Shape::many_zeros: x = rng() % 10 < 7 ? 0.0f : u(rng); break;
      case Shape::one_sided: x = std::fabs(u(rng)); break;
    }
  }
  return w;
}

void expect_same(const Support& fast, const Support& reference, const std::string& where) {
  ASSERT_EQ(fast.size, reference.size) << where;
  EXPECT_NEAR(fast.sum_dw, reference.sum_dw, 1e-10 * reference.sum_dw + 1e-300) << where;
  EXPECT_NEAR(fast.sum_d, reference.sum_d, 1e-10 * reference.sum_d + 1e-300) << where;
}

TEST(HistogramSupport, EqualsSortedReferenceAcrossSizesShapesAndSides) {
  const std::size_t sizes[] = {1, 2, 3, 10, 100, 1000, 10000, 100000};
  int seed = 0;
  for (std::size_t n : sizes) {
    for (Shape shape : {Shape::uniform, Shape::gaussian, Shape::heavy_ties, Shape::all_equal, Shape::many_zeros,
                        Shape::one_sided}) {
      for (bool uniform_d : {true, false}) {
        std::mt19937 rng(++seed);
        const auto w = make(rng, n, shape);
        const auto d = uniform_d ? std::vector<float>(n, 1e-8f) : testing::curvature(rng, n);
        for (Side side : {Side::all, Side::positive, Side::negative}) {
          const Support reference = best_support_sorted(w, d, side);
          for (std::size_t bins : {std::size_t{4}, std::size_t{64}, std::clamp<std::size_t>(n / 512, 256, 8192)}) {
            expect_same(best_support_histogram(w, d, side, bins), reference,
                        "n=" + std::to_string(n) + " shape=" + std::to_string(int(shape)) + " side=" +
                            std::to_string(int(side)) + " bins=" + std::to_string(bins) + " seed=" + std::to_string(seed));
          }
        }
      }
    }
  }
}

TEST(HistogramSupport, MillionElementsThroughLatExact) {
  for (Shape shape : {Shape::uniform, Shape::gaussian, Shape::heavy_ties, Shape::many_zeros, Shape::all_equal}) {
    std::mt19937 rng(99 + int(shape));
    const std::size_t n = 1000000;
    const auto w = make(rng, n, shape);
    const auto d = testing::curvature(rng, n, 3.0);
    std::vector<float> fast(n), reference(n);
    const Scales a = lat_exact(w, d, fast);  // dispatches to the histogram solver at this size
    const Scales b = lat_exact_sorted(w, d, reference);
    EXPECT_FLOAT_EQ(a.positive, b.positive) << int(shape);
    EXPECT_EQ(fast, reference) << int(shape);
  }
}

// The two-scale ternary asks for both sides from one histogram pass: the same answers as
// one search per side, and as the sorted reference.
TEST(HistogramSupport, BothSidesAtOnceEqualOneSearchPerSideAndTheSortedReference) {
  int seed = 700;
  for (Shape shape : {Shape::uniform, Shape::gaussian, Shape::heavy_ties, Shape::many_zeros, Shape::one_sided}) {
    std::mt19937 rng(++seed);
    const std::size_t n = 200000;
    const auto w = make(rng, n, shape);
    const auto d = testing::curvature(rng, n);
    const auto both = best_support_both_sides(w, Curvature::values(d));
    const Side sides[] = {Side::positive, Side::negative};
    for (int s = 0; s < 2; ++s) {
      const std::string where = "shape=" + std::to_string(int(shape)) + " side=" + std::to_string(int(sides[s]));
      const Support alone = best_support(w, d, sides[s]);
      EXPECT_EQ(both[s].size, alone.size) << where;
      EXPECT_EQ(both[s].sum_dw, alone.sum_dw) << where;
      EXPECT_EQ(both[s].sum_d, alone.sum_d) << where;
      expect_same(both[s], best_support_sorted(w, d, sides[s]), where);
    }
    // And through the solver: the histogram path's scales and codes are the sorted ones.
    std::vector<float> fast(n), reference(n);
    const Scales a = lat2_exact(w, d, fast);
    const Scales b{static_cast<float>(best_support_sorted(w, d, Side::positive).alpha()),
                   static_cast<float>(best_support_sorted(w, d, Side::negative).alpha())};
    write_ternary(w, b, reference);
    EXPECT_FLOAT_EQ(a.positive, b.positive) << int(shape);
    EXPECT_FLOAT_EQ(a.negative, b.negative) << int(shape);
    EXPECT_EQ(fast, reference) << int(shape);
  }
}

using testing::run_on_two_threads;

// Past 2^20 elements the passes run on several chunks, each with its own partial histogram,
// through the caller's runner: still the sorted answer, and the same bits serially or on two threads.
TEST(HistogramSupport, SeveralChunksOnOneAndTwoThreadsEqualTheSortedReference) {
  int seed = 500;
  for (Shape shape : {Shape::gaussian, Shape::many_zeros}) {
    std::mt19937 rng(++seed);
    const std::size_t n = 2200000;  // chunks of 1048576, 1048576 and 102848 elements
    const auto w = make(rng, n, shape);
    std::vector<float> v(n);
    for (auto& x : v) x = std::uniform_real_distribution<float>(0.0f, 1e-4f)(rng);
    const Curvature d = Curvature::root(v, 1e-8f);
    const std::vector<float> values = d.materialize(n);
    for (Side side : {Side::all, Side::positive, Side::negative}) {
      const std::string where = "shape=" + std::to_string(int(shape)) + " side=" + std::to_string(int(side));
      set_runner({});
      const Support one = best_support(w, d, side);
      set_runner(run_on_two_threads);
      const Support two = best_support(w, d, side);
      expect_same(one, best_support_sorted(w, values, side), where);
      EXPECT_EQ(one.size, two.size) << where;
      EXPECT_EQ(one.sum_dw, two.sum_dw) << where;
      EXPECT_EQ(one.sum_d, two.sum_d) << where;
    }
  }
  set_runner({});
}

}  // namespace
}  // namespace laq::quant
