#pragma once
// Process-wide settings that must be made before any real work: how OpenBLAS runs, and how the allocator treats the large, short-lived buffers of every training step.
namespace laq::apps {

// OpenBLAS reads its settings from the environment when the library loads, before main(),
// so this re-executes the program once with two of them set, each only if the user has not
// set it already (the user's choice wins):
//  - OPENBLAS_CORETYPE=SkylakeX. Debian 12's OpenBLAS (0.3.21) does not recognise AMD Zen 4
//    and falls back to its Haswell (AVX2) kernels; on a CPU with AVX-512 its SkylakeX
//    kernels are 1.5-1.8x faster. Only when the CPU has AVX-512 and OpenBLAS chose otherwise.
//  - OPENBLAS_THREAD_TIMEOUT=4. After each threaded product OpenBLAS's helpers spin, calling
//    sched_yield, for 2^28 cycles (about 0.1 s) before they sleep: through the whole rest of
//    a training step, on the cores laq's own loops need. With 2^4 cycles they sleep at once.
//    On 2 cores the MNIST MLP's lat-e step went from 64 to 52 ms and its quantize stage from
//    20 to 12 ms (`laq bench --model mlp --method lat-e`, runs paused, three alternations).
void prepare_blas_environment(char** argv);

// Activations and gradients are megabytes each and live for one step; glibc would map and
// unmap each one (a page fault per 4 KiB every step). Keep them on the heap instead.
void tune_allocator();

// A write past the file-size limit (ulimit -f) would kill the process with SIGXFSZ, leaving
// a half-written temporary file and no message. Ignored, the write fails with EFBIG like a
// full disk, and the command reports it and exits 1.
void ignore_file_size_signal();

}  // namespace laq::apps
