#pragma once
// Reading back the results.jsonl files that Trainer writes (one JSON object a line, an
// "epoch" line per epoch and a "result" line that closes a run), and the model.json that
// `laq export` writes beside them. Unreadable files throw laq::Error naming the file (and line).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace laq::train {

// The size of a run's exported model, read from the model.json that `laq export` writes
// beside its packed model, so that a results folder published without its HDF5 files still
// reports the compression.
struct ModelSize {
  std::string source;                                             // the checkpoint that was exported, e.g. "best.h5"
  int64_t epoch = 0;                                              // the epoch whose weights it holds
  int64_t quantized_packed_bytes = 0, quantized_float_bytes = 0;  // the quantized tensors only
  int64_t total_packed_bytes = 0, total_float_bytes = 0;          // with float32 biases and batch norm
  double ratio() const { return total_packed_bytes ? double(total_float_bytes) / double(total_packed_bytes) : 0; }
  double quantized_ratio() const {
    return quantized_packed_bytes ? double(quantized_float_bytes) / double(quantized_packed_bytes) : 0;
  }
};
// Throws laq::Error naming the file when it is not a model summary.
ModelSize read_model_size(const std::filesystem::path& file);

struct EpochPoint {
  int64_t epoch = 0;
  double val = 0;  // the validation metric (error % or cross-entropy)
};

// One training run as read from a results.jsonl (one file may hold several runs, one after
// another: a "result" line closes a run). A later epoch line for an epoch already seen
// (a resume that redid it) replaces the earlier one and drops those after it.
struct RunRecord {
  std::string file;
  int64_t line = 0;                         // the first line of this run in the file (1-based)
  std::string experiment, method, variant;  // variant: "", "code-faithful", "per-channel", ...
  int64_t bits = 0;                         // 0 when the method ignores bits
  int64_t seed = 0, epochs = 0;             // epochs: the configured budget
  std::string metric;                       // "error" | "cross_entropy"
  std::vector<EpochPoint> curve;            // one point per epoch line, in epoch order
  bool finished = false;                    // a result line was read
  int64_t best_epoch = 0;
  double best_val = 0, test_at_best_val = 0;  // from the result line
  std::optional<ModelSize> model;             // the export of its best-validation epoch, when model.json says so
  int64_t last_epoch() const { return curve.empty() ? 0 : curve.back().epoch; }
};

// Every results.jsonl under the roots (recursively), sorted. A root that is not a folder
// throws.
std::vector<std::filesystem::path> find_results_files(const std::vector<std::filesystem::path>& roots);
// A line it cannot parse (train/json_reader.h) or that lacks a needed key: with `skipped`
// null, throws laq::Error "FILE:LINE: ..."; otherwise the line is left out and
// "FILE:LINE: malformed results line skipped: ..." is added to *skipped (laq table --report
// prints these as warnings and goes on with the rest).
std::vector<RunRecord> read_results_file(const std::filesystem::path& file,
                                         std::vector<std::string>* skipped = nullptr);

}  // namespace laq::train
