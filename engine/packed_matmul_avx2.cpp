// AVX2 body of the packed product (engine/packed_matmul.h): 8 columns per step. AVX2 has
// no mask registers, so each byte of a plane is spread into a lane mask (broadcast, AND with
// the lane's bit, compare) that selects the inputs by a bitwise AND.
//
// Register blocking as in the AVX-512 body: RB rows x NB batch rows at once.
#include "engine/packed_matmul_paths.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define LAQ_AVX2 __attribute__((target("avx2,fma")))

namespace laq::engine::detail {
namespace {

struct Operands {
  const PackedWeights& w;
  const float* x;
  int64_t ldx;
  float* y;
  int64_t ldy;
};

// One 8-bit slice of a plane: chunk q is bits [8*(q%8), +8) of word q/8.
inline uint32_t slice(const uint64_t* row, int planes, int64_t q, int plane) {
  return static_cast<uint32_t>(row[(q >> 3) * planes + plane] >> ((q & 7) * 8)) & 0xFFu;
}

LAQ_AVX2 inline __m256i lane_bits() { return _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128); }

// All-ones in the lanes whose bit of `bits` is set.
LAQ_AVX2 inline __m256i lane_mask(uint32_t bits, __m256i sel) {
  return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32(static_cast<int>(bits)), sel), sel);
}

LAQ_AVX2 inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

LAQ_AVX2 inline __m256 load(const float* p, bool whole, __m256i lanes) {
  return whole ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, lanes);
}

template <int RB, int NB, bool kTernary>
LAQ_AVX2 void signed_block(const Operands& o, int64_t r, int64_t i) {
  const PackedWeights& w = o.w;
  const int64_t full = w.cols / 8, tail = w.cols % 8;
  const __m256i sel = lane_bits();
  const __m256i tail_lanes = lane_mask((1u << tail) - 1, sel);
  const uint32_t tail_bits = (1u << tail) - 1;
  __m256 plus[RB][NB], minus[RB][NB];
  const uint64_t* row[RB];
  for (int a = 0; a < RB; ++a) {
    row[a] = w.row_bits(r + a);
    for (int j = 0; j < NB; ++j) plus[a][j] = minus[a][j] = _mm256_setzero_ps();
  }
  const float* x = o.x + i * o.ldx;
  const int64_t chunks = full + (tail ? 1 : 0);
  for (int64_t q = 0; q < chunks; ++q) {
    const bool whole = q < full;
    __m256 v[NB];
    for (int j = 0; j < NB; ++j) v[j] = load(x + j * o.ldx + q * 8, whole, tail_lanes);
    for (int a = 0; a < RB; ++a) {
      const uint32_t bp = slice(row[a], w.planes, q, 0);
      const uint32_t bm = kTernary ? slice(row[a], w.planes, q, 1) : ~bp & (whole ? 0xFFu : tail_bits);
      const __m256 kp = _mm256_castsi256_ps(lane_mask(bp, sel));
      const __m256 km = _mm256_castsi256_ps(lane_mask(bm, sel));
      for (int j = 0; j < NB; ++j) {
        plus[a][j] = _mm256_add_ps(plus[a][j], _mm256_and_ps(kp, v[j]));
        minus[a][j] = _mm256_add_ps(minus[a][j], _mm256_and_ps(km, v[j]));
      }
    }
  }
  for (int a = 0; a < RB; ++a) {
    const float sp = w.positive_of(r + a), sn = w.negative_of(r + a);
    for (int j = 0; j < NB; ++j) o.y[(i + j) * o.ldy + r + a] = sp * hsum(plus[a][j]) - sn * hsum(minus[a][j]);
  }
}

// The codes of chunk q of a row as 8 lane indices, from its bit-planes.
LAQ_AVX2 inline __m256i chunk_codes(const uint64_t* row, int planes, int64_t q, __m256i sel) {
  __m256i idx = _mm256_setzero_si256();
  for (int p = 0; p < planes; ++p)
    idx = _mm256_or_si256(idx, _mm256_and_si256(lane_mask(slice(row, planes, q, p), sel), _mm256_set1_epi32(1 << p)));
  return idx;
}

template <int RB, int NB, bool kGather>
LAQ_AVX2 void levels_block(const Operands& o, int64_t r, int64_t i) {
  const PackedWeights& w = o.w;
  const int64_t full = w.cols / 8, tail = w.cols % 8;
  const __m256i sel = lane_bits();
  const __m256i tail_lanes = lane_mask((1u << tail) - 1, sel);
  __m256 acc[RB][NB], table[RB];
  const uint64_t* row[RB];
  const float* table_ptr[RB];
  for (int a = 0; a < RB; ++a) {
    row[a] = w.row_bits(r + a);
    table_ptr[a] = w.table_of(r + a);
    table[a] = _mm256_loadu_ps(table_ptr[a]);
    for (int j = 0; j < NB; ++j) acc[a][j] = _mm256_setzero_ps();
  }
  const float* x = o.x + i * o.ldx;
  const int64_t chunks = full + (tail ? 1 : 0);
  for (int64_t q = 0; q < chunks; ++q) {
    const bool whole = q < full;
    __m256 v[NB];
    for (int j = 0; j < NB; ++j) v[j] = load(x + j * o.ldx + q * 8, whole, tail_lanes);
    for (int a = 0; a < RB; ++a) {
      const __m256i idx = chunk_codes(row[a], w.planes, q, sel);
      const __m256 wv = kGather ? _mm256_i32gather_ps(table_ptr[a], idx, 4) : _mm256_permutevar8x32_ps(table[a], idx);
      for (int j = 0; j < NB; ++j) acc[a][j] = _mm256_fmadd_ps(wv, v[j], acc[a][j]);
    }
  }
  for (int a = 0; a < RB; ++a)
    for (int j = 0; j < NB; ++j) o.y[(i + j) * o.ldy + r + a] = hsum(acc[a][j]);
}

template <int RB, int NB>
LAQ_AVX2 void block(const Operands& o, int64_t r, int64_t i) {
  switch (o.w.kind) {
    case PackedKind::binary: return signed_block<RB, NB, false>(o, r, i);
    case PackedKind::ternary: return signed_block<RB, NB, true>(o, r, i);
    case PackedKind::levels:
      if (o.w.planes <= 3) return levels_block<RB, NB, false>(o, r, i);
      return levels_block<RB, NB, true>(o, r, i);
  }
}

template <int RB, int NB>
LAQ_AVX2 void rows_for(const Operands& o, int64_t r0, int64_t r1, int64_t i) {
  int64_t r = r0;
  for (; r + RB <= r1; r += RB) block<RB, NB>(o, r, i);
  for (; r < r1; ++r) block<1, NB>(o, r, i);
}

}  // namespace

LAQ_AVX2 void packed_rows_avx2(const PackedWeights& w, const float* x, int64_t n, int64_t ldx, float* y, int64_t ldy,
                               int64_t r0, int64_t r1) {
  const Operands o{w, x, ldx, y, ldy};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) rows_for<2, 4>(o, r0, r1, i);
  switch (n - i) {
    case 3: rows_for<2, 3>(o, r0, r1, i); break;
    case 2: rows_for<2, 2>(o, r0, r1, i); break;
    case 1: rows_for<4, 1>(o, r0, r1, i); break;
    default: break;
  }
}

}  // namespace laq::engine::detail

#else

#include "engine/error.h"

namespace laq::engine::detail {
void packed_rows_avx2(const PackedWeights&, const float*, int64_t, int64_t, float*, int64_t, int64_t, int64_t) {
  throw Error("packed_matmul: built without the AVX2 path");
}
}  // namespace laq::engine::detail

#endif
