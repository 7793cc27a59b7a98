#pragma once
// A small persistent pool for laq's own loops: the one behind engine/parallel.h's process-wide
// loops. Its threads sleep on a condition variable between jobs,
// so a job pays one wake-up, not a thread creation. The thread count is the caller's (the
// process policy, engine::threads()); results must not depend on it, so callers hand out
// work whose outcome does not depend on which thread runs it (e.g. whole tensors).
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace laq::engine {

class Workers {
 public:
  Workers() = default;
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;
  ~Workers();

  // Runs task(i, worker) for every i in [0, tasks), in increasing i as threads free up, on
  // at most `threads` threads (the caller is worker 0); returns when all are done and
  // rethrows the first exception a task threw. worker < threads identifies per-thread
  // scratch. A helper that wakes only after the caller has claimed every task is not waited
  // for: on a loaded machine the caller would otherwise sit out the helper's scheduling delay.
  void run(int threads, std::size_t tasks, const std::function<void(std::size_t task, int worker)>& task);

 private:
  void loop(int worker);
  void work(int worker, unsigned long job);

  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(std::size_t, int)>* task_ = nullptr;
  std::size_t tasks_ = 0, next_ = 0;
  int active_ = 0;         // helpers taking part in the current job
  int in_flight_ = 0;      // tasks claimed and not yet finished
  unsigned long job_ = 0;  // generation counter
  bool stop_ = false;
  std::exception_ptr error_;
};

}  // namespace laq::engine
