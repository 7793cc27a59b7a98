#pragma once
// `laq table` without --report: plans a sweep over a table's cells, then runs it (under
// mpirun, shared out over the ranks; apps/sweep_runner.h), prints the plan (--dry-run), runs
// one cell (--cell) or writes an sbatch script for Slurm (--emit-slurm).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "apps/options.h"
#include "train/sweep_plan.h"

namespace laq::apps {

// What --emit-slurm writes besides the plan: the #SBATCH choices of the user.
struct SlurmChoices {
  std::string file;  // --emit-slurm; empty: run or plan the sweep instead
  int64_t tasks = 4;
  bool array = false;
  std::string partition, account, mem_per_cpu;
  std::optional<int64_t> job_minutes, cell_minutes;  // --slurm-time, --slurm-cell-time
};

// "a,b" "c" -> a, b, c (empty items dropped).
std::vector<std::string> split_list(const std::vector<std::string>& values);

// The Slurm flags: each is refused without --emit-slurm and checked the way sbatch would.
void validate_slurm(const po::variables_map& vm, SlurmChoices& slurm, const std::string& time,
                    const std::string& cell_time);

// Plans the sweep (a bad request is a UsageError) and does what the flags ask; returns the
// exit code.
int run_sweep_command(train::SweepRequest& request, bool dry_run, const SlurmChoices& slurm, int64_t only_cell);

}  // namespace laq::apps
