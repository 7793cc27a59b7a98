#pragma once
// `laq table --report`: reads back the results.jsonl files that Trainer writes, groups the
// finished runs into the paper's table cells and sets the paper's own numbers beside them.
// Nothing here prints: rendering returns strings; unreadable files throw laq::Error naming
// the file (and line).
//
//   table cell = (experiment = dataset column, method row, bits); bits only split a row for
//   the methods whose quantizer reads them (dorefa, laq-*), and --code-faithful or
//   --per-channel runs get rows of their own.
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
  std::string source;  // the checkpoint that was exported, e.g. "best.h5"
  int64_t epoch = 0;   // the epoch whose weights it holds
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
  int64_t line = 0;  // the first line of this run in the file (1-based)
  std::string experiment, method, variant;  // variant: "", "code-faithful", "per-channel", ...
  int64_t bits = 0;                          // 0 when the method ignores bits
  int64_t seed = 0, epochs = 0;              // epochs: the configured budget
  std::string metric;                        // "error" | "cross_entropy"
  std::vector<EpochPoint> curve;             // one point per epoch line, in epoch order
  bool finished = false;                     // a result line was read
  int64_t best_epoch = 0;
  double best_val = 0, test_at_best_val = 0;  // from the result line
  std::optional<ModelSize> model;  // the export of its best-validation epoch, when model.json says so
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

// One number printed in a paper (docs/paper_numbers.csv). dataset is the experiment's data
// name (mnist, cifar10, cifar100, svhn, warpeace, linux, ptb); bits 0 = the method ignores them.
struct PaperNumber {
  std::string table, dataset, method;
  int64_t bits = 0;
  std::string value;  // as printed, e.g. "1.170"
  std::string source;
};
// CSV with the header "table,dataset,method,bits,value,source"; the source is the rest of
// the line (it may hold commas). Lines starting with '#' are comments.
std::vector<PaperNumber> read_paper_numbers(const std::filesystem::path& file);

struct Column {
  std::string experiment;  // mnist-mlp, ...
  std::string dataset;     // mnist, ... (the key of the paper numbers)
  std::string label;       // MNIST, ...
};

struct RowKey {
  std::string method;
  int64_t bits = 0;
  std::string variant;
  auto operator<=>(const RowKey&) const = default;
};

struct CellSummary {
  std::vector<double> values;  // test metric at best validation, one per finished run
  std::vector<int64_t> seeds, epochs, best_epochs;  // one per finished run, like values
  std::optional<ModelSize> model;  // the first finished run's export of its best epoch, if any
  double mean = 0, std = 0;    // std: sample standard deviation (n - 1), 0 for one run
  std::vector<EpochPoint> curve;  // validation metric per epoch, mean over every run of the cell
  bool curve_unfinished_only = false;  // the curve comes from unfinished runs only
  std::optional<PaperNumber> paper;
  size_t n() const { return values.size(); }
  bool empty() const { return values.empty(); }
};

struct ReportRow {
  RowKey key;
  std::string label;               // "full precision", "lab", "dorefa (3 bits)", ...
  std::vector<CellSummary> cells;  // one per column
};

struct ReportTable {
  std::string name;    // "feedforward" | "lstm"
  std::string metric;  // "error" | "cross_entropy"
  std::vector<Column> columns;
  std::vector<ReportRow> rows;          // the paper's 13 rows first, then extra ones
  std::vector<RunRecord> in_progress;   // runs of this table without a result line
  std::vector<std::string> notes;       // e.g. a cell mixing epoch budgets
};

// The paper's row order: fpn, bc, bwn, lab, twn, ttq, lat-e, lat-a, lat2-e, lat2-a, dorefa,
// laq-linear, laq-log (the last three at 3 bits).
const std::vector<RowKey>& paper_rows();
std::string row_label(const RowKey& key);
// Row key of a method at a bit width: bits become 0 for methods that ignore them.
RowKey row_key(const std::string& method, int64_t bits, const std::string& variant = "");

// which: "feedforward", "lstm", or "" for every table that has runs (feedforward when none).
std::vector<ReportTable> build_tables(const std::vector<RunRecord>& runs, const std::vector<PaperNumber>& paper,
                                      const std::string& which = "");

// "1.30 ± 0.36 (3 seeds, 10 epochs)"; "" for an empty cell.
std::string format_cell(const CellSummary& cell, const std::string& metric);
std::string format_value(double value, const std::string& metric);  // 2 decimals for error, 3 for nats
std::string render_markdown(const std::vector<ReportTable>& tables);
// Every finished run of every cell: seed, test metric, best epoch, exported model size.
std::string render_seed_details(const std::vector<ReportTable>& tables);
// One line per (table, column, row) that has runs or a paper number.
std::string render_csv(const std::vector<ReportTable>& tables);

}  // namespace laq::train
