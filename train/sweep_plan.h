#pragma once
// A sweep: every cell of one of the paper's tables (dataset x method x bits x seed), each cell
// one `laq train` run into OUT/<cell name>/ with its own checkpoint. This file plans the
// cells, their commands and their estimated cost, and reads a cell's state from its folder;
// apps/sweep_runner.h runs them (serially, or handed out to MPI ranks).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "train/report.h"

namespace laq::train {

struct SweepRequest {
  std::string table = "feedforward";                                                // feedforward | lstm
  std::vector<std::string> datasets;                                                // mnist, cifar10, ... (empty: the table's every column)
  std::vector<RowKey> methods;                                                      // empty: the paper's rows (paper_rows())
  std::vector<int64_t> bits;                                                        // empty: each row's own bits; else every m-bit method at each
  int64_t seeds = 1;                                                                // seeds 1..seeds
  int64_t epochs = 0;                                                               // 0: the experiment's preset
  int64_t train_size = 0, val_size = 0, steps_per_epoch = 0, checkpoint_every = 0;  // 0: laq train's default
  int64_t threads = 0;                                                              // BLAS threads per cell; 0: laq train's default
  std::filesystem::path data_root;                                                  // empty: laq train's default data/<dataset>
  std::filesystem::path out;                                                        // every cell's folder goes under here
  std::vector<std::string> train_args;                                              // passed verbatim to every fresh cell's laq train
};

struct SweepCell {
  std::string name;  // mnist-mlp-lat-e-seed1, mnist-mlp-laq-log-3bit-seed2, ...
  std::string experiment, method;
  int64_t bits = 0;  // 0: the method ignores bits
  int64_t seed = 0;
  std::filesystem::path dir;
  std::vector<std::string> fresh_args;   // `laq train ...` arguments (without the program)
  std::vector<std::string> resume_args;  // the same run continued from dir/checkpoint.h5
  int64_t epochs = 0, steps_per_epoch = 0;
  double estimated_seconds = 0;  // training steps only (evaluation is extra)
};

// The table's datasets in column order (feedforward: mnist cifar10 cifar100 svhn; lstm:
// warpeace linux ptb); throws laq::Error for another table name.
std::vector<std::string> table_datasets(const std::string& table);
// Throws laq::Error naming the dataset or method that is not known; OptionError (run_checks.h)
// for a bit width some selected method cannot take or none takes, and for a validation size
// no selected dataset uses.
std::vector<SweepCell> plan_sweep(const SweepRequest& request);

// Seconds per full-precision training step of each model at its preset batch, on 2 threads
// of the 2-core machine of docs/results.md (laq bench).
double step_seconds(const std::string& experiment);
// How many times a full-precision step one step of `method` costs, and how many times the
// 2-thread step one on `threads` threads costs (0: laq train's default, 2). A cell's estimate
// is steps x step_seconds x both; throws laq::Error for an unknown method.
double method_step_factor(const std::string& method);
double threads_step_factor(int64_t threads);
// Steps per epoch at the preset batch on the full data (docs/algorithms.md §3.8 splits; approximate for
// the corpora, whose size depends on the copy).
int64_t full_steps_per_epoch(const std::string& experiment);

enum class CellState { done,
                       resumable,
                       fresh };
// done: results.jsonl holds a "result" line; resumable: a checkpoint.h5 exists; else fresh.
CellState cell_state(const SweepCell& cell);
const char* to_string(CellState state);

// What `laq table --emit-slurm` puts into an sbatch script (docs/cluster.md, "Slurm").
struct SlurmJob {
  std::string name;                // --job-name
  int64_t tasks = 4;               // MPI ranks; array mode: array tasks running at once
  int64_t cpus_per_task = 2;       // cores per rank (OPENBLAS_NUM_THREADS follows)
  int64_t minutes = 10;            // --time of the job; array mode: of each array task
  bool array = false;              // one array task per cell instead of one MPI job
  int64_t cells = 0;               // array mode: the plan's cell count (--array=1-cells)
  std::string partition, account;  // empty: the site's default
  std::string mem_per_cpu;         // "4G", "500M", ...; empty: the site's default
  std::filesystem::path log_dir;   // where slurm-<job>.out goes
};

// The sbatch script. `laq_args` is the whole `laq table` command line (program first). The
// MPI job runs it under `srun --mpi=pmix`; an array task runs it with `--cell
// $SLURM_ARRAY_TASK_ID` in the batch step itself (one process, no MPI).
std::string slurm_script(const SlurmJob& job, const std::vector<std::string>& laq_args);

// The job's time limit in whole minutes, at least 1: `margin` x the busiest task's share of
// `cell_seconds` (cells handed out to `tasks` ranks in order as they free up; an array
// task holds one cell, so its limit covers the longest cell).
int64_t slurm_minutes(const std::vector<double>& cell_seconds, int64_t tasks, bool array, double margin = 1.5);

// Slurm's time formats "M", "M:S", "H:M:S", "D-H", "D-H:M", "D-H:M:S" in minutes (seconds
// rounded up); nullopt for anything else or for zero.
std::optional<int64_t> parse_slurm_time(const std::string& text);
// A memory size as sbatch takes it: digits with an optional K, M, G or T.
bool is_slurm_memory(const std::string& text);
// A partition or account name: letters, digits, '_', '-', '.' (a partition list may have ',').
bool is_slurm_name(const std::string& text, bool list);

// "1h 05m", "3m 20s", "12s".
std::string format_duration(double seconds);

}  // namespace laq::train
