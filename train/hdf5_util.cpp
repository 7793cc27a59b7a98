#include "train/hdf5_util.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace laq::train::hdf5 {

namespace {

std::string describe_errno(int err) { return failure_reason_for_errno(err); }

// bytes into tmp (created, or reused under its lock), then renamed over path. Our own
// system calls, so a full disk is an errno we report, and the temporary file is removed.
void write_file_atomically(const std::filesystem::path& path, const std::filesystem::path& tmp,
                           const std::string& what, std::span<const char> bytes) {
  const std::string at = "cannot write " + what + " " + path.string() + ": ";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(at + describe_errno(errno));
  // Two writers of one file would interleave their bytes: the second one is refused.
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    throw Error(at + (err == EWOULDBLOCK ? "the file " + tmp.string() + " is in use by another process writing it"
                                         : describe_errno(err)));
  }
  const auto fail = [&](int err) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw Error(at + describe_errno(err));
  };
  if (::ftruncate(fd, 0) != 0) fail(errno);
  for (size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(n < 0 ? errno : EIO);
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw Error(at + describe_errno(err));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    ::unlink(tmp.c_str());
    throw Error("cannot rename " + tmp.string() + " to " + path.string() + ": " + ec.message());
  }
}

// The core driver's buffer, allocated through these callbacks so that the finished file can be
// written out from it directly: H5Fget_file_image would copy it first, and that copy doubled
// the peak memory of every checkpoint write (a second 160 MB for the MNIST MLP).
struct CoreImage {
  void* data = nullptr;
  size_t size = 0;
};

void* image_malloc(size_t size, H5FD_file_image_op_t, void* udata) {
  auto* image = static_cast<CoreImage*>(udata);
  image->data = std::malloc(size);
  image->size = image->data ? size : 0;
  return image->data;
}
void* image_realloc(void* ptr, size_t size, H5FD_file_image_op_t, void* udata) {
  auto* image = static_cast<CoreImage*>(udata);
  void* grown = std::realloc(ptr, size);
  if (grown) *image = {grown, size};
  return grown;
}
void* image_memcpy(void* dest, const void* src, size_t size, H5FD_file_image_op_t, void*) {
  return std::memcpy(dest, src, size);
}
herr_t image_free(void* ptr, H5FD_file_image_op_t, void* udata) {
  auto* image = static_cast<CoreImage*>(udata);
  if (ptr == image->data) *image = {};
  std::free(ptr);
  return 0;
}
// Property-list copies share the one CoreImage, which outlives the file and every copy.
void* udata_copy(void* udata) { return udata; }
herr_t udata_free(void*) { return 0; }

}  // namespace

H5::H5File open_readonly(const std::filesystem::path& path, const std::string& what) {
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (ec == std::errc::too_many_symbolic_link_levels) throw Error(what + " " + path.string() + " is a symlink loop");
  if (ec && ec != std::errc::no_such_file_or_directory)
    throw Error("cannot read " + what + " " + path.string() + ": " + ec.message());
  if (!std::filesystem::exists(st)) throw Error(what + " " + path.string() + " does not exist");
  if (std::filesystem::is_directory(st)) throw Error(what + " " + path.string() + " is a folder, expected a file");
  if (!H5::H5File::isHdf5(path.string())) throw Error(what + " " + path.string() + " is not an HDF5 file");
  return H5::H5File(path.string(), H5F_ACC_RDONLY);
}

H5::H5File open_laq_file(const std::filesystem::path& path, const std::string& what, const std::string& format,
                         int64_t version, int64_t oldest) {
  H5::H5File file = open_readonly(path, what);
  H5::Group root = file.openGroup("/");
  std::string found;
  if (!root.attrExists("format") || (read_attr(root, "format", found), found != format))
    throw Error(path.string() + " is not a laq " + what + " (no format=" + format + " attribute)");
  int64_t found_version = 0;
  if (root.attrExists("format_version")) read_attr(root, "format_version", found_version);
  if (found_version > version || found_version < (oldest ? oldest : version))
    throw Error(path.string() + ": " + what + " format version " + std::to_string(found_version) +
                ", this laq reads version" +
                (oldest && oldest < version ? "s " + std::to_string(oldest) + " to " : " ") + std::to_string(version));
  return file;
}

void write_laq_file(const std::filesystem::path& path, const std::string& what, const std::string& format,
                    int64_t version, const std::function<void(H5::H5File&)>& write) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw Error("cannot write " + what + " " + path.string() + ": it is a folder, expected a file name");
  // The file is built in memory (HDF5's core driver) and written out by write_file_atomically:
  // HDF5 never writes to the disk itself. When its own writes failed (a full disk), the
  // failed flush left the file half closed, and closing it again crashed inside HDF5.
  guard(path, "write " + what, [&] {
    CoreImage image;  // declared first: it must outlive the file and its property lists
    H5::FileAccPropList access;
    access.setCore(1 << 20, false);
    H5FD_file_image_callbacks_t callbacks{image_malloc, image_memcpy, image_realloc, image_free,
                                          udata_copy, udata_free, &image};
    if (H5Pset_file_image_callbacks(access.getId(), &callbacks) < 0)
      throw Error("cannot write " + what + " " + path.string() + ": HDF5 refused the file image callbacks");
    H5::H5File file(path.string() + ".in-memory", H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, access);
    {
      H5::Group root = file.openGroup("/");
      write_attr(root, "format", format);
      write_attr(root, "format_version", version);
    }
    write(file);
    file.flush(H5F_SCOPE_GLOBAL);
    const ssize_t size = H5Fget_file_image(file.getId(), nullptr, 0);
    if (size < 0) throw Error("cannot write " + what + " " + path.string() + ": HDF5 returned no file image");
    const std::string tmp = path.string() + ".tmp";
    if (static_cast<size_t>(size) <= image.size) {
      write_file_atomically(path, tmp, what, {static_cast<const char*>(image.data), static_cast<size_t>(size)});
      return;
    }
    // The file's end lies past the buffer (space allocated but never written): only HDF5
    // knows how to fill the gap, so let it copy the image.
    std::vector<char> bytes(static_cast<size_t>(size));
    if (H5Fget_file_image(file.getId(), bytes.data(), bytes.size()) != size)
      throw Error("cannot write " + what + " " + path.string() + ": HDF5 returned a short file image");
    write_file_atomically(path, tmp, what, bytes);
  });
}

void write_attr(H5::H5Object& obj, const std::string& name, const std::string& v) {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  obj.createAttribute(name, type, H5::DataSpace(H5S_SCALAR)).write(type, v);
}
void write_attr(H5::H5Object& obj, const std::string& name, int64_t v) {
  obj.createAttribute(name, H5::PredType::NATIVE_INT64, H5::DataSpace(H5S_SCALAR)).write(H5::PredType::NATIVE_INT64, &v);
}
void write_attr(H5::H5Object& obj, const std::string& name, double v) {
  obj.createAttribute(name, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(H5S_SCALAR)).write(H5::PredType::NATIVE_DOUBLE, &v);
}
void write_attr(H5::H5Object& obj, const std::string& name, bool v) { write_attr(obj, name, static_cast<int64_t>(v)); }

namespace {

// "<file>:<object>@<attribute>", the field named in attribute errors.
std::string attr_where(const H5::H5Object& obj, const std::string& name) {
  return obj.getFileName() + ":" + obj.getObjName() + "@" + name;
}

// The attribute, refused unless it holds exactly one value: the HDF5 C++ API reads a
// scalar into one variable, and a file claiming more elements would overrun it.
H5::Attribute open_scalar_attr(const H5::H5Object& obj, const std::string& name) {
  H5::Attribute a = obj.openAttribute(name);
  const hssize_t n = a.getSpace().getSimpleExtentNpoints();
  if (n != 1)
    throw Error(attr_where(obj, name) + ": holds " + std::to_string(n) + " values, expected a single value");
  return a;
}

}  // namespace

uint64_t file_size(const H5::H5Object& obj) {
  const hid_t fid = H5Iget_file_id(obj.getId());
  hsize_t size = 0;
  const herr_t rc = fid < 0 ? -1 : H5Fget_filesize(fid, &size);
  if (fid >= 0) H5Fclose(fid);
  if (rc < 0) throw Error(obj.getFileName() + ": cannot get the file size");
  return size;
}

void read_attr(const H5::H5Object& obj, const std::string& name, std::string& v) {
  H5::Attribute a = open_scalar_attr(obj, name);
  if (a.getTypeClass() != H5T_STRING) throw Error(attr_where(obj, name) + ": is not a string");
  a.read(a.getStrType(), v);
}
void read_attr(const H5::H5Object& obj, const std::string& name, int64_t& v) {
  open_scalar_attr(obj, name).read(H5::PredType::NATIVE_INT64, &v);
}
void read_attr(const H5::H5Object& obj, const std::string& name, double& v) {
  open_scalar_attr(obj, name).read(H5::PredType::NATIVE_DOUBLE, &v);
}
void read_attr(const H5::H5Object& obj, const std::string& name, bool& v) {
  int64_t x = 0;
  read_attr(obj, name, x);
  v = x != 0;
}

void require_attrs(const H5::H5Object& obj, const std::vector<std::string>& names, const std::string& where) {
  for (const std::string& n : names)
    if (!obj.attrExists(n)) throw Error(where + " lacks the attribute '" + n + "'");
}

void write_int_array(H5::H5Object& obj, const std::string& name, const std::vector<int64_t>& v) {
  const hsize_t n = v.size();
  obj.createAttribute(name, H5::PredType::NATIVE_INT64, H5::DataSpace(1, &n)).write(H5::PredType::NATIVE_INT64, v.data());
}
namespace {

// An array attribute's values are stored in the file itself: a count the file's size cannot
// hold is a lie, refused before anything is allocated.
size_t checked_count(const H5::H5Object& obj, const std::string& name, const H5::Attribute& a, size_t max_count) {
  const size_t value_bytes = std::max<size_t>(1, a.getDataType().getSize());
  const hssize_t n = a.getSpace().getSimpleExtentNpoints();
  if (n < 0 || static_cast<uint64_t>(n) > max_count)
    throw Error(attr_where(obj, name) + ": holds " + std::to_string(n) + " values, at most " +
                std::to_string(max_count) + " allowed");
  if (static_cast<uint64_t>(n) > file_size(obj) / value_bytes)
    throw Error(attr_where(obj, name) + ": claims " + std::to_string(n) + " values, more than the " +
                std::to_string(file_size(obj)) + "-byte file can hold");
  return static_cast<size_t>(n);
}

}  // namespace

std::vector<int64_t> read_int_array(const H5::H5Object& obj, const std::string& name, size_t max_count) {
  H5::Attribute a = obj.openAttribute(name);
  std::vector<int64_t> v(checked_count(obj, name, a, max_count));
  a.read(H5::PredType::NATIVE_INT64, v.data());
  return v;
}
void write_float_array(H5::H5Object& obj, const std::string& name, const std::vector<float>& v) {
  const hsize_t n = v.size();
  obj.createAttribute(name, H5::PredType::IEEE_F32LE, H5::DataSpace(1, &n)).write(H5::PredType::NATIVE_FLOAT, v.data());
}
std::vector<float> read_float_array(const H5::H5Object& obj, const std::string& name, size_t max_count) {
  H5::Attribute a = obj.openAttribute(name);
  std::vector<float> v(checked_count(obj, name, a, max_count));
  a.read(H5::PredType::NATIVE_FLOAT, v.data());
  return v;
}

void write_floats(H5::Group& g, const std::string& name, std::span<const float> data, const engine::Shape& shape) {
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  if (dims.empty()) dims.push_back(data.size());
  H5::DataSet ds = g.createDataSet(name, H5::PredType::IEEE_F32LE,
                                   H5::DataSpace(static_cast<int>(dims.size()), dims.data()));
  ds.write(data.data(), H5::PredType::NATIVE_FLOAT);
}

void read_floats(const H5::Group& g, const std::string& name, std::span<float> out, const std::string& where) {
  if (!g.nameExists(name)) throw Error("missing entry " + where + "/" + name);
  H5::DataSet ds = g.openDataSet(name);
  // HDF5 converts through a buffer sized by the file's element type: a type other than a
  // 4- or 8-byte float (a mutated size, a string, a compound) is refused before reading.
  if (ds.getTypeClass() != H5T_FLOAT || (ds.getFloatType().getSize() != 4 && ds.getFloatType().getSize() != 8))
    throw Error("entry " + where + "/" + name + " is not a float32 or float64 dataset");
  const hssize_t n = ds.getSpace().getSimpleExtentNpoints();
  if (n != static_cast<hssize_t>(out.size()))
    throw Error("entry " + where + "/" + name + " holds " + std::to_string(n) + " values, the model needs " +
                std::to_string(out.size()));
  ds.read(out.data(), H5::PredType::NATIVE_FLOAT);
}

}  // namespace laq::train::hdf5
