#include "engine/threads.h"

#include <cblas.h>

#include <string>

#include "engine/error.h"

namespace laq::engine {

void set_threads(int count) {
  if (count < 1) throw Error("thread count must be at least 1, got " + std::to_string(count));
  openblas_set_num_threads(count);
}

int threads() { return openblas_get_num_threads(); }

}  // namespace laq::engine
