#pragma once
// Running the real `laq` binary under mpirun (Open MPI): the launcher's path comes from CMake
// (LAQ_MPIRUN), ranks are not bound to cores (OpenBLAS would be pinned to one; docs/design.md §7
// 5) and may outnumber the cores (--oversubscribe). Open MPI refuses to run as root unless
// told; CTest's ENVIRONMENT property cannot carry several variables through
// gtest_discover_tests (a ';' splits the list), so the fixture sets them here.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "apps/laq_cli.h"

namespace laq::test {

inline std::vector<std::string> mpirun_args(int ranks) {
  return {LAQ_MPIRUN, "-np", std::to_string(ranks), "--oversubscribe", "--bind-to", "none",
          "--mca", "btl_vader_single_copy_mechanism", "none"};
}

// Runs `mpirun -np ranks laq args...` in cwd, like run_laq.
inline RunResult run_mpi_laq(const fs::path& cwd, int ranks, const std::vector<std::string>& args) {
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 0);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 0);
  setenv("OMPI_MCA_rmaps_base_oversubscribe", "1", 0);
  return run_laq(cwd, args, mpirun_args(ranks));
}

}  // namespace laq::test
