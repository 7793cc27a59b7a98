// AVX-512 body of the packed product (engine/packed_matmul.h): 16 columns per step, the
// 16 bits of each plane used directly as a mask register.
//
// Register blocking: RB rows x NB batch rows at once, so each x chunk loaded is used by RB
// rows and each mask by NB inputs, and the RB*NB (x2 for binary/ternary) independent
// accumulators hide the add latency.
#include "engine/packed_matmul_paths.h"

#if defined(__x86_64__)
#include <immintrin.h>

// GCC 12's AVX-512 intrinsics fill their unused source operand with _mm512_undefined_ps(),
// which -Wuninitialized flags (inside the header) whenever they are inlined into a function
// compiled with a target attribute rather than -mavx512f. Nothing here reads such a value.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#define LAQ_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma")))

namespace laq::engine::detail {
namespace {

struct Operands {
  const PackedWeights& w;
  const float* x;
  int64_t ldx;
  float* y;
  int64_t ldy;
};

// One 16-bit slice of a plane: chunk q is bits [16*(q%4), +16) of word q/4.
inline __mmask16 slice(const uint64_t* row, int planes, int64_t q, int plane) {
  return static_cast<__mmask16>(row[(q >> 2) * planes + plane] >> ((q & 3) * 16));
}

// Horizontal sum (GCC 12's hsum warns about its own undefined registers).
LAQ_AVX512 inline float hsum(__m512 v) {
  __m512 s = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, 0x4E));
  s = _mm512_add_ps(s, _mm512_shuffle_f32x4(s, s, 0xB1));
  __m128 t = _mm512_castps512_ps128(s);
  t = _mm_add_ps(t, _mm_movehl_ps(t, t));
  t = _mm_add_ss(t, _mm_movehdup_ps(t));
  return _mm_cvtss_f32(t);
}

template <int RB, int NB, bool kTernary>
LAQ_AVX512 void signed_block(const Operands& o, int64_t r, int64_t i) {
  const PackedWeights& w = o.w;
  const int64_t full = w.cols / 16, tail = w.cols % 16;
  const __mmask16 tail_mask = static_cast<__mmask16>((1u << tail) - 1);
  __m512 plus[RB][NB], minus[RB][NB];
  const uint64_t* row[RB];
  for (int a = 0; a < RB; ++a) {
    row[a] = w.row_bits(r + a);
    for (int j = 0; j < NB; ++j) plus[a][j] = minus[a][j] = _mm512_setzero_ps();
  }
  const float* x = o.x + i * o.ldx;
  const int64_t chunks = full + (tail ? 1 : 0);
  for (int64_t q = 0; q < chunks; ++q) {
    const bool whole = q < full;
    const __mmask16 lanes = whole ? __mmask16(0xFFFF) : tail_mask;
    __m512 v[NB];
    for (int j = 0; j < NB; ++j)
      v[j] = whole ? _mm512_loadu_ps(x + j * o.ldx + q * 16) : _mm512_maskz_loadu_ps(lanes, x + j * o.ldx + q * 16);
    for (int a = 0; a < RB; ++a) {
      const __mmask16 kp = slice(row[a], w.planes, q, 0);
      const __mmask16 km = kTernary ? slice(row[a], w.planes, q, 1) : static_cast<__mmask16>(~kp & lanes);
      for (int j = 0; j < NB; ++j) {
        plus[a][j] = _mm512_mask_add_ps(plus[a][j], kp, plus[a][j], v[j]);
        minus[a][j] = _mm512_mask_add_ps(minus[a][j], km, minus[a][j], v[j]);
      }
    }
  }
  for (int a = 0; a < RB; ++a) {
    const float sp = w.positive_of(r + a), sn = w.negative_of(r + a);
    for (int j = 0; j < NB; ++j)
      o.y[(i + j) * o.ldy + r + a] = sp * hsum(plus[a][j]) - sn * hsum(minus[a][j]);
  }
}

// The codes of chunk q of a row as 16 lane indices, from its bit-planes.
LAQ_AVX512 inline __m512i chunk_codes(const uint64_t* row, int planes, int64_t q) {
  __m512i idx = _mm512_setzero_si512();
  for (int p = 0; p < planes; ++p)
    idx = _mm512_mask_or_epi32(idx, slice(row, planes, q, p), idx, _mm512_set1_epi32(1 << p));
  return idx;
}

template <int RB, int NB, bool kGather>
LAQ_AVX512 void levels_block(const Operands& o, int64_t r, int64_t i) {
  const PackedWeights& w = o.w;
  const int64_t full = w.cols / 16, tail = w.cols % 16;
  const __mmask16 tail_mask = static_cast<__mmask16>((1u << tail) - 1);
  __m512 acc[RB][NB], table[RB];
  const uint64_t* row[RB];
  const float* table_ptr[RB];
  for (int a = 0; a < RB; ++a) {
    row[a] = w.row_bits(r + a);
    table_ptr[a] = w.table_of(r + a);
    table[a] = _mm512_loadu_ps(table_ptr[a]);
    for (int j = 0; j < NB; ++j) acc[a][j] = _mm512_setzero_ps();
  }
  const float* x = o.x + i * o.ldx;
  const int64_t chunks = full + (tail ? 1 : 0);
  for (int64_t q = 0; q < chunks; ++q) {
    const bool whole = q < full;
    const __mmask16 lanes = whole ? __mmask16(0xFFFF) : tail_mask;
    __m512 v[NB];
    for (int j = 0; j < NB; ++j)
      v[j] = whole ? _mm512_loadu_ps(x + j * o.ldx + q * 16) : _mm512_maskz_loadu_ps(lanes, x + j * o.ldx + q * 16);
    for (int a = 0; a < RB; ++a) {
      const __m512i idx = chunk_codes(row[a], w.planes, q);
      const __m512 wv = kGather ? _mm512_i32gather_ps(idx, table_ptr[a], 4) : _mm512_permutexvar_ps(idx, table[a]);
      for (int j = 0; j < NB; ++j) acc[a][j] = _mm512_fmadd_ps(wv, v[j], acc[a][j]);
    }
  }
  for (int a = 0; a < RB; ++a)
    for (int j = 0; j < NB; ++j) o.y[(i + j) * o.ldy + r + a] = hsum(acc[a][j]);
}

template <int RB, int NB>
LAQ_AVX512 void block(const Operands& o, int64_t r, int64_t i) {
  switch (o.w.kind) {
    case PackedKind::binary: return signed_block<RB, NB, false>(o, r, i);
    case PackedKind::ternary: return signed_block<RB, NB, true>(o, r, i);
    case PackedKind::levels:
      if (o.w.planes <= 4) return levels_block<RB, NB, false>(o, r, i);
      return levels_block<RB, NB, true>(o, r, i);
  }
}

// Rows in blocks of RB (then one at a time) for NB batch rows starting at i.
template <int RB, int NB>
LAQ_AVX512 void rows_for(const Operands& o, int64_t r0, int64_t r1, int64_t i) {
  int64_t r = r0;
  for (; r + RB <= r1; r += RB) block<RB, NB>(o, r, i);
  for (; r < r1; ++r) block<1, NB>(o, r, i);
}

}  // namespace

LAQ_AVX512 void packed_rows_avx512(const PackedWeights& w, const float* x, int64_t n, int64_t ldx, float* y,
                                   int64_t ldy, int64_t r0, int64_t r1) {
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
void packed_rows_avx512(const PackedWeights&, const float*, int64_t, int64_t, float*, int64_t, int64_t, int64_t) {
  throw Error("packed_matmul: built without the AVX-512 path");
}
}  // namespace laq::engine::detail

#endif
