// The packed net (train/packed_net.h) against the float Sequential of the same exported
// model: the same scores up to float rounding and the same predictions, for binary, ternary
// and m-bit codes, per-tensor and per-channel scales, on the MLP and a VGG preset.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>

#include "engine/autograd.h"
#include "engine/error.h"
#include "layers/lstm.h"
#include "quant/packing.h"
#include "train/packed_lstm.h"
#include "train/packed_model.h"
#include "train/packed_net.h"
#include "train/session.h"

namespace laq {
namespace {

namespace fs = std::filesystem;

fs::path temp(const std::string& name) { return fs::temp_directory_path() / ("laq_packed_net_" + name); }

engine::Tensor random(engine::Shape shape, uint64_t seed, float lo, float hi) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  engine::Tensor t(std::move(shape));
  for (float& v : t.span()) v = u(rng);
  return t;
}

// Batch-norm parameters and statistics away from their defaults, so that they are tested.
void perturb_batch_norm(train::Session& s) {
  uint64_t seed = 1;
  for (const auto& b : s.model->buffers()) {
    const bool spread = b.name.ends_with("running_spread");
    b.tensor->copy_from(random(b.tensor->shape(), ++seed, spread ? 0.5f : -0.2f, spread ? 1.5f : 0.2f));
  }
  for (layers::Parameter* p : s.model->parameters())
    if (p->name.find("bn") == 0 || p->name.ends_with(".bias"))
      p->value.copy_from(random(p->value.shape(), ++seed, p->name.ends_with("gamma") ? 0.5f : -0.1f,
                                p->name.ends_with("gamma") ? 1.5f : 0.1f));
}

int64_t argmax(const float* row, int64_t n) { return std::max_element(row, row + n) - row; }

void expect_same_as_float(const train::RunConfig& c, const engine::Tensor& x, double tolerance) {
  train::Session s = train::make_session(c);
  perturb_batch_norm(s);
  const fs::path file = temp(c.experiment + "_" + c.method + (c.per_channel ? "_pc" : "") + ".h5");
  train::export_packed_model(file, c, s);
  const train::PackedNet net = train::PackedNet::load(file);
  fs::remove(file);
  const engine::Tensor want = s.model->forward(engine::constant(x), false)->value;
  const engine::Tensor got = net.forward(x);
  ASSERT_EQ(got.shape(), want.shape()) << c.method;
  const int64_t n = want.dim(0), k = want.dim(1);
  float largest = 0;
  for (int64_t i = 0; i < want.numel(); ++i) largest = std::max(largest, std::fabs(want[i]));
  for (int64_t i = 0; i < want.numel(); ++i)
    ASSERT_NEAR(got[i], want[i], tolerance * largest) << c.experiment << " " << c.method << " score " << i;
  for (int64_t i = 0; i < n; ++i)
    EXPECT_EQ(argmax(got.data() + i * k, k), argmax(want.data() + i * k, k)) << c.method << " example " << i;
  EXPECT_LT(net.resident_weight_bytes(), net.float_weight_bytes());
}

train::RunConfig config(const std::string& experiment, const std::string& method, int64_t bits, bool per_channel) {
  train::RunConfig c;
  c.experiment = experiment;
  c.method = method;
  c.bits = bits;
  c.per_channel = per_channel;
  c.threads = 1;
  return c;
}

class PackedMlp : public ::testing::TestWithParam<std::tuple<std::string, int, bool>> {};

TEST_P(PackedMlp, ScoresAndPredictionsMatchTheFloatPath) {
  const auto [method, bits, per_channel] = GetParam();
  expect_same_as_float(config("mnist-mlp", method, bits, per_channel), random({5, 784}, 3, -0.5f, 0.5f), 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Methods, PackedMlp,
                         ::testing::Values(std::tuple{"lat-e", 2, false}, std::tuple{"twn", 2, true},
                                           std::tuple{"bwn", 1, true}, std::tuple{"lab", 1, false},
                                           std::tuple{"laq-log", 3, false}, std::tuple{"laq-linear", 3, true},
                                           std::tuple{"laq-linear", 5, false}, std::tuple{"dorefa", 2, false}));

TEST(PackedVgg, TernaryScoresAndPredictionsMatchTheFloatPath) {
  expect_same_as_float(config("svhn-vgg", "lat-e", 2, true), random({2, 3, 32, 32}, 4, -1.0f, 1.0f), 1e-4);
}

TEST(PackedNet, TernaryMlpWeighsUnderATenthOfItsFloatModel) {
  const train::RunConfig c = config("mnist-mlp", "lat-e", 2, false);
  train::Session s = train::make_session(c);
  const fs::path file = temp("bytes.h5");
  train::export_packed_model(file, c, s);
  const train::PackedNet net = train::PackedNet::load(file);
  fs::remove(file);
  EXPECT_LT(net.resident_weight_bytes() * 10, net.float_weight_bytes());
}

TEST(PackedNet, RepackTransposesTheLstmOrientation) {
  train::PackedTensorCodes t;
  t.method = quant::Method::lat_e;
  t.run_bits = 2;
  t.info.name = "g";
  t.info.code_bits = 2;
  t.info.count = 6;
  t.info.rows = 1;
  t.info.shape = {2, 3};  // [in, out]
  t.info.scales = {{0.5f, 0.25f}};
  const std::vector<uint8_t> codes{0, 1, 2, 2, 1, 0};
  t.stream = quant::pack_codes(codes, 2);
  const engine::PackedWeights straight = train::repack(t), turned = train::repack(t, true);
  ASSERT_EQ(turned.rows, 3);
  ASSERT_EQ(turned.cols, 2);
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t o = 0; o < 3; ++o) {
      EXPECT_EQ(straight.code(i, o), codes[i * 3 + o]);
      EXPECT_EQ(turned.code(o, i), codes[i * 3 + o]);
    }
  EXPECT_EQ(turned.value(0, 0), -0.25f);
  EXPECT_EQ(turned.value(2, 0), 0.5f);
}

TEST(PackedNet, RefusesTheCharLstmAndNamesTheFile) {
  train::RunConfig c = config("linux-lstm", "lat-e", 2, false);
  c.vocab = 20;
  train::Session s = train::make_session(c);
  const fs::path file = temp("lstm.h5");
  train::export_packed_model(file, c, s);
  try {
    train::PackedNet::load(file);
    ADD_FAILURE() << "loaded an LSTM as an MLP/VGG";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
  }
  fs::remove(file);
}

// The packed recurrence, one character at a time, against the float CharLstmModel over the
// whole sequence, for ternary, binary and 3-bit codes.
class PackedLstm : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(PackedLstm, StepLogitsMatchTheFloatSequence) {
  const auto [method, bits] = GetParam();
  train::RunConfig c = config("linux-lstm", method, bits, false);
  c.vocab = 23;
  train::Session s = train::make_session(c);
  perturb_batch_norm(s);  // the biases
  const fs::path file = temp("lstm_" + method + ".h5");
  train::export_packed_model(file, c, s);
  const train::PackedCharLstm net = train::PackedCharLstm::load(file);
  fs::remove(file);
  ASSERT_EQ(net.vocab(), 23);
  ASSERT_EQ(net.hidden(), 512);
  const std::vector<int32_t> tokens{3, 0, 22, 7, 7, 15, 1, 9};
  const int64_t T = static_cast<int64_t>(tokens.size());
  auto& model = dynamic_cast<layers::CharLstmModel&>(*s.model);
  const engine::Tensor want = model.forward_tokens(tokens, 1, T)->value;  // [T, V]
  train::PackedCharLstm::State state = net.initial_state();
  std::vector<float> logits;
  for (int64_t t = 0; t < T; ++t) {
    net.step(tokens[t], state, logits);
    for (int64_t k = 0; k < 23; ++k) ASSERT_NEAR(logits[k], want[t * 23 + k], 1e-4) << method << " t " << t << " k " << k;
  }
  // The gate matrices shrink at least 8-fold; the float32 softmax layer and biases stay.
  const int64_t gates = 4 * (23 * 512 + 512 * 512), rest = 4 * 512 + 23 * 512 + 23;
  EXPECT_LT(net.resident_weight_bytes(), gates * 4 / 8 + rest * 4);
}

INSTANTIATE_TEST_SUITE_P(Methods, PackedLstm,
                         ::testing::Values(std::tuple{"lat-e", 2}, std::tuple{"lab", 1}, std::tuple{"laq-log", 3}));

}  // namespace
}  // namespace laq
