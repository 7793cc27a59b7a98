#pragma once
// The few HDF5 operations laq's files need (checkpoints, packed models), over the HDF5
// C++ API, with every HDF5 failure turned into a laq::Error that names the file.
#include <H5Cpp.h>

#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/tensor.h"
#include "train/hdf5_errors.h"

namespace laq::train::hdf5 {

// Runs f, converting H5::Exception into "cannot <action> <path>: <reason>", the reason in a
// user's terms when HDF5 recorded a system error (train/hdf5_errors.h), else HDF5's detail.
template <typename F>
auto guard(const std::filesystem::path& path, const std::string& action, F&& f) {
  route_errors();
  clear_failure();
  try {
    return f();
  } catch (const H5::Exception& e) {
    const std::string reason = failure_reason();
    throw Error("cannot " + action + " " + path.string() + ": " + (reason.empty() ? e.getDetailMsg() : reason));
  }
}

// Opens an existing HDF5 file, with a clear error if it is missing or not HDF5.
H5::H5File open_readonly(const std::filesystem::path& path, const std::string& what);
// Opens a laq file and checks its root attributes: format == `format` and format_version in
// [oldest, version]; errors name the file and say what it is instead.
H5::H5File open_laq_file(const std::filesystem::path& path, const std::string& what, const std::string& format,
                         int64_t version, int64_t oldest = 0);
// Writes a new file through `write(file)` into "<path>.tmp", then renames it over `path`, so
// a crash never leaves half a file. The root gets the format attributes. The file is built in
// memory and written by laq itself: on failure (a full disk, ...) the error says why, the
// temporary file is removed and `path` is left as it was.
void write_laq_file(const std::filesystem::path& path, const std::string& what, const std::string& format,
                    int64_t version, const std::function<void(H5::H5File&)>& write);

void write_attr(H5::H5Object& obj, const std::string& name, const std::string& v);
void write_attr(H5::H5Object& obj, const std::string& name, int64_t v);
void write_attr(H5::H5Object& obj, const std::string& name, double v);
void write_attr(H5::H5Object& obj, const std::string& name, bool v);
// Readers of single-value attributes: an attribute holding more (or fewer) than one value,
// or a string read as a number and back, is a laq::Error naming file, object and attribute.
void read_attr(const H5::H5Object& obj, const std::string& name, std::string& v);
void read_attr(const H5::H5Object& obj, const std::string& name, int64_t& v);
void read_attr(const H5::H5Object& obj, const std::string& name, double& v);
void read_attr(const H5::H5Object& obj, const std::string& name, bool& v);
void require_attrs(const H5::H5Object& obj, const std::vector<std::string>& names, const std::string& where);

void write_int_array(H5::H5Object& obj, const std::string& name, const std::vector<int64_t>& v);
// Array attributes: more than max_count values, or more than the file's size can hold, is
// refused before anything is allocated.
std::vector<int64_t> read_int_array(const H5::H5Object& obj, const std::string& name, size_t max_count);
void write_float_array(H5::H5Object& obj, const std::string& name, const std::vector<float>& v);
std::vector<float> read_float_array(const H5::H5Object& obj, const std::string& name, size_t max_count);
// Size in bytes of the file holding obj.
uint64_t file_size(const H5::H5Object& obj);

// float32 datasets; an empty shape writes a 1-D dataset of data.size().
void write_floats(H5::Group& g, const std::string& name, std::span<const float> data, const engine::Shape& shape);
// Reads exactly out.size() values; errors name `where`/name.
void read_floats(const H5::Group& g, const std::string& name, std::span<float> out, const std::string& where);

}  // namespace laq::train::hdf5
