#include "datasets/mat5.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <system_error>

#include "engine/error.h"

namespace laq::datasets {

static_assert(std::endian::native == std::endian::little, "the MAT-file reader assumes a little-endian host");

namespace {

constexpr uint64_t kHeaderBytes = 128;
constexpr uint64_t kMaxDeflateRatio = 1032;        // deflate cannot do better than about 1032:1
constexpr uint64_t kInChunk = uint64_t{1} << 20;   // compressed bytes read per fread
constexpr uint64_t kOutChunk = uint64_t{1} << 30;  // bytes per inflate call (avail_out is 32-bit)

std::string num(uint64_t v) { return std::to_string(v); }

uint32_t le32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
uint16_t le16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
uint64_t pad8(uint64_t n) { return (n + 7) & ~uint64_t{7}; }

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

void seek(std::FILE* f, uint64_t pos, const std::string& file) {
  if (fseeko(f, static_cast<off_t>(pos), SEEK_SET) != 0) throw Error(file + ": cannot seek to offset " + num(pos));
}

// A byte stream that either yields exactly what is asked or throws.
class Source {
 public:
  virtual ~Source() = default;
  virtual void read(uint8_t* dst, uint64_t n, const std::string& what) = 0;
  virtual void skip(uint64_t n, const std::string& what) = 0;
};

// A region [pos, end) of the file (an uncompressed miMATRIX).
class FileSource final : public Source {
 public:
  FileSource(std::FILE* f, const std::string& file, uint64_t begin, uint64_t end)
      : f_(f), file_(file), pos_(begin), end_(end) {
    seek(f_, begin, file_);
  }
  void read(uint8_t* dst, uint64_t n, const std::string& what) override {
    check(n, what);
    if (n > 0 && std::fread(dst, 1, n, f_) != n)
      throw Error(file_ + ": read error at offset " + num(pos_) + " in " + what);
    pos_ += n;
  }
  void skip(uint64_t n, const std::string& what) override {
    check(n, what);
    pos_ += n;
    seek(f_, pos_, file_);
  }

 private:
  void check(uint64_t n, const std::string& what) const {
    if (n > end_ - pos_)
      throw Error(file_ + ": " + what + " at offset " + num(pos_) + " needs " + num(n) + " bytes but its element ends " +
                  num(end_ - pos_) + " bytes later");
  }
  std::FILE* f_;
  const std::string& file_;
  uint64_t pos_, end_;
};

// The inflated contents of an miCOMPRESSED element whose zlib stream occupies
// [begin, begin + compressed) of the file. Inflates on demand, into the caller's buffer.
class InflateSource final : public Source {
 public:
  InflateSource(std::FILE* f, const std::string& file, uint64_t element_offset, uint64_t begin, uint64_t compressed)
      : f_(f), file_(file), element_(element_offset), left_(compressed), in_(std::min(compressed, kInChunk)) {
    seek(f_, begin, file_);
    if (inflateInit(&zs_) != Z_OK) throw Error(file_ + ": zlib inflateInit failed");
  }
  ~InflateSource() override { inflateEnd(&zs_); }
  InflateSource(const InflateSource&) = delete;
  InflateSource& operator=(const InflateSource&) = delete;

  void set_claim(uint64_t inner_total) { claim_ = inner_total; }

  void read(uint8_t* dst, uint64_t n, const std::string& what) override {
    const uint64_t got = read_some(dst, n);
    if (got < n)
      throw Error(where() + ": inflated size mismatch: the zlib stream ends after " + num(total_) +
                  " inflated bytes, inside " + what + (claim_ ? " (the inner tag claims " + num(claim_) + " bytes)" : ""));
  }
  void skip(uint64_t n, const std::string& what) override {
    uint8_t scratch[4096];
    while (n > 0) {
      const uint64_t step = std::min<uint64_t>(n, sizeof scratch);
      read(scratch, step, what);
      n -= step;
    }
  }
  // After the inner element: the stream must end exactly here.
  void expect_end() {
    uint8_t extra;
    if (read_some(&extra, 1) != 0)
      throw Error(where() + ": inflated size mismatch: the zlib stream holds more than the inner tag's " +
                  num(claim_) + " bytes");
  }

 private:
  std::string where() const { return file_ + ": miCOMPRESSED element at offset " + num(element_); }

  uint64_t read_some(uint8_t* dst, uint64_t n) {
    uint64_t done = 0;
    while (done < n && !ended_) {
      if (zs_.avail_in == 0 && left_ > 0) {
        const uint64_t want = std::min<uint64_t>(left_, in_.size());
        if (std::fread(in_.data(), 1, want, f_) != want)
          throw Error(where() + ": the file ends inside the compressed data");
        left_ -= want;
        zs_.next_in = in_.data();
        zs_.avail_in = static_cast<uInt>(want);
      }
      const uint64_t ask = std::min(n - done, kOutChunk);
      zs_.next_out = dst + done;
      zs_.avail_out = static_cast<uInt>(ask);
      const int rc = inflate(&zs_, Z_NO_FLUSH);
      const uint64_t produced = ask - zs_.avail_out;
      done += produced;
      total_ += produced;
      if (rc == Z_STREAM_END) {
        ended_ = true;
      } else if (rc == Z_BUF_ERROR || (rc == Z_OK && produced == 0 && zs_.avail_in == 0 && left_ == 0)) {
        if (zs_.avail_in == 0 && left_ == 0)
          throw Error(where() +
                      ": corrupt zlib stream: truncated (the element's compressed bytes end before the "
                      "stream does, after " +
                      num(total_) + " inflated bytes)");
        if (rc == Z_BUF_ERROR)  // no progress with input and output space: never loop forever
          throw Error(where() + ": corrupt zlib stream (inflate made no progress after " + num(total_) + " bytes)");
      } else if (rc != Z_OK) {
        throw Error(where() + ": corrupt zlib stream (" + (zs_.msg ? zs_.msg : "zlib error " + std::to_string(rc)) +
                    ") after " + num(total_) + " inflated bytes");
      }
    }
    return done;
  }

  std::FILE* f_;
  const std::string& file_;
  uint64_t element_;
  uint64_t left_;  // compressed bytes not yet read from the file
  std::vector<uint8_t> in_;
  z_stream zs_{};
  bool ended_ = false;
  uint64_t total_ = 0;
  uint64_t claim_ = 0;
};

struct Tag {
  uint32_t type = 0;
  uint64_t nbytes = 0;
  bool small = false;
  uint8_t inline_data[4] = {0, 0, 0, 0};
  uint64_t span() const { return small ? 8 : 8 + pad8(nbytes); }  // tag + data + padding
};

Tag read_tag(Source& s, const std::string& what) {
  uint8_t b[8];
  s.read(b, 8, what + " tag");
  Tag t;
  const uint32_t w0 = le32(b);
  if (w0 >> 16) {  // small data element: u16 type, u16 nbytes, <= 4 inline bytes
    t.small = true;
    t.type = w0 & 0xFFFFu;
    t.nbytes = w0 >> 16;
    if (t.nbytes > 4)
      throw Error(what + ": small data element claims " + num(t.nbytes) + " bytes, at most 4 fit");
    std::memcpy(t.inline_data, b + 4, 4);
  } else {
    t.type = w0;
    t.nbytes = le32(b + 4);
  }
  return t;
}

std::string dims_text(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

// Parses one miMATRIX body of `body` bytes from s. Returns nothing if the variable is not
// wanted (the caller skips what is left). `bound` caps the real part's allocation.
std::optional<MatVariable> parse_matrix(Source& s, uint64_t body, const std::vector<std::string>& wanted,
                                        const std::string& where, uint64_t bound) {
  uint64_t used = 0;
  auto sub = [&](const std::string& what) {
    Tag t = read_tag(s, where + ": " + what);
    if (t.span() > body - used)
      throw Error(where + ": " + what + " subelement claims " + num(t.nbytes) + " bytes but only " +
                  num(body - used > 8 ? body - used - 8 : 0) + " remain in the miMATRIX element (" + num(body) +
                  " bytes)");
    used += t.span();
    return t;
  };
  auto payload = [&](const Tag& t, uint8_t* dst, const std::string& what) {
    if (t.small) {
      std::memcpy(dst, t.inline_data, t.nbytes);
    } else {
      s.read(dst, t.nbytes, where + ": " + what);
      s.skip(pad8(t.nbytes) - t.nbytes, where + ": padding after " + what);
    }
  };

  const Tag flags_tag = sub("array flags");
  if (flags_tag.type != mi_uint32 || flags_tag.nbytes != 8)
    throw Error(where + ": array flags subelement is " + mat_type_name(flags_tag.type) + " of " +
                num(flags_tag.nbytes) + " bytes, expected miUINT32 of 8 bytes");
  uint8_t flags[8];
  payload(flags_tag, flags, "array flags");
  MatVariable v;
  v.mx_class = le32(flags) & 0xFFu;
  const bool complex = (le32(flags) & 0x0800u) != 0;

  const Tag dims_tag = sub("dimensions");
  if (dims_tag.type != mi_int32 || dims_tag.nbytes % 4 != 0 || dims_tag.nbytes < 8)
    throw Error(where + ": dimensions subelement is " + mat_type_name(dims_tag.type) + " of " + num(dims_tag.nbytes) +
                " bytes, expected miINT32 with at least 2 dimensions");
  std::vector<uint8_t> dbytes(dims_tag.nbytes);
  payload(dims_tag, dbytes.data(), "dimensions");
  for (uint64_t i = 0; i < dims_tag.nbytes; i += 4) {
    int32_t d;
    std::memcpy(&d, dbytes.data() + i, 4);
    if (d < 0) throw Error(where + ": dimension " + num(i / 4) + " is negative (" + std::to_string(d) + ")");
    v.dims.push_back(d);
  }

  const Tag name_tag = sub("array name");
  if (name_tag.type != mi_int8 && name_tag.type != mi_uint8 && name_tag.type != mi_utf8)
    throw Error(where + ": array name subelement is " + mat_type_name(name_tag.type) + ", expected miINT8");
  v.name.resize(name_tag.nbytes);
  payload(name_tag, reinterpret_cast<uint8_t*>(v.name.data()), "array name");
  if (std::find(wanted.begin(), wanted.end(), v.name) == wanted.end()) return std::nullopt;

  const std::string var = where + ": variable '" + v.name + "'";
  if (v.mx_class < mx_double || v.mx_class > mx_uint64)
    throw Error(var + " has class " + mat_class_name(v.mx_class) + " (" + num(v.mx_class) +
                "); only numeric, non-sparse arrays are supported");
  if (complex) throw Error(var + " is complex; only real arrays are supported");

  const Tag real = sub("real part of '" + v.name + "'");
  const std::size_t esize = mat_type_size(real.type);
  if (esize == 0)
    throw Error(var + ": real part has storage type " + mat_type_name(real.type) + " (" + num(real.type) +
                "), not a numeric type");
  v.storage = real.type;
  uint64_t count = 1;
  for (int64_t d : v.dims) {
    if (d != 0 && count > std::numeric_limits<uint64_t>::max() / 16 / static_cast<uint64_t>(d))
      throw Error(var + ": dims " + dims_text(v.dims) + " overflow");
    count *= static_cast<uint64_t>(d);
  }
  if (real.nbytes != count * esize)
    throw Error(var + ": real part holds " + num(real.nbytes) + " bytes of " + mat_type_name(real.type) + " but dims " +
                dims_text(v.dims) + " need " + num(count * esize));
  if (real.nbytes > bound)
    throw Error(var + ": real part claims " + num(real.nbytes) + " bytes, more than the element can hold (" +
                num(bound) + ")");
  v.data.resize(real.nbytes);
  payload(real, v.data.data(), "real part of '" + v.name + "'");
  if (body > used) s.skip(body - used, where + ": rest of '" + v.name + "'");
  return v;
}

void check_header(std::FILE* f, const std::string& file, uint64_t size) {
  uint8_t h[kHeaderBytes] = {};
  const uint64_t got = std::fread(h, 1, std::min(size, kHeaderBytes), f);
  const std::string text(reinterpret_cast<const char*>(h), got);
  bool hdf5 = text.rfind("MATLAB 7.3", 0) == 0;
  if (size >= 520) {
    uint8_t sig[8];
    seek(f, 512, file);
    if (std::fread(sig, 1, 8, f) == 8 && std::memcmp(sig, "\x89HDF\r\n\x1a\n", 8) == 0) hdf5 = true;
  }
  if (hdf5)
    throw Error(file +
                ": header: this is a MATLAB 7.3 MAT-file (an HDF5 container); laq reads MAT-file Level 5 "
                "(v6/v7) only: re-save it with save -v7, or read it with an HDF5 reader");
  if (text.rfind("MATLAB 5.0 MAT-file", 0) != 0)
    throw Error(file +
                ": header text: does not start with \"MATLAB 5.0 MAT-file\": not a MAT-file Level 5 "
                "(a Level 4 MAT-file has no text header and is not supported)");
  if (size < kHeaderBytes)
    throw Error(file + ": header truncated: " + num(size) + " bytes, a MAT-file Level 5 header has 128");
  if (h[126] == 'M' && h[127] == 'I')
    throw Error(file + ": endian mark: 'MI' (a big-endian MAT-file) is not supported; only 'IM' (little-endian)");
  if (h[126] != 'I' || h[127] != 'M')
    throw Error(file + ": endian mark: bytes 126-127 are not 'IM'");
  const uint16_t version = le16(h + 124);
  if (version != 0x0100) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%04X", version);
    throw Error(file + ": version: " + buf + ", expected 0x0100");
  }
}

}  // namespace

const char* mat_type_name(uint32_t t) {
  switch (t) {
    case mi_int8: return "miINT8";
    case mi_uint8: return "miUINT8";
    case mi_int16: return "miINT16";
    case mi_uint16: return "miUINT16";
    case mi_int32: return "miINT32";
    case mi_uint32: return "miUINT32";
    case mi_single: return "miSINGLE";
    case mi_double: return "miDOUBLE";
    case mi_int64: return "miINT64";
    case mi_uint64: return "miUINT64";
    case mi_matrix: return "miMATRIX";
    case mi_compressed: return "miCOMPRESSED";
    case mi_utf8: return "miUTF8";
    case mi_utf16: return "miUTF16";
    case mi_utf32: return "miUTF32";
    default: return "unknown";
  }
}

const char* mat_class_name(uint32_t c) {
  switch (c) {
    case mx_cell: return "mxCELL";
    case mx_struct: return "mxSTRUCT";
    case mx_object: return "mxOBJECT";
    case mx_char: return "mxCHAR";
    case mx_sparse: return "mxSPARSE";
    case mx_double: return "mxDOUBLE";
    case mx_single: return "mxSINGLE";
    case mx_int8: return "mxINT8";
    case mx_uint8: return "mxUINT8";
    case mx_int16: return "mxINT16";
    case mx_uint16: return "mxUINT16";
    case mx_int32: return "mxINT32";
    case mx_uint32: return "mxUINT32";
    case mx_int64: return "mxINT64";
    case mx_uint64: return "mxUINT64";
    default: return "unknown";
  }
}

std::size_t mat_type_size(uint32_t t) {
  switch (t) {
    case mi_int8:
    case mi_uint8: return 1;
    case mi_int16:
    case mi_uint16: return 2;
    case mi_int32:
    case mi_uint32:
    case mi_single: return 4;
    case mi_double:
    case mi_int64:
    case mi_uint64: return 8;
    default: return 0;
  }
}

int64_t MatVariable::count() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

double MatVariable::value(int64_t i) const {
  const uint8_t* p = data.data() + static_cast<std::size_t>(i) * mat_type_size(storage);
  auto get = [p](auto v) { std::memcpy(&v, p, sizeof v); return static_cast<double>(v); };
  switch (storage) {
    case mi_int8: return get(int8_t{});
    case mi_uint8: return get(uint8_t{});
    case mi_int16: return get(int16_t{});
    case mi_uint16: return get(uint16_t{});
    case mi_int32: return get(int32_t{});
    case mi_uint32: return get(uint32_t{});
    case mi_single: return get(float{});
    case mi_double: return get(double{});
    case mi_int64: return get(int64_t{});
    case mi_uint64: return get(uint64_t{});
    default: throw Error("MatVariable::value: variable '" + name + "' has non-numeric storage");
  }
}

std::vector<MatVariable> read_mat5(const std::filesystem::path& path, const std::vector<std::string>& wanted) {
  const std::string file = path.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw Error(file + ": no such MAT-file");
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) throw Error(file + ": cannot stat (" + ec.message() + ")");
  FilePtr f(std::fopen(file.c_str(), "rb"));
  if (!f) throw Error(file + ": cannot open for reading");
  check_header(f.get(), file, size);

  std::vector<MatVariable> out;
  uint64_t pos = kHeaderBytes;
  while (pos < size) {
    if (size - pos < 8)
      throw Error(file + ": element at offset " + num(pos) + ": only " + num(size - pos) +
                  " bytes remain, too few for a tag (truncated file?)");
    uint8_t b[8];
    seek(f.get(), pos, file);
    if (std::fread(b, 1, 8, f.get()) != 8) throw Error(file + ": read error at offset " + num(pos));
    const uint32_t type = le32(b);
    const uint64_t nbytes = le32(b + 4);
    const uint64_t start = pos;
    const std::string where = file + ": element at offset " + num(pos);
    if (type >> 16) throw Error(where + ": a small data element at top level (expected miMATRIX or miCOMPRESSED)");
    if (nbytes > size - pos - 8)
      throw Error(where + ": " + mat_type_name(type) + " claims " + num(nbytes) + " bytes but only " +
                  num(size - pos - 8) + " remain in the file (truncated file)");

    std::optional<MatVariable> v;
    if (type == mi_compressed) {
      InflateSource src(f.get(), file, pos, pos + 8, nbytes);
      const Tag inner = read_tag(src, where + ": inflated element");
      if (inner.small || inner.type != mi_matrix)
        throw Error(where + ": miCOMPRESSED inflates to a " + mat_type_name(inner.type) +
                    " element, expected miMATRIX");
      const uint64_t bound = kMaxDeflateRatio * nbytes + 1024;
      if (inner.nbytes > bound)
        throw Error(where + ": inflated size mismatch: the inner miMATRIX tag claims " + num(inner.nbytes) +
                    " bytes, more than " + num(nbytes) + " compressed bytes can inflate to");
      src.set_claim(inner.nbytes);
      v = parse_matrix(src, inner.nbytes, wanted, where, bound);
      if (v) src.expect_end();
      if (v) v->compressed = true;
      pos += 8 + nbytes;  // no padding after compressed elements
    } else if (type == mi_matrix) {
      FileSource src(f.get(), file, pos + 8, pos + 8 + nbytes);
      v = parse_matrix(src, nbytes, wanted, where, nbytes);
      pos = std::min(size, pos + 8 + pad8(nbytes));  // the last element's padding may be missing
    } else {
      throw Error(where + ": unexpected top-level element type " + mat_type_name(type) + " (" + num(type) +
                  "), expected miMATRIX or miCOMPRESSED");
    }
    if (v) {
      for (const auto& o : out)
        if (o.name == v->name) throw Error(where + ": variable '" + v->name + "' appears twice in the file");
      v->file_offset = start;
      out.push_back(std::move(*v));
    }
  }
  return out;
}

}  // namespace laq::datasets
