#pragma once
// The character-level LSTM of docs/algorithms.md §3.6: one LSTM layer (layers::LSTM) and the model
// (CharLstmModel) = one-hot characters -> LSTM -> full-precision dense softmax layer.
//
// LSTM(name, vocab V, hidden H, clip = 5):
//   parameters, in this order (Lasagne's, per gate i, f, c, o):
//     name.W_xi [V, H], name.W_hi [H, H], name.b_i [H], name.W_xf, name.W_hf, name.b_f, ...
//   the 8 gate matrices are quantizable (one scale each, docs/algorithms.md §2.9) with Init U(+-0.08),
//   for full-precision runs too; the biases are full precision, b_f = 1, the others 0.
//   forward(x): x is either token ids as floats [B, T] (rank 2, each an integer in [0, V)),
//   or a dense input [T, B, V] (rank 3); returns h [T, B, H] time-major (engine/lstm.h).
//   forward_tokens() takes the int32 tokens directly (no float round trip).
//
// CharLstmModel(vocab, hidden = 512, clip = 5): sub-layers "lstm" (the above) and "out", a
// Linear H -> V with quantizable = false (the softmax layer is not quantized, docs/algorithms.md §1.5),
// weight Init N(0, 0.01^2), bias 0.
//   forward_tokens(tokens [B, T]) -> logits [B*T, V], row b*T + t = the prediction after
//   reading tokens[b][0..t], i.e. aligned with targets [B, T] row-major (the char datasets'
//   y windows). forward(x) does the same with float token ids [B, T].
//   loss(tokens, targets) = mean softmax cross-entropy in nats over all B*T positions.
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/lstm.h"
#include "layers/linear.h"
#include "layers/module.h"

namespace laq::layers {

class LSTM : public Module {
 public:
  LSTM(std::string name, int64_t vocab, int64_t hidden, float clip = 5.0f);
  engine::Var forward(const engine::Var& x, bool training) override;
  engine::Var forward_tokens(std::span<const int32_t> tokens, int64_t batch, int64_t steps,
                             const engine::LstmState& init = {}, engine::Tensor* c_last = nullptr);
  std::vector<Parameter*> parameters() override;
  // Leaves over the parameters' current values (what the optimizer bound) and gradients.
  engine::LstmWeights weights();

  int64_t vocab() const { return vocab_; }
  int64_t hidden() const { return hidden_; }
  float clip() const { return clip_; }

  // Gate order i, f, c, o (engine::gate_i, ...).
  std::array<std::unique_ptr<Parameter>, 4> wx, wh, b;

 private:
  int64_t vocab_, hidden_;
  float clip_;
};

class CharLstmModel : public Module {
 public:
  explicit CharLstmModel(int64_t vocab, int64_t hidden = 512, float clip = 5.0f);
  engine::Var forward(const engine::Var& x, bool training) override;
  engine::Var forward_tokens(std::span<const int32_t> tokens, int64_t batch, int64_t steps);
  engine::Var loss(std::span<const int32_t> tokens, std::span<const int32_t> targets, int64_t batch,
                   int64_t steps);
  std::vector<Parameter*> parameters() override;

  LSTM lstm;
  Linear out;

 private:
  engine::Var head(const engine::Var& h);  // h [T, B, H] -> logits [B*T, V]
};

// Float token ids [B, T] -> int32, checking each is an integer in [0, vocab).
std::vector<int32_t> token_ids(const engine::Tensor& x, int64_t vocab, const std::string& who);

}  // namespace laq::layers
