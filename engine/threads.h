#pragma once
// The thread policy of the process: one count, engine::threads(), for everything. OpenBLAS's
// pool does the parallel work of every large matrix product (dense layers, im2col
// convolution); the Winograd convolution's batches of small products are spread over laq's
// pool instead, one single-threaded OpenBLAS call each (engine/parallel_gemms.h). laq's own loops
// (elementwise ops, batch norm, pooling, im2col, the Winograd transforms) run on a persistent
// pool of the same size through parallel_for (engine/parallel.h), always between BLAS calls,
// never during one, so the two pools take turns on the cores. The quantize stage spreads
// tensors over its own pool of that size (engine/workers.h) while OpenBLAS's threads are idle,
// and the LSTM recurrence runs one batch slice per thread with OpenBLAS held at one thread
// meanwhile (engine/lstm.cpp: its per-step products are too small to split well). The count
// is a flag of every app and is printed in every result. parallel_for cuts work at boundaries
// that do not depend on the count, so its loops give bit-identical results on any count;
// OpenBLAS's products and the LSTM's slices are reproducible for a given count.
namespace laq::engine {

// More threads than any machine laq targets has cores: a larger count is a typo (10000), and
// each one is a real thread of laq's pools.
inline constexpr int kMaxThreads = 1024;

void set_threads(int count);  // throws laq::Error if count is outside 1..kMaxThreads
// The count of the last set_threads (OpenBLAS's default before any): the policy, not OpenBLAS's
// momentary setting, which the LSTM lowers to one during its recurrence (and the thread-count
// tests lower to one so that only laq's own loops vary).
int threads();

}  // namespace laq::engine
