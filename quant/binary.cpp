#include "quant/binary.h"

#include <string>

#include "engine/error.h"
#include "quant/common.h"

namespace laq::quant {
namespace {

Scales write_signs(std::span<const float> w, float alpha, std::span<float> out) {
  for (std::size_t i = 0; i < w.size(); ++i) out[i] = w[i] >= 0.0f ? alpha : -alpha;
  return {alpha, alpha};
}

}  // namespace

Scales lab(std::span<const float> w, std::span<const float> d, std::span<float> out, Trace* trace) {
  require_size(d, w.size(), "lab", "d");
  require_size(out, w.size(), "lab", "out");
  require_no_alias(w, out, "lab");
  const float alpha = static_cast<float>(weighted_abs_mean(w, d));
  if (trace) trace->note("lab: b = sign(w) (0 -> +1), alpha = sum d|w| / sum d = " + std::to_string(alpha));
  return write_signs(w, alpha, out);
}

Scales bwn(std::span<const float> w, std::span<float> out) {
  require_size(out, w.size(), "bwn", "out");
  require_no_alias(w, out, "bwn");
  return write_signs(w, static_cast<float>(weighted_abs_mean(w, {})), out);
}

Scales binary_connect(std::span<const float> w, float H, std::span<float> out) {
  require_size(out, w.size(), "binary_connect", "out");
  require_no_alias(w, out, "binary_connect");
  if (!(H > 0)) throw Error("binary_connect: H must be > 0, got " + std::to_string(H));
  return write_signs(w, H, out);
}

}  // namespace laq::quant
