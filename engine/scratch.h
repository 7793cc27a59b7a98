#pragma once
// Reusable, uninitialised working memory for kernels (every user writes before it reads).
// Declare one `thread_local Scratch` per purpose: ops on different threads never share it,
// and it grows to the largest request and stays, so a training step allocates nothing.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace laq::engine {

struct Scratch {
  std::unique_ptr<float[]> data;
  int64_t size = 0;
  float* get(int64_t n) {
    if (n > size) {
      data.reset(new float[n]);
      size = n;
    }
    return data.get();
  }
};

// Scratch that must outlive one call (an op's forward pass hands it to its backward pass),
// so a thread_local Scratch cannot hold it. Freed blocks wait in a small pool (at most
// max_blocks, reused only at exactly the same size), shared by every thread under a mutex;
// contents never carry over in any way that matters, since every block is fully written
// before it is read.
class ScratchPool {
 public:
  explicit ScratchPool(size_t max_blocks) : max_blocks_(max_blocks) {}
  // A block of n floats, uninitialised: a pooled one of that size, else a new one.
  std::unique_ptr<float[]> take(int64_t n) {
    {
      std::lock_guard lock(mutex_);
      for (auto it = blocks_.begin(); it != blocks_.end(); ++it)
        if (it->first == n) {
          std::unique_ptr<float[]> data = std::move(it->second);
          blocks_.erase(it);
          return data;
        }
    }
    return std::make_unique_for_overwrite<float[]>(static_cast<size_t>(n));
  }
  // Keeps the block for a later take(n) while the pool has room; frees it otherwise.
  void give(int64_t n, std::unique_ptr<float[]>& data) {
    std::lock_guard lock(mutex_);
    if (blocks_.size() < max_blocks_) blocks_.emplace_back(n, std::move(data));
  }

 private:
  std::mutex mutex_;
  size_t max_blocks_;
  std::vector<std::pair<int64_t, std::unique_ptr<float[]>>> blocks_;
};

// n floats from a ScratchPool, given back to it on destruction or reassignment.
class PooledBuffer {
 public:
  PooledBuffer() = default;
  PooledBuffer(ScratchPool& pool, int64_t n) : pool_(&pool), n_(n), data_(pool.take(n)) {}
  PooledBuffer(PooledBuffer&&) = default;
  PooledBuffer& operator=(PooledBuffer&& other) {
    release();
    pool_ = other.pool_;
    n_ = other.n_;
    data_ = std::move(other.data_);
    return *this;
  }
  ~PooledBuffer() { release(); }
  float* get() const { return data_.get(); }
  float& operator[](int64_t i) const { return data_[i]; }

 private:
  void release() {
    if (!data_) return;
    pool_->give(n_, data_);
    data_.reset();
  }
  ScratchPool* pool_ = nullptr;
  int64_t n_ = 0;
  std::unique_ptr<float[]> data_;
};

}  // namespace laq::engine
