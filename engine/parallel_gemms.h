#pragma once
// Independent matrix products spread over laq's pool, one single-threaded OpenBLAS call each.
//
// Why: the Winograd convolution issues 16 products of a few hundred tiles per chunk, about a
// thousand per layer and step. Threaded inside OpenBLAS, every one of them wakes and joins its
// pool (perf on the VGG step: 16% of the time in the scheduler and sched_yield). Given whole
// products, each thread runs at full single-core speed and synchronises once per batch.
//
// The LSTM's batch slices run through it too: independent tasks whose many small products
// must not each wake OpenBLAS's threads.
//
// OpenBLAS is held at one thread for the duration. Which
// thread runs a product does not change its bits: a single-threaded sgemm depends only on
// its arguments.
#include <cstdint>
#include <functional>

namespace laq::engine {

// Runs product(i) for every i in [0, count); the calls must write disjoint outputs.
void parallel_gemms(int64_t count, const std::function<void(int64_t i)>& product);

}  // namespace laq::engine
