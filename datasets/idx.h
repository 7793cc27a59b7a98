#pragma once
// IDX reader (LeCun's format of MNIST and Fashion-MNIST; docs/formats.md §1.1).
//
// Layout: bytes 0-1 zero, byte 2 element type, byte 3 number of dimensions d, then d
// big-endian uint32 sizes, then prod(dims) elements, row-major, multi-byte elements
// big-endian. The file may be raw or gzip: zlib's gzread reads both through one path.
//
// Contract of read_idx:
//   requires  nothing of the file; every defect is reported as laq::Error naming the
//             file and the field (magic, type code, dimension count, a dimension, the
//             payload length, the gzip stream).
//   ensures   dims.size() >= 1, bytes.size() == prod(dims) * element size exactly (a
//             short payload and trailing bytes are both errors), elements converted to
//             the host byte order.
//   memory    never allocates more than the file can justify: a raw file's size must
//             match the header before anything is allocated; a gzip file is rejected
//             upfront if the header claims more than deflate's maximum ratio (1032:1)
//             allows for its compressed size, and is otherwise read in chunks so the
//             buffer grows only as data actually inflates.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace laq::datasets {

enum class IdxType : uint8_t {
  u8 = 0x08,
  i8 = 0x09,
  i16 = 0x0B,
  i32 = 0x0C,
  f32 = 0x0D,
  f64 = 0x0E,
};

// Size in bytes of one element, and a short name ("uint8", ...).
std::size_t idx_element_size(IdxType type);
const char* idx_type_name(IdxType type);

struct IdxArray {
  uint32_t magic = 0;  // the first four bytes read big-endian, e.g. 2051 for MNIST images
  IdxType type = IdxType::u8;
  std::vector<int64_t> dims;   // as in the header, outermost first
  std::vector<uint8_t> bytes;  // payload, host byte order, row-major

  int64_t count() const;  // prod(dims)
};

IdxArray read_idx(const std::filesystem::path& path);

}  // namespace laq::datasets
