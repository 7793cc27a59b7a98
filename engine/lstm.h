#pragma once
// One LSTM layer over a whole sequence as a single fused autograd op (docs/algorithms.md §3.6).
//
//   z_t = x_t · [W_xi W_xf W_xc W_xo] + h_{t-1} · [W_hi W_hf W_hc W_ho] + [b_i b_f b_c b_o]
//   i = σ(z_i)  f = σ(z_f)  g = tanh(z_c)  o = σ(z_o)          (no peepholes)
//   c_t = f ⊙ c_{t-1} + i ⊙ g        h_t = o ⊙ tanh(c_t)
//
// Gate order is Lasagne's (i, f, c, o). Each of the 8 gate matrices and the 4 biases is its
// own Var, so each can be its own (quantized) parameter tensor: W_x* are [V, H], W_h* are
// [H, H], b_* are [H]. Full backpropagation through time; no state is carried between calls
// unless an initial state is passed.
//
// Gradient clipping (Lasagne grad_clipping, docs/algorithms.md §3.6): in the backward pass the gradient
// with respect to the 4H pre-activation vector z_t is clipped elementwise to [-clip, clip] at
// every time step, *before* it flows into W_x, W_h, b, x and h_{t-1}. The cell path
// dc_{t-1} = dc_t ⊙ f is not clipped (Theano's grad_clip sits on z only). clip = 0 disables
// clipping (as in Lasagne); a negative clip is an error.
//
// Layouts:
//   tokens   int32 [B, T] row-major (sequence b is row b, as the char datasets produce them)
//   dense x  [T, B, V] time-major
//   output   h [T, B, H] time-major: row t*B + b of the [T*B, H] view is h_t of sequence b.
//            (Time-major keeps each step's h_t a contiguous [B, H] block, so h_{t-1}·W_h is one
//            sgemm per step and the weight gradients are one sgemm over all T*B rows.)
//   state    h0, c0 [B, H] (zeros when absent)
//
// Threads: the recurrence runs one batch slice per thread of the process policy
// (engine::threads()), each slice on its own thread with single-threaded products, while
// OpenBLAS is held at one thread (so the cores are never oversubscribed); the large products
// (input projection, weight gradients) use OpenBLAS's pool as usual. With AVX-512 the
// recurrent products come from W_h packed once per pass (engine/panel_gemm.h), whose rows do
// not depend on their slice, so results are the same on any thread count; without it they
// are OpenBLAS's, reproducible for a given thread count.
//
// Contract: the backward function may run once per forward (it reuses the saved gate
// activations as scratch for the pre-activation gradients); the engine runs each node's
// backward exactly once. Throws laq::Error on a shape mismatch, a token outside [0, V),
// or clip < 0.
#include <array>
#include <cstdint>
#include <span>

#include "engine/autograd.h"

namespace laq::engine {

enum LstmGate : int { gate_i = 0,
                      gate_f = 1,
                      gate_c = 2,
                      gate_o = 3 };

struct LstmWeights {
  std::array<Var, 4> wx;  // [V, H] each, gate order i, f, c, o
  std::array<Var, 4> wh;  // [H, H]
  std::array<Var, 4> b;   // [H]
};

struct LstmState {
  Var h0;  // [B, H]; null = zeros
  Var c0;  // [B, H]; null = zeros
};

// Token input: x_t·W_x is a row gather of each W_x* (one-hot input without the matmul);
// its gradient is a scatter-add. Returns h [T, B, H]. If c_last is given it receives the
// final cell state c_T [B, H] (a value, no gradient; for sampling one step at a time).
Var lstm_sequence(std::span<const int32_t> tokens, int64_t batch, int64_t steps, const LstmWeights& w,
                  float clip, const LstmState& init = {}, Tensor* c_last = nullptr);
// Dense input x [T, B, V] (any real-valued features): x_t·W_x is one sgemm for all T; x gets
// a gradient if it requires one.
Var lstm_sequence(const Var& x, const LstmWeights& w, float clip, const LstmState& init = {},
                  Tensor* c_last = nullptr);

// [T, B, F] -> [B, T, F] (a copy; the gradient is the inverse permutation). Turns the
// time-major LSTM output into rows b*T + t that line up with [B, T] targets.
Var time_to_batch_major(const Var& y);

// ---- Plain reference (engine/lstm_reference.cpp), tested against the fused op --------------

// Step-by-step loops in double precision with std::exp/std::tanh, no BLAS, same clipping
// semantics. x is dense [T, B, V] (one-hot for tokens), dh the upstream gradient of h
// [T, B, H]. Returns h and every gradient.
struct LstmReference {
  Tensor h;       // [T, B, H]
  Tensor c_last;  // [B, H]
  Tensor dx;      // [T, B, V]
  std::array<Tensor, 4> dwx, dwh, db;
  Tensor dh0, dc0;  // [B, H]
};
LstmReference lstm_reference(const Tensor& x, const std::array<Tensor, 4>& wx,
                             const std::array<Tensor, 4>& wh, const std::array<Tensor, 4>& b,
                             float clip, const Tensor& dh, const Tensor& h0 = {},
                             const Tensor& c0 = {});

// Tokens [B, T] -> one-hot [T, B, V] (for the reference and the dense path).
Tensor one_hot_time_major(std::span<const int32_t> tokens, int64_t batch, int64_t steps, int64_t vocab);

}  // namespace laq::engine
