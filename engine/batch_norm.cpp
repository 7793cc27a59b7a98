#include "engine/batch_norm.h"

#include <cmath>
#include <vector>

#include "engine/elementwise.h"
#include "engine/error.h"

namespace laq::engine {
namespace {

// x viewed as N x C x S: element (i, ch, k) sits at (i*C + ch)*S + k.
template <typename F>
void for_channel(const ChannelLayout& l, int64_t ch, F&& f) {
  for (int64_t i = 0; i < l.n; ++i) {
    const int64_t base = (i * l.c + ch) * l.s;
    for (int64_t k = 0; k < l.s; ++k) f(base + k);
  }
}

}  // namespace

Var batch_norm(const Var& x, const Var& gamma, const Var& beta, BatchNormStats& stats,
               const BatchNormConfig& config, bool training) {
  const ChannelLayout l = channel_layout(x->value, "batch_norm");
  check_shape(gamma->value, {l.c}, "batch_norm: gamma");
  check_shape(beta->value, {l.c}, "batch_norm: beta");
  check_shape(stats.running_mean, {l.c}, "batch_norm: running mean");
  check_shape(stats.running_spread, {l.c}, "batch_norm: running spread");
  const int64_t count = l.n * l.s;
  if (training && count < 1) throw Error("batch_norm: empty batch " + to_string(x->value.shape()));
  const bool bc_form = config.form == BatchNormForm::binary_connect;

  // Per channel: mean and the divisor 1/(sigma + eps) or 1/sqrt(var + eps).
  std::vector<float> mean(l.c), inv(l.c), sigma(l.c);
  const float* px = x->value.data();
  for (int64_t ch = 0; ch < l.c; ++ch) {
    if (training) {
      double sum = 0, sq = 0;
      for_channel(l, ch, [&](int64_t j) { sum += px[j]; });
      const double mu = sum / count;
      for_channel(l, ch, [&](int64_t j) { sq += (px[j] - mu) * (px[j] - mu); });
      const double var = sq / count;  // biased
      mean[ch] = static_cast<float>(mu);
      sigma[ch] = static_cast<float>(std::sqrt(var));
      inv[ch] = bc_form ? 1.0f / (sigma[ch] + config.eps)
                        : static_cast<float>(1.0 / std::sqrt(var + config.eps));
      const float m = config.momentum;
      const double unbiased_var = count > 1 ? sq / (count - 1) : var;
      stats.running_mean[ch] = (1 - m) * stats.running_mean[ch] + m * mean[ch];
      stats.running_spread[ch] = (1 - m) * stats.running_spread[ch] +
                                 m * (bc_form ? sigma[ch] : static_cast<float>(unbiased_var));
    } else {
      mean[ch] = stats.running_mean[ch];
      inv[ch] = bc_form ? 1.0f / (stats.running_spread[ch] + config.eps)
                        : 1.0f / std::sqrt(stats.running_spread[ch] + config.eps);
    }
  }

  Tensor xhat(x->value.shape()), y(x->value.shape());
  const float* pg = gamma->value.data();
  const float* pb = beta->value.data();
  for (int64_t ch = 0; ch < l.c; ++ch)
    for_channel(l, ch, [&](int64_t j) {
      xhat[j] = (px[j] - mean[ch]) * inv[ch];
      y[j] = xhat[j] * pg[ch] + pb[ch];
    });

  return make_node(std::move(y), {x, gamma, beta},
                   [=, xhat = std::move(xhat), inv = std::move(inv), sigma = std::move(sigma)](Node& self) {
    const float* dy = self.grad.data();
    float* dgamma = gamma->requires_grad ? gamma->grad_buffer().data() : nullptr;
    float* dbeta = beta->requires_grad ? beta->grad_buffer().data() : nullptr;
    float* dx = x->requires_grad ? x->grad_buffer().data() : nullptr;
    for (int64_t ch = 0; ch < l.c; ++ch) {
      double sum_dy = 0, sum_dy_xhat = 0;
      for_channel(l, ch, [&](int64_t j) {
        sum_dy += dy[j];
        sum_dy_xhat += double(dy[j]) * xhat[j];
      });
      if (dgamma) dgamma[ch] += static_cast<float>(sum_dy_xhat);
      if (dbeta) dbeta[ch] += static_cast<float>(sum_dy);
      if (!dx) continue;
      const double g = pg[ch];
      if (!training) {  // running statistics are constants
        for_channel(l, ch, [&](int64_t j) { dx[j] += static_cast<float>(g * inv[ch] * dy[j]); });
        continue;
      }
      const double mean_dy = sum_dy / count, mean_dy_xhat = sum_dy_xhat / count;
      // d xhat_j/d x: the usual (1/s)(dy - mean(dy) - xhat * k). With s = sqrt(var+eps), k =
      // mean(dy xhat). With s = sigma + eps, d sigma/dx_j = (x_j - mu)/(N sigma) gives
      // k = mean(dy xhat) * s / sigma: the same shape, a different coefficient.
      double k = mean_dy_xhat;
      if (bc_form) k = sigma[ch] > 0 ? mean_dy_xhat * (sigma[ch] + config.eps) / sigma[ch] : 0.0;
      for_channel(l, ch, [&](int64_t j) {
        dx[j] += static_cast<float>(g * inv[ch] * (dy[j] - mean_dy - xhat[j] * k));
      });
    }
  });
}

}  // namespace laq::engine
