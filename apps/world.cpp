#include "apps/world.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>

#include "engine/error.h"

namespace laq::apps {
namespace {

// Destroyed at exit if end_world was never reached; its destructor finalizes MPI.
std::unique_ptr<train::Communicator>& instance() {
  static std::unique_ptr<train::Communicator> c;
  return c;
}

}  // namespace

train::Communicator& world() {
  auto& c = instance();
  if (c) return *c;
  if (train::launched_by_mpi_launcher()) {
    if (!train::built_with_mpi() && launcher_ranks() > 1)
      throw Error("started by an MPI launcher with " + std::to_string(launcher_ranks()) +
                  " ranks, but this laq was built without MPI (reconfigure with -DLAQ_WITH_MPI=ON)");
    if (train::built_with_mpi()) c = train::make_mpi_communicator();
  }
  if (!c) c = std::make_unique<train::SerialCommunicator>();
  return *c;
}

int launcher_ranks() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE", "SLURM_NTASKS"})
    if (const char* s = std::getenv(v); s && train::launched_by_mpi_launcher()) return std::max(1, std::atoi(s));
  return 1;
}

int launcher_rank() {
  if (!train::launched_by_mpi_launcher()) return 0;
  for (const char* v : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"})
    if (const char* s = std::getenv(v)) return std::atoi(s);
  return 0;
}

void end_world(int exit_code, bool failed) {
  auto& c = instance();
  if (!c) return;
  // A non-zero code that every rank agreed on (a sweep with a failed cell, a stopped run)
  // ends normally; only an exception on one rank may leave the others waiting in a collective.
  if (failed) c->abort_job(exit_code == 0 ? 1 : exit_code);
  c.reset();
}

}  // namespace laq::apps
