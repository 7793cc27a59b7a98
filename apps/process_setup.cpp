#include "apps/process_setup.h"

#include <cblas.h>
#include <malloc.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace laq::apps {

void select_blas_kernels(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE")) return;
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  if (!avx512) return;
  const char* chosen = openblas_get_corename();
  if (chosen && (std::strstr(chosen, "kylake") || std::strstr(chosen, "ooperlake") || std::strstr(chosen, "apphire")))
    return;
  setenv("OPENBLAS_CORETYPE", "SkylakeX", 1);
  execv("/proc/self/exe", argv);
  // If the re-exec fails we simply continue with the kernels OpenBLAS chose.
}

void tune_allocator() {
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

}  // namespace laq::apps
