#pragma once
// The valid HDF5 files the structure-aware targets start from, written by laq's own writers
// (save_checkpoint, export_packed_model) for the tiny session of tests/support: checkpoints
// of a full-precision and a quantized run, packed models of four methods. make_seeds writes
// the same files as the raw-mode corpora.
#include <cstdlib>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "engine/rng.h"
#include "support/tiny_session.h"
#include "train/checkpoint.h"
#include "train/packed_model.h"

namespace laq::fuzz {

inline std::vector<std::filesystem::path> write_checkpoint_bases(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  for (const std::string method : {"fpn", "lat-e"}) {
    const train::RunConfig c = test::tiny_config(method);
    train::Session s = test::tiny_session(c);
    train::Progress p;
    p.epoch = 2;
    p.global_step = 7;
    p.data_rng = engine::save_rng(engine::Rng(5));
    out.push_back(dir / ("checkpoint-" + method + ".h5"));
    train::save_checkpoint(out.back(), c, p, s.state());
  }
  return out;
}

inline std::vector<std::filesystem::path> write_packed_model_bases(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& [method, bits, per_channel] : std::vector<std::tuple<std::string, int64_t, bool>>{
           {"lat-e", 3, false}, {"laq-log", 3, true}, {"laq-linear", 4, false}, {"lab", 3, false}}) {
    const train::RunConfig c = test::tiny_config(method, bits, per_channel);
    train::Session s = test::tiny_session(c);
    out.push_back(dir / ("model-" + method + ".h5"));
    train::export_packed_model(out.back(), c, s);
  }
  return out;
}

// LAQ_FUZZ_HDF5_RAW=1: the input is the file's bytes (libhdf5's parser gets fuzzed too).
inline bool hdf5_raw_mode() {
  const char* v = std::getenv("LAQ_FUZZ_HDF5_RAW");
  return v && *v && *v != '0';
}

}  // namespace laq::fuzz
