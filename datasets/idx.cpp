#include "datasets/idx.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <limits>
#include <memory>
#include <system_error>

#include "engine/error.h"

namespace laq::datasets {

namespace {

// deflate cannot compress better than about 1032:1; gzip adds >= 18 bytes of framing.
constexpr uint64_t kMaxDeflateRatio = 1032;
constexpr uint64_t kChunk = uint64_t{4} << 20;  // bytes inflated per gzread call

std::string hex_byte(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", v & 0xFFu);
  return buf;
}

bool known_type(uint8_t code) {
  switch (code) {
    case 0x08:
    case 0x09:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x0E: return true;
    default: return false;
  }
}

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzPtr = std::unique_ptr<gzFile_s, GzCloser>;

// Reads up to n bytes; returns how many. Throws on a zlib error (corrupt stream).
uint64_t gz_read_some(gzFile f, uint8_t* dst, uint64_t n, const std::string& where) {
  uint64_t done = 0;
  while (done < n) {
    const unsigned ask = static_cast<unsigned>(std::min<uint64_t>(n - done, kChunk));
    const int got = gzread(f, dst + done, ask);
    if (got < 0) {
      int errnum = 0;
      const char* msg = gzerror(f, &errnum);
      throw Error(where + ": corrupt gzip stream (" + (msg ? msg : "unknown zlib error") + ")");
    }
    if (got == 0) break;
    done += static_cast<uint64_t>(got);
  }
  return done;
}

// After a short read: was it a plain end of file, or a gzip stream cut short?
void check_clean_eof(gzFile f, const std::string& file) {
  int errnum = Z_OK;
  const char* msg = gzerror(f, &errnum);
  if (errnum == Z_BUF_ERROR) throw Error(file + ": gzip stream is truncated (" + (msg ? msg : "") + ")");
  if (errnum != Z_OK) throw Error(file + ": corrupt gzip stream (" + (msg ? msg : "") + ")");
}

uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

void to_host_order(std::vector<uint8_t>& bytes, std::size_t esize) {
  if (esize == 1 || std::endian::native == std::endian::big) return;
  for (std::size_t i = 0; i + esize <= bytes.size(); i += esize) std::reverse(bytes.begin() + i, bytes.begin() + i + esize);
}

}  // namespace

std::size_t idx_element_size(IdxType type) {
  switch (type) {
    case IdxType::u8:
    case IdxType::i8: return 1;
    case IdxType::i16: return 2;
    case IdxType::i32:
    case IdxType::f32: return 4;
    case IdxType::f64: return 8;
  }
  throw Error("idx_element_size: unknown IDX type code " + hex_byte(static_cast<unsigned>(type)));
}

const char* idx_type_name(IdxType type) {
  switch (type) {
    case IdxType::u8: return "uint8";
    case IdxType::i8: return "int8";
    case IdxType::i16: return "int16";
    case IdxType::i32: return "int32";
    case IdxType::f32: return "float32";
    case IdxType::f64: return "float64";
  }
  return "unknown";
}

int64_t IdxArray::count() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

IdxArray read_idx(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw Error(file + ": no such IDX file");
  const uint64_t file_size = std::filesystem::file_size(path, ec);
  if (ec) throw Error(file + ": cannot stat (" + ec.message() + ")");

  GzPtr f(gzopen(file.c_str(), "rb"));
  if (!f) throw Error(file + ": cannot open for reading");

  IdxArray out;
  uint8_t head[4];
  const uint64_t got_head = gz_read_some(f.get(), head, 4, file);
  if (got_head < 4) {
    check_clean_eof(f.get(), file);
    throw Error(file + ": IDX header truncated: " + std::to_string(got_head) + " bytes, need 4 for the magic");
  }
  out.magic = be32(head);
  if (head[0] != 0 || head[1] != 0)
    throw Error(file + ": bad IDX magic: first two bytes are " + hex_byte(head[0]) + " " + hex_byte(head[1]) +
                ", expected 0x00 0x00 (not an IDX file, or a gzip file with a damaged header)");
  if (!known_type(head[2]))
    throw Error(file + ": bad IDX magic: unknown element type code " + hex_byte(head[2]) +
                " (known: 0x08 0x09 0x0B 0x0C 0x0D 0x0E)");
  out.type = static_cast<IdxType>(head[2]);
  const unsigned ndims = head[3];
  if (ndims == 0) throw Error(file + ": bad IDX magic: number of dimensions is 0");

  std::vector<uint8_t> dimbytes(4 * std::size_t{ndims});
  const uint64_t got_dims = gz_read_some(f.get(), dimbytes.data(), dimbytes.size(), file);
  if (got_dims < dimbytes.size()) {
    check_clean_eof(f.get(), file);
    throw Error(file + ": IDX header truncated: the magic announces " + std::to_string(ndims) +
                " dimensions but the file ends inside the dimension sizes");
  }
  const uint64_t esize = idx_element_size(out.type);
  // Payload size with overflow checking: each dim < 2^32, so test before each product.
  uint64_t payload = esize;
  bool overflow = false;
  for (unsigned i = 0; i < ndims; ++i) {
    const uint64_t d = be32(dimbytes.data() + 4 * i);
    out.dims.push_back(static_cast<int64_t>(d));
    if (d != 0 && payload > std::numeric_limits<uint64_t>::max() / 4 / d) overflow = true;
    else payload *= d;
  }
  const uint64_t header = 4 + 4 * uint64_t{ndims};
  auto claim = [&] {
    std::string s = "the header claims dims [";
    for (std::size_t i = 0; i < out.dims.size(); ++i) s += (i ? ", " : "") + std::to_string(out.dims[i]);
    return s + "] of " + idx_type_name(out.type);
  };
  if (overflow) throw Error(file + ": " + claim() + ", an impossible payload size (overflow)");

  const bool raw = gzdirect(f.get()) == 1;
  if (raw) {
    if (file_size < header + payload)
      throw Error(file + ": payload truncated: " + claim() + " = " + std::to_string(payload) + " bytes, but only " +
                  std::to_string(file_size - header) + " bytes follow the " + std::to_string(header) + "-byte header");
    if (file_size > header + payload)
      throw Error(file + ": trailing bytes: " + claim() + " = " + std::to_string(payload) + " bytes, but " +
                  std::to_string(file_size - header - payload) + " extra bytes follow the payload");
  } else if (payload > kMaxDeflateRatio * file_size + 4096) {
    throw Error(file + ": payload impossible: " + claim() + " = " + std::to_string(payload) + " bytes, but a " +
                std::to_string(file_size) + "-byte gzip file can inflate to at most about " +
                std::to_string(kMaxDeflateRatio * file_size) + " bytes");
  }

  // Grow the buffer only as data arrives (for raw files the size is already verified).
  uint64_t have = 0;
  if (raw) out.bytes.resize(payload);
  while (have < payload) {
    if (!raw) out.bytes.resize(std::min(payload, std::max<uint64_t>(2 * have, have + kChunk)));
    const uint64_t want = out.bytes.size() - have;
    const uint64_t got = gz_read_some(f.get(), out.bytes.data() + have, want, file);
    have += got;
    if (got < want) break;
  }
  if (have < payload) {
    check_clean_eof(f.get(), file);
    throw Error(file + ": payload truncated: " + claim() + " = " + std::to_string(payload) + " bytes, but only " +
                std::to_string(have) + " bytes follow the header");
  }
  uint8_t extra[256];
  const uint64_t more = gz_read_some(f.get(), extra, sizeof extra, file);
  if (more > 0)
    throw Error(file + ": trailing bytes: " + claim() + " = " + std::to_string(payload) +
                " bytes, but more data follows the payload");
  check_clean_eof(f.get(), file);
  to_host_order(out.bytes, esize);
  return out;
}

}  // namespace laq::datasets
