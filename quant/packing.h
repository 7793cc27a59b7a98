#pragma once
// Storing quantized tensors at their real bit width.
//
// A code is the index of a value in the method's ascending list of representable values
// (see level_values):
//   binary (bc, bwn, lab), 1 bit:        0 = -alpha, 1 = +alpha
//   ternary (twn, ttq, lat*), 2 bits:    0 = -alpha-, 1 = 0, 2 = +alpha+
//   laq-linear / laq-log, m bits:        2^m - 1 levels, 0 = -alpha, k = 0, 2k = +alpha (k = 2^(m-1) - 1)
//   dorefa, m bits:                      2^m levels, code c = 2c/(2^m - 1) - 1 (no scale)
// fpn has no codes (encode/decode throw).
//
// Bit layout of pack_codes: a little-endian bit stream. Code i occupies stream bits
// [i*bits, (i+1)*bits), its least significant bit first; stream bit s is bit (s mod 8) of
// byte s/8 (LSB-first within each byte). Codes may straddle bytes (e.g. 3 bits); the last
// byte is padded with zero bits. Size: ceil(count*bits/8) bytes.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "quant/method.h"
#include "quant/options.h"

namespace laq::quant {

// Bits per code for a method (bits = Options::bits, used by laq-* and dorefa).
int code_bits(Method method, int bits);

std::vector<std::uint8_t> pack_codes(std::span<const std::uint8_t> codes, int bits);
std::vector<std::uint8_t> unpack_codes(std::span<const std::uint8_t> packed, int bits, std::size_t count);

// The representable values in code order; the single source of the float values that
// the solvers write and decode() returns.
std::vector<float> level_values(Method method, int bits, Scales scales);

// values must be exactly representable (what quantize()/ttq_forward()/dorefa() wrote with
// these scales); anything else throws laq::Error.
std::vector<std::uint8_t> encode(Method method, int bits, std::span<const float> values, Scales scales);
std::vector<float> decode(Method method, int bits, std::span<const std::uint8_t> codes, Scales scales);

}  // namespace laq::quant
