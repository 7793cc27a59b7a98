#include "layers/lstm.h"

#include <cmath>

#include "engine/error.h"
#include "engine/losses.h"

namespace laq::layers {
namespace {

const char* const kGate[4] = {"i", "f", "c", "o"};

// A view of x with another shape. Its gradient is a view of x's gradient buffer, so the
// gradient flows back with no copy (ops accumulate into grad, which is then x's).
engine::Var reshape(const engine::Var& x, engine::Shape shape) {
  engine::Var y = engine::make_node(x->value.reshape(shape), {x}, [](engine::Node&) {});
  if (y->requires_grad) y->grad = x->grad_buffer().reshape(std::move(shape));
  return y;
}

}  // namespace

std::vector<int32_t> token_ids(const engine::Tensor& x, int64_t vocab, const std::string& who) {
  std::vector<int32_t> ids(static_cast<size_t>(x.numel()));
  for (int64_t i = 0; i < x.numel(); ++i) {
    const float v = x[i];
    if (!(v >= 0.0f && v < static_cast<float>(vocab)) || v != std::floor(v))
      throw Error(who + ": token id " + std::to_string(v) + " at position " + std::to_string(i) +
                  " is not an integer in [0, " + std::to_string(vocab) + ")");
    ids[i] = static_cast<int32_t>(v);
  }
  return ids;
}

LSTM::LSTM(std::string name, int64_t vocab, int64_t hidden, float clip)
    : Module(name), vocab_(vocab), hidden_(hidden), clip_(clip) {
  if (vocab < 1 || hidden < 1) throw Error(name + ": vocabulary and hidden size must be >= 1");
  if (!(clip >= 0.0f)) throw Error(name + ": clip must be >= 0 (0 = no clipping)");
  for (int k = 0; k < 4; ++k) {
    const std::string g = kGate[k];
    wx[k] = std::make_unique<Parameter>(name + ".W_x" + g, engine::Shape{vocab, hidden},
                                        Init{InitKind::uniform, 0.08f}, true);
    wx[k]->rows_are_outputs = false;
    wh[k] = std::make_unique<Parameter>(name + ".W_h" + g, engine::Shape{hidden, hidden},
                                        Init{InitKind::uniform, 0.08f}, true);
    wh[k]->rows_are_outputs = false;
    const Init bias_init = k == engine::gate_f ? Init{InitKind::constant, 1.0f} : Init{InitKind::zeros};
    b[k] = std::make_unique<Parameter>(name + ".b_" + g, engine::Shape{hidden}, bias_init, false);
  }
}

engine::LstmWeights LSTM::weights() {
  engine::LstmWeights w;
  for (int k = 0; k < 4; ++k) {
    w.wx[k] = engine::leaf(wx[k]->value, wx[k]->grad);
    w.wh[k] = engine::leaf(wh[k]->value, wh[k]->grad);
    w.b[k] = engine::leaf(b[k]->value, b[k]->grad);
  }
  return w;
}

engine::Var LSTM::forward_tokens(std::span<const int32_t> tokens, int64_t batch, int64_t steps,
                                 const engine::LstmState& init, engine::Tensor* c_last) {
  return engine::lstm_sequence(tokens, batch, steps, weights(), clip_, init, c_last);
}

engine::Var LSTM::forward(const engine::Var& x, bool) {
  const engine::Tensor& v = x->value;
  if (v.rank() == 2) return forward_tokens(token_ids(v, vocab_, name()), v.dim(0), v.dim(1));
  if (v.rank() == 3) return engine::lstm_sequence(x, weights(), clip_);
  throw Error(name() + ": expected token ids [B, T] or a dense input [T, B, " + std::to_string(vocab_) + "], got " +
              engine::to_string(v.shape()));
}

std::vector<Parameter*> LSTM::parameters() {
  std::vector<Parameter*> p;
  for (int k = 0; k < 4; ++k) p.insert(p.end(), {wx[k].get(), wh[k].get(), b[k].get()});
  return p;
}

CharLstmModel::CharLstmModel(int64_t vocab, int64_t hidden, float clip)
    : Module("char_lstm"), lstm("lstm", vocab, hidden, clip), out("out", hidden, vocab) {
  out.weight.quantizable = false;
  out.weight.init = Init{InitKind::normal, 0.01f};
  out.bias->init = Init{InitKind::zeros};
}

engine::Var CharLstmModel::head(const engine::Var& h) {
  const int64_t T = h->value.dim(0), B = h->value.dim(1), H = h->value.dim(2), V = lstm.vocab();
  engine::Var logits = out.forward(reshape(h, {T * B, H}), true);  // rows t*B + b
  engine::Var batch_major = engine::time_to_batch_major(reshape(logits, {T, B, V}));
  return reshape(batch_major, {B * T, V});  // rows b*T + t
}

engine::Var CharLstmModel::forward_tokens(std::span<const int32_t> tokens, int64_t batch, int64_t steps) {
  return head(lstm.forward_tokens(tokens, batch, steps));
}

engine::Var CharLstmModel::forward(const engine::Var& x, bool) {
  const engine::Tensor& v = x->value;
  if (v.rank() != 2) throw Error(name() + ": expected token ids [B, T], got " + engine::to_string(v.shape()));
  return forward_tokens(token_ids(v, lstm.vocab(), name()), v.dim(0), v.dim(1));
}

engine::Var CharLstmModel::loss(std::span<const int32_t> tokens, std::span<const int32_t> targets, int64_t batch,
                                int64_t steps) {
  if (static_cast<int64_t>(targets.size()) != batch * steps)
    throw Error(name() + ": " + std::to_string(targets.size()) + " targets for batch " + std::to_string(batch) +
                " x steps " + std::to_string(steps));
  return engine::softmax_cross_entropy(forward_tokens(tokens, batch, steps), targets);
}

std::vector<Parameter*> CharLstmModel::parameters() {
  std::vector<Parameter*> p = lstm.parameters();
  for (Parameter* q : out.parameters()) p.push_back(q);
  return p;
}

}  // namespace laq::layers
