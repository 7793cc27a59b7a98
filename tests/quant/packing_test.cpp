// Packing codes at their bit width, and encode/decode round trips for every method.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "engine/error.h"
#include "quant/baselines.h"
#include "quant/packing.h"
#include "quant/quantize.h"
#include "tests/quant/quant_test_util.h"

namespace laq::quant {
namespace {

TEST(Packing, RoundTripsForAllWidthsAndOddLengths) {
  std::mt19937 rng(1);
  for (int bits = 1; bits <= 8; ++bits) {
    for (std::size_t n : {0, 1, 2, 3, 7, 8, 9, 13, 1001}) {
      std::vector<std::uint8_t> codes(n);
      for (auto& c : codes) c = static_cast<std::uint8_t>(rng() % (1u << bits));
      const auto packed = pack_codes(codes, bits);
      EXPECT_EQ(packed.size(), (n * bits + 7) / 8);
      EXPECT_EQ(unpack_codes(packed, bits, n), codes) << bits << " " << n;
    }
  }
}

TEST(Packing, LsbFirstLayout) {
  EXPECT_EQ(pack_codes(std::vector<std::uint8_t>{1, 2, 3, 0}, 2), (std::vector<std::uint8_t>{0x39}));
  // 3-bit codes straddle bytes: 5 | 6 << 3 | (7 & 3) << 6 = 0xF5, then 7 >> 2 = 1.
  EXPECT_EQ(pack_codes(std::vector<std::uint8_t>{5, 6, 7}, 3), (std::vector<std::uint8_t>{0xF5, 0x01}));
  EXPECT_EQ(pack_codes(std::vector<std::uint8_t>{1, 0, 0, 0, 0, 0, 0, 1, 1}, 1), (std::vector<std::uint8_t>{0x81, 0x01}));
  EXPECT_THROW(pack_codes(std::vector<std::uint8_t>{4}, 2), Error);
  EXPECT_THROW(unpack_codes(std::vector<std::uint8_t>{0}, 3, 3), Error);
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(Packing, EncodeDecodeReproducesEveryMethodsValuesExactly) {
  std::mt19937 rng(2);
  const std::size_t n = 777;
  const auto w = testing::uniform(rng, n);
  const auto d = testing::curvature(rng, n);
  std::vector<float> warm(n);
  initial_warm_start(w, warm);
  for (Method method : all_methods) {
    if (method == Method::fpn) continue;
    for (int bits : {1, 2, 3, 4, 8}) {
      if (bits == 1 && (method == Method::laq_linear || method == Method::laq_log)) continue;
      Options options;
      options.bits = bits;
      std::vector<float> out(n);
      Scales scales;
      if (method == Method::ttq) {
        scales = {0.8f, 0.6f};
        ttq_forward(w, scales.positive, scales.negative, options.ttq_threshold, out);
      } else {
        scales = quantize(method, w, d, warm, out, options);
      }
      const int width = code_bits(method, bits);
      const auto codes = encode(method, bits, out, scales);
      const auto packed = pack_codes(codes, width);
      const auto back = decode(method, bits, unpack_codes(packed, width, n), scales);
      EXPECT_TRUE(same_bits(back, out)) << method_name(method) << " bits " << bits;
    }
  }
}

// The method table's code kind is what each solver writes: on random weights a binary method
// writes exactly its two levels, a ternary one exactly its three, a level-table one some of
// its table; and code_bits is the narrowest width that holds every level.
TEST(Packing, CodeKindIsWhatTheSolverWrites) {
  std::mt19937 rng(5);
  const std::size_t n = 2000;
  const auto w = testing::uniform(rng, n);
  const auto d = testing::curvature(rng, n);
  std::vector<float> warm(n);
  initial_warm_start(w, warm);
  for (Method method : all_methods) {
    SCOPED_TRACE(method_name(method));
    const MethodTraits t = traits(method);
    EXPECT_EQ(t.codes == CodeKind::none, method == Method::fpn);
    if (t.codes == CodeKind::none) {
      EXPECT_THROW(code_bits(method, 3), Error);
      continue;
    }
    for (int bits = t.needs_bits ? t.min_bits : 0; bits <= (t.needs_bits ? t.max_bits : 0); ++bits) {
      Options options;
      options.bits = bits;
      std::vector<float> out(n);
      Scales scales{0.8f, 0.6f};
      if (t.scales_trained_by_gradient) ttq_forward(w, scales.positive, scales.negative, options.ttq_threshold, out);
      else scales = quantize(method, w, d, warm, out, options);
      const std::vector<float> levels = level_values(method, bits, scales);
      std::set<float> written(out.begin(), out.end());
      for (float v : written) EXPECT_NE(std::find(levels.begin(), levels.end(), v), levels.end()) << v << " bits " << bits;
      const std::size_t kinds_written = t.codes == CodeKind::binary ? 2 : t.codes == CodeKind::ternary ? 3
                                                                                                       : 0;
      if (kinds_written) {
        EXPECT_EQ(written.size(), kinds_written) << "bits " << bits;
      } else {
        EXPECT_GT(written.size(), 1u) << "bits " << bits;
      }
      const int width = code_bits(method, bits);
      EXPECT_LE(levels.size(), std::size_t{1} << width) << "bits " << bits;
      EXPECT_GT(levels.size(), std::size_t{1} << (width - 1)) << "bits " << bits;
    }
  }
}

TEST(Packing, RejectsValuesThatAreNotLevels) {
  EXPECT_THROW(encode(Method::lat_e, 2, std::vector<float>{0.3f}, Scales{0.5f, 0.5f}), Error);
  EXPECT_THROW(encode(Method::fpn, 2, std::vector<float>{0.3f}, Scales{}), Error);
  EXPECT_THROW(decode(Method::lab, 1, std::vector<std::uint8_t>{2}, Scales{1, 1}), Error);
}

}  // namespace
}  // namespace laq::quant
