// parallel_for: every index once, chunk boundaries fixed by n and grain alone, nested calls
// run inline, and a chunk's exception reaches the caller.
#include "engine/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "engine/threads.h"

namespace laq {
namespace {

struct ThreadCount {  // restores the process policy after the test
  int saved = engine::threads();
  explicit ThreadCount(int n) { engine::set_threads(n); }
  ~ThreadCount() { engine::set_threads(saved); }
};

std::set<std::pair<int64_t, int64_t>> chunks_seen(int64_t n, int64_t grain) {
  std::mutex m;
  std::set<std::pair<int64_t, int64_t>> seen;
  engine::parallel_for(n, grain, [&](int64_t b, int64_t e) {
    std::lock_guard lock(m);
    seen.emplace(b, e);
  });
  return seen;
}

TEST(ParallelFor, ChunkBoundariesDoNotDependOnTheThreadCount) {
  std::set<std::pair<int64_t, int64_t>> expected = {{0, 7}, {7, 14}, {14, 21}, {21, 23}};
  for (int t : {1, 2, 3}) {
    ThreadCount threads(t);
    EXPECT_EQ(chunks_seen(23, 7), expected) << t << " threads";
    EXPECT_EQ(engine::chunk_count(23, 7), 4);
  }
  EXPECT_TRUE(chunks_seen(0, 7).empty());
  EXPECT_EQ(engine::chunk_count(0, 7), 0);
}

TEST(ParallelFor, VisitsEveryIndexOnce) {
  ThreadCount threads(2);
  std::vector<std::atomic<int>> hits(1001);
  engine::parallel_for(1001, 10, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) ++hits[i];
  });
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
}

TEST(ParallelFor, UsesTheSecondThread) {
  ThreadCount threads(2);
  std::mutex m;
  std::set<std::thread::id> ran_on;
  engine::parallel_for(50, 1, [&](int64_t, int64_t) {  // ~100 ms: long enough for any wake-up
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::lock_guard lock(m);
    ran_on.insert(std::this_thread::get_id());
  });
  EXPECT_EQ(ran_on.size(), 2u);
}

TEST(ParallelFor, NestedCallsRunInline) {
  ThreadCount threads(2);
  std::atomic<int> inner{0};
  engine::parallel_for(8, 1, [&](int64_t, int64_t) {
    engine::parallel_for(5, 1, [&](int64_t, int64_t) { ++inner; });
  });
  EXPECT_EQ(inner.load(), 40);
}

TEST(ParallelFor, RethrowsAChunksException) {
  ThreadCount threads(2);
  EXPECT_THROW(engine::parallel_for(10, 1, [](int64_t b, int64_t) {
                 if (b == 6) throw std::runtime_error("chunk 6");
               }),
               std::runtime_error);
  std::atomic<int> done{0};
  engine::parallel_for(10, 1, [&](int64_t, int64_t) { ++done; });
  EXPECT_EQ(done.load(), 10);
}

}  // namespace
}  // namespace laq
