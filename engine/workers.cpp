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

void Workers::work(int worker) {
  for (;;) {
    std::size_t i;
    {
      std::lock_guard lock(mutex_);
      if (next_ >= tasks_ || error_) return;
      i = next_++;
    }
    try {
      (*task_)(i, worker);
    } catch (...) {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
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
    work(worker);
    {
      std::lock_guard lock(mutex_);
      if (--busy_ == 0) done_.notify_one();
    }
  }
}

void Workers::run(int threads, std::size_t tasks, const std::function<void(std::size_t, int)>& task) {
  const int helpers = static_cast<int>(std::min<std::size_t>(std::max(threads, 1) - 1, tasks > 0 ? tasks - 1 : 0));
  if (helpers == 0) {
    for (std::size_t i = 0; i < tasks; ++i) task(i, 0);
    return;
  }
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
    busy_ = helpers;
    ++job_;
  }
  wake_.notify_all();
  work(0);
  std::exception_ptr error;
  {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return busy_ == 0; });
    task_ = nullptr;
    error = error_;
    error_ = nullptr;
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace laq::engine
