// The pieces of data-parallel training that need no second process: a rank's share of the
// global batch, and the gather used to compare every rank's state hash.
#include <gtest/gtest.h>

#include <vector>

#include "engine/error.h"
#include "train/communicator.h"
#include "train/data_parallel.h"

namespace laq::train {
namespace {

TEST(DataParallelShare, IsAContiguousSliceOfTheGlobalBatch) {
  const std::vector<int64_t> batch{9, 8, 7, 6, 5, 4};
  const auto r1 = rank_share(batch, 1, 3);
  EXPECT_EQ(std::vector<int64_t>(r1.begin(), r1.end()), (std::vector<int64_t>{7, 6}));
  const auto all = rank_share(batch, 0, 1);
  EXPECT_EQ(all.size(), 6u);
  EXPECT_THROW(rank_share(batch, 0, 4), Error);
}

TEST(DataParallelGather, SerialGatherIsTheValueItself) {
  SerialCommunicator c;
  const uint64_t v = 0xfedcba9876543210ull;
  EXPECT_EQ(all_gather(v, c), std::vector<uint64_t>{v});
}

}  // namespace
}  // namespace laq::train
