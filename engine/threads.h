#pragma once
// The thread policy of the process: OpenBLAS's pool does the parallel work of every matrix
// product and convolution. laq's own loops are sequential, with two exceptions that never
// overlap a multi-threaded BLAS call: the quantize stage spreads tensors over a pool of the
// same size (optim/workers.h) while OpenBLAS's threads are idle, and the LSTM recurrence
// runs one batch slice per thread with OpenBLAS held at one thread meanwhile (engine/lstm.cpp:
// its per-step products are too small to split well). The count is a flag of every app and
// is printed in every result; results are reproducible for a given count.
namespace laq::engine {

void set_threads(int count);  // throws laq::Error if count < 1
int threads();

}  // namespace laq::engine
