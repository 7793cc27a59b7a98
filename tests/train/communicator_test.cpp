// The serial communicator is the identity, and laq recognises an MPI launcher from the
// environment it sets (so that a plain `laq ...` never initialises MPI).
#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

#include "engine/error.h"
#include "train/communicator.h"

namespace laq::train {
namespace {

TEST(SerialCommunicator, IsRankZeroOfOneAndSumsAreTheIdentity) {
  SerialCommunicator c;
  EXPECT_EQ(c.rank(), 0);
  EXPECT_EQ(c.size(), 1);
  std::vector<float> f{1.5f, -2.0f};
  std::vector<double> d{3.25};
  c.allreduce_sum(f);
  c.allreduce_sum(d);
  c.barrier();
  EXPECT_EQ(f, (std::vector<float>{1.5f, -2.0f}));
  EXPECT_EQ(d, (std::vector<double>{3.25}));
  EXPECT_FALSE(c.poll().has_value());
  const int64_t m[1] = {4};
  EXPECT_THROW(c.send(1, m), Error);
}

TEST(Launcher, IsRecognisedFromTheEnvironment) {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"}) unsetenv(v);
  EXPECT_FALSE(launched_by_mpi_launcher());
  setenv("OMPI_COMM_WORLD_SIZE", "2", 1);
  EXPECT_TRUE(launched_by_mpi_launcher());
  unsetenv("OMPI_COMM_WORLD_SIZE");
  setenv("PMIX_RANK", "0", 1);
  EXPECT_TRUE(launched_by_mpi_launcher());
  unsetenv("PMIX_RANK");
}

}  // namespace
}  // namespace laq::train
