#pragma once
// The rows of the paper's tables: one per method, split by bits only for the methods whose
// quantizer reads them (dorefa, laq-*), and by variant (--code-faithful, --per-channel).
#include <compare>
#include <cstdint>
#include <string>
#include <vector>

namespace laq::train {

struct RowKey {
  std::string method;
  int64_t bits = 0;
  std::string variant;
  auto operator<=>(const RowKey&) const = default;
};

// The paper's row order: fpn, bc, bwn, lab, twn, ttq, lat-e, lat-a, lat2-e, lat2-a, dorefa,
// laq-linear, laq-log (the last three at 3 bits).
const std::vector<RowKey>& paper_rows();
std::string row_label(const RowKey& key);
// Row key of a method at a bit width: bits become 0 for methods that ignore them.
RowKey row_key(const std::string& method, int64_t bits, const std::string& variant = "");

}  // namespace laq::train
