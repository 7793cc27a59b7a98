#include "engine/workers.h"

#include <algorithm>

namespace laq::engine {

Workers::~Workers() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

// Claims tasks of `job` until none is left; a helper that arrives late, or for a job that
// has ended, claims nothing.
void Workers::work(int worker, unsigned long job) {
  for (;;) {
    std::size_t i;
    const std::function<void(std::size_t, int)>* task;
    {
      std::lock_guard lock(mutex_);
      if (job_ != job || worker > active_ || next_ >= tasks_ || error_) return;
      i = next_++;
      task = task_;
      ++in_flight_;
    }
    std::exception_ptr failed;
    try {
      (*task)(i, worker);
    } catch (...) {
      failed = std::current_exception();
    }
    std::lock_guard lock(mutex_);
    if (failed && !error_) error_ = failed;
    if (--in_flight_ == 0) done_.notify_one();
  }
}

void Workers::loop(int worker) {
  unsigned long seen = 0;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || (job_ != seen && worker <= active_); });
      if (stop_) return;
      seen = job_;
    }
    work(worker, seen);
  }
}

void Workers::run(int threads, std::size_t tasks, const std::function<void(std::size_t, int)>& task) {
  const int helpers = static_cast<int>(std::min<std::size_t>(std::max(threads, 1) - 1, tasks > 0 ? tasks - 1 : 0));
  if (helpers == 0) {
    for (std::size_t i = 0; i < tasks; ++i) task(i, 0);
    return;
  }
  unsigned long job;
  {
    std::lock_guard lock(mutex_);
    while (static_cast<int>(threads_.size()) < helpers) {
      const int id = static_cast<int>(threads_.size()) + 1;
      threads_.emplace_back([this, id] { loop(id); });
    }
    task_ = &task;
    tasks_ = tasks;
    next_ = 0;
    error_ = nullptr;
    active_ = helpers;
    job = ++job_;
  }
  wake_.notify_all();
  work(0, job);
  std::exception_ptr error;
  {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return in_flight_ == 0; });  // no task can be claimed any more
    task_ = nullptr;
    tasks_ = next_ = 0;  // closes the job for helpers that wake up late
    error = error_;
    error_ = nullptr;
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace laq::engine
