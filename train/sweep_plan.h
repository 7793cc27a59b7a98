#pragma once
// A sweep: every cell of one of the paper's tables (dataset x method x bits x seed), each cell
// one `laq train` run into OUT/<cell name>/ with its own checkpoint. This file plans the
// cells, their commands and their estimated cost, and reads a cell's state from its folder;
// apps/sweep_runner.h runs them (serially, or handed out to MPI ranks).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "train/report.h"

namespace laq::train {

struct SweepRequest {
  std::string table = "feedforward";      // feedforward | lstm
  std::vector<std::string> datasets;      // mnist, cifar10, ... (empty: the table's every column)
  std::vector<RowKey> methods;            // empty: the paper's rows (paper_rows())
  std::vector<int64_t> bits;              // empty: each row's own bits; else every m-bit method at each
  int64_t seeds = 1;                      // seeds 1..seeds
  int64_t epochs = 0;                     // 0: the experiment's preset
  int64_t train_size = 0, val_size = 0, steps_per_epoch = 0, checkpoint_every = 0;  // 0: laq train's default
  int64_t threads = 0;                    // BLAS threads per cell; 0: laq train's default
  std::filesystem::path data_root;        // empty: laq train's default data/<dataset>
  std::filesystem::path out;              // every cell's folder goes under here
  std::vector<std::string> train_args;    // passed verbatim to every fresh cell's laq train
};

struct SweepCell {
  std::string name;          // mnist-mlp-lat-e-seed1, mnist-mlp-laq-log-3bit-seed2, ...
  std::string experiment, method;
  int64_t bits = 0;          // 0: the method ignores bits
  int64_t seed = 0;
  std::filesystem::path dir;
  std::vector<std::string> fresh_args;   // `laq train ...` arguments (without the program)
  std::vector<std::string> resume_args;  // the same run continued from dir/checkpoint.h5
  int64_t epochs = 0, steps_per_epoch = 0;
  double estimated_seconds = 0;          // training steps only (evaluation is extra)
};

// The table's datasets in column order (feedforward: mnist cifar10 cifar100 svhn; lstm:
// warpeace linux ptb); throws laq::Error for another table name.
std::vector<std::string> table_datasets(const std::string& table);
// Throws laq::Error naming the dataset or method that is not known; OptionError (run_checks.h)
// for a bit width some selected method cannot take or none takes, and for a validation size
// no selected dataset uses.
std::vector<SweepCell> plan_sweep(const SweepRequest& request);

// Seconds per training step of each model at its preset batch, on 2 threads of the 2-core
// machine of docs/results.md (laq bench); the dry run's cost estimate multiplies them.
double step_seconds(const std::string& experiment);
// Steps per epoch at the preset batch on the full data (SPEC.md 3.8 splits; approximate for
// the corpora, whose size depends on the copy).
int64_t full_steps_per_epoch(const std::string& experiment);

enum class CellState { done, resumable, fresh };
// done: results.jsonl holds a "result" line; resumable: a checkpoint.h5 exists; else fresh.
CellState cell_state(const SweepCell& cell);
const char* to_string(CellState state);

// The sbatch script that runs the same sweep as one MPI job of `tasks` ranks, each with
// `cpus_per_task` cores (OPENBLAS_NUM_THREADS follows). `laq_args` is the whole `laq table`
// command line to run under srun; `hours` its time limit.
std::string slurm_script(const std::string& job_name, const std::vector<std::string>& laq_args, int64_t tasks,
                         int64_t cpus_per_task, double hours, const std::filesystem::path& log_dir);

// "1h 05m", "3m 20s", "12s".
std::string format_duration(double seconds);

}  // namespace laq::train
