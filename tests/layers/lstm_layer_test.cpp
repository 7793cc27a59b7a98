// layers::LSTM and CharLstmModel: parameter names, shapes, init and quantizable flags
// (docs/algorithms.md §1.5, §3.6), the token/float/dense inputs agree, logits rows line up
// with [B, T] targets, the loss is the mean cross-entropy in nats, and a model-level
// gradient check on a tiny model.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/losses.h"
#include "engine/lstm.h"
#include "layers/lstm.h"
#include "support/gradient_check.h"

namespace laq {
namespace {

using engine::Shape;
using engine::Tensor;
using engine::Var;
using testing::random_tensor;

void randomize(std::vector<layers::Parameter*> params, float bound, uint64_t seed) {
  for (auto* p : params) p->latent.copy_from(random_tensor(p->latent.shape(), seed++, -bound, bound));
}

TEST(LstmLayer, Parameters) {
  layers::LSTM lstm("lstm", 87, 512);
  const auto p = lstm.parameters();
  ASSERT_EQ(p.size(), 12u);
  const char* gates = "ifco";
  for (int k = 0; k < 4; ++k) {
    const std::string g(1, gates[k]);
    EXPECT_EQ(p[3 * k]->name, "lstm.W_x" + g);
    EXPECT_EQ(p[3 * k]->latent.shape(), (Shape{87, 512}));
    EXPECT_EQ(p[3 * k + 1]->name, "lstm.W_h" + g);
    EXPECT_EQ(p[3 * k + 1]->latent.shape(), (Shape{512, 512}));
    EXPECT_EQ(p[3 * k + 2]->name, "lstm.b_" + g);
    EXPECT_EQ(p[3 * k + 2]->latent.shape(), (Shape{512}));
    for (int m = 0; m < 2; ++m) {
      EXPECT_TRUE(p[3 * k + m]->quantizable) << p[3 * k + m]->name;  // 8 tensors, one scale each
      EXPECT_EQ(p[3 * k + m]->init.kind, layers::InitKind::uniform);
      EXPECT_FLOAT_EQ(p[3 * k + m]->init.constant, 0.08f);
    }
    EXPECT_FALSE(p[3 * k + 2]->quantizable);
    if (k == engine::gate_f) {
      EXPECT_EQ(p[3 * k + 2]->init.kind, layers::InitKind::constant);
      EXPECT_FLOAT_EQ(p[3 * k + 2]->init.constant, 1.0f);
    } else {
      EXPECT_EQ(p[3 * k + 2]->init.kind, layers::InitKind::zeros);
    }
  }
  EXPECT_FLOAT_EQ(lstm.clip(), 5.0f);
}

TEST(CharLstmModel, ParametersAndOutputLayer) {
  layers::CharLstmModel model(50, 16);
  const auto p = model.parameters();
  ASSERT_EQ(p.size(), 14u);
  EXPECT_EQ(p[12]->name, "out.weight");
  EXPECT_EQ(p[12]->latent.shape(), (Shape{50, 16}));
  EXPECT_FALSE(p[12]->quantizable);  // the softmax layer stays full precision
  EXPECT_EQ(p[12]->init.kind, layers::InitKind::normal);
  EXPECT_FLOAT_EQ(p[12]->init.constant, 0.01f);
  EXPECT_EQ(p[13]->name, "out.bias");
  EXPECT_EQ(p[13]->init.kind, layers::InitKind::zeros);
  int quantizable = 0;
  for (auto* q : p) quantizable += q->quantizable;
  EXPECT_EQ(quantizable, 8);
}

TEST(LstmLayer, InputsAgree) {
  const int64_t B = 3, T = 4, V = 6, H = 5;
  layers::LSTM lstm("lstm", V, H);
  randomize(lstm.parameters(), 0.5f, 1);
  const std::vector<int32_t> tokens{0, 1, 2, 3, 5, 4, 3, 2, 1, 1, 0, 5};
  Tensor ids({B, T});
  for (int64_t i = 0; i < B * T; ++i) ids[i] = static_cast<float>(tokens[i]);
  const Var a = lstm.forward_tokens(tokens, B, T);
  const Var b = lstm.forward(engine::constant(ids), false);
  const Var c = lstm.forward(engine::constant(engine::one_hot_time_major(tokens, B, T, V)), false);
  ASSERT_EQ(a->value.shape(), (Shape{T, B, H}));
  for (int64_t i = 0; i < a->value.numel(); ++i) {
    EXPECT_EQ(a->value[i], b->value[i]);
    EXPECT_NEAR(a->value[i], c->value[i], 1e-6);
  }
  ids[5] = 2.5f;
  EXPECT_THROW(lstm.forward(engine::constant(ids), false), Error);
  ids[5] = 6.0f;
  EXPECT_THROW(lstm.forward(engine::constant(ids), false), Error);
  EXPECT_THROW(lstm.forward(engine::constant(Tensor({4})), false), Error);
}

TEST(CharLstmModel, LogitRowsLineUpWithTargets) {
  // Row b*T + t must depend only on tokens[b][0..t]: change sequence 1 at step 2 and only rows
  // 1*T + 2 .. 1*T + T-1 may change.
  const int64_t B = 3, T = 4, V = 5, H = 4;
  layers::CharLstmModel model(V, H);
  randomize(model.parameters(), 0.5f, 2);
  std::vector<int32_t> tokens{0, 1, 2, 3, 4, 3, 2, 1, 1, 1, 0, 0};
  const Tensor before = model.forward_tokens(tokens, B, T)->value.copy();
  ASSERT_EQ(before.shape(), (Shape{B * T, V}));
  tokens[1 * T + 2] = 0;
  const Tensor after = model.forward_tokens(tokens, B, T)->value.copy();
  for (int64_t r = 0; r < B * T; ++r) {
    double diff = 0;
    for (int64_t v = 0; v < V; ++v) diff += std::abs(after[r * V + v] - before[r * V + v]);
    if (r == 1 * T + 2 || r == 1 * T + 3) EXPECT_GT(diff, 1e-6) << "row " << r;
    else EXPECT_EQ(diff, 0.0) << "row " << r;
  }
  // forward() with float ids is the same as forward_tokens().
  Tensor ids({B, T});
  for (int64_t i = 0; i < B * T; ++i) ids[i] = static_cast<float>(tokens[i]);
  const Tensor viaf = model.forward(engine::constant(ids), false)->value;
  for (int64_t i = 0; i < after.numel(); ++i) EXPECT_EQ(viaf[i], after[i]);
}

TEST(CharLstmModel, InitialLossIsLogV) {
  // With a zero softmax layer every position predicts uniformly: loss = ln V nats.
  const int64_t B = 2, T = 3, V = 7;
  layers::CharLstmModel model(V, 4);
  randomize(model.lstm.parameters(), 0.08f, 3);
  const std::vector<int32_t> x{0, 1, 2, 3, 4, 5}, y{1, 2, 3, 4, 5, 6};
  EXPECT_NEAR(model.loss(x, y, B, T)->value[0], std::log(7.0), 1e-6);
  EXPECT_THROW(model.loss(x, std::vector<int32_t>{1, 2}, B, T), Error);
}

// Model-level finite differences through the path training uses (model.loss, backward into
// the parameters' gradient buffers): every parameter of a tiny model, LSTM -> dense -> mean
// cross-entropy, with clipping off and with the default clip 5 (inactive at this size).
TEST(CharLstmModel, GradientCheck) {
  const int64_t B = 2, T = 3, V = 4, H = 3;
  const std::vector<int32_t> x{0, 1, 3, 2, 2, 1}, y{1, 3, 0, 2, 1, 0};
  for (float clip : {0.0f, 5.0f}) {
    layers::CharLstmModel model(V, H, clip);
    auto params = model.parameters();
    randomize(params, 0.5f, 5);
    for (auto* p : params) p->grad.fill(0.0f);
    engine::backward(model.loss(x, y, B, T));
    const double eps = 1e-2;
    for (auto* p : params)
      for (int64_t i = 0; i < p->latent.numel(); ++i) {
        const float saved = p->latent[i];
        p->latent[i] = saved + static_cast<float>(eps);
        const double lp = model.loss(x, y, B, T)->value[0];
        p->latent[i] = saved - static_cast<float>(eps);
        const double lm = model.loss(x, y, B, T)->value[0];
        p->latent[i] = saved;
        const double numeric = (lp - lm) / (2 * eps);
        EXPECT_NEAR(p->grad[i], numeric, 2e-2 * std::max(1.0, std::abs(numeric))) << p->name << " " << i;
      }
  }
}

// End to end: plain SGD on a periodic sequence ("abcd" repeated) drives the loss far below
// ln V, with the gate-gradient clipping on.
TEST(CharLstmModel, LearnsAPeriodicSequence) {
  const int64_t B = 4, T = 12, V = 5, H = 16;
  layers::CharLstmModel model(V, H, 5.0f);
  auto params = model.parameters();
  randomize(params, 0.08f, 6);
  model.lstm.b[engine::gate_f]->latent.fill(1.0f);
  std::vector<int32_t> x(B * T), y(B * T);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t) {
      x[b * T + t] = static_cast<int32_t>((b + t) % 4);
      y[b * T + t] = static_cast<int32_t>((b + t + 1) % 4);
    }
  double first = 0, last = 0;
  for (int step = 0; step < 300; ++step) {
    for (auto* p : params) p->grad.fill(0.0f);
    const Var loss = model.loss(x, y, B, T);
    engine::backward(loss);
    if (step == 0) first = loss->value[0];
    last = loss->value[0];
    for (auto* p : params)
      for (int64_t i = 0; i < p->latent.numel(); ++i) p->latent[i] -= 0.5f * p->grad[i];
  }
  EXPECT_NEAR(first, std::log(5.0), 0.05);
  EXPECT_LT(last, 0.1) << "first " << first;
}

}  // namespace
}  // namespace laq
