#include "train/packed_lstm.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>

#include "engine/error.h"
#include "engine/packed_matmul.h"
#include "train/experiment.h"
#include "train/packed_model.h"
#include "train/packed_net.h"

namespace laq::train {
namespace fs = std::filesystem;
namespace {

const char* const kGate[4] = {"i", "f", "c", "o"};

float sigmoid(float z) { return 1.0f / (1.0f + std::exp(-z)); }

}  // namespace

PackedCharLstm PackedCharLstm::load(const fs::path& path) {
  PackedModelContents contents = read_packed_model(path);
  PackedCharLstm m;
  m.config_ = contents.config;
  if (experiment_network(m.config_.experiment) != Network::char_lstm)
    throw Error(path.string() + ": experiment " + m.config_.experiment + " is not a char LSTM");
  const auto codes = [&](const std::string& name) -> const PackedTensorCodes& {
    const auto it = contents.quantized.find(name);
    if (it == contents.quantized.end()) throw Error(path.string() + ": missing /quantized/" + name);
    return it->second;
  };
  const auto floats = [&](const std::string& name, int64_t size) {
    const auto it = contents.floats.find(name);
    if (it == contents.floats.end()) throw Error(path.string() + ": missing /float/" + name);
    if (it->second.numel() != size)
      throw Error(path.string() + ":/float/" + name + " holds " + std::to_string(it->second.numel()) +
                  " values, expected " + std::to_string(size));
    return it->second;
  };
  const PackedTensorCodes& wxi = codes("lstm.W_xi");
  if (wxi.info.shape.size() != 2) throw Error(path.string() + ": lstm.W_xi is not a matrix");
  m.vocab_ = wxi.info.shape[0];
  m.hidden_ = wxi.info.shape[1];
  const int64_t V = m.vocab_, H = m.hidden_;
  std::vector<const PackedTensorCodes*> wh(4);
  for (int k = 0; k < 4; ++k) {
    const PackedTensorCodes& wx = codes(std::string("lstm.W_x") + kGate[k]);
    wh[k] = &codes(std::string("lstm.W_h") + kGate[k]);
    if (wx.info.shape != engine::Shape{V, H} || wh[k]->info.shape != engine::Shape{H, H} || wh[k]->method != wxi.method ||
        wh[k]->info.rows != 1)
      throw Error(path.string() + ": the LSTM's gate matrices are not [" + std::to_string(V) + ", " + std::to_string(H) +
                  "] and [" + std::to_string(H) + ", " + std::to_string(H) + "] of one method with one scale each");
    m.wx_.push_back(repack(wx));
    const engine::Tensor b = floats(std::string("lstm.b_") + kGate[k], H);
    m.bias_.insert(m.bias_.end(), b.data(), b.data() + H);
  }
  // One [4H, H] matrix: gate k's transposed W_h at rows k*H, with its own scale (or table).
  const PackedTensorCodes& first = *wh[0];
  PackedTensorCodes joined;
  joined.method = first.method;
  joined.run_bits = first.run_bits;
  joined.info = first.info;
  joined.info.name = "lstm.W_h";
  joined.info.count = 4 * H * H;
  joined.info.shape = {4 * H, H};
  joined.info.rows = 4 * H;
  joined.info.scales.clear();
  for (int k = 0; k < 4; ++k)
    for (int64_t r = 0; r < H; ++r) joined.info.scales.push_back(wh[k]->info.scales[0]);
  // Code (row, col) of the joined matrix = code (col, row % H) of gate row / H's [in, out] W_h.
  const int64_t bits = first.info.code_bits;
  joined.stream.assign(static_cast<size_t>((joined.info.count * bits + 7) / 8), 0);
  for (int64_t r = 0; r < 4 * H; ++r)
    for (int64_t c = 0; c < H; ++c) {
      const uint32_t code = wh[r / H]->code(c * H + r % H);
      const int64_t at = (r * H + c) * bits;
      for (int64_t b = 0; b < bits; ++b)
        joined.stream[static_cast<size_t>((at + b) / 8)] |= static_cast<uint8_t>(((code >> b) & 1u) << ((at + b) % 8));
    }
  m.wh_ = repack(joined);
  joined.stream.clear();
  m.out_w = floats("out.weight", V * H);
  m.out_b = floats("out.bias", V);
  return m;
}

void PackedCharLstm::step(int32_t token, State& s, std::vector<float>& logits) const {
  const int64_t H = hidden_;
  if (token < 0 || token >= vocab_)
    throw Error("packed LSTM: token " + std::to_string(token) + " outside the vocabulary of " + std::to_string(vocab_));
  std::vector<float> z(4 * H);
  engine::packed_matmul(wh_, s.h.data(), 1, H, z.data(), 4 * H);
  for (int k = 0; k < 4; ++k)
    for (int64_t j = 0; j < H; ++j) z[k * H + j] += wx_[k].value(token, j) + bias_[k * H + j];
  for (int64_t j = 0; j < H; ++j) {
    const float i = sigmoid(z[j]), f = sigmoid(z[H + j]), g = std::tanh(z[2 * H + j]), o = sigmoid(z[3 * H + j]);
    s.c[j] = f * s.c[j] + i * g;
    s.h[j] = o * std::tanh(s.c[j]);
  }
  logits.assign(out_b.data(), out_b.data() + vocab_);
  cblas_sgemv(CblasRowMajor, CblasNoTrans, static_cast<int>(vocab_), static_cast<int>(H), 1.0f, out_w.data(),
              static_cast<int>(H), s.h.data(), 1, 1.0f, logits.data(), 1);
}

engine::Tensor PackedCharLstm::forward(std::span<const int32_t> tokens, int64_t batch, int64_t steps) const {
  const int64_t H = hidden_, V = vocab_, B = batch;
  if (B < 1 || steps < 1 || static_cast<int64_t>(tokens.size()) != B * steps)
    throw Error("packed LSTM: " + std::to_string(tokens.size()) + " tokens for batch " + std::to_string(B) + " x steps " +
                std::to_string(steps));
  for (const int32_t t : tokens)
    if (t < 0 || t >= V) throw Error("packed LSTM: token " + std::to_string(t) + " outside the vocabulary of " + std::to_string(V));
  std::vector<float> h(B * H, 0.0f), c(B * H, 0.0f), z(B * 4 * H);
  engine::Tensor logits({B * steps, V});
  for (int64_t t = 0; t < steps; ++t) {
    engine::packed_matmul(wh_, h.data(), B, H, z.data(), 4 * H);  // z[b] = W_hᵀ h[b] for all gates
    for (int64_t b = 0; b < B; ++b) {
      float* zb = z.data() + b * 4 * H;
      const int32_t token = tokens[b * steps + t];
      for (int k = 0; k < 4; ++k)
        for (int64_t j = 0; j < H; ++j) zb[k * H + j] += wx_[k].value(token, j) + bias_[k * H + j];
      float* hb = h.data() + b * H;
      float* cb = c.data() + b * H;
      for (int64_t j = 0; j < H; ++j) {
        const float i = sigmoid(zb[j]), f = sigmoid(zb[H + j]), g = std::tanh(zb[2 * H + j]), o = sigmoid(zb[3 * H + j]);
        cb[j] = f * cb[j] + i * g;
        hb[j] = o * std::tanh(cb[j]);
      }
      float* row = logits.data() + (b * steps + t) * V;
      std::copy(out_b.data(), out_b.data() + V, row);
      cblas_sgemv(CblasRowMajor, CblasNoTrans, static_cast<int>(V), static_cast<int>(H), 1.0f, out_w.data(),
                  static_cast<int>(H), hb, 1, 1.0f, row, 1);
    }
  }
  return logits;
}

int64_t PackedCharLstm::resident_weight_bytes() const {
  int64_t b = wh_.resident_bytes() + static_cast<int64_t>(bias_.size() * sizeof(float)) +
              (out_w.numel() + out_b.numel()) * int64_t(sizeof(float));
  for (const auto& w : wx_) b += w.resident_bytes();
  return b;
}

}  // namespace laq::train
