#pragma once
// Fast float exp, sigmoid and tanh for the LSTM gate loops.
// Branch-free so the gate loops vectorise (glibc's expf does not without -ffast-math).
// exp: x = n·ln2 + r with n rounded to nearest (|r| <= ln2/2), Cephes' degree-6 polynomial
// for e^r (relative error about 1e-7), 2^n from the exponent bits; x is clamped to
// [-87, 88] so 2^n stays a normal float. tanh(x) = 1 - 2/(1 + e^{2x}) has an absolute error
// of about 1e-7 (not a relative one near 0), which is what the cell needs.
// tests/engine/fast_math_test.cpp measures both bounds against std::exp and std::tanh.
#include <algorithm>
#include <bit>
#include <cstdint>

namespace laq::engine {

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

}  // namespace laq::engine
