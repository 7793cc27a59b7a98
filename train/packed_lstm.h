#pragma once
// The char-LSTM presets run from a packed model's codes, one character at a time (for
// `laq sample`).
//
//   z = W_x[token] + W_hᵀ h + b   (4 gates i, f, c, o; engine/lstm.h)
//   c' = σ(z_f) c + σ(z_i) tanh(z_c),  h' = σ(z_o) tanh(c'),  logits = W_out h' + b_out
//
// The four recurrent matrices W_h* [H, H] (stored [in, out]) are repacked once, transposed,
// into one [4H, H] packed matrix whose rows carry their own gate's scale, so each step is one
// packed product (engine/packed_matmul.h). The one-hot input product W_x[token] is a row of
// each packed W_x* [V, H], read from its bit-planes. The softmax layer (W_out [V, H], not
// quantized) and the biases stay float32. No float copy of a quantized matrix is made.
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "engine/packed_weights.h"
#include "engine/tensor.h"
#include "train/run_config.h"

namespace laq::train {

class PackedCharLstm {
 public:
  // Throws laq::Error naming the file unless it is a packed char-LSTM model.
  static PackedCharLstm load(const std::filesystem::path& path);

  const RunConfig& config() const { return config_; }
  int64_t vocab() const { return vocab_; }
  int64_t hidden() const { return hidden_; }

  struct State {
    std::vector<float> h, c;  // [H] each, zeros at the start
  };
  State initial_state() const { return {std::vector<float>(hidden_, 0.0f), std::vector<float>(hidden_, 0.0f)}; }
  // Reads one token, updates the state and writes the next character's logits [V].
  void step(int32_t token, State& state, std::vector<float>& logits) const;
  // tokens [B, T] row-major from zero states -> logits [B*T, V], row b*T + t the prediction
  // after tokens[b][0..t] (layers::CharLstmModel::forward_tokens's layout).
  engine::Tensor forward(std::span<const int32_t> tokens, int64_t batch, int64_t steps) const;

  int64_t resident_weight_bytes() const;

 private:
  RunConfig config_;
  int64_t vocab_ = 0, hidden_ = 0;
  std::vector<engine::PackedWeights> wx_;  // 4 x [V, H]
  engine::PackedWeights wh_;               // [4H, H]: gate k's rows at k*H
  std::vector<float> bias_;                // [4H]
  engine::Tensor out_w, out_b;             // [V*H], [V]
};

}  // namespace laq::train
