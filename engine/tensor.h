#pragma once
// Tensor: a float32 view (shape + offset) over shared, contiguous storage.
//
// Contract: a Tensor is always contiguous in row-major order, so reshape() and
// the leading-dimension slice rows() are free views that share storage; copy()
// makes an independent buffer. Copying a Tensor object copies the view, never
// the data (like a PyTorch tensor or a ggml view). An empty Tensor has no storage.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace laq::engine {

using Shape = std::vector<int64_t>;

std::string to_string(const Shape& shape);
int64_t numel_of(const Shape& shape);

class Tensor {
 public:
  Tensor() = default;
  // A new zero-filled tensor (zeroed on the pool when it is large).
  explicit Tensor(Shape shape);
  // A view of existing storage (used by the parameter arena): `data` must outlive it.
  static Tensor view_of(float* data, Shape shape);
  static Tensor zeros(Shape shape) { return Tensor(std::move(shape)); }
  // A new tensor whose contents are unspecified, for an op that writes every element before
  // anything reads it: zero-filling a multi-MB activation costs a pass over memory on one
  // thread. With LAQ_POISON_UNINITIALIZED set in the environment (the test suite sets it)
  // it is filled with NaN instead, so an element an op forgets to write cannot pass for 0.
  static Tensor uninitialized(Shape shape);
  static Tensor full(Shape shape, float value);
  static Tensor from(Shape shape, std::span<const float> values);

  const Shape& shape() const { return shape_; }
  int64_t dim(int i) const;  // negative i counts from the end
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t numel() const { return numel_; }
  bool empty() const { return data_ == nullptr; }

  float* data() { return data_; }
  const float* data() const { return data_; }
  std::span<float> span() { return {data_, static_cast<size_t>(numel_)}; }
  std::span<const float> span() const { return {data_, static_cast<size_t>(numel_)}; }
  float& operator[](int64_t i) { return data_[i]; }
  float operator[](int64_t i) const { return data_[i]; }

  // Views sharing storage.
  Tensor reshape(Shape shape) const;
  Tensor rows(int64_t begin, int64_t end) const;  // slice of the leading dimension

  Tensor copy() const;
  void fill(float value);
  void copy_from(const Tensor& other);  // shapes must have equal numel

 private:
  std::shared_ptr<float[]> storage_;  // keeps the buffer alive; null for arena views
  float* data_ = nullptr;
  Shape shape_;
  int64_t numel_ = 0;
};

// Throws laq::Error "<what>: expected shape [..], got [..]" when shapes differ.
void check_shape(const Tensor& t, const Shape& expected, const std::string& what);

}  // namespace laq::engine
