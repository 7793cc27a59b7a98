// The persistent pool: every task runs once on any thread count; a task's exception reaches
// the caller and leaves the pool usable.
#include "engine/workers.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

namespace laq {
namespace {

TEST(Workers, RunsEveryTaskOnceOnAnyThreadCount) {
  engine::Workers workers;
  for (int threads : {1, 2, 3, 2, 1}) {
    std::vector<std::atomic<int>> hits(37);
    std::atomic<int> bad_worker{0};
    workers.run(threads, hits.size(), [&](std::size_t i, int worker) {
      ++hits[i];
      if (worker < 0 || worker >= threads) ++bad_worker;
    });
    for (auto& h : hits) EXPECT_EQ(h.load(), 1);
    EXPECT_EQ(bad_worker.load(), 0);
  }
  workers.run(2, 0, [](std::size_t, int) { FAIL(); });
}

TEST(Workers, RethrowsATasksException) {
  engine::Workers workers;
  EXPECT_THROW(workers.run(2, 8, [](std::size_t i, int) { if (i == 5) throw std::runtime_error("task 5"); }),
               std::runtime_error);
  std::atomic<int> done{0};
  workers.run(2, 8, [&](std::size_t, int) { ++done; });  // still usable afterwards
  EXPECT_EQ(done.load(), 8);
}

}  // namespace
}  // namespace laq
