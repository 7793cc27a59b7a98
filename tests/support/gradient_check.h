#pragma once
// Finite-difference gradient check shared by the op, layer and LSTM tests.
//
// f builds a graph from leaves over `inputs` and returns any tensor; the check reduces it to
// the scalar L = sum(r * f) with a fixed random r, so every output element matters, then
// compares dL/dinput from backward() with central differences (eps) element by element.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <vector>

#include "engine/autograd.h"
#include "engine/reduce.h"
#include "engine/tensor.h"

namespace laq::testing {

using engine::Tensor;
using engine::Var;

inline Tensor random_tensor(engine::Shape shape, uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  Tensor t(std::move(shape));
  for (float& v : t.span()) v = u(rng);
  return t;
}

inline double projected_loss(const std::function<Var(std::vector<Var>&)>& f, std::vector<Var>& leaves,
                             Tensor& r, Var* out) {
  Var y = f(leaves);
  if (r.empty()) r = random_tensor(y->value.shape(), 99);
  double s = 0;
  for (int64_t i = 0; i < y->value.numel(); ++i) s += double(r[i]) * y->value[i];
  if (out) *out = y;
  return s;
}

// Which inputs to check: all by default.
inline void expect_gradients_match(std::vector<Tensor> inputs,
                                   const std::function<Var(std::vector<Var>&)>& f,
                                   double eps = 1e-2, double tol = 2e-2,
                                   std::vector<bool> check = {}) {
  std::vector<Tensor> grads;
  std::vector<Var> leaves;
  for (Tensor& t : inputs) {
    grads.emplace_back(t.shape());
    leaves.push_back(engine::leaf(t, grads.back()));
  }
  Tensor r;
  Var y;
  projected_loss(f, leaves, r, &y);
  // Seed the gradient of y with r, i.e. backprop L = sum(r*y).
  Var loss = engine::make_node(Tensor::full({1}, 0.0f), {y}, [y, r](engine::Node& self) {
    float* d = y->grad_buffer().data();
    for (int64_t i = 0; i < r.numel(); ++i) d[i] += self.grad[0] * r[i];
  });
  engine::backward(loss);

  for (size_t k = 0; k < inputs.size(); ++k) {
    if (!check.empty() && !check[k]) continue;
    Tensor& x = inputs[k];
    for (int64_t i = 0; i < x.numel(); ++i) {
      const float saved = x[i];
      x[i] = saved + static_cast<float>(eps);
      std::vector<Var> plus;
      for (Tensor& t : inputs) plus.push_back(engine::constant(t));
      const double lp = projected_loss(f, plus, r, nullptr);
      x[i] = saved - static_cast<float>(eps);
      std::vector<Var> minus;
      for (Tensor& t : inputs) minus.push_back(engine::constant(t));
      const double lm = projected_loss(f, minus, r, nullptr);
      x[i] = saved;
      const double numeric = (lp - lm) / (2 * eps);
      const double analytic = grads[k][i];
      EXPECT_NEAR(analytic, numeric, tol * std::max(1.0, std::abs(numeric)))
          << "input " << k << " element " << i;
    }
  }
}

}  // namespace laq::testing
