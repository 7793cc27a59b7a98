#include "engine/tensor.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "engine/error.h"
#include "engine/parallel.h"

namespace laq::engine {

std::string to_string(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

int64_t numel_of(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw Error("negative dimension in shape " + to_string(shape));
    n *= d;
  }
  return n;
}

Tensor::Tensor(Shape shape) : shape_(std::move(shape)), numel_(numel_of(shape_)) {
  storage_ = std::shared_ptr<float[]>(new float[std::max<int64_t>(numel_, 1)]);
  data_ = storage_.get();
  parallel_fill(data_, numel_, 0.0f);
}

namespace {
bool poison_uninitialized() {
  static const bool on = std::getenv("LAQ_POISON_UNINITIALIZED") != nullptr;
  return on;
}
}  // namespace

Tensor Tensor::uninitialized(Shape shape) {
  Tensor t;
  t.shape_ = std::move(shape);
  t.numel_ = numel_of(t.shape_);
  t.storage_ = std::shared_ptr<float[]>(new float[std::max<int64_t>(t.numel_, 1)]);
  t.data_ = t.storage_.get();
  if (poison_uninitialized()) t.fill(std::numeric_limits<float>::quiet_NaN());
  return t;
}

Tensor Tensor::view_of(float* data, Shape shape) {
  Tensor t;
  t.shape_ = std::move(shape);
  t.numel_ = numel_of(t.shape_);
  t.data_ = data;
  return t;
}

Tensor Tensor::full(Shape shape, float value) {
  Tensor t(std::move(shape));
  t.fill(value);
  return t;
}

Tensor Tensor::from(Shape shape, std::span<const float> values) {
  Tensor t(std::move(shape));
  if (static_cast<int64_t>(values.size()) != t.numel_)
    throw Error("Tensor::from: " + std::to_string(values.size()) + " values for shape " +
                to_string(t.shape_));
  std::copy(values.begin(), values.end(), t.data_);
  return t;
}

int64_t Tensor::dim(int i) const {
  const int r = rank();
  const int k = i < 0 ? i + r : i;
  if (k < 0 || k >= r)
    throw Error("dimension " + std::to_string(i) + " out of range for shape " + to_string(shape_));
  return shape_[k];
}

Tensor Tensor::reshape(Shape shape) const {
  if (numel_of(shape) != numel_)
    throw Error("cannot reshape " + to_string(shape_) + " to " + to_string(shape));
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::rows(int64_t begin, int64_t end) const {
  if (rank() == 0 || begin < 0 || end < begin || end > shape_[0])
    throw Error("rows(" + std::to_string(begin) + ", " + std::to_string(end) +
                ") out of range for shape " + to_string(shape_));
  const int64_t row = shape_[0] == 0 ? 0 : numel_ / shape_[0];
  Tensor t = *this;
  t.data_ = data_ + begin * row;
  t.shape_[0] = end - begin;
  t.numel_ = (end - begin) * row;
  return t;
}

Tensor Tensor::copy() const {
  Tensor t = uninitialized(shape_);
  if (numel_) std::memcpy(t.data_, data_, sizeof(float) * numel_);
  return t;
}

void Tensor::fill(float value) { std::fill(data_, data_ + numel_, value); }

void Tensor::copy_from(const Tensor& other) {
  if (other.numel_ != numel_)
    throw Error("copy_from: " + to_string(other.shape_) + " into " + to_string(shape_));
  if (numel_) std::memcpy(data_, other.data_, sizeof(float) * numel_);
}

void check_shape(const Tensor& t, const Shape& expected, const std::string& what) {
  if (t.shape() != expected)
    throw Error(what + ": expected shape " + to_string(expected) + ", got " + to_string(t.shape()));
}

}  // namespace laq::engine
