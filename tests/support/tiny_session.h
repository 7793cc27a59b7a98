#pragma once
// A training session around a network small enough that its checkpoint and packed model
// are a few kilobytes: fc1 (3 -> 4), bn1, fc2 (4 -> 2). The fuzz targets load into it and
// the seed generator and the unit tests write its files with the real writers
// (save_checkpoint, export_packed_model), so no HDF5 file is committed. Free of GoogleTest.
#include <memory>

#include "layers/batch_norm.h"
#include "layers/linear.h"
#include "layers/sequential.h"
#include "train/session.h"

namespace laq::test {

inline train::RunConfig tiny_config(const std::string& method, int64_t bits = 3, bool per_channel = false) {
  train::RunConfig c;
  c.experiment = "mnist-mlp";
  c.method = method;
  c.bits = bits;
  c.per_channel = per_channel;
  c.threads = 1;
  return c;
}

inline train::Session tiny_session(const train::RunConfig& config) {
  auto model = std::make_unique<layers::Sequential>("tiny");
  model->add<layers::Linear>("fc1", 3, 4);
  model->add<layers::BatchNorm>("bn1", 4);
  model->add<layers::Linear>("fc2", 4, 2);
  return train::make_session(config, std::move(model));
}

}  // namespace laq::test
