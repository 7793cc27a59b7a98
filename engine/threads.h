#pragma once
// The thread policy of the process: OpenBLAS's pool does the parallel work (every matrix
// product and convolution); laq's own loops are sequential, so the two never compete for
// the cores. The count is a flag of every app and is printed in every result.
namespace laq::engine {

void set_threads(int count);  // throws laq::Error if count < 1
int threads();

}  // namespace laq::engine
