#pragma once
// A weight matrix W[rows, cols] held as bit-planes of its codes, never as floats: the operand
// of the packed product (engine/packed_matmul.h). One row per output unit.
//
//   binary   1 plane:  bit set = +positive(r), clear = -negative(r)
//   ternary  2 planes: plane 0 = the plus-mask (+positive(r)), plane 1 = the minus-mask
//                      (-negative(r)); neither = 0. Codes: 0 = minus, 1 = zero, 2 = plus.
//   levels   m planes: plane b = bit b of the code c (m in [1, 8]); W[r, k] = table(r)[c],
//                      a table of 2^m floats (at least 16, zero-padded) per row, or one
//                      for the whole tensor
//
// Layout: each row is ceil(cols/64) words per plane, the planes of one word side by side:
// word w of plane p of row r is bits[(r*words + w)*planes + p], column c is bit c%64 of word
// c/64 (LSB first). Bits past `cols` are zero. Scales and tables hold one entry for the whole
// tensor or one per row (per output channel).
//
// Built once from the codes of a packed model file, through a code getter, so that no float
// copy of W ever exists.
#include <cstdint>
#include <functional>
#include <vector>

namespace laq::engine {

enum class PackedKind { binary,
                        ternary,
                        levels };

struct PackedWeights {
  PackedKind kind = PackedKind::ternary;
  int64_t rows = 0, cols = 0, words = 0;  // words per row and plane: ceil(cols / 64)
  int planes = 0;                         // 1, 2, or the code width m
  std::vector<uint64_t> bits;             // rows * words * planes
  std::vector<float> positive, negative;  // binary, ternary: 1 or rows scales
  std::vector<float> table;               // levels: 1 or rows tables of table_stride() floats

  // 2^planes entries, at least 16 so that a kernel may load a whole 16-float register.
  int64_t table_stride() const { return planes >= 4 ? int64_t{1} << planes : 16; }
  float positive_of(int64_t r) const { return positive.size() == 1 ? positive[0] : positive[r]; }
  float negative_of(int64_t r) const { return negative.size() == 1 ? negative[0] : negative[r]; }
  const float* table_of(int64_t r) const { return table.data() + (table.size() == size_t(table_stride()) ? 0 : r * table_stride()); }
  const uint64_t* row_bits(int64_t r) const { return bits.data() + r * words * planes; }

  // The code of W[r, c], read back from the planes (tests and the reference product).
  uint32_t code(int64_t r, int64_t c) const;
  // The float value of W[r, c] (for the reference product only).
  float value(int64_t r, int64_t c) const;
  // What the kernel reads: planes, scales and tables.
  int64_t resident_bytes() const;
};

// code(r, c) gives each weight's code. Scales (and tables) hold 1 entry or one per row.
// Throws laq::Error on a code outside the kind's range or a scale count that is neither.
using CodeAt = std::function<uint32_t(int64_t r, int64_t c)>;
PackedWeights pack_binary(int64_t rows, int64_t cols, const CodeAt& code, std::vector<float> positive,
                          std::vector<float> negative);
PackedWeights pack_ternary(int64_t rows, int64_t cols, const CodeAt& code, std::vector<float> positive,
                           std::vector<float> negative);
// table: 1 or rows tables of at most 2^bits floats each (shorter tables are padded with 0,
// and codes must index inside the given length).
PackedWeights pack_levels(int64_t rows, int64_t cols, int bits, const CodeAt& code, int64_t table_length,
                          std::vector<float> table);

}  // namespace laq::engine
