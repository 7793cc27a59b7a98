#pragma once
// Reusable, uninitialised working memory for kernels (every user writes before it reads).
// Declare one `thread_local Scratch` per purpose: ops on different threads never share it,
// and it grows to the largest request and stays, so a training step allocates nothing.
#include <cstdint>
#include <memory>

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

}  // namespace laq::engine
