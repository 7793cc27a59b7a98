#include "quant/baselines.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/error.h"
#include "quant/common.h"

namespace laq::quant {

Scales twn(std::span<const float> w, std::span<float> out) {
  require_size(out, w.size(), "twn", "out");
  require_no_alias(w, out, "twn");
  const double delta = 0.7 * weighted_abs_mean(w, {});
  double sum = 0;
  std::size_t count = 0;
  for (float x : w)
    if (std::fabs(x) > delta) sum += std::fabs(x), ++count;
  const float alpha = count ? static_cast<float>(sum / double(count)) : 0.0f;
  for (std::size_t i = 0; i < w.size(); ++i) out[i] = w[i] > delta ? alpha : (w[i] < -delta ? -alpha : 0.0f);
  return {alpha, alpha};
}

namespace {

float max_abs(std::span<const float> w) {
  float m = 0;
  for (float x : w) m = std::max(m, std::fabs(x));
  return m;
}

}  // namespace

void ttq_forward(std::span<const float> w, float wp, float wn, float t, std::span<float> out) {
  require_size(out, w.size(), "ttq_forward", "out");
  require_no_alias(w, out, "ttq_forward");
  const float delta = t * max_abs(w);
  for (std::size_t i = 0; i < w.size(); ++i) out[i] = w[i] > delta ? wp : (w[i] < -delta ? -wn : 0.0f);
}

void ttq_backward(std::span<const float> w, std::span<const float> g, float wp, float wn, float t,
                  std::span<float> grad_w, float& grad_wp, float& grad_wn) {
  require_size(g, w.size(), "ttq_backward", "g");
  require_size(grad_w, w.size(), "ttq_backward", "grad_w");
  const float delta = t * max_abs(w);
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

Scales dorefa(std::span<const float> w, int bits, std::span<float> out) {
  require_size(out, w.size(), "dorefa", "out");
  require_no_alias(w, out, "dorefa");
  check_bits(bits);
  double M = 0;
  for (float x : w) M = std::max(M, std::fabs(std::tanh(double(x))));
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double r = M > 0 ? std::tanh(double(w[i])) / (2 * M) + 0.5 : 0.5;
    out[i] = dorefa_level(dorefa_code(r, bits), bits);
  }
  return {1.0f, 1.0f};
}

void dorefa_backward(std::span<const float> w, std::span<const float> g, std::span<float> grad_w) {
  require_size(g, w.size(), "dorefa_backward", "g");
  require_size(grad_w, w.size(), "dorefa_backward", "grad_w");
  double M = 0;
  std::size_t arg = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double a = std::fabs(std::tanh(double(w[i])));
    if (a > M) M = a, arg = i;
  }
  if (M == 0) {
    std::fill(grad_w.begin(), grad_w.end(), 0.0f);
    return;
  }
  double g_dot_t = 0;
  for (std::size_t i = 0; i < w.size(); ++i) g_dot_t += double(g[i]) * std::tanh(double(w[i]));
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double t = std::tanh(double(w[i])), slope = 1 - t * t;
    double grad = g[i] * slope / M;
    if (i == arg) grad -= (t > 0 ? 1.0 : -1.0) * slope * g_dot_t / (M * M);
    grad_w[i] = static_cast<float>(grad);
  }
}

}  // namespace laq::quant
