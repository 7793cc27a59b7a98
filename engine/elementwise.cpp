#include "engine/elementwise.h"

#include "engine/error.h"

namespace laq::engine {

ChannelLayout channel_layout(const Tensor& x, const char* op) {
  if (x.rank() < 2)
    throw Error(std::string(op) + ": expected [N, C, ...], got " + to_string(x.shape()));
  const int64_t n = x.dim(0), c = x.dim(1);
  return {n, c, n * c == 0 ? 0 : x.numel() / (n * c)};
}

Var add_bias(const Var& x, const Var& b) {
  // Copies, not structured bindings: clang before 16 cannot capture bindings in lambdas.
  const auto [n_, c_, s_] = channel_layout(x->value, "add_bias");
  const auto n = n_; const auto c = c_; const auto s = s_;
  check_shape(b->value, {c}, "add_bias: bias");
  Tensor y = x->value.copy();
  float* py = y.data();
  const float* pb = b->value.data();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch) {
      float* row = py + (i * c + ch) * s;
      for (int64_t k = 0; k < s; ++k) row[k] += pb[ch];
    }
  return make_node(std::move(y), {x, b}, [x, b, n, c, s](Node& self) {
    const float* dy = self.grad.data();
    if (x->requires_grad) {
      float* dx = x->grad_buffer().data();
      for (int64_t i = 0; i < self.grad.numel(); ++i) dx[i] += dy[i];
    }
    if (b->requires_grad) {
      float* db = b->grad_buffer().data();
      for (int64_t i = 0; i < n; ++i)
        for (int64_t ch = 0; ch < c; ++ch) {
          const float* row = dy + (i * c + ch) * s;
          float sum = 0;
          for (int64_t k = 0; k < s; ++k) sum += row[k];
          db[ch] += sum;
        }
    }
  });
}

Var relu(const Var& x) {
  Tensor y(x->value.shape());
  const float* px = x->value.data();
  float* py = y.data();
  const int64_t size = y.numel();
  for (int64_t i = 0; i < size; ++i) py[i] = px[i] > 0.0f ? px[i] : 0.0f;
  return make_node(std::move(y), {x}, [x, size](Node& self) {
    const float* dy = self.grad.data();
    const float* out = self.value.data();
    float* dx = x->grad_buffer().data();
    for (int64_t i = 0; i < size; ++i) dx[i] += out[i] > 0.0f ? dy[i] : 0.0f;
  });
}

Var add(const Var& a, const Var& b) {
  check_shape(b->value, a->value.shape(), "add: right operand");
  Tensor y = a->value.copy();
  float* py = y.data();
  const float* pb = b->value.data();
  for (int64_t i = 0; i < y.numel(); ++i) py[i] += pb[i];
  return make_node(std::move(y), {a, b}, [a, b](Node& self) {
    const float* dy = self.grad.data();
    for (const Var& p : {a, b})
      if (p->requires_grad) {
        float* dp = p->grad_buffer().data();
        for (int64_t i = 0; i < self.grad.numel(); ++i) dp[i] += dy[i];
      }
  });
}

}  // namespace laq::engine
