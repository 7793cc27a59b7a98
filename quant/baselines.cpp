#include "quant/baselines.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "base/fast_math.h"
#include "quant/checks.h"
#include "quant/fast/lane_sums.h"
#include "quant/objective.h"

namespace laq::quant {

Scales twn(std::span<const float> w, std::span<float> out) {
  require_size(out, w.size(), "twn", "out");
  require_no_alias(w, out, "twn");
  const double delta = 0.7 * weighted_abs_mean(w, {});
  require_finite(delta, "twn");  // so w is finite too
  // For a float x, x > delta is x > cut with cut the largest float <= delta: comparisons in
  // float, which vectorise, with the same outcome as in double.
  float cut = static_cast<float>(delta);
  if (double(cut) > delta) cut = std::nextafter(cut, 0.0f);
  // The support's sums in lane_sums' order (element i into lane i % kLanes), block by block:
  // a select loop that vectorises, then the lanes. The same additions as one scalar pass.
  constexpr std::size_t kBlock = 256;  // a multiple of kLanes
  float selected[kBlock], in_support[kBlock];
  double sum_lanes[kLanes] = {}, count_lanes[kLanes] = {};
  const std::size_t n = w.size();
  for (std::size_t b = 0; b < n; b += kBlock) {
    const std::size_t m = std::min(kBlock, n - b);
    const float* const wb = w.data() + b;
    for (std::size_t i = 0; i < m; ++i) {
      const float a = std::fabs(wb[i]);
      selected[i] = a > cut ? a : 0.0f;
      in_support[i] = a > cut ? 1.0f : 0.0f;
    }
    add_block_to_lanes(sum_lanes, m, [&](std::size_t i) { return double(selected[i]); });
    add_block_to_lanes(count_lanes, m, [&](std::size_t i) { return double(in_support[i]); });
  }
  const double sum = lanes_total(sum_lanes), count = lanes_total(count_lanes);
  const float alpha = count > 0 ? static_cast<float>(sum / count) : 0.0f;
  for (std::size_t i = 0; i < n; ++i) out[i] = alpha * float(w[i] > cut) - alpha * float(w[i] < -cut);
  return {alpha, alpha};
}

namespace {

// max |w_i| from the bits: for finite floats, |x| ordered as an unsigned integer is |x|
// ordered as a float, and an integer max vectorises where a float one (which must honour
// NaN) does not. A largest magnitude of 0x7f800000 or more is an inf or a NaN, which have
// no threshold: one pass both finds the max and rejects them.
float max_abs(std::span<const float> w, const char* function) {
  std::uint32_t largest = 0;
  for (float x : w) largest = std::max(largest, std::bit_cast<std::uint32_t>(x) & 0x7fffffffu);
  if (largest >= 0x7f800000u) throw_non_finite(function);
  return std::bit_cast<float>(largest);
}

// The first i with |w_i| == m, for a nonzero m that max_abs returned. Compared as bits (the
// same test for a finite nonzero m), a block at a time with an "any" that vectorises: the
// element-by-element search ran at one weight per cycle, as slow as the whole gradient.
std::size_t first_with_magnitude(std::span<const float> w, float m) {
  const std::uint32_t target = std::bit_cast<std::uint32_t>(m);
  auto is_target = [&](std::size_t i) { return (std::bit_cast<std::uint32_t>(w[i]) & 0x7fffffffu) == target; };
  constexpr std::size_t kBlock = 256;
  for (std::size_t b = 0; b < w.size(); b += kBlock) {
    const std::size_t end = std::min(w.size(), b + kBlock);
    std::uint32_t hits = 0;  // a count, not a bool: GCC vectorises the sum, not the "or"
    for (std::size_t i = b; i < end; ++i) hits += is_target(i);
    if (hits == 0) continue;
    for (std::size_t i = b; i < end; ++i)
      if (is_target(i)) return i;
  }
  return 0;
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
  // Block by block, in loops that vectorise: the gradients on each side, the scales' sums in
  // lane_sums' order (element i into lane i % kLanes), then grad_w (after g has been read:
  // grad_w may be g).
  constexpr std::size_t kBlock = 256;  // a multiple of kLanes
  float pos_g[kBlock], neg_g[kBlock], factor[kBlock];
  double pos_lanes[kLanes] = {}, neg_lanes[kLanes] = {};
  const std::size_t n = w.size();
  for (std::size_t b = 0; b < n; b += kBlock) {
    const std::size_t m = std::min(kBlock, n - b);
    const float* const wb = w.data() + b;
    const float* const gb = g.data() + b;
    for (std::size_t i = 0; i < m; ++i) {
      const bool pos = wb[i] > delta, neg = wb[i] < -delta;
      pos_g[i] = pos ? gb[i] : 0.0f;
      neg_g[i] = neg ? gb[i] : 0.0f;
      factor[i] = pos ? wp : (neg ? wn : 1.0f);
    }
    add_block_to_lanes(pos_lanes, m, [&](std::size_t i) { return double(pos_g[i]); });
    add_block_to_lanes(neg_lanes, m, [&](std::size_t i) { return double(neg_g[i]); });
    float* const out = grad_w.data() + b;
    for (std::size_t i = 0; i < m; ++i) out[i] = gb[i] * factor[i];
  }
  grad_wp = static_cast<float>(lanes_total(pos_lanes));
  grad_wn = static_cast<float>(-lanes_total(neg_lanes));
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

// The DoReFa code of one weight, straight from the formula: the definition the thresholds
// below reproduce.
int code_by_formula(float w, double M, int bits) {
  return dorefa_code(M > 0 ? std::tanh(double(w)) / (2 * M) + 0.5 : 0.5, bits);
}

// The float on a line where adjacent floats differ by one (-0 and +0 share 0: both have code
// code_by_formula(0)), and back.
std::int64_t ordinal(float f) {
  const std::int32_t i = std::bit_cast<std::int32_t>(f);
  return i < 0 ? -std::int64_t(i & 0x7fffffff) : std::int64_t(i);
}
float from_ordinal(std::int64_t k) {
  return std::bit_cast<float>(k < 0 ? std::int32_t(-k) | std::int32_t(0x80000000u) : std::int32_t(k));
}

// The code is a nondecreasing function of w (tanh increases; dividing, adding, scaling and
// rounding keep the order), so it is the number of thresholds t_1 <= ... <= t_top at or
// below w, where t_k is the smallest float whose code is at least k. Each t_k is found by
// bisection over the floats with the formula itself, so a weight gets the very code the
// formula gives it (tests/quant/reference_twins_test.cpp checks every float near each
// threshold), at the cost of about 32 tanh per level instead of one per weight.
std::vector<float> code_thresholds(double M, int bits) {
  const int top = (1 << bits) - 1;
  const std::int64_t lowest = ordinal(-std::numeric_limits<float>::max());
  const std::int64_t highest = ordinal(std::numeric_limits<float>::max());
  std::vector<float> thresholds(top);
  for (int k = 1; k <= top; ++k) {
    if (code_by_formula(from_ordinal(lowest), M, bits) >= k) {
      thresholds[k - 1] = -std::numeric_limits<float>::infinity();
      continue;
    }
    std::int64_t below = lowest, at = highest;  // code(below) < k <= code(at)
    while (at - below > 1) {
      const std::int64_t mid = below + (at - below) / 2;
      (code_by_formula(from_ordinal(mid), M, bits) >= k ? at : below) = mid;
    }
    thresholds[k - 1] = from_ordinal(at);
  }
  return thresholds;
}

}  // namespace

Scales dorefa(std::span<const float> w, int bits, std::span<float> out) {
  require_size(out, w.size(), "dorefa", "out");
  require_no_alias(w, out, "dorefa");
  const int top = check_bits(bits);
  const double M = std::tanh(double(max_abs(w, "dorefa")));  // max|tanh w| = tanh(max|w|)
  const std::vector<float> thresholds = code_thresholds(M, bits);
  std::vector<float> levels(top + 1);
  for (int c = 0; c <= top; ++c) levels[c] = dorefa_level(c, bits);
  // A select per threshold, block by block so that the block stays in L1 across the
  // thresholds and the inner loop vectorises.
  constexpr std::size_t kBlock = 512;
  for (std::size_t begin = 0; begin < w.size(); begin += kBlock) {
    const std::size_t end = std::min(w.size(), begin + kBlock);
    for (std::size_t i = begin; i < end; ++i) out[i] = levels[0];
    for (int k = 1; k <= top; ++k) {
      const float t = thresholds[k - 1], level = levels[k];
      for (std::size_t i = begin; i < end; ++i) out[i] = w[i] >= t ? level : out[i];
    }
  }
  return {1.0f, 1.0f};
}

void dorefa_backward(std::span<const float> w, std::span<const float> g, std::span<float> grad_w) {
  require_size(g, w.size(), "dorefa_backward", "g");
  require_size(grad_w, w.size(), "dorefa_backward", "grad_w");
  const float largest = max_abs(w, "dorefa_backward");
  if (largest == 0) {
    std::fill(grad_w.begin(), grad_w.end(), 0.0f);
    return;
  }
  // In float with a vectorised exp (base/fast_math.h), a few float ulps from the double
  // formula; M in double, as the forward has it.
  const double M = std::tanh(double(largest));
  const float inv_m = static_cast<float>(1.0 / M);
  const std::size_t arg = first_with_magnitude(w, largest);  // the max's derivative goes here
  const float g_arg = g[arg];
  // One pass for the elementwise part and for g . tanh(w), which the max's own gradient
  // needs, in blocks whose loops each vectorise: tanh and slope, the dot (element i into
  // lane i % kLanes, lane_sums' order), then grad_w (after the dot has read g: grad_w may be g).
  constexpr std::size_t kBlock = 256;  // a multiple of kLanes
  float t_block[kBlock], slope_block[kBlock];
  double lanes[kLanes] = {};
  const std::size_t n = w.size();
  for (std::size_t b = 0; b < n; b += kBlock) {
    const std::size_t m = std::min(kBlock, n - b);
    const float* const wb = w.data() + b;
    const float* const gb = g.data() + b;
    for (std::size_t i = 0; i < m; ++i) {
      const TanhAndSlope ts = fast_tanh_and_slope(wb[i]);
      t_block[i] = ts.tanh, slope_block[i] = ts.slope;
    }
    add_block_to_lanes(lanes, m, [&](std::size_t i) { return double(gb[i]) * double(t_block[i]); });
    float* const out = grad_w.data() + b;
    for (std::size_t i = 0; i < m; ++i) out[i] = gb[i] * slope_block[i] * inv_m;
  }
  const double g_dot_t = lanes_total(lanes);
  const auto [t, slope] = fast_tanh_and_slope(w[arg]);
  grad_w[arg] = static_cast<float>(double(g_arg) * slope / M - (t > 0 ? 1.0 : -1.0) * slope * g_dot_t / (M * M));
}

}  // namespace laq::quant
