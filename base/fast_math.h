#pragma once
// Fast float exp, sigmoid and tanh for the LSTM gate loops and DoReFa's gradient.
// Branch-free so the loops that call them vectorise (glibc's expf does not without -ffast-math).
// exp: x = n·ln2 + r with n rounded to nearest (|r| <= ln2/2), Cephes' degree-6 polynomial
// for e^r (relative error about 1e-7), 2^n from the exponent bits; x is clamped to
// [-87, 88] so 2^n stays a normal float. tanh(x) = 1 - 2/(1 + e^{2x}) has an absolute error
// of about 1e-7 (not a relative one near 0), which is what the cell needs.
// tests/base/fast_math_test.cpp measures both bounds against std::exp and std::tanh.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

namespace laq {

inline float fast_exp(float x) {
  x = std::min(std::max(x, -87.0f), 88.0f);
  // Round to nearest by the 1.5·2^23 trick (std::floor/nearbyint do not vectorise here).
  constexpr float kRound = 12582912.0f;
  const float n = (x * 1.44269504088896341f + kRound) - kRound;
  const float r = x - n * 0.693359375f + n * 2.12194440e-4f;  // ln2 split in two for accuracy
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float er = p * r * r + r + 1.0f;
  const float scale = std::bit_cast<float>((static_cast<int32_t>(n) + 127) << 23);
  return er * scale;
}
inline float fast_sigmoid(float x) { return 1.0f / (1.0f + fast_exp(-x)); }
inline float fast_tanh(float x) { return 1.0f - 2.0f / (1.0f + fast_exp(2.0f * x)); }

// tanh x and its slope 1 - tanh^2 x, both to a few float ulps relatively, for DoReFa's
// gradient, where the tanh of small weights is summed and divided by a small max (fast_tanh
// is only absolutely accurate near 0) and 1 - t*t would lose the slope where tanh is near 1.
// With e = exp(-2|x|): slope = 4e/(1 + e)^2; tanh = sign(x)(1 - e)/(1 + e) above
// |x| = 0.625 and Cephes' odd polynomial below it, where 1 - e cancels. Both branches are
// computed and one selected, so loops stay branch-free.
struct TanhAndSlope {
  float tanh, slope;
};
inline TanhAndSlope fast_tanh_and_slope(float x) {
  const float z = std::fabs(x), s = x * x;
  const float e = fast_exp(-2.0f * z), one_plus_e = 1.0f + e;
  float p = -5.70498872745e-3f;
  p = p * s + 2.06390887954e-2f;
  p = p * s - 5.37397155531e-2f;
  p = p * s + 1.33314422036e-1f;
  p = p * s - 3.33332819422e-1f;
  const float small = p * s * x + x;
  const float large = std::copysign((1.0f - e) / one_plus_e, x);
  return {z > 0.625f ? large : small, 4.0f * e / (one_plus_e * one_plus_e)};
}

}  // namespace laq
