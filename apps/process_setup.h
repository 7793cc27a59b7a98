#pragma once
// Process-wide settings that must be made before any real work: which OpenBLAS kernels run,
// and how the allocator treats the large, short-lived buffers of every training step.
namespace laq::apps {

// Debian 12's OpenBLAS (0.3.21) does not recognise AMD Zen 4 and falls back to its Haswell
// (AVX2) kernels; on a CPU with AVX-512 its SkylakeX kernels are 1.5-1.8x faster. OpenBLAS
// picks its kernels when the library loads, before main(), from OPENBLAS_CORETYPE, so this
// re-executes the program once with that variable set. It does nothing when the variable is
// already set (the user's choice wins), when the CPU lacks AVX-512, or when OpenBLAS already
// chose AVX-512 kernels.
void select_blas_kernels(char** argv);

// Activations and gradients are megabytes each and live for one step; glibc would map and
// unmap each one (a page fault per 4 KiB every step). Keep them on the heap instead.
void tune_allocator();

}  // namespace laq::apps
