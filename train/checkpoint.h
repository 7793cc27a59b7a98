#pragma once
// Checkpoints in HDF5, readable with h5dump and h5py:
//   /              attrs: format ("laq-checkpoint"), format_version
//   /config        attrs: every RunConfig field
//   /progress      attrs: epoch, step_in_epoch, global_step, best_*, partial epoch sums, data_rng
//   /parameters/<name>/latent      the optimizer's weights (quantized runs: the latent copy)
//   /parameters/<name>/<state>     per-parameter optimizer state (adam m, v), quantized values
//   /buffers/<name>                batch-norm running statistics
//   /optimizer/<name>              other optimizer-side buffers; counters as attributes
// A checkpoint is written to "<path>.tmp" and renamed, so a crash never leaves half a file.
#include <filesystem>
#include <string>
#include <vector>

#include "layers/module.h"
#include "optim/state.h"
#include "train/run_config.h"

namespace laq::train {

struct Progress {
  int64_t epoch = 1;          // the epoch to run (or being run)
  int64_t step_in_epoch = 0;  // the next step of that epoch
  int64_t global_step = 0;
  std::string data_rng;  // data-order generator state at the start of `epoch`
  double best_val_error = 1e300;
  int64_t best_epoch = 0;
  double test_error_at_best = -1;
  double epoch_loss_sum = 0;  // partial sums of the running epoch
  int64_t epoch_errors = 0;
  int64_t epoch_examples = 0;
  double elapsed_seconds = 0;  // training wall time before this process
  // The results line of the last finished epoch. It is written to results.jsonl after the
  // checkpoint, so a resume appends it when a kill came in between (train/run_folder.h).
  // Absent from checkpoints written before it existed: read as "".
  std::string last_epoch_line;
};

struct ModelState {
  std::vector<layers::Parameter*> parameters;
  std::vector<layers::NamedBuffer> buffers;
  optim::StateView optimizer;
};

void save_checkpoint(const std::filesystem::path& path, const RunConfig& config,
                     const Progress& progress, const ModelState& state);
RunConfig read_checkpoint_config(const std::filesystem::path& path);
// The /progress group alone (no model needed), checked as load_checkpoint checks it.
Progress read_checkpoint_progress(const std::filesystem::path& path);
// Restores into tensors of the same names and sizes; throws laq::Error naming the file and
// the entry that is missing or has the wrong size.
void load_checkpoint(const std::filesystem::path& path, Progress& progress, const ModelState& state);

}  // namespace laq::train
