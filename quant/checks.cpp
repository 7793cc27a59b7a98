#include "quant/checks.h"

#include <bit>
#include <cstdint>
#include <functional>
#include <string>

#include "base/error.h"

namespace laq::quant {

void throw_non_finite(const char* function) {
  throw Error(std::string(function) + ": a weight or curvature is NaN or infinite; such values have no quantized code");
}

bool all_finite(std::span<const float> a) {
  // Exponent bits all ones is inf or NaN; an OR over a mask keeps the loop free of branches.
  std::uint32_t bad = 0;
  for (const float x : a) bad |= std::uint32_t((std::bit_cast<std::uint32_t>(x) & 0x7f800000u) == 0x7f800000u);
  return bad == 0;
}

void require_size(std::span<const float> a, std::size_t n, const char* function, const char* what) {
  if (a.size() != n)
    throw Error(std::string(function) + ": " + what + " has " + std::to_string(a.size()) +
                " elements, expected " + std::to_string(n));
}

void require_no_alias(std::span<const float> in, std::span<float> out, const char* function) {
  if (in.empty() || out.empty()) return;
  // std::less gives a total order on pointers even across unrelated arrays.
  const std::less<const float*> before;
  const bool disjoint = !before(in.data(), out.data() + out.size()) || !before(out.data(), in.data() + in.size());
  if (!disjoint) throw Error(std::string(function) + ": the output may not alias the latent weights w");
}

}  // namespace laq::quant
