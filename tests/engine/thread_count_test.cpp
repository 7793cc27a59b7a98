// Every op whose loops run on engine/parallel.h gives bit-identical values and gradients on
// 1 and 2 threads. The shapes are odd and large enough that every parallel loop splits into
// at least 8 chunks (grain_for: about 32K floats per chunk; fewer run inline). OpenBLAS is held at one thread
// throughout: its products are reproducible only for a given count of its own threads.
#include <cblas.h>
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <functional>
#include <vector>

#include "engine/batch_norm.h"
#include "engine/conv2d.h"
#include "engine/elementwise.h"
#include "engine/lstm.h"
#include "engine/max_pool.h"
#include "engine/packed_matmul.h"
#include "engine/threads.h"
#include "support/gradient_check.h"

namespace laq {
namespace {

using engine::Tensor;
using engine::Var;
using testing::random_tensor;
using Bits = std::vector<uint32_t>;
using Op = std::function<Var(std::vector<Var>&)>;

Bits bits_of(const Tensor& t) {
  Bits b;
  for (float v : t.span()) b.push_back(std::bit_cast<uint32_t>(v));
  return b;
}

// The output's bits followed by every input's gradient bits, for L = sum(r * op(inputs)).
std::vector<Bits> run_on(int threads, const std::vector<Tensor>& inputs, const Op& op) {
  const int saved = engine::threads();
  engine::set_threads(threads);
  openblas_set_num_threads(1);
  EXPECT_EQ(engine::threads(), threads);
  std::vector<Tensor> grads;
  std::vector<Var> leaves;
  for (const Tensor& t : inputs) {
    grads.emplace_back(t.shape());
    leaves.push_back(engine::leaf(t, grads.back()));
  }
  Var y = op(leaves);
  const Tensor r = random_tensor(y->value.shape(), 99);
  Var loss = engine::make_node(Tensor::full({1}, 0.0f), {y}, [y, r](engine::Node& self) {
    float* d = y->grad_buffer().data();
    for (int64_t i = 0; i < r.numel(); ++i) d[i] += self.grad[0] * r[i];
  });
  engine::backward(loss);
  std::vector<Bits> out{bits_of(y->value)};
  for (const Tensor& g : grads) out.push_back(bits_of(g));
  engine::set_threads(saved);
  return out;
}

void expect_same_on_1_and_2_threads(const std::vector<Tensor>& inputs, const Op& op) {
  const std::vector<Bits> one = run_on(1, inputs, op), two = run_on(2, inputs, op);
  ASSERT_EQ(one.size(), two.size());
  for (size_t k = 0; k < one.size(); ++k)
    EXPECT_TRUE(one[k] == two[k]) << (k == 0 ? "the output" : "the gradient of input " + std::to_string(k - 1));
}

TEST(ThreadCount, Elementwise) {
  const Tensor x = random_tensor({3, 5, 157, 181}, 1), other = random_tensor({3, 5, 157, 181}, 2);
  expect_same_on_1_and_2_threads({x, random_tensor({5}, 3)},
                                 [](std::vector<Var>& v) { return engine::add_bias(v[0], v[1]); });
  expect_same_on_1_and_2_threads({random_tensor({301, 1031}, 4), random_tensor({1031}, 5)},
                                 [](std::vector<Var>& v) { return engine::add_bias(v[0], v[1]); });
  expect_same_on_1_and_2_threads({x}, [](std::vector<Var>& v) { return engine::relu(v[0]); });
  expect_same_on_1_and_2_threads({x, other}, [](std::vector<Var>& v) { return engine::add(v[0], v[1]); });
}

TEST(ThreadCount, BatchNormBothFormsSpatialAndDense) {
  for (const engine::BatchNormForm form : {engine::BatchNormForm::binary_connect, engine::BatchNormForm::variance})
    for (const engine::Shape& shape : {engine::Shape{3, 37, 57, 61}, engine::Shape{37, 8209}}) {
      const int64_t c = shape[1];
      std::vector<Bits> running;  // each run's running statistics, appended
      const Op op = [&](std::vector<Var>& v) {
        engine::BatchNormStats stats{Tensor(engine::Shape{c}), Tensor::full({c}, 1.0f)};
        Var y = engine::batch_norm(v[0], v[1], v[2], stats, {form, 1e-4f, 0.1f}, true);
        running.push_back(bits_of(stats.running_mean));
        running.push_back(bits_of(stats.running_spread));
        return y;
      };
      expect_same_on_1_and_2_threads(
          {random_tensor(shape, 6, -2.0f, 3.0f), random_tensor({c}, 7, 0.5f, 1.5f), random_tensor({c}, 8)}, op);
      ASSERT_EQ(running.size(), 4u);
      EXPECT_TRUE(running[0] == running[2]) << "running mean";
      EXPECT_TRUE(running[1] == running[3]) << "running spread";
    }
}

TEST(ThreadCount, MaxPool) {
  const Tensor x = random_tensor({3, 11, 91, 87}, 9);
  expect_same_on_1_and_2_threads({x}, [](std::vector<Var>& v) { return engine::max_pool2d(v[0], 2, 2); });
  expect_same_on_1_and_2_threads({x}, [](std::vector<Var>& v) { return engine::max_pool2d(v[0], 3, 2); });
}

TEST(ThreadCount, ConvolutionIm2col) {
  // 3 input channels: the im2col path; P = 255 columns per image, so 9 images per GEMM.
  const Tensor x = random_tensor({11, 3, 17, 15}, 10), w = random_tensor({170, 3, 3, 3}, 11);
  expect_same_on_1_and_2_threads({x, w}, [](std::vector<Var>& v) { return engine::conv2d(v[0], v[1], 1, 1); });
  expect_same_on_1_and_2_threads({x, w}, [](std::vector<Var>& v) { return engine::conv2d(v[0], v[1], 2, 0); });
}

TEST(ThreadCount, ConvolutionWinograd) {
  // 200 x 80 kernels: the weight transforms split too; 23 x 21 maps leave partial tiles.
  const Tensor x = random_tensor({5, 80, 23, 21}, 12), w = random_tensor({200, 80, 3, 3}, 13);
  for (const int64_t pad : {int64_t{0}, int64_t{1}})
    expect_same_on_1_and_2_threads({x, w}, [pad](std::vector<Var>& v) {
      return engine::conv2d(v[0], v[1], 1, pad, engine::ConvAlgorithm::winograd);
    });
}

// The recurrence runs one batch slice per thread; on the AVX-512 path (engine/panel_gemm.h)
// a row's products do not depend on its slice, and the gradient sums run one gate per task in
// a fixed order, so 1 and 2 threads agree bit for bit. H = 72 leaves a partial panel of 4H;
// T = 70 splits the token gather into 9 chunks.
TEST(ThreadCount, LstmOnThePanelPath) {
  if (!engine::kernel_path_supported(engine::KernelPath::avx512))
    GTEST_SKIP() << "no AVX-512: the LSTM's recurrent products are OpenBLAS's, reproducible per thread count only";
  const int64_t v = 11, h = 72, batch = 13, steps = 70;
  std::vector<int32_t> tokens(batch * steps);
  for (size_t i = 0; i < tokens.size(); ++i) tokens[i] = static_cast<int32_t>((i * 7 + i / 5) % v);
  std::vector<Tensor> inputs;
  for (int k = 0; k < 4; ++k) inputs.push_back(random_tensor({v, h}, 20 + k, -0.3f, 0.3f));
  for (int k = 0; k < 4; ++k) inputs.push_back(random_tensor({h, h}, 30 + k, -0.3f, 0.3f));
  for (int k = 0; k < 4; ++k) inputs.push_back(random_tensor({h}, 40 + k, -0.3f, 0.3f));
  for (const float clip : {0.0f, 0.05f})
    expect_same_on_1_and_2_threads(inputs, [&](std::vector<Var>& in) {
      engine::LstmWeights w;
      for (int k = 0; k < 4; ++k) {
        w.wx[k] = in[k];
        w.wh[k] = in[4 + k];
        w.b[k] = in[8 + k];
      }
      return engine::lstm_sequence(tokens, batch, steps, w, clip, {});
    });
}

}  // namespace
}  // namespace laq
