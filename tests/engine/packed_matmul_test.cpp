// The packed product on every kernel path this CPU supports, against its plain reference
// twin (decoded weights, double accumulation): odd sizes, all-zero rows, per-tensor and
// per-row scales, batch 1 and small batches, strided inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/packed_matmul.h"
#include "engine/parallel.h"

namespace laq {
namespace {

using engine::KernelPath;
using engine::PackedKind;
using engine::PackedWeights;

struct Case {
  PackedKind kind;
  int bits;  // levels only
  int64_t rows, cols;
  bool per_row;
};

std::string describe(const Case& c, int64_t n, KernelPath path) {
  const char* kind = c.kind == PackedKind::binary ? "binary" : c.kind == PackedKind::ternary ? "ternary"
                                                                                             : "levels";
  return std::string(kind) + (c.kind == PackedKind::levels ? std::to_string(c.bits) : "") + " " +
         std::to_string(c.rows) + "x" + std::to_string(c.cols) + (c.per_row ? " per-row" : " per-tensor") +
         " n=" + std::to_string(n) + " path " + engine::kernel_path_name(path);
}

// Random codes, with rows 1 and the last row all zero (or, for binary, an all-minus row).
struct Made {
  std::vector<uint32_t> codes;
  PackedWeights w;
};

Made make(const Case& c, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const uint32_t levels = c.kind == PackedKind::binary ? 2 : c.kind == PackedKind::ternary ? 3
                                                                                           : (1u << c.bits) - 1;
  const uint32_t zero = c.kind == PackedKind::binary ? 0 : levels / 2;
  std::vector<uint32_t> codes(c.rows * c.cols);
  for (int64_t r = 0; r < c.rows; ++r)
    for (int64_t k = 0; k < c.cols; ++k)
      codes[r * c.cols + k] = (r == 1 || r == c.rows - 1) ? zero : static_cast<uint32_t>(rng() % levels);
  const auto at = [&](int64_t r, int64_t k) { return codes[r * c.cols + k]; };
  std::uniform_real_distribution<float> u(0.05f, 2.0f);
  const int64_t scales = c.per_row ? c.rows : 1;
  Made m;
  m.codes = codes;
  if (c.kind == PackedKind::levels) {
    std::vector<float> table(scales * levels);
    for (int64_t s = 0; s < scales; ++s) {
      const float a = u(rng);
      for (uint32_t k = 0; k < levels; ++k)
        table[s * levels + k] = k == zero ? 0.0f : a * (float(k) - float(zero)) / float(zero ? zero : 1);
    }
    m.w = engine::pack_levels(c.rows, c.cols, c.bits, at, levels, table);
  } else {
    std::vector<float> pos(scales), neg(scales);
    for (int64_t s = 0; s < scales; ++s) pos[s] = u(rng), neg[s] = u(rng);
    m.w = c.kind == PackedKind::binary ? engine::pack_binary(c.rows, c.cols, at, pos, neg)
                                       : engine::pack_ternary(c.rows, c.cols, at, pos, neg);
  }
  return m;
}

// X [n, cols] with row stride ld; the gap past `cols` holds 1e30, which a kernel that read
// it would add in. Row 1 (when n > 2) is all zero.
std::vector<float> inputs(int64_t n, int64_t cols, int64_t ld, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> x(n * ld, 1e30f);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < cols; ++k) x[i * ld + k] = (n > 2 && i == 1) ? 0.0f : u(rng);
  return x;
}

// |y - reference| within float rounding of the sum of |w * x|.
void expect_close(const PackedWeights& w, const std::vector<float>& x, int64_t n, int64_t ldx, const float* y,
                  int64_t ldy, const std::string& what) {
  std::vector<float> want(n * w.rows);
  engine::packed_matmul_reference(w, x.data(), n, ldx, want.data(), w.rows);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t r = 0; r < w.rows; ++r) {
      double magnitude = 0;
      for (int64_t c = 0; c < w.cols; ++c) magnitude += std::fabs(double(w.value(r, c)) * x[i * ldx + c]);
      ASSERT_NEAR(y[i * ldy + r], want[i * w.rows + r], 2e-6 * magnitude + 1e-30)
          << what << " at (" << i << ", " << r << ")";
    }
}

std::vector<Case> cases() {
  std::vector<Case> all;
  const int64_t cols[] = {1, 7, 8, 15, 16, 17, 63, 64, 65, 129, 1000};
  for (const int64_t k : cols)
    for (const bool per_row : {false, true}) {
      all.push_back({PackedKind::binary, 1, 7, k, per_row});
      all.push_back({PackedKind::ternary, 2, 9, k, per_row});
      for (const int bits : {2, 3, 4, 5, 8}) all.push_back({PackedKind::levels, bits, 6, k, per_row});
    }
  return all;
}

TEST(PackedWeights, CodesRoundTripThroughThePlanes) {
  for (const Case& c : cases()) {
    const Made m = make(c, 11);
    for (int64_t r = 0; r < c.rows; ++r)
      for (int64_t k = 0; k < c.cols; ++k)
        ASSERT_EQ(m.w.code(r, k), m.codes[r * c.cols + k]) << describe(c, 1, KernelPath::portable) << " " << r << "," << k;
  }
}

TEST(PackedWeights, BitsPastTheRowAreZeroAndBytesAreCounted) {
  const Made m = make({PackedKind::ternary, 2, 3, 70, true}, 5);
  EXPECT_EQ(m.w.words, 2);
  for (int64_t r = 0; r < 3; ++r)
    for (int p = 0; p < 2; ++p) EXPECT_EQ(m.w.row_bits(r)[1 * 2 + p] >> 6, 0u);
  EXPECT_EQ(m.w.resident_bytes(), int64_t(3 * 2 * 2 * 8 + 2 * 3 * 4));
}

TEST(PackedWeights, RefusesBadCodesAndScaleCounts) {
  const auto two = [](int64_t, int64_t) { return 2u; };
  const auto three = [](int64_t, int64_t) { return 3u; };
  EXPECT_THROW(engine::pack_binary(2, 3, two, {1}, {1}), Error);
  EXPECT_THROW(engine::pack_ternary(2, 3, three, {1}, {1}), Error);
  EXPECT_THROW(engine::pack_ternary(3, 3, two, {1, 1}, {1}), Error);
  EXPECT_THROW(engine::pack_levels(2, 3, 2, three, 3, {0, 1, 2}), Error);  // code 3 past a 3-level table
  EXPECT_THROW(engine::pack_levels(2, 3, 2, two, 5, std::vector<float>(5)), Error);
  EXPECT_THROW(engine::pack_levels(2, 3, 9, two, 3, {0, 1, 2}), Error);
  EXPECT_NO_THROW(engine::pack_levels(2, 3, 2, two, 3, {0, 1, 2, 0, 1, 2}));
}

TEST(PackedMatmul, EveryPathMatchesTheReference) {
  const std::vector<KernelPath> paths = engine::supported_kernel_paths();
  ASSERT_FALSE(paths.empty());
  ASSERT_EQ(paths.front(), KernelPath::portable);
  uint64_t seed = 100;
  for (const Case& c : cases()) {
    const Made m = make(c, ++seed);
    for (const int64_t n : {1, 2, 3, 4, 5, 9}) {
      const std::vector<float> x = inputs(n, c.cols, c.cols, seed * 7 + n);
      for (const KernelPath path : paths) {
        std::vector<float> y(n * c.rows, -7.0f);
        engine::packed_matmul_rows(path, m.w, x.data(), n, c.cols, y.data(), c.rows, 0, c.rows);
        expect_close(m.w, x, n, c.cols, y.data(), c.rows, describe(c, n, path));
        if (c.kind == PackedKind::binary) continue;  // binary has no zero code
        for (const int64_t r : {int64_t{1}, c.rows - 1})
          for (int64_t i = 0; i < n; ++i) ASSERT_EQ(y[i * c.rows + r], 0.0f) << describe(c, n, path) << " zero row";
      }
    }
  }
}

TEST(PackedMatmul, StridedOperandsAndRowRanges) {
  for (const Case& c : {Case{PackedKind::binary, 1, 11, 37, true}, Case{PackedKind::ternary, 2, 11, 37, true},
                        Case{PackedKind::levels, 3, 11, 37, true}, Case{PackedKind::levels, 6, 11, 37, false}}) {
    const Made m = make(c, 3);
    const int64_t n = 5, ldx = 40, ldy = 13;
    const std::vector<float> x = inputs(n, c.cols, ldx, 4);
    for (const KernelPath path : engine::supported_kernel_paths()) {
      std::vector<float> y(n * ldy, -3.0f);
      engine::packed_matmul_rows(path, m.w, x.data(), n, ldx, y.data(), ldy, 0, 4);
      engine::packed_matmul_rows(path, m.w, x.data(), n, ldx, y.data(), ldy, 4, c.rows);
      expect_close(m.w, x, n, ldx, y.data(), ldy, "strided " + describe(c, n, path));
      for (int64_t i = 0; i < n; ++i)
        for (int64_t r = c.rows; r < ldy; ++r) ASSERT_EQ(y[i * ldy + r], -3.0f) << "wrote past the rows";
    }
  }
}

TEST(PackedMatmul, ThreadedProductEqualsTheSingleThreadedBestPath) {
  const Case c{PackedKind::ternary, 2, 700, 300, false};
  const Made m = make(c, 9);
  const std::vector<float> x = inputs(3, c.cols, c.cols, 10);
  std::vector<float> one(3 * c.rows), all(3 * c.rows);
  engine::packed_matmul_rows(engine::best_kernel_path(), m.w, x.data(), 3, c.cols, one.data(), c.rows, 0, c.rows);
  engine::packed_matmul(m.w, x.data(), 3, c.cols, all.data(), c.rows);
  EXPECT_EQ(one, all);
}

TEST(PackedMatmul, RefusesOperandsThatDoNotFit) {
  const Made m = make({PackedKind::ternary, 2, 4, 10, false}, 1);
  std::vector<float> x(40), y(40);
  EXPECT_THROW(engine::packed_matmul(m.w, x.data(), 2, 9, y.data(), 4), Error);
  EXPECT_THROW(engine::packed_matmul(m.w, x.data(), 2, 10, y.data(), 3), Error);
  EXPECT_THROW(engine::packed_matmul_rows(KernelPath::portable, m.w, x.data(), 2, 10, y.data(), 4, 0, 5), Error);
}

}  // namespace
}  // namespace laq
