#pragma once
// quant/ keeps no threads of its own. Its few large passes (the exact solvers' histogram
// pieces, writing a ternary code) are cut into tasks whose results do not depend on how, or
// on how many threads, they run; the program decides how to run them by installing a Runner
// (laq installs engine/'s pool, optim/quant_threads.h). Without one the tasks run one after
// another, with the same bits.
#include <cstddef>
#include <functional>

namespace laq::quant {

// Runs task(i) for every i in [0, count), in any order, on any threads; each task writes
// only its own outputs. Each task is worth a thread's wake-up (quant/ makes them coarse).
using Runner = std::function<void(std::size_t count, const std::function<void(std::size_t)>& task)>;

// From now on every quant/ function runs its tasks with `runner` (an empty one: serially).
// Install it before quantizing: swapping it while a solver runs is a data race.
void set_runner(Runner runner);

void run_tasks(std::size_t count, const std::function<void(std::size_t)>& task);

// The pieces of the alternating solvers' passes and of the d they read: small enough that two
// threads share a 4M-weight tensor evenly. (The exact ternary search keeps its own, larger
// pieces: its bits depend on them.)
inline constexpr std::size_t kPassPiece = std::size_t{1} << 18;

// Cuts [0, n) into pieces [p * piece, min(n, (p + 1) * piece)) and runs body(p, first, last)
// for each as a task. The pieces depend on n and piece only, so a pass that keeps one partial
// per piece and adds them in piece order has the same bits on any runner.
template <class Body>
void for_each_piece(std::size_t n, std::size_t piece, Body&& body) {
  run_tasks((n + piece - 1) / piece, [&](std::size_t p) {
    const std::size_t first = p * piece;
    body(p, first, first + piece < n ? first + piece : n);
  });
}

}  // namespace laq::quant
