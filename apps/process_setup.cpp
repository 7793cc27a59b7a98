#include "apps/process_setup.h"

#include <cblas.h>
#include <malloc.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>

namespace laq::apps {

namespace {

// Whether OpenBLAS would run faster with the AVX-512 kernels it did not pick itself.
bool avx512_kernels_missed() {
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  if (!avx512) return false;
  const char* chosen = openblas_get_corename();
  return !(chosen && (std::strstr(chosen, "kylake") || std::strstr(chosen, "ooperlake") || std::strstr(chosen, "apphire")));
}

}  // namespace

void prepare_blas_environment(char** argv) {
  bool changed = false;
  if (!std::getenv("OPENBLAS_CORETYPE") && avx512_kernels_missed()) {
    setenv("OPENBLAS_CORETYPE", "SkylakeX", 1);
    changed = true;
  }
  if (!std::getenv("OPENBLAS_THREAD_TIMEOUT")) {
    setenv("OPENBLAS_THREAD_TIMEOUT", "4", 1);
    changed = true;
  }
  // Both are set now, so the new image does not come back here. If the re-exec fails we
  // simply continue with the settings OpenBLAS loaded with.
  if (changed) execv("/proc/self/exe", argv);
}

void tune_allocator() {
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

void ignore_file_size_signal() { std::signal(SIGXFSZ, SIG_IGN); }

}  // namespace laq::apps
