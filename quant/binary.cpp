#include "quant/binary.h"

#include <bit>
#include <cstdint>
#include <string>

#include "base/error.h"
#include "quant/checks.h"
#include "quant/objective.h"

namespace laq::quant {
namespace {

Scales write_signs(std::span<const float> w, float alpha, std::span<float> out, const char* function) {
  // The finiteness test rides on the one pass over w (exponent bits all ones: inf or NaN).
  std::uint32_t bad = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    out[i] = w[i] >= 0.0f ? alpha : -alpha;
    bad |= std::uint32_t((std::bit_cast<std::uint32_t>(w[i]) & 0x7f800000u) == 0x7f800000u);
  }
  if (bad) throw_non_finite(function);
  return {alpha, alpha};
}

}  // namespace

Scales lab(std::span<const float> w, std::span<const float> d, std::span<float> out, Trace* trace) {
  require_size(d, w.size(), "lab", "d");
  require_size(out, w.size(), "lab", "out");
  require_no_alias(w, out, "lab");
  const double mean = weighted_abs_mean(w, d);
  require_finite(mean, "lab");
  const float alpha = static_cast<float>(mean);
  if (trace) trace->note("lab: b = sign(w) (0 -> +1), alpha = sum d|w| / sum d = " + std::to_string(alpha));
  return write_signs(w, alpha, out, "lab");
}

Scales bwn(std::span<const float> w, std::span<float> out) {
  require_size(out, w.size(), "bwn", "out");
  require_no_alias(w, out, "bwn");
  const double mean = weighted_abs_mean(w, {});
  require_finite(mean, "bwn");
  return write_signs(w, static_cast<float>(mean), out, "bwn");
}

Scales binary_connect(std::span<const float> w, float H, std::span<float> out) {
  require_size(out, w.size(), "binary_connect", "out");
  require_no_alias(w, out, "binary_connect");
  if (!(H > 0)) throw Error("binary_connect: H must be > 0, got " + std::to_string(H));
  return write_signs(w, H, out, "binary_connect");
}

}  // namespace laq::quant
