#pragma once
// Data parallelism for laq's own loops (elementwise ops, batch norm, pooling, im2col, the
// Winograd transforms), on one persistent process-wide pool of engine::threads() threads.
//
// parallel_for cuts [0, n) into chunks of `grain` indices, [k*grain, min(n, (k+1)*grain)),
// whose boundaries depend on n and grain only, never on the thread count, and runs body(begin,
// end) once per chunk. A loop whose chunks write disjoint outputs is therefore bit-identical on
// any thread count. A reduction across chunks keeps one partial per chunk (index begin / grain,
// chunk_count(n, grain) of them) and combines them in chunk order after the call.
//
// Fewer than 8 chunks run inline on the caller (waking a helper would cost more).
//
// Callers must not overlap it with a multi-threaded OpenBLAS call (laq never does: every op
// runs its loops between its BLAS calls). A parallel_for issued from inside a chunk, or from a
// second thread while the pool is busy (the LSTM's batch slices), runs its chunks inline on the
// calling thread; the result is the same.
#include <cstdint>
#include <functional>

namespace laq::engine {

int64_t chunk_count(int64_t n, int64_t grain);

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t begin, int64_t end)>& body);

// Runs task(i) for every i in [0, n) on the pool, whatever n: for a few coarse tasks (whole
// matrix products) that are each worth a wake-up. Same rules as parallel_for: disjoint
// outputs, inline when called from inside a chunk or while the pool is busy.
void parallel_tasks(int64_t n, const std::function<void(int64_t i)>& task);

// The same, telling each task which thread runs it: worker < threads() names per-thread
// scratch (worker 0 when the tasks run inline). Tasks are claimed in increasing i, so the
// caller puts the largest first.
void parallel_tasks_on_workers(int64_t n, const std::function<void(int64_t i, int worker)>& task);

// data[0, n) = value, split over the pool like any loop: zeroing tens of MB (an activation's
// gradient, all of a model's parameter gradients) on one thread leaves the other cores idle.
void parallel_fill(float* data, int64_t n, float value);

// A grain for a loop whose index i touches about `floats_per_index` floats: chunks of roughly
// 32K floats (128 KB) amortise the hand-off, yet a 50-image layer still splits into dozens.
inline int64_t grain_for(int64_t floats_per_index) {
  constexpr int64_t kChunkFloats = int64_t{1} << 15;
  return floats_per_index >= kChunkFloats ? 1 : kChunkFloats / (floats_per_index < 1 ? 1 : floats_per_index);
}

}  // namespace laq::engine
