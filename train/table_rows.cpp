#include "train/table_rows.h"

#include "engine/error.h"
#include "quant/method.h"

namespace laq::train {

namespace {

bool method_needs_bits(const std::string& method) {
  try {
    return quant::traits(quant::parse_method(method)).needs_bits;
  } catch (const Error&) {
    return true;  // a method this build does not know: keep its bits apart, to be safe
  }
}

}  // namespace

const std::vector<RowKey>& paper_rows() {
  static const std::vector<RowKey> rows{
      {"fpn", 0, ""},
      {"bc", 0, ""},
      {"bwn", 0, ""},
      {"lab", 0, ""},
      {"twn", 0, ""},
      {"ttq", 0, ""},
      {"lat-e", 0, ""},
      {"lat-a", 0, ""},
      {"lat2-e", 0, ""},
      {"lat2-a", 0, ""},
      {"dorefa", 3, ""},
      {"laq-linear", 3, ""},
      {"laq-log", 3, ""},
  };
  return rows;
}

RowKey row_key(const std::string& method, int64_t bits, const std::string& variant) {
  return {method, method_needs_bits(method) ? bits : 0, variant};
}

std::string row_label(const RowKey& key) {
  std::string s = key.method == "fpn" ? "full precision" : key.method;
  if (key.bits > 0) s += " (" + std::to_string(key.bits) + " bits)";
  if (!key.variant.empty()) s += ", " + key.variant;
  return s;
}

}  // namespace laq::train
