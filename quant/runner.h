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

}  // namespace laq::quant
