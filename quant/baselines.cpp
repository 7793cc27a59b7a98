#include "quant/baselines.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

#include "base/error.h"
#include "quant/checks.h"
#include "quant/fast/lane_sums.h"
#include "quant/objective.h"

namespace laq::quant {

Scales twn(std::span<const float> w, std::span<float> out) {
  require_size(out, w.size(), "twn", "out");
  require_no_alias(w, out, "twn");
  const double delta = 0.7 * weighted_abs_mean(w, {});
  require_finite(delta, "twn");
  const auto [sum, count] = lane_sums<2>(w.size(), [&](std::size_t i) {
    const double a = std::fabs(double(w[i])), in = mask(a > delta);
    return std::array<double, 2>{in * a, in};
  });
  const float alpha = count > 0 ? static_cast<float>(sum / count) : 0.0f;
  for (std::size_t i = 0; i < w.size(); ++i) out[i] = w[i] > delta ? alpha : (w[i] < -delta ? -alpha : 0.0f);
  return {alpha, alpha};
}

namespace {

// Throws for a NaN or inf w (there is no threshold for those), tested in the same pass.
float max_abs(std::span<const float> w, const char* function) {
  float m = 0;
  std::uint32_t bad = 0;
  for (float x : w) {
    m = std::max(m, std::fabs(x));
    bad |= std::uint32_t((std::bit_cast<std::uint32_t>(x) & 0x7f800000u) == 0x7f800000u);
  }
  if (bad) throw_non_finite(function);
  return m;
}

}  // namespace

void ttq_forward(std::span<const float> w, float wp, float wn, float t, std::span<float> out) {
  require_size(out, w.size(), "ttq_forward", "out");
  require_no_alias(w, out, "ttq_forward");
  const float delta = t * max_abs(w, "ttq_forward");
  for (std::size_t i = 0; i < w.size(); ++i) out[i] = w[i] > delta ? wp : (w[i] < -delta ? -wn : 0.0f);
}

void ttq_backward(std::span<const float> w, std::span<const float> g, float wp, float wn, float t,
                  std::span<float> grad_w, float& grad_wp, float& grad_wn) {
  require_size(g, w.size(), "ttq_backward", "g");
  require_size(grad_w, w.size(), "ttq_backward", "grad_w");
  const float delta = t * max_abs(w, "ttq_backward");
  double sum_pos = 0, sum_neg = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (w[i] > delta) grad_w[i] = wp * g[i], sum_pos += g[i];
    else if (w[i] < -delta) grad_w[i] = wn * g[i], sum_neg += g[i];
    else grad_w[i] = g[i];
  }
  grad_wp = static_cast<float>(sum_pos);
  grad_wn = static_cast<float>(-sum_neg);
}

namespace {

int check_bits(int bits) {
  if (bits < 1 || bits > 8) throw Error("dorefa: bits must be in [1, 8], got " + std::to_string(bits));
  return (1 << bits) - 1;
}

}  // namespace

float dorefa_level(int code, int bits) {
  const int top = check_bits(bits);
  return static_cast<float>(2.0 * code / top - 1.0);
}

int dorefa_code(double r, int bits) { return static_cast<int>(std::round(check_bits(bits) * r)); }

namespace {

// max_i |tanh(w_i)| = tanh(max_i |w_i|), tanh being increasing: one tanh, not one per weight
// (in double, each costs about as much as the rest of the step's work on that weight).
// Also the first index of the largest |w|, whose tanh is the max.
// Throws for a NaN or inf w, which has no code (tanh(inf) = 1 would hide an overflow).
std::pair<double, std::size_t> largest_tanh(std::span<const float> w, const char* function) {
  float largest = 0.0f;
  std::size_t arg = 0;
  std::uint32_t bad = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (std::fabs(w[i]) > largest) largest = std::fabs(w[i]), arg = i;
    bad |= std::uint32_t((std::bit_cast<std::uint32_t>(w[i]) & 0x7f800000u) == 0x7f800000u);
  }
  if (bad) throw_non_finite(function);
  return {std::tanh(double(largest)), arg};
}

}  // namespace

Scales dorefa(std::span<const float> w, int bits, std::span<float> out) {
  require_size(out, w.size(), "dorefa", "out");
  require_no_alias(w, out, "dorefa");
  check_bits(bits);
  const double M = largest_tanh(w, "dorefa").first;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double r = M > 0 ? std::tanh(double(w[i])) / (2 * M) + 0.5 : 0.5;
    out[i] = dorefa_level(dorefa_code(r, bits), bits);
  }
  return {1.0f, 1.0f};
}

void dorefa_backward(std::span<const float> w, std::span<const float> g, std::span<float> grad_w) {
  require_size(g, w.size(), "dorefa_backward", "g");
  require_size(grad_w, w.size(), "dorefa_backward", "grad_w");
  const auto [M, arg] = largest_tanh(w, "dorefa_backward");
  if (M == 0) {
    std::fill(grad_w.begin(), grad_w.end(), 0.0f);
    return;
  }
  // One pass: each tanh once, for the elementwise part and for g . tanh(w), which the max's
  // own gradient needs and which is added to that one element afterwards.
  double partial[kLanes] = {};
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double t = std::tanh(double(w[i]));
    partial[i % kLanes] += double(g[i]) * t;
    grad_w[i] = static_cast<float>(g[i] * (1 - t * t) / M);
  }
  double g_dot_t = 0;
  for (double p : partial) g_dot_t += p;
  const double t = std::tanh(double(w[arg])), slope = 1 - t * t;
  grad_w[arg] = static_cast<float>(g[arg] * slope / M - (t > 0 ? 1.0 : -1.0) * slope * g_dot_t / (M * M));
}

}  // namespace laq::quant
