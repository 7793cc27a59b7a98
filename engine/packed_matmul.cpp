#include "engine/packed_matmul.h"

#include <algorithm>
#include <bit>
#include <string>

#include "engine/error.h"
#include "engine/packed_matmul_paths.h"
#include "engine/parallel.h"

namespace laq::engine {

const char* kernel_path_name(KernelPath path) {
  switch (path) {
    case KernelPath::portable: return "portable";
    case KernelPath::avx2: return "avx2";
    case KernelPath::avx512: return "avx512";
  }
  return "?";
}

bool kernel_path_supported(KernelPath path) {
  switch (path) {
    case KernelPath::portable: return true;
    case KernelPath::avx2:
#if defined(__x86_64__) || defined(__i386__)
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
      return false;
#endif
    case KernelPath::avx512:
#if defined(__x86_64__) || defined(__i386__)
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#else
      return false;
#endif
  }
  return false;
}

KernelPath best_kernel_path() {
  static const KernelPath best = kernel_path_supported(KernelPath::avx512) ? KernelPath::avx512
                                 : kernel_path_supported(KernelPath::avx2) ? KernelPath::avx2
                                                                           : KernelPath::portable;
  return best;
}

std::vector<KernelPath> supported_kernel_paths() {
  std::vector<KernelPath> paths;
  for (KernelPath p : {KernelPath::portable, KernelPath::avx2, KernelPath::avx512})
    if (kernel_path_supported(p)) paths.push_back(p);
  return paths;
}

namespace {

void check_operands(const PackedWeights& w, int64_t n, int64_t ldx, int64_t ldy, const char* who) {
  if (n < 0 || ldx < w.cols || ldy < w.rows)
    throw Error(std::string(who) + ": batch " + std::to_string(n) + " with ldx " + std::to_string(ldx) + ", ldy " +
                std::to_string(ldy) + " does not fit W [" + std::to_string(w.rows) + ", " + std::to_string(w.cols) + "]");
}

}  // namespace

void packed_matmul_rows(KernelPath path, const PackedWeights& w, const float* x, int64_t n, int64_t ldx, float* y,
                        int64_t ldy, int64_t row_begin, int64_t row_end) {
  check_operands(w, n, ldx, ldy, "packed_matmul");
  if (row_begin < 0 || row_end > w.rows || row_begin > row_end)
    throw Error("packed_matmul: rows [" + std::to_string(row_begin) + ", " + std::to_string(row_end) +
                ") outside W's " + std::to_string(w.rows));
  if (!kernel_path_supported(path))
    throw Error(std::string("packed_matmul: this CPU does not support the ") + kernel_path_name(path) + " path");
  if (n == 0 || row_begin == row_end) return;
  switch (path) {
    case KernelPath::portable: return detail::packed_rows_portable(w, x, n, ldx, y, ldy, row_begin, row_end);
    case KernelPath::avx2: return detail::packed_rows_avx2(w, x, n, ldx, y, ldy, row_begin, row_end);
    case KernelPath::avx512: return detail::packed_rows_avx512(w, x, n, ldx, y, ldy, row_begin, row_end);
  }
}

void packed_matmul(const PackedWeights& w, const float* x, int64_t n, int64_t ldx, float* y, int64_t ldy) {
  check_operands(w, n, ldx, ldy, "packed_matmul");
  const KernelPath path = best_kernel_path();
  // About 256K weight bits (times the batch) per chunk: enough work to be worth a hand-off.
  const int64_t bits_per_row = w.words * 64 * w.planes * (n < 1 ? 1 : n) + 1;
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 18) / bits_per_row);
  parallel_for(w.rows, grain, [&](int64_t begin, int64_t end) {
    packed_matmul_rows(path, w, x, n, ldx, y, ldy, begin, end);
  });
}

void packed_matmul_reference(const PackedWeights& w, const float* x, int64_t n, int64_t ldx, float* y, int64_t ldy) {
  check_operands(w, n, ldx, ldy, "packed_matmul_reference");
  for (int64_t i = 0; i < n; ++i)
    for (int64_t r = 0; r < w.rows; ++r) {
      double sum = 0;
      for (int64_t c = 0; c < w.cols; ++c) sum += double(w.value(r, c)) * double(x[i * ldx + c]);
      y[i * ldy + r] = static_cast<float>(sum);
    }
}

namespace detail {
namespace {

// The columns of word `word` that lie inside the row.
uint64_t valid_bits(const PackedWeights& w, int64_t word) {
  const int64_t left = w.cols - word * 64;
  return left >= 64 ? ~uint64_t{0} : (uint64_t{1} << left) - 1;
}

float masked_sum(uint64_t mask, const float* x) {
  float s = 0;
  for (; mask; mask &= mask - 1) s += x[std::countr_zero(mask)];
  return s;
}

}  // namespace

void packed_rows_portable(const PackedWeights& w, const float* x, int64_t n, int64_t ldx, float* y, int64_t ldy,
                          int64_t r0, int64_t r1) {
  for (int64_t r = r0; r < r1; ++r) {
    const uint64_t* b = w.row_bits(r);
    for (int64_t i = 0; i < n; ++i) {
      const float* xi = x + i * ldx;
      if (w.kind == PackedKind::levels) {
        const float* table = w.table_of(r);
        float sum = 0;
        for (int64_t c = 0; c < w.cols; ++c) {
          const uint64_t* word = b + (c / 64) * w.planes;
          uint32_t k = 0;
          for (int p = 0; p < w.planes; ++p) k |= uint32_t((word[p] >> (c % 64)) & 1u) << p;
          sum += table[k] * xi[c];
        }
        y[i * ldy + r] = sum;
        continue;
      }
      float plus = 0, minus = 0;
      for (int64_t q = 0; q < w.words; ++q) {
        const uint64_t p = b[q * w.planes];
        const uint64_t m = w.kind == PackedKind::ternary ? b[q * w.planes + 1] : ~p & valid_bits(w, q);
        plus += masked_sum(p, xi + q * 64);
        minus += masked_sum(m, xi + q * 64);
      }
      y[i * ldy + r] = w.positive_of(r) * plus - w.negative_of(r) * minus;
    }
  }
}

}  // namespace detail
}  // namespace laq::engine
