// The plain twin of engine/lstm.cpp's fused op (declared in lstm.h): the textbook LSTM,
// one sequence and one time step at a time, in double precision with std::exp and
// std::tanh, no BLAS and no threads. tests/engine/lstm_test.cpp holds the fused op to it.
#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/lstm.h"

namespace laq::engine {

Tensor one_hot_time_major(std::span<const int32_t> tokens, int64_t batch, int64_t steps, int64_t vocab) {
  if (static_cast<int64_t>(tokens.size()) != batch * steps)
    throw Error("one_hot_time_major: " + std::to_string(tokens.size()) + " tokens for [" + std::to_string(batch) +
                ", " + std::to_string(steps) + "]");
  Tensor x({steps, batch, vocab});
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t t = 0; t < steps; ++t) {
      const int32_t tok = tokens[b * steps + t];
      if (tok < 0 || tok >= vocab) throw Error("one_hot_time_major: token " + std::to_string(tok) + " out of range");
      x[(t * batch + b) * vocab + tok] = 1.0f;
    }
  return x;
}

LstmReference lstm_reference(const Tensor& x, const std::array<Tensor, 4>& wx, const std::array<Tensor, 4>& wh,
                             const std::array<Tensor, 4>& b, float clip, const Tensor& dh, const Tensor& h0,
                             const Tensor& c0) {
  const int64_t T = x.dim(0), B = x.dim(1), V = x.dim(2), H = wh[0].dim(0);
  check_shape(dh, {T, B, H}, "lstm_reference: dh");
  auto sigm = [](double z) { return 1.0 / (1.0 + std::exp(-z)); };
  // act[t][b][k][j], c[t+1][b][j], h[t+1][b][j] (slot 0 = initial state)
  std::vector<double> act(T * B * 4 * H), c((T + 1) * B * H, 0.0), h((T + 1) * B * H, 0.0);
  for (int64_t i = 0; i < B * H; ++i) {
    if (!h0.empty()) h[i] = h0[i];
    if (!c0.empty()) c[i] = c0[i];
  }
  LstmReference r;
  r.h = Tensor({T, B, H});
  for (int64_t t = 0; t < T; ++t)
    for (int64_t n = 0; n < B; ++n) {
      for (int k = 0; k < 4; ++k)
        for (int64_t j = 0; j < H; ++j) {
          double z = b[k][j];
          for (int64_t v = 0; v < V; ++v) z += double(x[(t * B + n) * V + v]) * wx[k][v * H + j];
          for (int64_t p = 0; p < H; ++p) z += h[(t * B + n) * H + p] * wh[k][p * H + j];
          act[((t * B + n) * 4 + k) * H + j] = k == gate_c ? std::tanh(z) : sigm(z);
        }
      for (int64_t j = 0; j < H; ++j) {
        const double* a = &act[(t * B + n) * 4 * H];
        const double cv = a[H + j] * c[(t * B + n) * H + j] + a[j] * a[2 * H + j];
        c[((t + 1) * B + n) * H + j] = cv;
        h[((t + 1) * B + n) * H + j] = a[3 * H + j] * std::tanh(cv);
        r.h[(t * B + n) * H + j] = static_cast<float>(h[((t + 1) * B + n) * H + j]);
      }
    }
  r.c_last = Tensor({B, H});
  for (int64_t i = 0; i < B * H; ++i) r.c_last[i] = static_cast<float>(c[T * B * H + i]);

  r.dx = Tensor(x.shape());
  r.dh0 = Tensor({B, H});
  r.dc0 = Tensor({B, H});
  for (int k = 0; k < 4; ++k) {
    r.dwx[k] = Tensor(wx[k].shape());
    r.dwh[k] = Tensor(wh[k].shape());
    r.db[k] = Tensor(b[k].shape());
  }
  std::vector<double> dhn(B * H, 0.0), dcn(B * H, 0.0), dz(4 * H);
  for (int64_t t = T - 1; t >= 0; --t) {
    std::vector<double> dhp(B * H, 0.0);
    for (int64_t n = 0; n < B; ++n) {
      const double* a = &act[(t * B + n) * 4 * H];
      for (int64_t j = 0; j < H; ++j) {
        const double i = a[j], f = a[H + j], g = a[2 * H + j], o = a[3 * H + j];
        const double cv = c[((t + 1) * B + n) * H + j], cp = c[(t * B + n) * H + j];
        const double dht = dh[(t * B + n) * H + j] + dhn[n * H + j];
        const double tc = std::tanh(cv);
        const double dct = dcn[n * H + j] + dht * o * (1 - tc * tc);
        dz[j] = dct * g * i * (1 - i);
        dz[H + j] = dct * cp * f * (1 - f);
        dz[2 * H + j] = dct * i * (1 - g * g);
        dz[3 * H + j] = dht * tc * o * (1 - o);
        dcn[n * H + j] = dct * f;
      }
      if (clip > 0)
        for (double& v : dz) v = std::clamp(v, -double(clip), double(clip));
      for (int k = 0; k < 4; ++k)
        for (int64_t j = 0; j < H; ++j) {
          const double g = dz[k * H + j];
          r.db[k][j] += static_cast<float>(g);
          for (int64_t v = 0; v < V; ++v) {
            r.dwx[k][v * H + j] += static_cast<float>(double(x[(t * B + n) * V + v]) * g);
            r.dx[(t * B + n) * V + v] += static_cast<float>(wx[k][v * H + j] * g);
          }
          for (int64_t p = 0; p < H; ++p) {
            r.dwh[k][p * H + j] += static_cast<float>(h[(t * B + n) * H + p] * g);
            dhp[n * H + p] += wh[k][p * H + j] * g;
          }
        }
    }
    dhn = dhp;
  }
  for (int64_t i = 0; i < B * H; ++i) {
    r.dh0[i] = static_cast<float>(dhn[i]);
    r.dc0[i] = static_cast<float>(dcn[i]);
  }
  return r;
}

}  // namespace laq::engine
