#pragma once
// The per-instruction-set bodies of packed_matmul_rows (engine/packed_matmul.h), one file
// each, so that each is compiled for its own target. Same contract as packed_matmul_rows.
#include <cstdint>

#include "engine/packed_weights.h"

namespace laq::engine::detail {

void packed_rows_portable(const PackedWeights& w, const float* x, int64_t n, int64_t ldx, float* y, int64_t ldy,
                          int64_t r0, int64_t r1);
void packed_rows_avx2(const PackedWeights& w, const float* x, int64_t n, int64_t ldx, float* y, int64_t ldy,
                      int64_t r0, int64_t r1);
void packed_rows_avx512(const PackedWeights& w, const float* x, int64_t n, int64_t ldx, float* y, int64_t ldy,
                        int64_t r0, int64_t r1);

}  // namespace laq::engine::detail
