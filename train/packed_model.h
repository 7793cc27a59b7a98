#pragma once
// Packed models: what a quantized network costs to store and ship.
//
// An HDF5 file (readable with h5dump and h5py):
//   /                       attrs: format ("laq-packed-model"), format_version, and every
//                           RunConfig field (so `laq inspect --evaluate` can rebuild the net)
//   /quantized/<name>/codes uint8: the codes packed at their real bit width (quant/packing.h)
//                           attrs: method, bits (per code), count, shape, rows, scales
//                           (rows x 2 floats: positive, negative)
//   /float/<name>           float32: parameters kept in full precision (biases, batch norm)
//   /buffers/<name>         float32: batch-norm running statistics
// Decoding the codes gives back exactly the values the network was evaluated with.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "engine/tensor.h"
#include "quant/method.h"
#include "quant/options.h"
#include "train/run_config.h"
#include "train/session.h"

namespace laq::train {

struct PackedTensorInfo {
  std::string name, method;
  int64_t code_bits = 0, count = 0, rows = 1;
  engine::Shape shape;
  std::vector<quant::Scales> scales;  // one per row
  double zero_fraction = 0;
  int64_t packed_bytes = 0;  // codes + scales
  int64_t float_bytes = 0;   // the same tensor in float32
};

struct PackedModelInfo {
  RunConfig config;
  std::vector<PackedTensorInfo> quantized;
  int64_t float_parameter_bytes = 0;  // full-precision parameters and buffers
  int64_t total_packed_bytes() const;
  int64_t total_float_bytes() const;  // the whole model in float32
};

// One quantized tensor as the file stores it: the code stream at its real bit width, never
// decoded into floats (for the packed inference of train/packed_net.h).
struct PackedTensorCodes {
  PackedTensorInfo info;
  quant::Method method = quant::Method::fpn;
  int run_bits = 0;                // the run's --bits (laq-*, dorefa)
  std::vector<uint8_t> stream;     // ceil(count * code_bits / 8) bytes (quant/packing.h layout)
  uint32_t code(int64_t i) const;  // code i of the stream
};

struct PackedModelContents {
  RunConfig config;
  std::map<std::string, PackedTensorCodes> quantized;
  std::map<std::string, engine::Tensor> floats, buffers;  // 1-D, as stored
};

// The run configuration stored with a packed model (nothing else is read).
RunConfig read_packed_model_config(const std::filesystem::path& path);
// Reads and checks a packed model without decoding its codes.
PackedModelContents read_packed_model(const std::filesystem::path& path);

// Writes the session's current quantized weights (its `value`s) as a packed model.
void export_packed_model(const std::filesystem::path& path, const RunConfig& config, Session& session);
PackedModelInfo read_packed_model_info(const std::filesystem::path& path);
// model.json beside a packed model: its sizes in one JSON line, so that `laq table --report`
// can state the compression of a run whose HDF5 files were not kept. source: the checkpoint's
// file name (e.g. "best.h5"); epoch: the epoch of the weights.
std::filesystem::path model_summary_path(const std::filesystem::path& packed_model);
void write_model_summary(const std::filesystem::path& file, const PackedModelInfo& info, const std::string& source,
                         int64_t epoch);

// Whether path is an HDF5 file whose root says it is a laq packed model (any version).
bool is_packed_model_file(const std::filesystem::path& path);
// Decodes the packed model into a session built from the same configuration.
void load_packed_model(const std::filesystem::path& path, Session& session);

}  // namespace laq::train
