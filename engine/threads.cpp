#include "engine/threads.h"

#include <cblas.h>

#include <atomic>
#include <string>

#include "engine/error.h"

namespace laq::engine {
namespace {

// The count of the last set_threads; 0 before it, when OpenBLAS's own default applies.
std::atomic<int> chosen{0};

}  // namespace

void set_threads(int count) {
  if (count < 1 || count > kMaxThreads)
    throw Error("thread count must be in 1.." + std::to_string(kMaxThreads) + ", got " + std::to_string(count));
  openblas_set_num_threads(count);
  chosen.store(count, std::memory_order_relaxed);
}

int threads() {
  const int count = chosen.load(std::memory_order_relaxed);
  return count > 0 ? count : openblas_get_num_threads();
}

}  // namespace laq::engine
