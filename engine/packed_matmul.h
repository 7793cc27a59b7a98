#pragma once
// The packed product: Y = X · Wᵀ with W held as bit-planes of its codes (engine/packed_weights.h).
//
//   X [n, cols] (row i at x + i*ldx), W [rows, cols] packed, Y [n, rows] (row i at y + i*ldy)
//   Y[i, r] = sum over c of W[r, c] * X[i, c]
//
// n = 1 is the matrix-vector product y = W x; a small batch shares each word of W it reads.
// binary and ternary never multiply by a weight: per row and input, the inputs under the
// plus-mask are summed, those under the minus-mask summed apart, and
//   Y[i, r] = positive(r) * (sum where +1) - negative(r) * (sum where -1)
// (binary: the minus-mask is the complement of the plus-mask). levels decode each group of
// 16 (or 8) codes from their bit-planes into a register through the row's table (a permute,
// or a gather past 16 levels) and accumulate with fused multiply-adds; the weights exist
// only in registers.
//
// Paths: AVX-512 (F, BW, DQ, VL), AVX2 (with FMA), and a portable C++ loop, chosen at run time from
// what the CPU supports (__builtin_cpu_supports); each lives in its own file compiled with
// target attributes, so a binary built without -march=native still runs on older CPUs. All
// paths give the same function; rounding differs (summation order).
#include <cstdint>
#include <vector>

#include "engine/packed_weights.h"

namespace laq::engine {

enum class KernelPath { portable,
                        avx2,
                        avx512 };

const char* kernel_path_name(KernelPath path);
bool kernel_path_supported(KernelPath path);
KernelPath best_kernel_path();
// The supported paths, the portable one first (tests force each in turn).
std::vector<KernelPath> supported_kernel_paths();

// The whole product on the best path, rows split over the process's threads
// (engine/parallel.h; rows are independent, so the result does not depend on the count).
void packed_matmul(const PackedWeights& w, const float* x, int64_t n, int64_t ldx, float* y, int64_t ldy);
// Rows [row_begin, row_end) only, on one thread, on the given (supported) path.
void packed_matmul_rows(KernelPath path, const PackedWeights& w, const float* x, int64_t n, int64_t ldx, float* y,
                        int64_t ldy, int64_t row_begin, int64_t row_end);

// The plain reference twin: every weight decoded by PackedWeights::value, double accumulation.
void packed_matmul_reference(const PackedWeights& w, const float* x, int64_t n, int64_t ldx, float* y, int64_t ldy);

}  // namespace laq::engine
