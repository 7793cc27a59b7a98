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
#include <optional>
#include <string>
#include <vector>

#include "train/paper_numbers.h"
#include "train/results_file.h"
#include "train/table_rows.h"

namespace laq::train {

struct Column {
  std::string experiment;  // mnist-mlp, ...
  std::string dataset;     // mnist, ... (the key of the paper numbers)
  std::string label;       // MNIST, ...
};

struct CellSummary {
  std::vector<double> values;                       // test metric at best validation, one per finished run
  std::vector<int64_t> seeds, epochs, best_epochs;  // one per finished run, like values
  std::optional<ModelSize> model;                   // the first finished run's export of its best epoch, if any
  double mean = 0, std = 0;                         // std: sample standard deviation (n - 1), 0 for one run
  std::vector<EpochPoint> curve;                    // validation metric per epoch, mean over every run of the cell
  bool curve_unfinished_only = false;               // the curve comes from unfinished runs only
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
  std::vector<ReportRow> rows;         // the paper's 13 rows first, then extra ones
  std::vector<RunRecord> in_progress;  // runs of this table without a result line
  std::vector<std::string> notes;      // e.g. a cell mixing epoch budgets
};

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
