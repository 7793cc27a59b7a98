// lstm_sequence: the fused op against the plain double-precision reference (values, final
// cell, every gradient, with clipping off, inactive and active), finite differences for one
// cell step with a non-zero state and for short unrolled sequences, the layout helpers, and
// errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "engine/error.h"
#include "engine/lstm.h"
#include "engine/threads.h"
#include "support/gradient_check.h"

namespace laq {
namespace {

using engine::LstmWeights;
using engine::Shape;
using engine::Tensor;
using engine::Var;
using testing::random_tensor;

constexpr float kNoClip = 0.0f;

struct Params {
  std::array<Tensor, 4> wx, wh, b;
};

Params random_params(int64_t v, int64_t h, uint64_t seed, float scale = 0.5f) {
  Params p;
  for (int k = 0; k < 4; ++k) {
    p.wx[k] = random_tensor({v, h}, seed + 10 * k + 1, -scale, scale);
    p.wh[k] = random_tensor({h, h}, seed + 10 * k + 2, -scale, scale);
    p.b[k] = random_tensor({h}, seed + 10 * k + 3, -scale, scale);
  }
  return p;
}

// Leaves over copies of p with their own gradient buffers (grads[0..3] wx, [4..7] wh, [8..11] b).
struct Leaves {
  LstmWeights w;
  std::vector<Tensor> grads;
};
Leaves make_leaves(const Params& p) {
  Leaves l;
  for (int k = 0; k < 4; ++k) {
    l.grads.emplace_back(p.wx[k].shape());
    l.w.wx[k] = engine::leaf(p.wx[k].copy(), l.grads.back());
  }
  for (int k = 0; k < 4; ++k) {
    l.grads.emplace_back(p.wh[k].shape());
    l.w.wh[k] = engine::leaf(p.wh[k].copy(), l.grads.back());
  }
  for (int k = 0; k < 4; ++k) {
    l.grads.emplace_back(p.b[k].shape());
    l.w.b[k] = engine::leaf(p.b[k].copy(), l.grads.back());
  }
  return l;
}

std::vector<int32_t> random_tokens(int64_t n, int32_t vocab, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<int32_t> t(n);
  for (auto& x : t) x = static_cast<int32_t>(rng() % vocab);
  return t;
}

// Runs backward of the op with upstream gradient dh (seeded directly into the output node).
void seed_and_backward(const Var& y, const Tensor& dh) {
  Var loss = engine::make_node(Tensor::full({1}, 0.0f), {y}, [y, dh](engine::Node&) {
    float* d = y->grad_buffer().data();
    for (int64_t i = 0; i < dh.numel(); ++i) d[i] += dh[i];
  });
  engine::backward(loss);
}

void expect_close(const Tensor& a, const Tensor& b, double tol, const std::string& what) {
  ASSERT_EQ(a.numel(), b.numel()) << what;
  for (int64_t i = 0; i < a.numel(); ++i)
    ASSERT_NEAR(a[i], b[i], tol * std::max(1.0, std::abs(double(b[i])))) << what << " element " << i;
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  double m = 0;
  for (int64_t i = 0; i < a.numel(); ++i) m = std::max(m, std::abs(double(a[i]) - b[i]));
  return m;
}

struct Case {
  int64_t t, b, v, h;
};

// Compares the fused op (token input) with the reference: h, c_last and all weight gradients.
void check_tokens_against_reference(const Case& c, float clip, uint64_t seed, double tol = 2e-5) {
  const Params p = random_params(c.v, c.h, seed);
  const auto tokens = random_tokens(c.b * c.t, static_cast<int32_t>(c.v), static_cast<uint32_t>(seed));
  const Tensor dh = random_tensor({c.t, c.b, c.h}, seed + 100);
  Leaves l = make_leaves(p);
  Tensor c_last;
  const Var y = engine::lstm_sequence(tokens, c.b, c.t, l.w, clip, {}, &c_last);
  ASSERT_EQ(y->value.shape(), (Shape{c.t, c.b, c.h}));
  seed_and_backward(y, dh);

  const auto ref = engine::lstm_reference(engine::one_hot_time_major(tokens, c.b, c.t, c.v), p.wx, p.wh, p.b,
                                          clip, dh);
  expect_close(y->value, ref.h, tol, "h");
  expect_close(c_last, ref.c_last, tol, "c_last");
  for (int k = 0; k < 4; ++k) {
    expect_close(l.grads[k], ref.dwx[k], tol, "dW_x gate " + std::to_string(k));
    expect_close(l.grads[4 + k], ref.dwh[k], tol, "dW_h gate " + std::to_string(k));
    expect_close(l.grads[8 + k], ref.db[k], tol, "db gate " + std::to_string(k));
  }
}

TEST(Lstm, TokenPathMatchesReference) {
  check_tokens_against_reference({5, 3, 7, 6}, kNoClip, 1);
  check_tokens_against_reference({1, 2, 4, 3}, kNoClip, 2);    // a single step
  check_tokens_against_reference({12, 4, 9, 33}, kNoClip, 3);  // H not a multiple of the vector width
}

TEST(Lstm, LargeClipIsInactive) {
  check_tokens_against_reference({6, 3, 5, 8}, 1e6f, 4);
}

TEST(Lstm, ActiveClipMatchesReferenceAndChangesTheGradient) {
  const Case c{6, 3, 5, 8};
  const float clip = 0.02f;
  check_tokens_against_reference(c, clip, 5);

  // The clipped and unclipped gradients differ, and every bias gradient respects the bound
  // per step: |db| <= T*B*clip.
  const Params p = random_params(c.v, c.h, 5);
  const auto tokens = random_tokens(c.b * c.t, static_cast<int32_t>(c.v), 5);
  const Tensor dh = random_tensor({c.t, c.b, c.h}, 105, -3.0f, 3.0f);
  Leaves clipped = make_leaves(p), plain = make_leaves(p);
  seed_and_backward(engine::lstm_sequence(tokens, c.b, c.t, clipped.w, clip), dh);
  seed_and_backward(engine::lstm_sequence(tokens, c.b, c.t, plain.w, kNoClip), dh);
  for (int k = 0; k < 12; ++k) EXPECT_GT(max_abs_diff(clipped.grads[k], plain.grads[k]), 1e-3) << "tensor " << k;
  for (int k = 8; k < 12; ++k)
    for (float g : clipped.grads[k].span()) EXPECT_LE(std::abs(g), c.t * c.b * clip * (1 + 1e-5f));
  // Sanity of the reference itself: clipping changes its result too.
  const Tensor x = engine::one_hot_time_major(tokens, c.b, c.t, c.v);
  const auto rc = engine::lstm_reference(x, p.wx, p.wh, p.b, clip, dh);
  const auto rp = engine::lstm_reference(x, p.wx, p.wh, p.b, kNoClip, dh);
  EXPECT_GT(max_abs_diff(rc.dwh[0], rp.dwh[0]), 1e-3);
  EXPECT_EQ(max_abs_diff(rc.h, rp.h), 0.0);  // clipping is a backward-only operation
}

// The recurrence runs one batch slice per thread (engine::threads()); uneven slices (B = 5 on
// 3 threads: rows [0,1), [1,3), [3,5)) and B < threads give the reference's values and
// gradients, including the initial-state gradients that each slice writes for its own rows.
TEST(Lstm, BatchSlicesOnSeveralThreads) {
  const int saved = engine::threads();
  for (int threads : {2, 3, 8}) {
    engine::set_threads(threads);
    check_tokens_against_reference({7, 5, 6, 9}, 0.05f, 90 + threads);
    check_tokens_against_reference({3, 2, 4, 5}, kNoClip, 95 + threads);
    const Case c{4, 5, 3, 6};
    const Params p = random_params(c.v, c.h, 97);
    const Tensor x = random_tensor({c.t, c.b, c.v}, 98);
    const Tensor h0 = random_tensor({c.b, c.h}, 99), c0 = random_tensor({c.b, c.h}, 100);
    const Tensor dh = random_tensor({c.t, c.b, c.h}, 101);
    Leaves l = make_leaves(p);
    Tensor dx(x.shape()), dh0(h0.shape()), dc0(c0.shape());
    const Var y = engine::lstm_sequence(engine::leaf(x, dx), l.w, 0.0f, {engine::leaf(h0, dh0), engine::leaf(c0, dc0)});
    seed_and_backward(y, dh);
    const auto ref = engine::lstm_reference(x, p.wx, p.wh, p.b, 0.0f, dh, h0, c0);
    expect_close(y->value, ref.h, 2e-5, "h");
    expect_close(dx, ref.dx, 2e-5, "dx");
    expect_close(dh0, ref.dh0, 2e-5, "dh0");
    expect_close(dc0, ref.dc0, 2e-5, "dc0");
    EXPECT_EQ(engine::threads(), threads);  // the op restores OpenBLAS's thread count
  }
  engine::set_threads(saved);
}

TEST(Lstm, DensePathMatchesReferenceWithInitialState) {
  const Case c{4, 3, 5, 7};
  for (float clip : {kNoClip, 0.05f}) {
    const Params p = random_params(c.v, c.h, 7);
    const Tensor x = random_tensor({c.t, c.b, c.v}, 8);
    const Tensor h0 = random_tensor({c.b, c.h}, 9), c0 = random_tensor({c.b, c.h}, 10);
    const Tensor dh = random_tensor({c.t, c.b, c.h}, 11);
    Leaves l = make_leaves(p);
    Tensor dx(x.shape()), dh0(h0.shape()), dc0(c0.shape()), c_last;
    const Var y = engine::lstm_sequence(engine::leaf(x, dx), l.w, clip,
                                        {engine::leaf(h0, dh0), engine::leaf(c0, dc0)}, &c_last);
    seed_and_backward(y, dh);
    const auto ref = engine::lstm_reference(x, p.wx, p.wh, p.b, clip, dh, h0, c0);
    const double tol = 2e-5;
    expect_close(y->value, ref.h, tol, "h");
    expect_close(c_last, ref.c_last, tol, "c_last");
    expect_close(dx, ref.dx, tol, "dx");
    expect_close(dh0, ref.dh0, tol, "dh0");
    expect_close(dc0, ref.dc0, tol, "dc0");
    for (int k = 0; k < 4; ++k) {
      expect_close(l.grads[k], ref.dwx[k], tol, "dW_x");
      expect_close(l.grads[4 + k], ref.dwh[k], tol, "dW_h");
      expect_close(l.grads[8 + k], ref.db[k], tol, "db");
    }
  }
}

TEST(Lstm, DenseOneHotEqualsTokens) {
  const Case c{5, 4, 6, 5};
  const Params p = random_params(c.v, c.h, 12);
  const auto tokens = random_tokens(c.b * c.t, static_cast<int32_t>(c.v), 12);
  const Tensor dh = random_tensor({c.t, c.b, c.h}, 13);
  Leaves a = make_leaves(p), b = make_leaves(p);
  const Var ya = engine::lstm_sequence(tokens, c.b, c.t, a.w, 0.1f);
  const Var yb = engine::lstm_sequence(engine::constant(engine::one_hot_time_major(tokens, c.b, c.t, c.v)), b.w, 0.1f);
  seed_and_backward(ya, dh);
  seed_and_backward(yb, dh);
  expect_close(ya->value, yb->value, 1e-6, "h");
  for (int k = 0; k < 12; ++k) expect_close(a.grads[k], b.grads[k], 1e-5, "grad " + std::to_string(k));
}

// Finite differences: all 12 weight tensors, the input, and the initial state, T = 1.
TEST(LstmGradient, OneCellStepWithState) {
  const int64_t B = 2, V = 3, H = 3;
  const Params p = random_params(V, H, 20);
  std::vector<Tensor> inputs;
  for (int k = 0; k < 4; ++k) inputs.push_back(p.wx[k]);
  for (int k = 0; k < 4; ++k) inputs.push_back(p.wh[k]);
  for (int k = 0; k < 4; ++k) inputs.push_back(p.b[k]);
  inputs.push_back(random_tensor({1, B, V}, 21));  // x
  inputs.push_back(random_tensor({B, H}, 22));     // h0
  inputs.push_back(random_tensor({B, H}, 23));     // c0
  testing::expect_gradients_match(
      inputs, [](std::vector<Var>& in) {
        LstmWeights w;
        for (int k = 0; k < 4; ++k) {
          w.wx[k] = in[k];
          w.wh[k] = in[4 + k];
          w.b[k] = in[8 + k];
        }
        return engine::lstm_sequence(in[12], w, kNoClip, {in[13], in[14]});
      },
      1e-2, 2e-2);
}

TEST(LstmGradient, UnrolledSequenceTokens) {
  const int64_t T = 4, B = 2, V = 4, H = 3;
  const Params p = random_params(V, H, 30);
  const auto tokens = random_tokens(B * T, V, 31);
  std::vector<Tensor> inputs;
  for (int k = 0; k < 4; ++k) inputs.push_back(p.wx[k]);
  for (int k = 0; k < 4; ++k) inputs.push_back(p.wh[k]);
  for (int k = 0; k < 4; ++k) inputs.push_back(p.b[k]);
  for (float clip : {kNoClip, 1e4f}) {
    testing::expect_gradients_match(
        inputs, [&](std::vector<Var>& in) {
          LstmWeights w;
          for (int k = 0; k < 4; ++k) {
            w.wx[k] = in[k];
            w.wh[k] = in[4 + k];
            w.b[k] = in[8 + k];
          }
          return engine::lstm_sequence(tokens, B, T, w, clip);
        },
        1e-2, 2e-2);
  }
}

TEST(LstmGradient, UnrolledSequenceDenseInput) {
  const int64_t T = 3, B = 2, V = 3, H = 2;
  const Params p = random_params(V, H, 40, 0.8f);
  std::vector<Tensor> inputs;
  for (int k = 0; k < 4; ++k) inputs.push_back(p.wx[k]);
  for (int k = 0; k < 4; ++k) inputs.push_back(p.wh[k]);
  for (int k = 0; k < 4; ++k) inputs.push_back(p.b[k]);
  inputs.push_back(random_tensor({T, B, V}, 41));
  testing::expect_gradients_match(
      inputs, [](std::vector<Var>& in) {
        LstmWeights w;
        for (int k = 0; k < 4; ++k) {
          w.wx[k] = in[k];
          w.wh[k] = in[4 + k];
          w.b[k] = in[8 + k];
        }
        return engine::lstm_sequence(in[12], w, kNoClip);
      },
      1e-2, 2e-2);
}

TEST(Lstm, ForgetGateCarriesTheCell) {
  // With the output gate saturated open, input gate shut and forget gate open, c stays c0.
  const int64_t B = 1, V = 2, H = 2, T = 3;
  Params p = random_params(V, H, 50, 0.0f);
  for (int64_t j = 0; j < H; ++j) {
    p.b[engine::gate_i][j] = -30.0f;
    p.b[engine::gate_f][j] = 30.0f;
    p.b[engine::gate_o][j] = 30.0f;
  }
  Leaves l = make_leaves(p);
  const Tensor c0 = Tensor::from({B, H}, std::vector<float>{0.5f, -1.0f});
  Tensor c_last;
  const Var y = engine::lstm_sequence(std::vector<int32_t>{0, 1, 0}, B, T, l.w, 5.0f,
                                      {nullptr, engine::constant(c0)}, &c_last);
  EXPECT_NEAR(c_last[0], 0.5f, 1e-6);
  EXPECT_NEAR(c_last[1], -1.0f, 1e-6);
  EXPECT_NEAR(y->value[(T - 1) * H + 0], std::tanh(0.5f), 1e-6);
  EXPECT_NEAR(y->value[(T - 1) * H + 1], std::tanh(-1.0f), 1e-6);
}

TEST(Lstm, ActivationsAreAccurateAtExtremes) {
  // Huge pre-activations must saturate cleanly (no inf/NaN from the fast exp).
  const int64_t B = 1, V = 1, H = 4;
  Params p = random_params(V, H, 60, 0.0f);
  const float zs[4] = {-1e4f, -90.0f, 90.0f, 1e4f};
  for (int k = 0; k < 4; ++k)
    for (int64_t j = 0; j < H; ++j) p.b[k][j] = zs[j];
  Leaves l = make_leaves(p);
  const Var y = engine::lstm_sequence(std::vector<int32_t>{0}, B, 1, l.w, 5.0f);
  seed_and_backward(y, Tensor::full({1, B, H}, 1.0f));
  for (int64_t j = 0; j < H; ++j) EXPECT_TRUE(std::isfinite(y->value[j]));
  EXPECT_NEAR(y->value[3], std::tanh(1.0f), 1e-6);  // i = f = o = 1, g = 1, c = 1
  EXPECT_NEAR(y->value[0], 0.0f, 1e-6);
  for (const Tensor& g : l.grads)
    for (float v : g.span()) EXPECT_TRUE(std::isfinite(v));
}

TEST(Lstm, TimeToBatchMajor) {
  const Tensor v = random_tensor({3, 2, 4}, 70);
  const Var y = engine::time_to_batch_major(engine::constant(v));
  ASSERT_EQ(y->value.shape(), (Shape{2, 3, 4}));
  for (int64_t t = 0; t < 3; ++t)
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t f = 0; f < 4; ++f) EXPECT_EQ(y->value[(b * 3 + t) * 4 + f], v[(t * 2 + b) * 4 + f]);
  testing::expect_gradients_match({v}, [](std::vector<Var>& in) { return engine::time_to_batch_major(in[0]); });
  EXPECT_THROW(engine::time_to_batch_major(engine::constant(Tensor({3, 4}))), Error);
}

TEST(Lstm, Errors) {
  const Params p = random_params(5, 3, 80);
  Leaves l = make_leaves(p);
  auto message = [](auto&& fn) -> std::string {
    try {
      fn();
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  };
  const std::vector<int32_t> ok{0, 1, 2, 3};
  EXPECT_NE(message([&] { engine::lstm_sequence(std::vector<int32_t>{0, 5, 1, 1}, 2, 2, l.w, 5.0f); }).find("token 5"),
            std::string::npos);
  const std::vector<int32_t> negative{0, -1, 1, 1};
  EXPECT_NE(message([&] { engine::lstm_sequence(negative, 2, 2, l.w, 5.0f); }).find("token -1"), std::string::npos);
  EXPECT_NE(message([&] { engine::lstm_sequence(ok, 3, 2, l.w, 5.0f); }).find("4 tokens for batch 3"),
            std::string::npos);
  EXPECT_NE(message([&] { engine::lstm_sequence(ok, 2, 2, l.w, -1.0f); }).find("clip"), std::string::npos);
  LstmWeights bad = l.w;
  bad.wh[2] = engine::constant(Tensor({3, 4}));
  EXPECT_NE(message([&] { engine::lstm_sequence(ok, 2, 2, bad, 5.0f); }).find("W_hc"), std::string::npos);
  bad = l.w;
  bad.b[1] = engine::constant(Tensor({4}));
  EXPECT_NE(message([&] { engine::lstm_sequence(ok, 2, 2, bad, 5.0f); }).find("b_f"), std::string::npos);
  EXPECT_NE(message([&] { engine::lstm_sequence(engine::constant(Tensor({2, 2, 4})), l.w, 5.0f); }).find("[T, B, 5]"),
            std::string::npos);
  EXPECT_NE(message([&] { engine::lstm_sequence(ok, 2, 2, l.w, 5.0f, {engine::constant(Tensor({2, 4})), nullptr}); })
                .find("h0"),
            std::string::npos);
}

}  // namespace
}  // namespace laq
