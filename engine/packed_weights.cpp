#include "engine/packed_weights.h"

#include <string>

#include "engine/error.h"

namespace laq::engine {
namespace {

PackedWeights empty_layout(PackedKind kind, int64_t rows, int64_t cols, int planes) {
  if (rows < 0 || cols < 0) throw Error("packed weights: negative shape " + std::to_string(rows) + " x " + std::to_string(cols));
  PackedWeights w;
  w.kind = kind;
  w.rows = rows;
  w.cols = cols;
  w.words = (cols + 63) / 64;
  w.planes = planes;
  w.bits.assign(static_cast<size_t>(rows * w.words * planes), 0);
  return w;
}

void check_count(size_t n, int64_t rows, const char* what) {
  if (n != 1 && static_cast<int64_t>(n) != rows)
    throw Error(std::string("packed weights: ") + std::to_string(n) + " " + what + " for " + std::to_string(rows) +
                " rows (expected 1 or one per row)");
}

void set_bit(PackedWeights& w, int64_t r, int64_t c, int plane) {
  w.bits[static_cast<size_t>((r * w.words + c / 64) * w.planes + plane)] |= uint64_t{1} << (c % 64);
}

bool bit(const PackedWeights& w, int64_t r, int64_t c, int plane) {
  return (w.row_bits(r)[(c / 64) * w.planes + plane] >> (c % 64)) & 1u;
}

PackedWeights pack_signed(PackedKind kind, int64_t rows, int64_t cols, const CodeAt& code, std::vector<float> positive,
                          std::vector<float> negative) {
  const bool ternary = kind == PackedKind::ternary;
  PackedWeights w = empty_layout(kind, rows, cols, ternary ? 2 : 1);
  check_count(positive.size(), rows, "positive scales");
  check_count(negative.size(), rows, "negative scales");
  const uint32_t plus = ternary ? 2 : 1;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      const uint32_t k = code(r, c);
      if (k > plus)
        throw Error("packed weights: code " + std::to_string(k) + " at (" + std::to_string(r) + ", " + std::to_string(c) +
                    ") is not a " + (ternary ? "ternary" : "binary") + " code");
      if (k == plus) set_bit(w, r, c, 0);
      else if (ternary && k == 0) set_bit(w, r, c, 1);
    }
  w.positive = std::move(positive);
  w.negative = std::move(negative);
  return w;
}

}  // namespace

uint32_t PackedWeights::code(int64_t r, int64_t c) const {
  switch (kind) {
    case PackedKind::binary: return bit(*this, r, c, 0);
    case PackedKind::ternary: return bit(*this, r, c, 0) ? 2 : bit(*this, r, c, 1) ? 0
                                                                                   : 1;
    case PackedKind::levels: {
      uint32_t k = 0;
      for (int p = 0; p < planes; ++p) k |= uint32_t(bit(*this, r, c, p)) << p;
      return k;
    }
  }
  return 0;
}

float PackedWeights::value(int64_t r, int64_t c) const {
  const uint32_t k = code(r, c);
  switch (kind) {
    case PackedKind::binary: return k ? positive_of(r) : -negative_of(r);
    case PackedKind::ternary: return k == 2 ? positive_of(r) : k == 0 ? -negative_of(r)
                                                                      : 0.0f;
    case PackedKind::levels: return table_of(r)[k];
  }
  return 0;
}

int64_t PackedWeights::resident_bytes() const {
  return static_cast<int64_t>(bits.size() * sizeof(uint64_t) +
                              (positive.size() + negative.size() + table.size()) * sizeof(float));
}

PackedWeights pack_binary(int64_t rows, int64_t cols, const CodeAt& code, std::vector<float> positive,
                          std::vector<float> negative) {
  return pack_signed(PackedKind::binary, rows, cols, code, std::move(positive), std::move(negative));
}

PackedWeights pack_ternary(int64_t rows, int64_t cols, const CodeAt& code, std::vector<float> positive,
                           std::vector<float> negative) {
  return pack_signed(PackedKind::ternary, rows, cols, code, std::move(positive), std::move(negative));
}

PackedWeights pack_levels(int64_t rows, int64_t cols, int bits, const CodeAt& code, int64_t table_length,
                          std::vector<float> table) {
  if (bits < 1 || bits > 8) throw Error("packed weights: levels need 1 to 8 bits per code, got " + std::to_string(bits));
  const int64_t levels = int64_t{1} << bits;
  if (table_length < 1 || table_length > levels)
    throw Error("packed weights: a table of " + std::to_string(table_length) + " levels does not fit " +
                std::to_string(bits) + "-bit codes");
  if (table.size() % table_length != 0) throw Error("packed weights: tables are not whole");
  const size_t tables = table.size() / table_length;
  check_count(tables, rows, "level tables");
  PackedWeights w = empty_layout(PackedKind::levels, rows, cols, bits);
  const int64_t size = w.table_stride();
  w.table.assign(tables * size, 0.0f);
  for (size_t t = 0; t < tables; ++t)
    for (int64_t k = 0; k < table_length; ++k) w.table[t * size + k] = table[t * table_length + k];
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      const uint32_t k = code(r, c);
      if (k >= static_cast<uint32_t>(table_length))
        throw Error("packed weights: code " + std::to_string(k) + " at (" + std::to_string(r) + ", " +
                    std::to_string(c) + ") is outside the table of " + std::to_string(table_length) + " levels");
      for (int p = 0; p < bits; ++p)
        if ((k >> p) & 1u) set_bit(w, r, c, p);
    }
  return w;
}

}  // namespace laq::engine
