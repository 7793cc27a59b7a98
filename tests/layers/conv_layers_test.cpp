// Conv2d, MaxPool2d and Flatten layers: parameters (names, shapes, init, quantizable), output
// shapes, errors, and a layer-level gradient check through conv -> pool -> flatten.
#include <gtest/gtest.h>

#include <string>

#include "engine/conv2d.h"
#include "engine/elementwise.h"
#include "engine/error.h"
#include "layers/conv2d.h"
#include "layers/flatten.h"
#include "layers/max_pool.h"
#include "layers/sequential.h"
#include "support/gradient_check.h"

namespace laq {
namespace {

using engine::Shape;
using engine::Tensor;
using engine::Var;
using testing::random_tensor;

TEST(Conv2dLayer, Parameters) {
  layers::Conv2d conv("conv2", 128, 256, 3);
  const auto params = conv.parameters();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0]->name, "conv2.weight");
  EXPECT_EQ(params[0]->latent.shape(), (Shape{256, 128, 3, 3}));
  EXPECT_TRUE(params[0]->quantizable);
  EXPECT_EQ(params[0]->output_channels(), 256);
  // docs/algorithms.md §3.1: fan_in = Cin*k*k, fan_out = Cout*k*k (no division by the pool size).
  EXPECT_EQ(params[0]->init.kind, layers::InitKind::fan_uniform);
  EXPECT_EQ(params[0]->init.fan_in, 128 * 9);
  EXPECT_EQ(params[0]->init.fan_out, 256 * 9);
  EXPECT_EQ(params[1]->name, "conv2.bias");
  EXPECT_EQ(params[1]->latent.shape(), (Shape{256}));
  EXPECT_FALSE(params[1]->quantizable);
  EXPECT_EQ(params[1]->init.kind, layers::InitKind::zeros);
  EXPECT_EQ(layers::Conv2d("c", 3, 4, 5, 1, 2, false).parameters().size(), 1u);
}

TEST(Conv2dLayer, ShapesAndBias) {
  layers::Conv2d conv("c", 3, 4, 3);  // stride 1, pad 1: same size
  for (int64_t i = 0; i < conv.bias->value.numel(); ++i) conv.bias->value[i] = float(i);
  const Tensor x = random_tensor({2, 3, 6, 5}, 1);
  const Var y = conv.forward(engine::constant(x), true);
  ASSERT_EQ(y->value.shape(), (Shape{2, 4, 6, 5}));
  const Tensor plain = engine::conv2d_naive(x, conv.weight.value, 1, 1);
  for (int64_t i = 0; i < plain.numel(); ++i)
    ASSERT_NEAR(y->value[i], plain[i] + float(i / 30 % 4), 1e-5) << i;
  layers::Conv2d strided("s", 3, 2, 3, 2, 0);
  EXPECT_EQ(strided.forward(engine::constant(x), true)->value.shape(), (Shape{2, 2, 2, 2}));
}

TEST(Conv2dLayer, Errors) {
  layers::Conv2d conv("conv1", 3, 4, 3);
  try {
    conv.forward(engine::constant(Tensor({2, 5, 8, 8})), true);
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("conv1"), std::string::npos) << what;
    EXPECT_NE(what.find("[2, 5, 8, 8]"), std::string::npos) << what;
  }
  EXPECT_THROW(conv.forward(engine::constant(Tensor({2, 3, 8})), true), Error);
  EXPECT_THROW(layers::Conv2d("bad", 3, 4, 0), Error);
  EXPECT_THROW(layers::Conv2d("bad", 3, 4, 3, 0), Error);
}

TEST(MaxPoolLayer, ShapeAndErrors) {
  layers::MaxPool2d pool("pool1");
  EXPECT_TRUE(pool.parameters().empty());
  EXPECT_EQ(pool.forward(engine::constant(Tensor({2, 3, 8, 6})), true)->value.shape(), (Shape{2, 3, 4, 3}));
  try {
    pool.forward(engine::constant(Tensor({2, 3, 8})), true);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("pool1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(layers::MaxPool2d("bad", 0), Error);
}

TEST(FlattenLayer, ViewInMemoryOrderAndGradient) {
  layers::Flatten flatten("flatten");
  const Tensor x = random_tensor({2, 3, 2, 2}, 2);
  Tensor grad({2, 3, 2, 2});
  const Var in = engine::leaf(x, grad);
  const Var y = flatten.forward(in, true);
  ASSERT_EQ(y->value.shape(), (Shape{2, 12}));
  EXPECT_EQ(y->value.data(), x.data());  // a view, no copy
  testing::expect_gradients_match({x}, [&](std::vector<Var>& v) { return flatten.forward(v[0], true); });
}

TEST(ConvBlockGradient, ConvPoolFlatten) {
  // conv 2->3 (3x3, pad 1) -> max-pool 2x2 -> flatten, gradient w.r.t. input, weight and bias.
  layers::Conv2d conv("c", 2, 3, 3);
  layers::MaxPool2d pool("p");
  layers::Flatten flatten("f");
  testing::expect_gradients_match(
      {random_tensor({2, 2, 4, 6}, 3), random_tensor({3, 2, 3, 3}, 4), random_tensor({3}, 5)},
      [&](std::vector<Var>& v) {
        // The layer's ops with the check's own leaves for W and b (the layer's leaves would
        // accumulate into conv.weight.grad instead; that path is the next test).
        Var y = engine::conv2d(v[0], v[1], conv.stride, conv.pad);
        y = engine::add_bias(y, v[2]);
        return flatten.forward(pool.forward(y, true), true);
      },
      1e-3, 1e-2);
}

TEST(ConvBlockGradient, ThroughTheLayersOwnParameters) {
  // The layer's forward with its own leaves: d(sum r*y)/dW lands in conv.weight.grad and matches
  // finite differences of the layer output.
  layers::Conv2d conv("c", 2, 3, 3);
  layers::MaxPool2d pool("p");
  const Tensor w0 = random_tensor({3, 2, 3, 3}, 6);
  conv.weight.value.copy_from(w0);
  const Tensor x = random_tensor({2, 2, 4, 4}, 7);
  const Tensor r = random_tensor({2, 3, 2, 2}, 8);
  auto loss_of = [&] {
    const Var y = pool.forward(conv.forward(engine::constant(x), true), true);
    double s = 0;
    for (int64_t i = 0; i < r.numel(); ++i) s += double(r[i]) * y->value[i];
    return std::pair{y, s};
  };
  auto [y, unused] = loss_of();
  Var loss = engine::make_node(Tensor::full({1}, 0.0f), {y}, [y = y, &r](engine::Node&) {
    float* d = y->grad_buffer().data();
    for (int64_t i = 0; i < r.numel(); ++i) d[i] += r[i];
  });
  engine::backward(loss);
  for (int64_t i = 0; i < w0.numel(); ++i) {
    const float saved = conv.weight.value[i];
    conv.weight.value[i] = saved + 1e-3f;
    const double plus = loss_of().second;
    conv.weight.value[i] = saved - 1e-3f;
    const double minus = loss_of().second;
    conv.weight.value[i] = saved;
    EXPECT_NEAR(conv.weight.grad[i], (plus - minus) / 2e-3, 1e-2) << i;
  }
  // The bias gradient is the sum of the pooled-through output gradient per channel.
  for (int64_t c = 0; c < 3; ++c) {
    double s = 0;
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t k = 0; k < 4; ++k) s += r[(n * 3 + c) * 4 + k];
    EXPECT_NEAR(conv.bias->grad[c], s, 1e-5) << c;
  }
}

TEST(SequentialConvNet, TinyVggBlockShapes) {
  layers::Sequential net;
  net.add<layers::Conv2d>("conv1", 3, 8, 3);
  net.add<layers::Conv2d>("conv2", 8, 8, 3);
  net.add<layers::MaxPool2d>("pool2");
  net.add<layers::Flatten>("flatten");
  const Var y = net.forward(engine::constant(random_tensor({5, 3, 8, 8}, 9)), true);
  EXPECT_EQ(y->value.shape(), (Shape{5, 8 * 4 * 4}));
  EXPECT_EQ(net.parameters().size(), 4u);
}

}  // namespace
}  // namespace laq
