#include "train/packed_model.h"

#include <H5Cpp.h>

#include <algorithm>
#include <fstream>

#include "engine/error.h"
#include "quant/method.h"
#include "quant/packing.h"
#include "train/experiments/preset.h"
#include "train/hdf5_util.h"
#include "train/json.h"

namespace laq::train {
namespace fs = std::filesystem;
namespace {

constexpr const char* kFormat = "laq-packed-model";
constexpr int64_t kFormatVersion = 1;

int64_t scale_bytes(int64_t rows) { return rows * 2 * static_cast<int64_t>(sizeof(float)); }

const optim::QuantizedTensor* find_quantized(const Session& s, const layers::Parameter* p) {
  if (!s.quantized) return nullptr;
  for (const optim::QuantizedTensor& t : s.quantized->tensors())
    if (t.parameter == p) return &t;
  return nullptr;
}

}  // namespace

int64_t PackedModelInfo::total_packed_bytes() const {
  int64_t b = float_parameter_bytes;
  for (const auto& t : quantized) b += t.packed_bytes;
  return b;
}

int64_t PackedModelInfo::total_float_bytes() const {
  int64_t b = float_parameter_bytes;
  for (const auto& t : quantized) b += t.float_bytes;
  return b;
}

void export_packed_model(const fs::path& path, const RunConfig& config, Session& session) {
  if (!session.quantized) throw Error("method fpn has no quantized weights to pack; export needs a quantized run");
  const quant::Method method = session.quantized->method();
  const int bits = session.quantized->options().bits;
  const int cbits = quant::code_bits(method, bits);
  hdf5::write_laq_file(path, "packed model", kFormat, kFormatVersion, [&](H5::H5File& file) {
    H5::Group root = file.openGroup("/");
    visit_fields(const_cast<RunConfig&>(config), [&](const char* k, auto& v) { hdf5::write_attr(root, k, v); });
    file.createGroup("/quantized");
    file.createGroup("/float");
    file.createGroup("/buffers");
    for (layers::Parameter* p : session.model->parameters()) {
      const optim::QuantizedTensor* q = find_quantized(session, p);
      if (!q) {
        H5::Group g = file.openGroup("/float");
        hdf5::write_floats(g, p->name, p->value.span(), p->value.shape());
        continue;
      }
      const int64_t row = q->size / q->rows;
      std::vector<uint8_t> codes;
      codes.reserve(q->size);
      std::vector<float> scales;
      for (int64_t r = 0; r < q->rows; ++r) {
        const quant::Scales s = session.quantized->scales(*q, r);
        const auto part = quant::encode(method, bits, p->value.span().subspan(r * row, row), s);
        codes.insert(codes.end(), part.begin(), part.end());
        scales.push_back(s.positive);
        scales.push_back(s.negative);
      }
      const std::vector<uint8_t> packed = quant::pack_codes(codes, cbits);
      H5::Group g = file.createGroup("/quantized/" + p->name);
      const hsize_t n = packed.size();
      H5::DataSet ds = g.createDataSet("codes", H5::PredType::STD_U8LE, H5::DataSpace(1, &n));
      ds.write(packed.data(), H5::PredType::NATIVE_UINT8);
      hdf5::write_attr(g, "method", quant::method_name(method));
      hdf5::write_attr(g, "bits", static_cast<int64_t>(cbits));
      hdf5::write_attr(g, "count", q->size);
      hdf5::write_attr(g, "rows", q->rows);
      hdf5::write_int_array(g, "shape", p->value.shape());
      hdf5::write_float_array(g, "scales", scales);
    }
    for (const layers::NamedBuffer& b : session.model->buffers()) {
      H5::Group g = file.openGroup("/buffers");
      hdf5::write_floats(g, b.name, b.tensor->span(), b.tensor->shape());
    }
  });
}

namespace {

H5::H5File open_packed(const fs::path& path) {
  return hdf5::open_laq_file(path, "packed model", kFormat, kFormatVersion);
}

// Limits on what a file may claim, checked before anything is allocated: no laq network has
// a weight tensor of rank > 8 or 2^40 codes, and deflate cannot inflate beyond about 1032:1.
constexpr size_t kMaxRank = 8;
constexpr int64_t kMaxCount = int64_t{1} << 40;
constexpr uint64_t kMaxInflate = 1032;

// A dataset's size is metadata; HDF5 returns fill values for storage never written. A
// dataset claiming more bytes than the file stores for it (allowing for compression) is a
// lying header, refused before its values are allocated.
void require_stored(const H5::DataSet& ds, uint64_t values, uint64_t value_bytes, const std::string& where) {
  const uint64_t stored = ds.getStorageSize();
  if (values > stored * kMaxInflate / value_bytes)
    throw Error(where + ": claims " + std::to_string(values) + " values of " + std::to_string(value_bytes) +
                " bytes but the file stores only " + std::to_string(stored) + " bytes of it");
}

PackedTensorInfo read_tensor_info(const H5::Group& g, const std::string& name, const fs::path& path) {
  PackedTensorInfo t;
  t.name = name;
  const std::string where = path.string() + ":/quantized/" + name;
  hdf5::require_attrs(g, {"method", "bits", "count", "rows", "shape", "scales"}, where);
  hdf5::read_attr(g, "method", t.method);
  hdf5::read_attr(g, "bits", t.code_bits);
  hdf5::read_attr(g, "count", t.count);
  hdf5::read_attr(g, "rows", t.rows);
  if (t.code_bits < 1 || t.code_bits > 8)
    throw Error(where + "@bits: " + std::to_string(t.code_bits) + " bits per code, expected 1 to 8");
  if (t.count < 0 || t.count > kMaxCount)
    throw Error(where + "@count: " + std::to_string(t.count) + " codes, expected 0 to " + std::to_string(kMaxCount));
  if (t.rows < 1 || t.rows > std::max<int64_t>(t.count, 1) || t.count % t.rows != 0)
    throw Error(where + "@rows: " + std::to_string(t.rows) + " rows do not divide the " + std::to_string(t.count) +
                " codes");
  t.shape = hdf5::read_int_array(g, "shape", kMaxRank);
  int64_t numel = 1;
  for (int64_t d : t.shape) {
    if (d < 0 || (d > 0 && numel > kMaxCount / d))
      throw Error(where + "@shape: " + engine::to_string(t.shape) + " is negative or too large");
    numel *= d;
  }
  if (numel != t.count)
    throw Error(where + ": shape " + engine::to_string(t.shape) + " holds " + std::to_string(numel) +
                " values, but count says " + std::to_string(t.count));
  const std::vector<float> s = hdf5::read_float_array(g, "scales", static_cast<size_t>(2 * t.rows));
  if (static_cast<int64_t>(s.size()) != 2 * t.rows)
    throw Error(where + "@scales: " + std::to_string(s.size()) + " values, " + std::to_string(t.rows) +
                " rows need " + std::to_string(2 * t.rows));
  for (int64_t r = 0; r < t.rows; ++r) t.scales.push_back({s[2 * r], s[2 * r + 1]});
  const int64_t expected = (t.count * t.code_bits + 7) / 8;
  const H5::DataSet codes = g.openDataSet("codes");
  if (codes.getTypeClass() != H5T_INTEGER || codes.getIntType().getSize() != 1)
    throw Error(where + "/codes is not a dataset of bytes (uint8)");
  const hssize_t stored = codes.getSpace().getSimpleExtentNpoints();
  if (stored != expected)
    throw Error(where + "/codes holds " + std::to_string(stored) + " bytes, " + std::to_string(t.count) +
                " codes of " + std::to_string(t.code_bits) + " bits need " + std::to_string(expected));
  require_stored(codes, static_cast<uint64_t>(expected), 1, where + "/codes");
  t.packed_bytes = expected + scale_bytes(t.rows);
  t.float_bytes = t.count * static_cast<int64_t>(sizeof(float));
  return t;
}

// run_bits is the run's --bits (the root attribute); with the method it fixes the code
// width, which must be the one the codes were packed with.
std::vector<float> decode_tensor(const H5::Group& g, const PackedTensorInfo& t, int64_t run_bits,
                                 const fs::path& path) {
  const std::string where = path.string() + ":/quantized/" + t.name;
  const quant::Method method = quant::parse_method(t.method);
  if (quant::traits(method).codes == quant::CodeKind::none || run_bits < 1 || run_bits > 8 ||
      quant::code_bits(method, static_cast<int>(run_bits)) != t.code_bits)
    throw Error(where + "@method: " + t.method + " with the run's bits " + std::to_string(run_bits) +
                " does not store codes of " + std::to_string(t.code_bits) + " bits");
  std::vector<uint8_t> packed((t.count * t.code_bits + 7) / 8);
  g.openDataSet("codes").read(packed.data(), H5::PredType::NATIVE_UINT8);
  const std::vector<uint8_t> codes = quant::unpack_codes(packed, static_cast<int>(t.code_bits), t.count);
  std::vector<float> values;
  values.reserve(t.count);
  const int64_t row = t.count / t.rows;
  for (int64_t r = 0; r < t.rows; ++r) {
    const auto part = quant::decode(method, static_cast<int>(run_bits), std::span(codes).subspan(r * row, row), t.scales[r]);
    values.insert(values.end(), part.begin(), part.end());
  }
  return values;
}

}  // namespace

uint32_t PackedTensorCodes::code(int64_t i) const {
  const int64_t b = info.code_bits;
  uint32_t c = 0;
  for (int64_t k = 0; k < b; ++k) {
    const int64_t s = i * b + k;
    c |= uint32_t((stream[static_cast<size_t>(s / 8)] >> (s % 8)) & 1u) << k;
  }
  return c;
}

namespace {

// A float dataset of any size the file can back, read whole (biases, batch norm).
engine::Tensor read_float_dataset(const H5::Group& g, const std::string& name, const std::string& where) {
  const H5::DataSet ds = g.openDataSet(name);
  if (ds.getTypeClass() != H5T_FLOAT) throw Error(where + "/" + name + " is not a float dataset");
  const hssize_t n = ds.getSpace().getSimpleExtentNpoints();
  if (n < 0 || n > kMaxCount) throw Error(where + "/" + name + ": bad size");
  require_stored(ds, static_cast<uint64_t>(n), sizeof(float), where + "/" + name);
  engine::Tensor t({static_cast<int64_t>(n)});
  hdf5::read_floats(g, name, t.span(), where);
  return t;
}

}  // namespace

// The run's configuration, stored as attributes of the packed model's root.
static RunConfig read_root_config(H5::H5File& file, const fs::path& path) {
  H5::Group root = file.openGroup("/");
  RunConfig config;
  visit_fields(config, [&](const char* k, auto& v) {
    if (!root.attrExists(k)) throw Error(path.string() + ": missing attribute '" + k + "'");
    hdf5::read_attr(root, k, v);
  });
  // The runtimes dispatch on the experiment's network: an unknown name is refused here, naming the file.
  if (!find_experiment_preset(config.experiment))
    throw Error(path.string() + ": experiment '" + config.experiment + "' is not one laq knows");
  return config;
}

RunConfig read_packed_model_config(const fs::path& path) {
  return hdf5::guard(path, "read packed model", [&] {
    H5::H5File file = open_packed(path);
    return read_root_config(file, path);
  });
}

PackedModelContents read_packed_model(const fs::path& path) {
  return hdf5::guard(path, "read packed model", [&] {
    H5::H5File file = open_packed(path);
    PackedModelContents out;
    out.config = read_root_config(file, path);
    H5::Group q = file.openGroup("/quantized");
    for (hsize_t i = 0; i < q.getNumObjs(); ++i) {
      const std::string name = q.getObjnameByIdx(i);
      H5::Group g = q.openGroup(name);
      PackedTensorCodes t;
      t.info = read_tensor_info(g, name, path);
      const std::string where = path.string() + ":/quantized/" + name;
      t.method = quant::parse_method(t.info.method);
      const int64_t run_bits = out.config.bits;
      if (quant::traits(t.method).codes == quant::CodeKind::none || run_bits < 1 || run_bits > 8 ||
          quant::code_bits(t.method, static_cast<int>(run_bits)) != t.info.code_bits)
        throw Error(where + "@method: " + t.info.method + " with the run's bits " + std::to_string(run_bits) +
                    " does not store codes of " + std::to_string(t.info.code_bits) + " bits");
      t.run_bits = static_cast<int>(run_bits);
      t.stream.resize(static_cast<size_t>((t.info.count * t.info.code_bits + 7) / 8));
      g.openDataSet("codes").read(t.stream.data(), H5::PredType::NATIVE_UINT8);
      out.quantized.emplace(name, std::move(t));
    }
    for (const char* group : {"/float", "/buffers"}) {
      H5::Group g = file.openGroup(group);
      auto& into = std::string(group) == "/float" ? out.floats : out.buffers;
      for (hsize_t i = 0; i < g.getNumObjs(); ++i) {
        const std::string name = g.getObjnameByIdx(i);
        into.emplace(name, read_float_dataset(g, name, path.string() + ":" + group));
      }
    }
    return out;
  });
}

PackedModelInfo read_packed_model_info(const fs::path& path) {
  return hdf5::guard(path, "read packed model", [&] {
    H5::H5File file = open_packed(path);
    PackedModelInfo info;
    info.config = read_root_config(file, path);
    H5::Group q = file.openGroup("/quantized");
    for (hsize_t i = 0; i < q.getNumObjs(); ++i) {
      const std::string name = q.getObjnameByIdx(i);
      H5::Group g = q.openGroup(name);
      PackedTensorInfo t = read_tensor_info(g, name, path);
      const std::vector<float> v = decode_tensor(g, t, info.config.bits, path);
      t.zero_fraction = t.count ? double(std::count(v.begin(), v.end(), 0.0f)) / double(t.count) : 0.0;
      info.quantized.push_back(std::move(t));
    }
    for (const char* group : {"/float", "/buffers"}) {
      H5::Group g = file.openGroup(group);
      for (hsize_t i = 0; i < g.getNumObjs(); ++i) {
        const std::string name = g.getObjnameByIdx(i);
        const H5::DataSet ds = g.openDataSet(name);
        const hssize_t n = ds.getSpace().getSimpleExtentNpoints();
        if (ds.getTypeClass() != H5T_FLOAT)
          throw Error(path.string() + ":" + group + "/" + name + " is not a float dataset");
        require_stored(ds, static_cast<uint64_t>(n), sizeof(float), path.string() + ":" + group + "/" + name);
        info.float_parameter_bytes += static_cast<int64_t>(n) * int64_t(sizeof(float));
      }
    }
    return info;
  });
}

void load_packed_model(const fs::path& path, Session& session) {
  hdf5::guard(path, "read packed model", [&] {
    H5::H5File file = open_packed(path);
    int64_t bits = 0;
    hdf5::read_attr(file.openGroup("/"), "bits", bits);
    for (layers::Parameter* p : session.model->parameters()) {
      if (find_quantized(session, p)) {
        const std::string where = "/quantized/" + p->name;
        if (!file.nameExists(where)) throw Error(path.string() + ": missing " + where);
        H5::Group g = file.openGroup(where);
        const PackedTensorInfo t = read_tensor_info(g, p->name, path);
        if (t.count != p->value.numel())
          throw Error(path.string() + ":" + where + " holds " + std::to_string(t.count) + " values, the model needs " +
                      std::to_string(p->value.numel()));
        const std::vector<float> v = decode_tensor(g, t, bits, path);
        std::copy(v.begin(), v.end(), p->value.data());
      } else {
        hdf5::read_floats(file.openGroup("/float"), p->name, p->value.span(), path.string() + ":/float");
      }
    }
    for (const layers::NamedBuffer& b : session.model->buffers())
      hdf5::read_floats(file.openGroup("/buffers"), b.name, b.tensor->span(), path.string() + ":/buffers");
    return 0;
  });
}

std::filesystem::path model_summary_path(const std::filesystem::path& packed_model) {
  std::filesystem::path p = packed_model;
  p.replace_extension(".json");
  if (p == packed_model) p += ".summary.json";
  return p;
}

void write_model_summary(const std::filesystem::path& file, const PackedModelInfo& info, const std::string& source,
                         int64_t epoch) {
  int64_t qp = 0, qf = 0;
  for (const auto& t : info.quantized) qp += t.packed_bytes, qf += t.float_bytes;
  Json j;
  j.add("source", source).add("epoch", epoch).add("method", info.config.method).add("bits", info.config.bits).add("quantized_packed_bytes", qp).add("quantized_float_bytes", qf).add("total_packed_bytes", info.total_packed_bytes()).add("total_float_bytes", info.total_float_bytes());
  const std::filesystem::path tmp = file.string() + ".partial";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.str() << "\n";
    out.close();
    if (!out) throw Error("cannot write " + tmp.string());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw Error("cannot write " + file.string());
  }
}

bool is_packed_model_file(const std::filesystem::path& path) {
  try {
    return hdf5::guard(path, "read packed model", [&] {
      H5::H5File file = hdf5::open_readonly(path, "packed model");
      H5::Group root = file.openGroup("/");
      std::string format;
      if (root.attrExists("format")) hdf5::read_attr(root, "format", format);
      return format == kFormat;
    });
  } catch (const Error&) {
    return false;
  }
}

}  // namespace laq::train
