#include "engine/batch_norm.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/elementwise.h"
#include "engine/error.h"
#include "engine/parallel.h"

namespace laq::engine {
namespace {

// x viewed as N x C x S: element (i, ch, k) sits at (i*C + ch)*S + k, and f(ch, at) visits
// the row of S elements starting at `at`. The rows are split by channel (engine/parallel.h),
// and each channel's rows come in image order whatever the thread count, so per-channel sums
// of per-row partials are bit-identical on any count. The callers run their own inner loop
// over a row, with the channel's constants hoisted, so that it vectorises.
// The row sums in double: 8 interleaved partial sums, combined in a fixed order, so that the
// loop vectorises (one running sum is a chain of dependent adds, 4 cycles per element).
template <typename Term>
double row_sum(int64_t n, Term&& term) {
  if (n == 1) return term(0);  // dense [N, C] layers: one element per row
  double lane[8] = {};
  int64_t k = 0;
  for (; k + 8 <= n; k += 8)
    for (int j = 0; j < 8; ++j) lane[j] += term(k + j);
  double total = ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
  for (; k < n; ++k) total += term(k);
  return total;
}

template <typename F>
void for_each_row(const ChannelLayout& l, F&& f) {
  parallel_for(l.c, grain_for(l.n * l.s), [&](int64_t first, int64_t last) {
    for (int64_t i = 0; i < l.n; ++i)
      for (int64_t ch = first; ch < last; ++ch) f(ch, (i * l.c + ch) * l.s);
  });
}

}  // namespace

Var batch_norm(const Var& x, const Var& gamma, const Var& beta, BatchNormStats& stats,
               const BatchNormConfig& config, bool training, const BatchReducer& reduce) {
  const ChannelLayout l = channel_layout(x->value, "batch_norm");
  check_shape(gamma->value, {l.c}, "batch_norm: gamma");
  check_shape(beta->value, {l.c}, "batch_norm: beta");
  check_shape(stats.running_mean, {l.c}, "batch_norm: running mean");
  check_shape(stats.running_spread, {l.c}, "batch_norm: running spread");
  int64_t count = l.n * l.s;  // the global batch's, when `reduce` sums over processes
  if (training && count < 1) throw Error("batch_norm: empty batch " + to_string(x->value.shape()));
  const bool bc_form = config.form == BatchNormForm::binary_connect;

  // Per channel: mean and the divisor 1/(sigma + eps) or 1/sqrt(var + eps).
  std::vector<float> mean(l.c), inv(l.c), sigma(l.c);
  const float* px = x->value.data();
  if (training) {
    // Two passes (mean, then squared deviations), each summed across processes when
    // data-parallel, so that the statistics are the single-process ones up to summation order.
    std::vector<double> sum(l.c + 1, 0.0), sq(l.c, 0.0);
    for_each_row(l, [&](int64_t ch, int64_t at) {
      const float* row = px + at;
      sum[ch] += row_sum(l.s, [row](int64_t k) { return double(row[k]); });
    });
    sum[l.c] = double(count);
    if (reduce) {
      reduce(sum);
      count = static_cast<int64_t>(sum[l.c]);
    }
    for (int64_t ch = 0; ch < l.c; ++ch) mean[ch] = static_cast<float>(sum[ch] / count);
    for_each_row(l, [&](int64_t ch, int64_t at) {
      const float* row = px + at;
      const double mu = mean[ch];
      sq[ch] += row_sum(l.s, [row, mu](int64_t k) {
        const double d = row[k] - mu;
        return d * d;
      });
    });
    if (reduce) reduce(sq);
    const float m = config.momentum;
    for (int64_t ch = 0; ch < l.c; ++ch) {
      const double var = sq[ch] / count;  // biased
      sigma[ch] = static_cast<float>(std::sqrt(var));
      inv[ch] = bc_form ? 1.0f / (sigma[ch] + config.eps)
                        : static_cast<float>(1.0 / std::sqrt(var + config.eps));
      const double unbiased_var = count > 1 ? sq[ch] / (count - 1) : var;
      stats.running_mean[ch] = (1 - m) * stats.running_mean[ch] + m * mean[ch];
      stats.running_spread[ch] = (1 - m) * stats.running_spread[ch] +
                                 m * (bc_form ? sigma[ch] : static_cast<float>(unbiased_var));
    }
  } else {
    for (int64_t ch = 0; ch < l.c; ++ch) {
      mean[ch] = stats.running_mean[ch];
      inv[ch] = bc_form ? 1.0f / (stats.running_spread[ch] + config.eps)
                        : 1.0f / std::sqrt(stats.running_spread[ch] + config.eps);
    }
  }

  Tensor xhat = Tensor::uninitialized(x->value.shape());
  Tensor y = Tensor::uninitialized(x->value.shape());
  const float* pg = gamma->value.data();
  const float* pb = beta->value.data();
  float* const pxhat = xhat.data();
  float* const py = y.data();
  for_each_row(l, [&](int64_t ch, int64_t at) {
    const float mu = mean[ch], s = inv[ch], g = pg[ch], b = pb[ch];
    for (int64_t k = at; k < at + l.s; ++k) {
      pxhat[k] = (px[k] - mu) * s;
      py[k] = pxhat[k] * g + b;
    }
  });

  return make_node(std::move(y), {x, gamma, beta},
                   [=, xhat = std::move(xhat), inv = std::move(inv), sigma = std::move(sigma)](Node& self) {
                     const float* dy = self.grad.data();
                     const float* pxhat = xhat.data();
                     std::vector<double> sum_dy(l.c, 0.0), sum_dy_xhat(l.c, 0.0);
                     for_each_row(l, [&](int64_t ch, int64_t at) {
                       const float *g = dy + at, *xh = pxhat + at;
                       sum_dy[ch] += row_sum(l.s, [g](int64_t k) { return double(g[k]); });
                       sum_dy_xhat[ch] += row_sum(l.s, [g, xh](int64_t k) { return double(g[k]) * xh[k]; });
                     });
                     if (gamma->requires_grad) {
                       float* dgamma = gamma->grad_buffer().data();
                       for (int64_t ch = 0; ch < l.c; ++ch) dgamma[ch] += static_cast<float>(sum_dy_xhat[ch]);
                     }
                     if (beta->requires_grad) {
                       float* dbeta = beta->grad_buffer().data();
                       for (int64_t ch = 0; ch < l.c; ++ch) dbeta[ch] += static_cast<float>(sum_dy[ch]);
                     }
                     if (!x->requires_grad) return;
                     // dgamma and dbeta above are this process's share (the optimizer's gradient allreduce sums
                     // them); dx needs the sums over the global batch, since every x moved the statistics.
                     if (training && reduce) {
                       std::vector<double> both(sum_dy);
                       both.insert(both.end(), sum_dy_xhat.begin(), sum_dy_xhat.end());
                       reduce(both);
                       std::copy_n(both.begin(), l.c, sum_dy.begin());
                       std::copy_n(both.begin() + l.c, l.c, sum_dy_xhat.begin());
                     }
                     float* dx = x->grad_buffer().data();
                     // dx_j = a * dy_j + b + c * xhat_j per channel. In evaluation mode the running statistics
                     // are constants: a = gamma/s, b = c = 0. In training mode, with s = sqrt(var + eps), the
                     // usual a (dy - mean(dy) - xhat * mean(dy xhat)); with s = sigma + eps, d sigma/dx_j =
                     // (x_j - mu)/(N sigma) scales the last term by s/sigma.
                     std::vector<float> a(l.c), b(l.c), c(l.c);
                     for (int64_t ch = 0; ch < l.c; ++ch) {
                       const double scale = double(pg[ch]) * inv[ch];
                       a[ch] = static_cast<float>(scale);
                       if (!training) continue;
                       double k = sum_dy_xhat[ch] / count;
                       if (bc_form) k = sigma[ch] > 0 ? k * (sigma[ch] + config.eps) / sigma[ch] : 0.0;
                       b[ch] = static_cast<float>(-scale * sum_dy[ch] / count);
                       c[ch] = static_cast<float>(-scale * k);
                     }
                     for_each_row(l, [&](int64_t ch, int64_t at) {
                       const float ac = a[ch], bc = b[ch], cc = c[ch];
                       for (int64_t k = at; k < at + l.s; ++k) dx[k] += ac * dy[k] + bc + cc * pxhat[k];
                     });
                   });
}

}  // namespace laq::engine
