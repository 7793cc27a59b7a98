#pragma once
// The thread policy of the process: OpenBLAS's pool does the parallel work of every matrix
// product and convolution. laq's own loops are sequential, with one exception that never
// overlaps a BLAS call: the quantize stage spreads tensors over a pool of the same size
// (optim/workers.h) while OpenBLAS's threads are idle. The count is a flag of every app and
// is printed in every result.
namespace laq::engine {

void set_threads(int count);  // throws laq::Error if count < 1
int threads();

}  // namespace laq::engine
