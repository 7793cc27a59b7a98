#include "engine/parallel.h"

#include <algorithm>
#include <mutex>

#include "engine/threads.h"
#include "engine/workers.h"

namespace laq::engine {
namespace {

Workers& pool() {
  static Workers workers;
  return workers;
}

std::mutex pool_in_use;  // held by the thread whose parallel_for owns the pool
thread_local bool inside_a_chunk = false;

struct InsideChunk {
  bool before = inside_a_chunk;
  InsideChunk() { inside_a_chunk = true; }
  ~InsideChunk() { inside_a_chunk = before; }
};

}  // namespace

int64_t chunk_count(int64_t n, int64_t grain) {
  grain = std::max<int64_t>(grain, 1);
  return n <= 0 ? 0 : (n + grain - 1) / grain;
}

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& body) {
  grain = std::max<int64_t>(grain, 1);
  const int64_t chunks = chunk_count(n, grain);
  const auto run_chunk = [&](int64_t k) {
    const InsideChunk mark;
    body(k * grain, std::min(n, (k + 1) * grain));
  };
  // A loop of a few chunks finishes before a sleeping helper is awake: waking it costs more
  // than it saves (measured on the MNIST MLP, whose [100, 2048] activations are 7 chunks).
  constexpr int64_t kMinChunks = 8;
  const int wanted = chunks >= kMinChunks && !inside_a_chunk ? threads() : 1;
  std::unique_lock lock(pool_in_use, std::defer_lock);
  if (wanted <= 1 || !lock.try_lock()) {
    for (int64_t k = 0; k < chunks; ++k) run_chunk(k);
    return;
  }
  pool().run(wanted, static_cast<std::size_t>(chunks), [&](std::size_t k, int) { run_chunk(static_cast<int64_t>(k)); });
}

void parallel_fill(float* data, int64_t n, float value) {
  parallel_for(n, grain_for(1), [=](int64_t begin, int64_t end) { std::fill(data + begin, data + end, value); });
}

void parallel_tasks(int64_t n, const std::function<void(int64_t)>& task) {
  parallel_tasks_on_workers(n, [&](int64_t i, int) { task(i); });
}

void parallel_tasks_on_workers(int64_t n, const std::function<void(int64_t, int)>& task) {
  const int wanted = n >= 2 && !inside_a_chunk ? threads() : 1;
  std::unique_lock lock(pool_in_use, std::defer_lock);
  if (wanted <= 1 || !lock.try_lock()) {
    for (int64_t i = 0; i < n; ++i) task(i, 0);
    return;
  }
  pool().run(wanted, static_cast<std::size_t>(n), [&](std::size_t i, int worker) {
    const InsideChunk mark;
    task(static_cast<int64_t>(i), worker);
  });
}

}  // namespace laq::engine
