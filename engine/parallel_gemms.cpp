#include "engine/parallel_gemms.h"

#include <cblas.h>

#include "engine/parallel.h"
#include "engine/threads.h"

namespace laq::engine {

void parallel_gemms(int64_t count, const std::function<void(int64_t)>& product) {
  if (threads() <= 1 || count <= 1) {
    for (int64_t i = 0; i < count; ++i) product(i);
    return;
  }
  const int saved = openblas_get_num_threads();
  openblas_set_num_threads(1);
  parallel_tasks(count, product);
  openblas_set_num_threads(saved);
}

}  // namespace laq::engine
