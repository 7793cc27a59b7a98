"""PyTorch in its best configuration on this machine, shared by the reference scripts.

A speed ratio against a handicapped reference proves nothing, so every PyTorch script here
runs PyTorch the way a careful user would tune it, and says what it chose:

- glibc's mmap threshold raised (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_): otherwise
  glibc maps and unmaps every multi-MB activation on each step, which makes Debian's PyTorch
  two to three times slower and very noisy here. laq does the same with mallopt in its main.
  glibc reads these variables when the process starts, so the script re-executes itself.
- OMP_WAIT_POLICY=PASSIVE: PyTorch's OpenMP threads otherwise spin between parallel regions
  and fight OpenBLAS's threads for the two cores (the LSTM step is about 3x slower without).
- The same OpenBLAS kernels as laq: laq switches Debian's OpenBLAS to its SkylakeX (AVX-512)
  kernels when OPENBLAS_CORETYPE is unset and the CPU has AVX-512 (apps/process_setup.cpp);
  the same rule is applied here, and an OPENBLAS_CORETYPE set by the caller is kept for both.
- The faster of 1 and 2 threads (--threads best, the default), both figures printed.

LAQ_TORCH_AS_IS=1 skips the environment settings, to show what they are worth.
"""
import json
import os
import sys

ALLOCATOR = {"MALLOC_MMAP_THRESHOLD_": "268435456", "MALLOC_TRIM_THRESHOLD_": "1073741824"}
OPENMP = {"OMP_WAIT_POLICY": "PASSIVE"}


def _cpu_has_avx512():
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return False
    return all(f in flags for f in ("avx512f", "avx512bw", "avx512dq", "avx512vl"))


def wanted_environment():
    env = dict(ALLOCATOR, **OPENMP)
    if "OPENBLAS_CORETYPE" not in os.environ and _cpu_has_avx512():
        env["OPENBLAS_CORETYPE"] = "SkylakeX"
    return env


def ensure_best_environment():
    """Call before importing torch: re-executes the script once with the settings above."""
    if os.environ.get("LAQ_TORCH_AS_IS") == "1":
        print("pytorch_best: LAQ_TORCH_AS_IS=1, environment left as it is", file=sys.stderr)
        return
    missing = {k: v for k, v in wanted_environment().items() if k not in os.environ}
    if missing:
        os.environ.update(missing)
        os.execv(sys.executable, [sys.executable] + sys.argv)
    shown = {k: os.environ.get(k, "") for k in list(ALLOCATOR) + list(OPENMP) + ["OPENBLAS_CORETYPE"]}
    print("pytorch_best: " + " ".join(f"{k}={v}" for k, v in shown.items()), file=sys.stderr)


def thread_counts(arg):
    """--threads: 'best' tries 1 and 2; a number is used as given."""
    if arg == "best":
        return [1, 2]
    n = int(arg)
    if n < 1:
        raise SystemExit("--threads: must be 'best' or a positive count")
    return [n]


def run_best(measure, threads_arg):
    """measure(threads) -> dict with median_ms; returns the fastest dict, with every count's median."""
    import torch

    results = {}
    for n in thread_counts(threads_arg):
        torch.set_num_threads(n)
        results[n] = measure(n)
        print(f"pytorch_best: {n} thread(s): median {results[n]['median_ms']:.2f} ms", file=sys.stderr)
    best = min(results, key=lambda n: results[n]["median_ms"])
    out = dict(results[best])
    out["threads"] = best
    out["threads_tried"] = {str(n): round(r["median_ms"], 3) for n, r in results.items()}
    out["environment"] = {k: os.environ.get(k, "") for k in list(ALLOCATOR) + list(OPENMP) + ["OPENBLAS_CORETYPE"]}
    print(f"pytorch_best: chose {best} thread(s)", file=sys.stderr)
    return out


def print_result(d):
    print(json.dumps(d))
