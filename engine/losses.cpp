#include "engine/losses.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/error.h"

namespace laq::engine {
namespace {

void check_labels(const Tensor& o, std::span<const int32_t> labels, const char* op) {
  if (o.rank() != 2)
    throw Error(std::string(op) + ": expected outputs [N, C], got " + to_string(o.shape()));
  if (static_cast<int64_t>(labels.size()) != o.dim(0))
    throw Error(std::string(op) + ": " + std::to_string(labels.size()) + " labels for outputs " +
                to_string(o.shape()));
  for (int32_t y : labels)
    if (y < 0 || y >= o.dim(1))
      throw Error(std::string(op) + ": label " + std::to_string(y) + " outside [0, " +
                  std::to_string(o.dim(1)) + ")");
}

}  // namespace

Var squared_hinge(const Var& outputs, std::span<const int32_t> labels) {
  const Tensor& o = outputs->value;
  check_labels(o, labels, "squared_hinge");
  const int64_t n = o.dim(0), c = o.dim(1);
  Tensor margin({n, c});  // max(0, 1 - t*o), kept for the backward pass
  double total = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < c; ++j) {
      const float t = j == labels[i] ? 1.0f : -1.0f;
      const float m = std::max(0.0f, 1.0f - t * o[i * c + j]);
      margin[i * c + j] = m;
      total += double(m) * m;
    }
  Tensor loss = Tensor::full({1}, static_cast<float>(total / double(n * c)));
  std::vector<int32_t> y(labels.begin(), labels.end());
  return make_node(std::move(loss), {outputs}, [outputs, margin, y, n, c](Node& self) {
    const float scale = -2.0f * self.grad[0] / static_cast<float>(n * c);
    float* d = outputs->grad_buffer().data();
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < c; ++j) {
        const float t = j == y[i] ? 1.0f : -1.0f;
        d[i * c + j] += scale * t * margin[i * c + j];
      }
  });
}

Var softmax_cross_entropy(const Var& logits, std::span<const int32_t> labels) {
  const Tensor& o = logits->value;
  check_labels(o, labels, "softmax_cross_entropy");
  const int64_t n = o.dim(0), c = o.dim(1);
  Tensor prob({n, c});
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float* row = o.data() + i * c;
    const float mx = *std::max_element(row, row + c);
    double z = 0;
    for (int64_t j = 0; j < c; ++j) z += std::exp(double(row[j]) - mx);
    for (int64_t j = 0; j < c; ++j) prob[i * c + j] = static_cast<float>(std::exp(row[j] - mx) / z);
    total += std::log(z) + mx - row[labels[i]];
  }
  Tensor loss = Tensor::full({1}, static_cast<float>(total / double(n)));
  std::vector<int32_t> y(labels.begin(), labels.end());
  return make_node(std::move(loss), {logits}, [logits, prob, y, n, c](Node& self) {
    const float scale = self.grad[0] / static_cast<float>(n);
    float* d = logits->grad_buffer().data();
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < c; ++j)
        d[i * c + j] += scale * (prob[i * c + j] - (j == y[i] ? 1.0f : 0.0f));
  });
}

int64_t count_errors(const Tensor& outputs, std::span<const int32_t> labels) {
  check_labels(outputs, labels, "count_errors");
  const int64_t n = outputs.dim(0), c = outputs.dim(1);
  int64_t errors = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float* row = outputs.data() + i * c;
    if (std::max_element(row, row + c) - row != labels[i]) ++errors;
  }
  return errors;
}

}  // namespace laq::engine
