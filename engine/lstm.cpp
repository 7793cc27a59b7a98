#include "engine/lstm.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/fast_math.h"
#include "engine/error.h"
#include "engine/packed_matmul.h"
#include "engine/panel_gemm.h"
#include "engine/parallel.h"
#include "engine/parallel_gemms.h"
#include "engine/scratch.h"
#include "engine/threads.h"

namespace laq::engine {
namespace {

// One cell step for one sequence, j over the H units. Separate functions with restrict
// parameters so that GCC vectorises them (it does not trust restrict locals in a loop body).
// In: pre-activations z*, c_{t-1}. Out: activations (in place), c_t, tanh(c_t), h_t.
__attribute__((noinline)) void cell_forward(int64_t n, float* __restrict zi, float* __restrict zf,
                                            float* __restrict zg, float* __restrict zo, const float* __restrict cp,
                                            float* __restrict cn, float* __restrict tc, float* __restrict hn) {
  for (int64_t j = 0; j < n; ++j) {
    const float i = fast_sigmoid(zi[j]), f = fast_sigmoid(zf[j]), g = fast_tanh(zg[j]), o = fast_sigmoid(zo[j]);
    zi[j] = i;
    zf[j] = f;
    zg[j] = g;
    zo[j] = o;
    const float c = f * cp[j] + i * g;
    const float tcj = fast_tanh(c);
    cn[j] = c;
    tc[j] = tcj;
    hn[j] = o * tcj;
  }
}

// In: activations a*, c_{t-1}, tanh(c_t), dh_t (total), dc_t from step t+1. Out: the clipped
// pre-activation gradients (in place of the activations) and dc_{t-1} (in place of dc).
__attribute__((noinline)) void cell_backward(int64_t n, float clip, float* __restrict ai, float* __restrict af,
                                             float* __restrict ag, float* __restrict ao, const float* __restrict cp,
                                             const float* __restrict tc, const float* __restrict dh,
                                             float* __restrict dc) {
  const float lo = clip > 0.0f ? -clip : -std::numeric_limits<float>::infinity();
  const float hi = clip > 0.0f ? clip : std::numeric_limits<float>::infinity();
  for (int64_t j = 0; j < n; ++j) {
    const float i = ai[j], f = af[j], g = ag[j], o = ao[j], tcj = tc[j], dhj = dh[j];
    const float dcj = dc[j] + dhj * o * (1.0f - tcj * tcj);
    ai[j] = std::min(std::max(dcj * g * i * (1.0f - i), lo), hi);
    af[j] = std::min(std::max(dcj * cp[j] * f * (1.0f - f), lo), hi);
    ag[j] = std::min(std::max(dcj * i * (1.0f - g * g), lo), hi);
    ao[j] = std::min(std::max(dhj * tcj * o * (1.0f - o), lo), hi);
    dc[j] = dcj * f;  // the cell path is not clipped
  }
}

// A training loop runs the op at one size every step; handing its ~130 MB of scratch back to
// the OS after each step and faulting it in again costs about a tenth of the step, so its
// buffers come from a process-wide pool (engine/scratch.h) of at most 8 blocks.
ScratchPool& pool() {
  static ScratchPool p(8);
  return p;
}
using Buffer = PooledBuffer;
Buffer uninitialized(int64_t n) { return Buffer(pool(), n); }

// The recurrent products from W_h packed once per pass (engine/panel_gemm.h) where the AVX-512
// kernel exists; elsewhere OpenBLAS, which re-packs W_h on every call but beats a plain loop.
bool recurrent_panels() {
  static const bool yes = kernel_path_supported(KernelPath::avx512);
  return yes;
}

struct Dims {
  int64_t t, b, h, v;
};

Dims check_weights(const LstmWeights& w, const char* op) {
  for (int k = 0; k < 4; ++k)
    if (!w.wx[k] || !w.wh[k] || !w.b[k]) throw Error(std::string(op) + ": missing gate weight " + std::to_string(k));
  const Tensor& wx0 = w.wx[0]->value;
  if (wx0.rank() != 2) throw Error(std::string(op) + ": W_xi must be [V, H], got " + to_string(wx0.shape()));
  const int64_t v = wx0.dim(0), h = wx0.dim(1);
  static const char* names[4] = {"i", "f", "c", "o"};
  for (int k = 0; k < 4; ++k) {
    check_shape(w.wx[k]->value, {v, h}, std::string(op) + ": W_x" + names[k]);
    check_shape(w.wh[k]->value, {h, h}, std::string(op) + ": W_h" + names[k]);
    check_shape(w.b[k]->value, {h}, std::string(op) + ": b_" + names[k]);
  }
  return {0, 0, h, v};
}

void check_clip(float clip, const char* op) {
  if (!(clip >= 0.0f))
    throw Error(std::string(op) + ": clip must be >= 0 (0 = no clipping), got " + std::to_string(clip));
}

// Four [R, H] matrices side by side: out[R, 4H].
Buffer pack4(const std::array<Var, 4>& m, int64_t rows, int64_t h) {
  Buffer out = uninitialized(rows * 4 * h);
  for (int64_t r = 0; r < rows; ++r)
    for (int k = 0; k < 4; ++k) std::memcpy(out.get() + (r * 4 + k) * h, m[k]->value.data() + r * h, sizeof(float) * h);
  return out;
}

// The recurrence of different sequences is independent: the batch is cut into one slice per
// thread of the process policy (engine::threads()), and each slice runs all its time steps as
// one task of laq's pool (engine/parallel_gemms.h) with single-threaded sgemm ([B/p, H] x [H, 4H] per step). The slices never
// wait for each other, unlike OpenBLAS splitting every one of the 2T small products, which
// costs two hand-offs per step (and, on a loaded machine, a scheduler slice per hand-off).
// OpenBLAS is set to one thread for the duration, so the cores are never oversubscribed;
// the large products before and after (input projection, weight gradients) use its pool.
// Which rows a slice gets depends only on B and the thread count, so results are
// reproducible for a given thread count.
template <class F>
void for_each_batch_slice(int64_t batch, F&& run) {
  const int64_t parts = std::min<int64_t>(threads(), batch);
  parallel_gemms(parts, [&](int64_t p) { run(p * batch / parts, (p + 1) * batch / parts); });
}

// Everything the backward pass needs, shared by the token and the dense entry points.
struct Saved {
  Dims d;
  float clip = 0;
  LstmWeights w;
  LstmState init;
  Buffer gates;                 // [T, B, 4H] activated (i, f, g, o); overwritten by dz in backward
  Tensor hbuf;                  // [T+1, B, H]: slot 0 is h0, slot t+1 is h_t (the output is a view)
  Buffer cbuf;                  // [T+1, B, H]: slot 0 is c0
  Buffer tanhc;                 // [T, B, H]
  Buffer wh_pack;               // [H, 4H]
  Buffer wx_pack;               // [V, 4H] (dense input only)
  std::vector<int32_t> tokens;  // [B, T] (token input only)
  Var x;                        // dense input only
  bool used = false;
};

// The recurrence, once gates[t] holds x_t·W_x + b for every t.
void run_forward(Saved& s) {
  // Copies, not structured bindings: clang before 16 cannot capture bindings in lambdas.
  const auto [T_, B_, H_, V_] = s.d;
  const auto T = T_;
  const auto B = B_;
  const auto H = H_;
  const int64_t G = 4 * H;
  s.wh_pack = pack4(s.w.wh, H, H);
  float* hb = s.hbuf.data();
  float* cb = s.cbuf.get();
  if (s.init.h0) std::memcpy(hb, s.init.h0->value.data(), sizeof(float) * B * H);
  else std::fill(hb, hb + B * H, 0.0f);
  if (s.init.c0) std::memcpy(cb, s.init.c0->value.data(), sizeof(float) * B * H);
  else std::fill(cb, cb + B * H, 0.0f);

  const std::optional<PanelMatrix> wh_panels =
      recurrent_panels() ? std::optional<PanelMatrix>(std::in_place, s.wh_pack.get(), H, G, G, false) : std::nullopt;
  for_each_batch_slice(B, [&](int64_t b0, int64_t b1) {
    for (int64_t t = 0; t < T; ++t) {
      float* z = s.gates.get() + t * B * G;
      // z_t[b0:b1, 4H] += h_{t-1}[b0:b1, H] · W_h[H, 4H]
      if (wh_panels)
        panel_gemm(b1 - b0, hb + (t * B + b0) * H, H, *wh_panels, z + b0 * G, G);
      else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b1 - b0, G, H, 1.0f, hb + (t * B + b0) * H, H,
                    s.wh_pack.get(), G, 1.0f, z + b0 * G, G);
      for (int64_t b = b0; b < b1; ++b) {
        float* zi = z + b * G;
        cell_forward(H, zi, zi + H, zi + 2 * H, zi + 3 * H, cb + (t * B + b) * H, cb + ((t + 1) * B + b) * H,
                     s.tanhc.get() + (t * B + b) * H, hb + ((t + 1) * B + b) * H);
      }
    }
  });
}

void run_backward(Saved& s, const Tensor& dH) {
  if (s.used) throw Error("lstm_sequence: backward may run only once per forward");
  s.used = true;
  // Copies, not structured bindings: clang before 16 cannot capture bindings in lambdas.
  const auto [T_, B_, H_, V_] = s.d;
  const auto T = T_;
  const auto B = B_;
  const auto H = H_;
  const auto V = V_;
  const int64_t G = 4 * H, N = T * B;
  Buffer dh = uninitialized(B * H), dc = uninitialized(B * H);
  float* h0_grad = s.init.h0 && s.init.h0->requires_grad ? s.init.h0->grad_buffer().data() : nullptr;
  float* c0_grad = s.init.c0 && s.init.c0->requires_grad ? s.init.c0->grad_buffer().data() : nullptr;
  // W_hᵀ [4H, H] in panels: the product below reads W_h transposed.
  const std::optional<PanelMatrix> wht_panels =
      recurrent_panels() ? std::optional<PanelMatrix>(std::in_place, s.wh_pack.get(), G, H, G, true) : std::nullopt;
  for_each_batch_slice(B, [&](int64_t b0, int64_t b1) {
    const int64_t rows = b1 - b0;
    float* dhs = dh.get() + b0 * H;  // this slice's rows of dh and dc
    float* dcs = dc.get() + b0 * H;
    std::memcpy(dhs, dH.data() + ((T - 1) * B + b0) * H, sizeof(float) * rows * H);
    std::fill(dcs, dcs + rows * H, 0.0f);
    for (int64_t t = T - 1; t >= 0; --t) {
      float* a = s.gates.get() + (t * B + b0) * G;  // activations in, pre-activation gradients out
      for (int64_t r = 0; r < rows; ++r) {
        float* ai = a + r * G;
        cell_backward(H, s.clip, ai, ai + H, ai + 2 * H, ai + 3 * H, s.cbuf.get() + (t * B + b0 + r) * H,
                      s.tanhc.get() + (t * B + b0 + r) * H, dhs + r * H, dcs + r * H);
      }
      // dh_{t-1} = dH[t-1] + dz_t[rows, 4H] · W_h[H, 4H]ᵀ
      float* target = nullptr;
      if (t > 0) {
        std::memcpy(dhs, dH.data() + ((t - 1) * B + b0) * H, sizeof(float) * rows * H);
        target = dhs;
      } else if (h0_grad) {
        target = h0_grad + b0 * H;
      }
      if (target && wht_panels)
        panel_gemm(rows, a, G, *wht_panels, target, H);
      else if (target)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, H, G, 1.0f, a, G, s.wh_pack.get(), G, 1.0f, target,
                    H);
    }
    if (c0_grad)
      for (int64_t i = 0; i < rows * H; ++i) c0_grad[b0 * H + i] += dcs[i];
  });

  const float* dz = s.gates.get();  // [N, 4H]
  // dW_h[H, 4H] = [h_{-1} .. h_{T-2}]ᵀ[H, N] · dz[N, 4H]: one GEMM over every step and gate,
  // then added into the four gate matrices' gradients.
  const bool wh_grads = s.w.wh[0]->requires_grad || s.w.wh[1]->requires_grad || s.w.wh[2]->requires_grad ||
                        s.w.wh[3]->requires_grad;
  Buffer dwh = wh_grads ? uninitialized(H * G) : Buffer();
  if (wh_grads)
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, H, G, N, 1.0f, s.hbuf.data(), H, dz, G, 0.0f, dwh.get(), G);
  // The sums into each gate's own gradients, one gate per task: each sum keeps its order, so
  // the bits do not depend on the thread count. (On one thread these loops were a tenth of
  // the char-LSTM's backward pass with the second core idle.)
  parallel_tasks(4, [&](int64_t k) {
    if (wh_grads && s.w.wh[k]->requires_grad) {
      float* __restrict d = s.w.wh[k]->grad_buffer().data();
      for (int64_t r = 0; r < H; ++r) {
        const float* __restrict src = dwh.get() + r * G + k * H;
        for (int64_t j = 0; j < H; ++j) d[r * H + j] += src[j];
      }
    }
    if (s.w.b[k]->requires_grad) {
      float* __restrict db = s.w.b[k]->grad_buffer().data();
      for (int64_t r = 0; r < N; ++r) {
        const float* __restrict row = dz + r * G + k * H;
        for (int64_t j = 0; j < H; ++j) db[j] += row[j];
      }
    }
    if (!s.x && s.w.wx[k]->requires_grad) {  // scatter-add of the gathered rows
      float* dwx = s.w.wx[k]->grad_buffer().data();
      for (int64_t t = 0; t < T; ++t)
        for (int64_t b = 0; b < B; ++b) {
          float* __restrict dst = dwx + int64_t{s.tokens[b * T + t]} * H;
          const float* __restrict row = dz + (t * B + b) * G + k * H;
          for (int64_t j = 0; j < H; ++j) dst[j] += row[j];
        }
    }
  });
  for (int k = 0; k < 4; ++k)
    if (s.x && s.w.wx[k]->requires_grad)  // dW_x[V, H] += xᵀ[V, N] · dz_k[N, H]
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, V, H, N, 1.0f, s.x->value.data(), V, dz + k * H, G, 1.0f,
                  s.w.wx[k]->grad_buffer().data(), H);
  if (s.x && s.x->requires_grad)  // dx[N, V] += dz[N, 4H] · W_x[V, 4H]ᵀ
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, V, G, 1.0f, dz, G, s.wx_pack.get(), G, 1.0f,
                s.x->grad_buffer().data(), V);
}

std::shared_ptr<Saved> prepare(const LstmWeights& w, float clip, const LstmState& init, int64_t batch,
                               int64_t steps, int64_t v, int64_t h) {
  auto s = std::make_shared<Saved>();
  s->d = {steps, batch, h, v};
  s->clip = clip;
  s->w = w;
  s->init = init;
  if (init.h0) check_shape(init.h0->value, {batch, h}, "lstm_sequence: h0");
  if (init.c0) check_shape(init.c0->value, {batch, h}, "lstm_sequence: c0");
  s->gates = uninitialized(steps * batch * 4 * h);
  s->hbuf = Tensor({steps + 1, batch, h});
  s->cbuf = uninitialized((steps + 1) * batch * h);
  s->tanhc = uninitialized(steps * batch * h);
  return s;
}

Var finish(const std::shared_ptr<Saved>& s, std::vector<Var> parents, Tensor* c_last) {
  run_forward(*s);
  // Copies, not structured bindings: clang before 16 cannot capture bindings in lambdas.
  const auto [T_, B_, H_, V_] = s->d;
  const auto T = T_;
  const auto B = B_;
  const auto H = H_;
  if (c_last) {
    *c_last = Tensor({B, H});
    std::memcpy(c_last->data(), s->cbuf.get() + T * B * H, sizeof(float) * B * H);
  }
  for (int k = 0; k < 4; ++k) parents.insert(parents.end(), {s->w.wx[k], s->w.wh[k], s->w.b[k]});
  if (s->init.h0) parents.push_back(s->init.h0);
  if (s->init.c0) parents.push_back(s->init.c0);
  Var out = make_node(s->hbuf.rows(1, T + 1), std::move(parents), [s](Node& self) { run_backward(*s, self.grad); });
  return out;
}

}  // namespace

Var lstm_sequence(std::span<const int32_t> tokens, int64_t batch, int64_t steps, const LstmWeights& w, float clip,
                  const LstmState& init, Tensor* c_last) {
  const char* op = "lstm_sequence";
  check_clip(clip, op);
  const Dims wd = check_weights(w, op);
  const int64_t H = wd.h, V = wd.v, G = 4 * H;
  if (batch < 1 || steps < 1 || static_cast<int64_t>(tokens.size()) != batch * steps)
    throw Error(std::string(op) + ": " + std::to_string(tokens.size()) + " tokens for batch " + std::to_string(batch) +
                " x steps " + std::to_string(steps));
  for (int32_t tok : tokens)
    if (tok < 0 || tok >= V)
      throw Error(std::string(op) + ": token " + std::to_string(tok) + " outside the vocabulary [0, " +
                  std::to_string(V) + ")");
  auto s = prepare(w, clip, init, batch, steps, V, H);
  s->tokens.assign(tokens.begin(), tokens.end());
  // z_t = W_x[token] + b for all T at once: a row gather from each gate matrix.
  parallel_for(steps, grain_for(batch * G), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t)
      for (int64_t b = 0; b < batch; ++b) {
        const int64_t tok = tokens[b * steps + t];
        float* z = s->gates.get() + (t * batch + b) * G;
        for (int k = 0; k < 4; ++k) {
          const float* __restrict row = w.wx[k]->value.data() + tok * H;
          const float* __restrict bias = w.b[k]->value.data();
          float* __restrict dst = z + k * H;
          for (int64_t j = 0; j < H; ++j) dst[j] = row[j] + bias[j];
        }
      }
  });
  return finish(s, {}, c_last);
}

Var lstm_sequence(const Var& x, const LstmWeights& w, float clip, const LstmState& init, Tensor* c_last) {
  const char* op = "lstm_sequence";
  check_clip(clip, op);
  const Dims wd = check_weights(w, op);
  const int64_t H = wd.h, V = wd.v, G = 4 * H;
  const Tensor& xv = x->value;
  if (xv.rank() != 3 || xv.dim(2) != V || xv.dim(0) < 1 || xv.dim(1) < 1)
    throw Error(std::string(op) + ": expected x [T, B, " + std::to_string(V) + "], got " + to_string(xv.shape()));
  const int64_t T = xv.dim(0), B = xv.dim(1), N = T * B;
  auto s = prepare(w, clip, init, B, T, V, H);
  s->x = x;
  s->wx_pack = pack4(w.wx, V, H);
  // z[N, 4H] = x[N, V] · W_x[V, 4H] + b
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, G, V, 1.0f, xv.data(), V, s->wx_pack.get(), G, 0.0f,
              s->gates.get(), G);
  for (int64_t r = 0; r < N; ++r)
    for (int k = 0; k < 4; ++k) {
      float* __restrict dst = s->gates.get() + r * G + k * H;
      const float* __restrict bias = w.b[k]->value.data();
      for (int64_t j = 0; j < H; ++j) dst[j] += bias[j];
    }
  return finish(s, {x}, c_last);
}

Var time_to_batch_major(const Var& y) {
  const Tensor& v = y->value;
  if (v.rank() != 3) throw Error("time_to_batch_major: expected [T, B, F], got " + to_string(v.shape()));
  const int64_t T = v.dim(0), B = v.dim(1), F = v.dim(2);
  Tensor out({B, T, F});
  for (int64_t t = 0; t < T; ++t)
    for (int64_t b = 0; b < B; ++b)
      std::memcpy(out.data() + (b * T + t) * F, v.data() + (t * B + b) * F, sizeof(float) * F);
  return make_node(std::move(out), {y}, [y, T, B, F](Node& self) {
    float* d = y->grad_buffer().data();
    for (int64_t t = 0; t < T; ++t)
      for (int64_t b = 0; b < B; ++b) {
        float* __restrict dst = d + (t * B + b) * F;
        const float* __restrict src = self.grad.data() + (b * T + t) * F;
        for (int64_t j = 0; j < F; ++j) dst[j] += src[j];
      }
  });
}

}  // namespace laq::engine
