#include <gtest/gtest.h>

#include <cmath>

#include "engine/error.h"
#include "optim/schedule.h"

namespace laq {
namespace {

TEST(Schedule, MnistStepDecayAfterEpochs15And25) {
  auto s = optim::Schedule::parse("step:15,25", 0.01f, 0.1f);
  EXPECT_FLOAT_EQ(s.at(1), 0.01f);
  EXPECT_FLOAT_EQ(s.at(15), 0.01f);
  EXPECT_FLOAT_EQ(s.at(16), 0.001f);
  EXPECT_FLOAT_EQ(s.at(25), 0.001f);
  EXPECT_FLOAT_EQ(s.at(26), 0.0001f);
  EXPECT_EQ(s.describe(), "step:15,25");
}

TEST(Schedule, CifarHalvesEveryFifteenEpochs) {
  auto s = optim::Schedule::parse("every:15", 0.002f, 0.5f);
  EXPECT_FLOAT_EQ(s.at(15), 0.002f);
  EXPECT_FLOAT_EQ(s.at(16), 0.001f);
  EXPECT_FLOAT_EQ(s.at(31), 0.0005f);
}

TEST(Schedule, LstmExponentialFromEpochEleven) {
  auto s = optim::Schedule::parse("exp:11", 0.002f, 0.98f);
  EXPECT_FLOAT_EQ(s.at(11), 0.002f);
  EXPECT_FLOAT_EQ(s.at(12), 0.002f * 0.98f);
  EXPECT_NEAR(s.at(20), 0.002 * std::pow(0.98, 9), 1e-9);
}

TEST(Schedule, RejectsMalformedText) {
  // Milestones out of order or repeated are typos, not a schedule.
  for (const char* bad : {"step:", "step:a", "every:0", "exp:-3", "cosine", "constant:3", "step:25,15", "step:15,15",
                          "step:15,,25"})
    EXPECT_THROW(optim::Schedule::parse(bad, 0.1f, 0.5f), Error) << bad;
}

}  // namespace
}  // namespace laq
