#include "engine/elementwise.h"

#include "engine/error.h"
#include "engine/parallel.h"

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
  const auto n = n_;
  const auto c = c_;
  const auto s = s_;
  check_shape(b->value, {c}, "add_bias: bias");
  Tensor y = Tensor::uninitialized(x->value.shape());
  const float* px = x->value.data();
  float* py = y.data();
  const float* pb = b->value.data();
  parallel_for(n * c, grain_for(s), [&](int64_t begin, int64_t end) {  // rows (i, ch)
    for (int64_t r = begin; r < end; ++r)
      for (int64_t k = 0; k < s; ++k) py[r * s + k] = px[r * s + k] + pb[r % c];
  });
  return make_node(std::move(y), {x, b}, [x, b, n, c, s](Node& self) {
    const float* dy = self.grad.data();
    if (x->requires_grad) {
      float* dx = x->grad_buffer().data();
      parallel_for(self.grad.numel(), grain_for(1), [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) dx[i] += dy[i];
      });
    }
    if (b->requires_grad) {
      // Split by channel: each channel still sums its rows in image order, as sequentially.
      float* db = b->grad_buffer().data();
      parallel_for(c, grain_for(n * s), [&](int64_t begin, int64_t end) {
        for (int64_t i = 0; i < n; ++i)
          for (int64_t ch = begin; ch < end; ++ch) {
            const float* row = dy + (i * c + ch) * s;
            float sum = 0;
            for (int64_t k = 0; k < s; ++k) sum += row[k];
            db[ch] += sum;
          }
      });
    }
  });
}

Var relu(const Var& x) {
  Tensor y = Tensor::uninitialized(x->value.shape());
  const float* px = x->value.data();
  float* py = y.data();
  const int64_t size = y.numel();
  parallel_for(size, grain_for(1), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) py[i] = px[i] > 0.0f ? px[i] : 0.0f;
  });
  return make_node(std::move(y), {x}, [x, size](Node& self) {
    const float* dy = self.grad.data();
    const float* out = self.value.data();
    float* dx = x->grad_buffer().data();
    parallel_for(size, grain_for(1), [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        const float g = dy[i];  // read unconditionally, so that the loop vectorises
        dx[i] += out[i] > 0.0f ? g : 0.0f;
      }
    });
  });
}

Var add(const Var& a, const Var& b) {
  check_shape(b->value, a->value.shape(), "add: right operand");
  Tensor y = Tensor::uninitialized(a->value.shape());
  const float* pa = a->value.data();
  const float* pb = b->value.data();
  float* py = y.data();
  parallel_for(y.numel(), grain_for(1), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) py[i] = pa[i] + pb[i];
  });
  return make_node(std::move(y), {a, b}, [a, b](Node& self) {
    const float* dy = self.grad.data();
    for (const Var& p : {a, b})
      if (p->requires_grad) {
        float* dp = p->grad_buffer().data();
        parallel_for(self.grad.numel(), grain_for(1), [&](int64_t begin, int64_t end) {
          for (int64_t i = begin; i < end; ++i) dp[i] += dy[i];
        });
      }
  });
}

}  // namespace laq::engine
