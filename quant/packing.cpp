#include "quant/packing.h"

#include <algorithm>
#include <string>

#include "base/error.h"
#include "quant/baselines.h"
#include "quant/levels.h"

namespace laq::quant {

int code_bits(Method method, int bits) {
  const MethodTraits t = traits(method);
  switch (t.codes) {
    case CodeKind::none: throw Error("code_bits: fpn weights are full precision and have no codes");
    case CodeKind::binary: return 1;
    case CodeKind::ternary: return 2;
    case CodeKind::level_table:
      if (!bits_problem(method, bits).empty()) throw Error("code_bits: " + bits_problem(method, bits));
      return bits;
  }
  throw Error("code_bits: invalid method");
}

namespace {

void check_pack_bits(int bits, const char* function) {
  if (bits < 1 || bits > 8) throw Error(std::string(function) + ": bits must be in [1, 8], got " + std::to_string(bits));
}

}  // namespace

std::vector<std::uint8_t> pack_codes(std::span<const std::uint8_t> codes, int bits) {
  check_pack_bits(bits, "pack_codes");
  std::vector<std::uint8_t> packed((codes.size() * bits + 7) / 8, 0);
  std::size_t stream_bit = 0;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    if (codes[i] >> bits)
      throw Error("pack_codes: code " + std::to_string(codes[i]) + " at index " + std::to_string(i) +
                  " does not fit in " + std::to_string(bits) + " bits");
    for (int b = 0; b < bits; ++b, ++stream_bit)
      packed[stream_bit / 8] |= static_cast<std::uint8_t>(((codes[i] >> b) & 1u) << (stream_bit % 8));
  }
  return packed;
}

std::vector<std::uint8_t> unpack_codes(std::span<const std::uint8_t> packed, int bits, std::size_t count) {
  check_pack_bits(bits, "unpack_codes");
  if (packed.size() * 8 < count * bits)
    throw Error("unpack_codes: " + std::to_string(packed.size()) + " bytes cannot hold " + std::to_string(count) +
                " codes of " + std::to_string(bits) + " bits");
  std::vector<std::uint8_t> codes(count, 0);
  std::size_t stream_bit = 0;
  for (std::size_t i = 0; i < count; ++i)
    for (int b = 0; b < bits; ++b, ++stream_bit)
      codes[i] |= static_cast<std::uint8_t>(((packed[stream_bit / 8] >> (stream_bit % 8)) & 1u) << b);
  return codes;
}

std::vector<float> level_values(Method method, int bits, Scales scales) {
  switch (traits(method).codes) {
    case CodeKind::none: throw Error("level_values: fpn weights are full precision and have no codes");
    case CodeKind::binary: return {-scales.negative, scales.positive};
    case CodeKind::ternary: return {-scales.negative, 0.0f, scales.positive};
    case CodeKind::level_table: break;
  }
  if (method == Method::dorefa) {
    std::vector<float> values;
    for (int c = 0; c < (1 << bits); ++c) values.push_back(dorefa_level(c, bits));
    return values;
  }
  const LevelSet levels = method == Method::laq_linear ? linear_levels(bits) : log_levels(bits);
  const std::size_t k = levels.nonzero_levels();
  std::vector<float> values(2 * k + 1, 0.0f);
  for (std::size_t r = 1; r <= k; ++r) {
    // The same float product the alternating solver writes (alternating.cpp, Grid).
    values[k + r] = scales.positive * levels.magnitude_float(r);
    values[k - r] = -values[k + r];
  }
  return values;
}

std::vector<std::uint8_t> encode(Method method, int bits, std::span<const float> values, Scales scales) {
  const std::vector<float> levels = level_values(method, bits, scales);
  // Prefer the zero level when a zero scale makes several levels equal to 0.
  std::size_t zero_code = levels.size();
  for (std::size_t c = 0; c < levels.size(); ++c)
    if (levels[c] == 0.0f && (zero_code == levels.size() || c == levels.size() / 2)) zero_code = c;
  std::vector<std::uint8_t> codes(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::size_t c = levels.size();
    if (values[i] == 0.0f) {
      c = zero_code;
    } else {  // levels ascend (scales are >= 0)
      const auto it = std::lower_bound(levels.begin(), levels.end(), values[i]);
      if (it != levels.end() && *it == values[i]) c = static_cast<std::size_t>(it - levels.begin());
    }
    if (c == levels.size())
      throw Error("encode: value " + std::to_string(values[i]) + " at index " + std::to_string(i) +
                  " is not a level of " + method_name(method) + " with these scales");
    codes[i] = static_cast<std::uint8_t>(c);
  }
  return codes;
}

std::vector<float> decode(Method method, int bits, std::span<const std::uint8_t> codes, Scales scales) {
  const std::vector<float> levels = level_values(method, bits, scales);
  std::vector<float> values(codes.size());
  for (std::size_t i = 0; i < codes.size(); ++i) {
    if (codes[i] >= levels.size())
      throw Error("decode: code " + std::to_string(codes[i]) + " at index " + std::to_string(i) + " is out of range for " +
                  method_name(method) + " (" + std::to_string(levels.size()) + " levels)");
    values[i] = levels[codes[i]];
  }
  return values;
}

}  // namespace laq::quant
