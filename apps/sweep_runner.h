#pragma once
// Runs a sweep's cells (train/sweep_plan.h), each as a `laq train` child process.
//
// With one rank, the cells run one after another. With K ranks (mpirun -np K laq table ...),
// rank 0 is the dispatcher: it hands the next cell to whichever rank reports that it is free
// (MPI_Send/Recv of a cell index and an exit status) and runs cells itself between polls, so
// all K ranks train. Cells are child processes rather than in-process runs so that a crash,
// an exception or a leak in one cell ends only that cell, every cell starts from a clean
// process (thread settings, allocator), and its output goes to its own log.
//
// Finished cells are never rerun; a cell with a checkpoint resumes from it; a cell that fails
// is reported (stdout and OUT/sweep-status.tsv) and the others go on.
#include <filesystem>
#include <vector>

#include "train/communicator.h"
#include "train/sweep_plan.h"

namespace laq::apps {

// Every rank calls it with the same plan. Rank 0 keeps every cell's state in `status_file`
// (OUT/sweep-status.tsv for a whole sweep; a cell's own folder when a job array runs one cell
// per task, so that tasks never write one file at once). Returns 0 when every cell has
// finished (now or before), else 1 (on rank 0; other ranks return 0).
int run_sweep(const std::vector<train::SweepCell>& cells, const std::filesystem::path& status_file,
              train::Communicator& comm);

}  // namespace laq::apps
