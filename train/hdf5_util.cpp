#include "train/hdf5_util.h"

namespace laq::train::hdf5 {

H5::H5File open_readonly(const std::filesystem::path& path, const std::string& what) {
  if (!std::filesystem::exists(path)) throw Error(what + " " + path.string() + " does not exist");
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
  const std::filesystem::path tmp = path.string() + ".tmp";
  guard(path, "write " + what, [&] {
    H5::H5File file(tmp.string(), H5F_ACC_TRUNC);
    H5::Group root = file.openGroup("/");
    write_attr(root, "format", format);
    write_attr(root, "format_version", version);
    write(file);
    return 0;
  });
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw Error("cannot rename " + tmp.string() + " to " + path.string() + ": " + ec.message());
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

void read_attr(const H5::H5Object& obj, const std::string& name, std::string& v) {
  H5::Attribute a = obj.openAttribute(name);
  a.read(a.getStrType(), v);
}
void read_attr(const H5::H5Object& obj, const std::string& name, int64_t& v) {
  obj.openAttribute(name).read(H5::PredType::NATIVE_INT64, &v);
}
void read_attr(const H5::H5Object& obj, const std::string& name, double& v) {
  obj.openAttribute(name).read(H5::PredType::NATIVE_DOUBLE, &v);
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
std::vector<int64_t> read_int_array(const H5::H5Object& obj, const std::string& name) {
  H5::Attribute a = obj.openAttribute(name);
  std::vector<int64_t> v(a.getSpace().getSimpleExtentNpoints());
  a.read(H5::PredType::NATIVE_INT64, v.data());
  return v;
}
void write_float_array(H5::H5Object& obj, const std::string& name, const std::vector<float>& v) {
  const hsize_t n = v.size();
  obj.createAttribute(name, H5::PredType::IEEE_F32LE, H5::DataSpace(1, &n)).write(H5::PredType::NATIVE_FLOAT, v.data());
}
std::vector<float> read_float_array(const H5::H5Object& obj, const std::string& name) {
  H5::Attribute a = obj.openAttribute(name);
  std::vector<float> v(a.getSpace().getSimpleExtentNpoints());
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
  const hssize_t n = ds.getSpace().getSimpleExtentNpoints();
  if (n != static_cast<hssize_t>(out.size()))
    throw Error("entry " + where + "/" + name + " holds " + std::to_string(n) + " values, the model needs " +
                std::to_string(out.size()));
  ds.read(out.data(), H5::PredType::NATIVE_FLOAT);
}

}  // namespace laq::train::hdf5
