#include "train/communicator.h"

#include <cstdlib>

#include "engine/error.h"

namespace laq::train {

void SerialCommunicator::send(int to, std::span<const int64_t>) {
  throw Error("serial communicator: no rank " + std::to_string(to) + " to send to (a single process)");
}

bool launched_by_mpi_launcher() {
  // Open MPI's mpirun, PMIx launchers (srun --mpi=pmix, prterun), and PMI-1/2 (srun --mpi=pmi2,
  // MPICH's hydra) each set one of these in every rank's environment.
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (std::getenv(v)) return true;
  return false;
}

#ifndef LAQ_WITH_MPI
bool built_with_mpi() { return false; }

std::unique_ptr<Communicator> make_mpi_communicator() {
  throw Error(
      "this laq was built without MPI (configure with -DLAQ_WITH_MPI=ON after apt-get install "
      "libopenmpi-dev)");
}
#endif

}  // namespace laq::train
