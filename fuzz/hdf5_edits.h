#pragma once
// Structure-aware inputs for the HDF5 loaders. Mutating an HDF5 file's raw bytes mostly
// fuzzes libhdf5's own parser (which crashes or allocates gigabytes on corrupt metadata
// within seconds; not laq's code). What laq adds are structure checks, so here an input is
// a list of edits applied through the HDF5 API to a valid file written by laq's own writer:
// HDF5 only ever parses files HDF5 wrote, and the loader sees every kind of wrong structure
// (missing or extra entries, wrong types, non-scalar attributes, lying shapes with storage
// never written, odd names).
//
// Input: byte 0 picks the base file (index modulo the number of bases); then edits, each
//   [op] [object] [a] [b] [c] [d] + op-specific bytes
// with `object` indexing the file's objects (groups and datasets, sorted by path) and their
// attributes. Unknown or failing edits are skipped: the edit language is total.
#include <H5Cpp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace laq::fuzz {

class EditReader {
 public:
  EditReader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  bool empty() const { return p_ >= end_; }
  uint8_t byte() { return p_ < end_ ? *p_++ : 0; }
  std::string text(size_t n) {
    std::string s;
    for (size_t i = 0; i < n && p_ < end_; ++i) s.push_back(static_cast<char>(*p_++));
    return s;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

namespace detail {

struct Objects {
  std::vector<std::string> groups, datasets;
  std::vector<std::pair<std::string, std::string>> attributes;  // object path, attribute name
};

inline void list_objects(const H5::Group& g, const std::string& path, Objects& out) {
  out.groups.push_back(path.empty() ? "/" : path);
  for (int i = 0; i < g.getNumAttrs(); ++i)
    out.attributes.push_back({path.empty() ? "/" : path, g.openAttribute(static_cast<unsigned>(i)).getName()});
  for (hsize_t i = 0; i < g.getNumObjs(); ++i) {
    const std::string name = g.getObjnameByIdx(i), full = path + "/" + name;
    if (g.getObjTypeByIdx(i) == H5G_GROUP) {
      list_objects(g.openGroup(name), full, out);
    } else {
      out.datasets.push_back(full);
      H5::DataSet ds = g.openDataSet(name);
      for (int a = 0; a < ds.getNumAttrs(); ++a)
        out.attributes.push_back({full, ds.openAttribute(static_cast<unsigned>(a)).getName()});
    }
  }
}

// A size from one byte: mostly small, sometimes the huge values lying headers claim.
inline hsize_t extent(uint8_t b) {
  if (b < 200) return b % 9;
  if (b < 240) return b;
  return hsize_t{1} << (b - 210);  // 2^30 .. 2^45
}

inline H5::DataType type_of(uint8_t b) {
  switch (b % 8) {
    case 0: return H5::PredType::IEEE_F32LE;
    case 1: return H5::PredType::IEEE_F64LE;
    case 2: return H5::PredType::STD_U8LE;
    case 3: return H5::PredType::STD_I64LE;
    case 4: return H5::PredType::STD_I32BE;
    case 5: return H5::StrType(H5::PredType::C_S1, H5T_VARIABLE);
    case 6: return H5::StrType(H5::PredType::C_S1, 1 + b / 8);
    default: {
      H5::FloatType f(H5::PredType::IEEE_F32LE);
      f.setSize(4 + b / 8);  // a float with padding bytes: an odd but legal element size
      return f;
    }
  }
}

// Bytes for n elements of `type` (strings: pointers to one shared text).
inline void fill_values(const H5::DataType& type, size_t n, EditReader& in, std::vector<uint8_t>& buf,
                        std::vector<const char*>& strings, std::string& text) {
  if (type.getClass() == H5T_STRING && H5Tis_variable_str(type.getId()) > 0) {
    text = in.text(in.byte() % 24);
    strings.assign(n, text.c_str());
    return;
  }
  buf.resize(n * type.getSize());
  for (auto& b : buf) b = in.byte();
}

inline void apply_one(H5::H5File& file, const Objects& objs, EditReader& in) {
  const uint8_t op = in.byte(), which = in.byte();
  const uint8_t a = in.byte(), b = in.byte(), c = in.byte(), d = in.byte();
  const auto& attrs = objs.attributes;
  switch (op % 6) {
    case 0: {  // delete an attribute
      if (attrs.empty()) return;
      const auto& [obj, name] = attrs[which % attrs.size()];
      H5Adelete_by_name(file.getId(), obj.c_str(), name.c_str(), H5P_DEFAULT);
      return;
    }
    case 1: {  // replace an attribute: any type, scalar or an array of 0..8+ values
      if (attrs.empty()) return;
      const auto& [obj, name] = attrs[which % attrs.size()];
      H5Adelete_by_name(file.getId(), obj.c_str(), name.c_str(), H5P_DEFAULT);
      const H5::DataType type = type_of(a);
      const hsize_t n = std::min<hsize_t>(extent(b), 64);
      const H5::DataSpace space = c & 1 ? H5::DataSpace(H5S_SCALAR) : H5::DataSpace(1, &n);
      std::vector<uint8_t> buf;
      std::vector<const char*> strings;
      std::string text;
      fill_values(type, c & 1 ? 1 : n, in, buf, strings, text);
      const hid_t aid = H5Acreate_by_name(file.getId(), obj.c_str(), name.c_str(), type.getId(), space.getId(),
                                          H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      if (aid < 0) return;
      H5Awrite(aid, type.getId(), strings.empty() ? static_cast<const void*>(buf.data()) : strings.data());
      H5Aclose(aid);
      return;
    }
    case 2:    // replace a dataset: same path, any type and shape, data written or not
    case 3: {  // add a dataset under a group, with a name from the input
      std::string path;
      if (op % 6 == 2) {
        if (objs.datasets.empty()) return;
        path = objs.datasets[which % objs.datasets.size()];
        H5Ldelete(file.getId(), path.c_str(), H5P_DEFAULT);
      } else {
        const std::string& g = objs.groups[which % objs.groups.size()];
        path = (g == "/" ? "" : g) + "/" + in.text(1 + d % 12);
      }
      const H5::DataType type = type_of(a);
      const int rank = b % 4;
      hsize_t dims[3] = {extent(c), extent(d), extent(in.byte())};
      const H5::DataSpace space = rank == 0 ? H5::DataSpace(H5S_SCALAR) : H5::DataSpace(rank, dims);
      const hid_t did = H5Dcreate2(file.getId(), path.c_str(), type.getId(), space.getId(), H5P_DEFAULT, H5P_DEFAULT,
                                   H5P_DEFAULT);
      if (did < 0) return;
      const hssize_t n = space.getSimpleExtentNpoints();
      if (n <= 4096 && (b & 4)) {  // written storage; otherwise none: HDF5 reads fill values
        std::vector<uint8_t> buf;
        std::vector<const char*> strings;
        std::string text;
        fill_values(type, static_cast<size_t>(n), in, buf, strings, text);
        H5Dwrite(did, type.getId(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                 strings.empty() ? static_cast<const void*>(buf.data()) : strings.data());
      }
      H5Dclose(did);
      return;
    }
    case 4: {  // delete a group or a dataset
      const size_t total = objs.groups.size() + objs.datasets.size();
      const size_t k = which % total;
      const std::string& path = k < objs.groups.size() ? objs.groups[k] : objs.datasets[k - objs.groups.size()];
      if (path != "/") H5Ldelete(file.getId(), path.c_str(), H5P_DEFAULT);
      return;
    }
    default: {  // a new attribute with a name from the input on any object
      const size_t total = objs.groups.size() + objs.datasets.size();
      const size_t k = which % total;
      const std::string& obj = k < objs.groups.size() ? objs.groups[k] : objs.datasets[k - objs.groups.size()];
      const std::string name = in.text(1 + a % 16);
      const int64_t v = static_cast<int64_t>(b) << (c % 56);
      const H5::DataSpace space(H5S_SCALAR);
      const hid_t aid = H5Acreate_by_name(file.getId(), obj.c_str(), name.c_str(), H5T_STD_I64LE, space.getId(),
                                          H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      if (aid < 0) return;
      H5Awrite(aid, H5T_NATIVE_INT64, &v);
      H5Aclose(aid);
      return;
    }
  }
}

}  // namespace detail

// Copies `base` to `out` and applies the edits of `in` (at most 16) to the copy.
inline void apply_edits(const std::filesystem::path& base, const std::filesystem::path& out, EditReader& in) {
  std::filesystem::copy_file(base, out, std::filesystem::copy_options::overwrite_existing);
  H5::H5File file(out.string(), H5F_ACC_RDWR);
  for (int i = 0; i < 16 && !in.empty(); ++i) {
    detail::Objects objs;  // re-listed: every edit may change the structure
    detail::list_objects(file.openGroup("/"), "", objs);
    try {
      detail::apply_one(file, objs, in);
    } catch (const H5::Exception&) {
      // an edit HDF5 refuses (a name with '/', a type it cannot store): skipped
    }
  }
}

}  // namespace laq::fuzz
