#pragma once
// What the transforms share: argument checks and the number formatting of their messages.
#include <cstdint>
#include <string>

#include "engine/error.h"

namespace laq::datasets::detail {

inline std::string num(int64_t v) { return std::to_string(v); }

inline void check_rows(const char* fn, const float* x, int64_t n, int64_t dim) {
  if (n < 0 || dim <= 0 || (n > 0 && x == nullptr))
    throw Error(std::string(fn) + ": bad arguments (n = " + num(n) + ", dim = " + num(dim) + ")");
}

}  // namespace laq::datasets::detail
