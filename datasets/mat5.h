#pragma once
// MAT-file Level 5 reader: just enough of MATLAB's format for numeric arrays saved with
// `save -v7` (zlib-compressed variables) or `-v6` (uncompressed), the containers of SVHN
// format 2 (docs/formats.md §1.4).
//
// What is read:
//   header    128 bytes: text starting "MATLAB 5.0 MAT-file", 8 bytes subsystem offset
//             (ignored), u16 version 0x0100, endian mark "IM" (little-endian).
//   elements  from offset 128 to the end of the file, each a tag (u32 type, u32 nbytes,
//             or the small form u16 type | u16 nbytes << 16 with <= 4 inline bytes) then
//             its data; miMATRIX (14) is padded to 8 bytes, miCOMPRESSED (15) is not.
//             miCOMPRESSED holds one zlib stream that inflates to exactly one element
//             (normally an miMATRIX). Any other top-level type is an error.
//   matrices  subelements array flags (miUINT32, class in the low byte, 0x0800 complex),
//             dimensions (miINT32, >= 2 of them), name (miINT8), real part (any numeric
//             mi type, possibly in the small form).
//
// What is refused, with a message naming the file:
//   - "MATLAB 7.3" files and any file with the HDF5 signature at offset 512 (use an HDF5
//     reader); Level 4 files and anything whose text does not start "MATLAB 5.0 MAT-file";
//   - the big-endian mark "MI" (no real data set uses it; refusing is simpler than
//     swapping every field);
//   - wanted variables that are complex, sparse, or not numeric (cell, struct, char,
//     object); unwanted variables of any class are skipped without being decoded.
//
// Memory: a wanted variable's real part is allocated once, at the exact size its tag
// claims, and only after checking the claim against (a) the enclosing element's size,
// (b) prod(dims) * element size, and (c) for compressed elements the most a deflate
// stream of that many bytes can inflate to (1032:1). Compressed data is inflated in a
// streaming loop straight into that buffer; nothing else scales with the file. All sizes
// are 64-bit (SVHN extra's X inflates to 1.63 GB).
//
// Contract of read_mat5:
//   requires  a path; `wanted` lists variable names (case-sensitive).
//   ensures   one MatVariable per wanted name found, in file order; names absent from the
//             file are simply absent from the result (the caller decides if that is an
//             error); a name present twice is an error. data holds the real part in host
//             byte order (the host must be little-endian, which every laq target is).
//             For a wanted compressed variable the inflated stream must be exactly the
//             inner tag's 8 + nbytes long ("inflated size mismatch" otherwise).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace laq::datasets {

// mi* data types (element storage).
enum MatDataType : uint32_t {
  mi_int8 = 1,
  mi_uint8 = 2,
  mi_int16 = 3,
  mi_uint16 = 4,
  mi_int32 = 5,
  mi_uint32 = 6,
  mi_single = 7,
  mi_double = 9,
  mi_int64 = 12,
  mi_uint64 = 13,
  mi_matrix = 14,
  mi_compressed = 15,
  mi_utf8 = 16,
  mi_utf16 = 17,
  mi_utf32 = 18,
};

// mx* array classes.
enum MatClass : uint32_t {
  mx_cell = 1,
  mx_struct = 2,
  mx_object = 3,
  mx_char = 4,
  mx_sparse = 5,
  mx_double = 6,
  mx_single = 7,
  mx_int8 = 8,
  mx_uint8 = 9,
  mx_int16 = 10,
  mx_uint16 = 11,
  mx_int32 = 12,
  mx_uint32 = 13,
  mx_int64 = 14,
  mx_uint64 = 15,
};

const char* mat_type_name(uint32_t mi_type);    // "miUINT8", ... or "unknown"
const char* mat_class_name(uint32_t mx_class);  // "mxUINT8", ... or "unknown"
// Bytes per element of a numeric mi type; 0 for non-numeric or unknown types.
std::size_t mat_type_size(uint32_t mi_type);

struct MatVariable {
  std::string name;
  uint32_t mx_class = 0;      // MatClass
  uint32_t storage = 0;       // MatDataType of the real part
  bool compressed = false;    // stored inside an miCOMPRESSED element
  uint64_t file_offset = 0;   // offset of its top-level tag in the file
  std::vector<int64_t> dims;  // as stored, column-major (first index fastest)
  std::vector<uint8_t> data;  // real part, prod(dims) * mat_type_size(storage) bytes

  int64_t count() const;  // prod(dims)
  // Element i converted to double (exact for every storage type except 64-bit integers
  // beyond 2^53).
  double value(int64_t i) const;
};

std::vector<MatVariable> read_mat5(const std::filesystem::path& path, const std::vector<std::string>& wanted);

}  // namespace laq::datasets
