#pragma once
// The process's communicator, created on first use: MPI over the whole job when an MPI
// launcher (mpirun, srun) started this process, else serial. Commands that never ask for it
// never initialise MPI, so a plain `laq ...` runs without mpirun and without MPI's start-up.
#include "train/communicator.h"

namespace laq::apps {

// Throws laq::Error when launched by an MPI launcher in a build without MPI (every rank would
// otherwise do the whole job on its own).
train::Communicator& world();

// Ranks in the job, read from the launcher's environment without initialising MPI (1 when not
// launched by one).
int launcher_ranks();
// This process's rank, likewise (0 when not launched by one).
int launcher_rank();

// After the command returned `exit_code` or threw (`failed`): MPI_Finalize, or MPI_Abort when
// a rank of a multi-rank job threw, so that the others do not wait for it forever.
void end_world(int exit_code, bool failed);

}  // namespace laq::apps
