// panel_gemm (the LSTM's recurrent products from B packed once) against its plain twin, bit
// for bit, and against a double-precision product: sizes that fill no panel, partial panels,
// 1-5 leftover rows, strided operands, transposed packing, and rows that keep their values
// whichever other rows share the call.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/packed_matmul.h"
#include "engine/panel_gemm.h"

namespace laq {
namespace {

using engine::PanelMatrix;

std::vector<float> random_values(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

struct Shape {
  int64_t m, k, n;
};

class PanelGemm : public ::testing::TestWithParam<std::tuple<Shape, bool>> {};

TEST_P(PanelGemm, MatchesItsTwinBitForBitAndADoubleProduct) {
  const auto [s, transposed] = GetParam();
  const int64_t lda = s.k + 3, ldc = s.n + 5, ldb = (transposed ? s.k : s.n) + 2;
  const std::vector<float> a = random_values(s.m * lda, 1), b = random_values((transposed ? s.n : s.k) * ldb, 2);
  const std::vector<float> c0 = random_values(s.m * ldc, 3);
  const PanelMatrix packed(b.data(), s.k, s.n, ldb, transposed);

  std::vector<float> fast = c0, twin = c0;
  engine::panel_gemm(s.m, a.data(), lda, packed, fast.data(), ldc);
  engine::panel_gemm_reference(s.m, a.data(), lda, packed, twin.data(), ldc);
  const std::string what = std::to_string(s.m) + "x" + std::to_string(s.k) + "x" + std::to_string(s.n) +
                           (transposed ? " transposed" : "") + " avx512 " +
                           (engine::kernel_path_supported(engine::KernelPath::avx512) ? "yes" : "no");
  for (int64_t i = 0; i < s.m; ++i)
    for (int64_t j = 0; j < ldc; ++j) {
      const int64_t at = i * ldc + j;
      ASSERT_EQ(fast[at], twin[at]) << what << " at " << i << "," << j;
      if (j >= s.n) {
        ASSERT_EQ(fast[at], c0[at]) << what << ": wrote past column n at " << i << "," << j;
        continue;
      }
      double want = c0[at];
      for (int64_t kk = 0; kk < s.k; ++kk)
        want += double(a[i * lda + kk]) * (transposed ? b[j * ldb + kk] : b[kk * ldb + j]);
      ASSERT_NEAR(fast[at], want, 1e-5 * (s.k + 1)) << what << " at " << i << "," << j;
    }
}

INSTANTIATE_TEST_SUITE_P(Shapes, PanelGemm,
                         ::testing::Combine(::testing::Values(Shape{1, 1, 1}, Shape{5, 7, 13}, Shape{6, 64, 64},
                                                              Shape{13, 33, 100}, Shape{50, 512, 2048},
                                                              Shape{7, 2048, 512}, Shape{11, 20, 129}),
                                            ::testing::Bool()));

TEST(PanelGemmRows, ARowGetsTheSameBitsWhicheverRowsShareItsCall) {
  const int64_t m = 50, k = 96, n = 200;
  const std::vector<float> a = random_values(m * k, 4), b = random_values(k * n, 5);
  const PanelMatrix packed(b.data(), k, n, n, false);
  std::vector<float> whole(m * n, 0.0f), pieces(m * n, 0.0f);
  engine::panel_gemm(m, a.data(), k, packed, whole.data(), n);
  const std::vector<int64_t> cuts = {0, 1, 8, 25, 31, m};  // pieces of 1, 7, 17, 6 and 19 rows
  for (size_t p = 0; p + 1 < cuts.size(); ++p)
    engine::panel_gemm(cuts[p + 1] - cuts[p], a.data() + cuts[p] * k, k, packed, pieces.data() + cuts[p] * n, n);
  EXPECT_EQ(whole, pieces);
}

TEST(PanelGemmErrors, BadShapesAreNamed) {
  const std::vector<float> b(12, 1.0f);
  EXPECT_THROW(PanelMatrix(b.data(), 0, 4, 4, false), Error);
  EXPECT_THROW(PanelMatrix(b.data(), 3, 4, 3, false), Error);
  const PanelMatrix packed(b.data(), 3, 4, 4, false);
  std::vector<float> a(6, 1.0f), c(8, 0.0f);
  try {
    engine::panel_gemm(2, a.data(), 2, packed, c.data(), 4);
    FAIL() << "lda 2 < k 3 accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("panel_gemm"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace laq
